"""Cost grows right: the pages a room and an office load most issue the same number of SQL
statements whatever the size — the draft editor with 1 or 15 lines, the approval queue with 2 or
200 plans, the projector board with 3 or 53 participants (no query per line, plan or person)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time

import sqlalchemy as sa

from course.extensions import db
from tests.conftest import hx_post, join_citizen, login_staff
from tests.test_approvals import complete_draft


@contextmanager
def counted(app) -> Iterator[list[str]]:
    """Collect the SQL statements run on the app's engine inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _get(app, client, path: str, **headers: str) -> int:
    with counted(app) as statements:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return len(statements)


def test_the_draft_editor_costs_the_same_with_15_lines(app, make_world):
    from course.budgets.models import BudgetLine, Draft

    world = make_world(citizens=2)
    counts = []
    for (citizen_id, code), lines in zip(world.citizens, (1, 15), strict=True):
        complete_draft(app, citizen_id, world.course_id)
        with app.app_context():
            draft = db.session.scalars(sa.select(Draft).where(Draft.citizen_id == citizen_id)).one()
            for n in range(1, lines):
                draft.lines.append(BudgetLine(position=n, title=f"Post {n}", amount=100,
                                              change="x", job_effect="y"))
            db.session.commit()
        phone = app.test_client()
        join_citizen(phone, world.course_code, code)
        _get(app, phone, "/me/budget")  # warm: the first visit may create rows
        counts.append(_get(app, phone, "/me/budget"))
    assert counts[0] == counts[1], counts
    print(f"draft editor: {counts[1]} statements")


def test_the_queue_costs_the_same_with_200_plans(app, make_world):
    world = make_world(citizens=0, capacity=250)
    from course.people import services as people
    from course.people.models import Citizen, Staff

    consultant = app.test_client()
    login_staff(consultant, "con@teama.dk")
    counts = []
    for total in (2, 200):
        with app.app_context():
            course = db.session.get(Staff, world.consultant_id)
            from course.schedule.models import Course
            course = db.session.get(Course, world.course_id)
            have = db.session.scalar(sa.select(sa.func.count()).select_from(Citizen))
            created = []
            for n in range(have, total):
                citizen, code = people.enrol_citizen(course, f"Borger {n}",
                                                     db.session.get(Staff, world.consultant_id))
                created.append((citizen.id, code))
            db.session.commit()
        for citizen_id, code in created:
            complete_draft(app, citizen_id, world.course_id)
            phone = app.test_client()
            join_citizen(phone, world.course_code, code)
            assert phone.post("/me/plan/submit").status_code == 303
        counts.append(_get(app, consultant, "/queue?view=team"))
    assert counts[0] == counts[1], counts
    print(f"queue: {counts[1]} statements")


def test_the_projector_board_costs_the_same_with_53_participants(app, make_world):
    from course.live import session as live
    from course.people.models import Citizen
    from course.schedule.models import AgendaItem, Course, Day, ItemKind

    counts = []
    for size in (3, 53):
        world = make_world(f"Team {size}", citizens=size, capacity=60)
        with app.app_context():
            db.session.add(AgendaItem(course_id=world.course_id, day=Day.KICKOFF, position=0,
                                      starts_at=time(13), ends_at=time(14),
                                      kind=ItemKind.SPARRING_ROUND, title="Sparring"))
            course = db.session.get(Course, world.course_id)
            for citizen in db.session.scalars(sa.select(Citizen).where(
                    Citizen.course_id == course.id)):
                live.check_in(course, Day.KICKOFF, citizen)
            db.session.commit()
        for citizen_id, _code in world.citizens:
            complete_draft(app, citizen_id, world.course_id)
        facilitator = app.test_client()
        login_staff(facilitator, f"fac@team{size}.dk")
        hx_post(facilitator, f"/courses/{world.course_id}/session/start", day="kickoff")
        started = hx_post(facilitator, f"/courses/{world.course_id}/rounds", grouping="rotation")
        assert started.status_code == 200, started.get_data(as_text=True)[:300]
        token = facilitator.post(f"/courses/{world.course_id}/projector").headers[
            "Location"].rsplit("/", 1)[1]
        wall = app.test_client()
        counts.append(_get(app, wall, f"/projector/{token}/now"))
    assert counts[0] == counts[1], counts
    print(f"projector board: {counts[1]} statements")
