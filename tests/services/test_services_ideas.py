"""The idea wall on PostgreSQL: one phone's answers and dots sent many at once (a double tap, a
flaky network resending) hold the limits — five answers, the dots the vote gives."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.services.conftest import DEMO_COURSE_CODE, DEMO_FACILITATOR, SECRET_KEY, query

pytestmark = pytest.mark.services


def test_a_phones_answers_and_dots_at_once_hold_the_limits_on_postgresql(
        seeded_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("COURSE_")]:
        monkeypatch.delenv(name)
    from course import create_app
    from course.extensions import db
    from course.ideas import services as ideas
    from course.ideas.models import IdeaWall
    from course.people.models import Citizen, Staff
    from course.schedule.models import Course

    app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY, "STAFF_TWO_FACTOR": False,
                      "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SQLALCHEMY_DATABASE_URI": seeded_database,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 12, "max_overflow": 0}})
    [(course_id, citizen_id)] = query(
        seeded_database, "SELECT courses.id, citizens.id FROM citizens JOIN courses ON "
        "courses.id = citizens.course_id WHERE courses.code = %s ORDER BY citizens.id LIMIT 1",
        (DEMO_COURSE_CODE,))
    with app.app_context():
        staff = db.session.scalars(sa.select(Staff).where(Staff.email == DEMO_FACILITATOR[0])
                                   ).one()
        wall = ideas.create(db.session.get(Course, course_id), staff, "Hvad drømmer du om?")
        wall.state = ideas.OPEN  # (open without a running day: the limits are the point)
        db.session.commit()
        wall_id = wall.id

    def at_once(action, n: int = 12) -> list[str]:
        start = threading.Barrier(n)
        outcomes: list[str] = []

        def run(i: int) -> None:
            with app.app_context():
                wall = db.session.get(IdeaWall, wall_id)
                citizen = db.session.get(Citizen, citizen_id)
                start.wait()
                try:
                    action(wall, citizen, i)
                    db.session.commit()
                    outcomes.append("ok")
                except ideas.IdeaError as err:
                    db.session.rollback()
                    outcomes.append(err.code)
        threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sorted(outcomes)

    try:
        assert at_once(lambda wall, citizen, i: ideas.answer(wall, citizen, f"Idé {i}")) == \
            ["ok"] * ideas.ANSWERS_PER_PHONE + ["too_many"] * (12 - ideas.ANSWERS_PER_PHONE)
        assert query(seeded_database, "SELECT count(*) FROM idea_entries WHERE wall_id = %s",
                     (wall_id,)) == [(ideas.ANSWERS_PER_PHONE,)]
        with app.app_context():
            wall = db.session.get(IdeaWall, wall_id)
            wall.voting, wall.dots = ideas.OPEN, 3
            db.session.commit()
        # (which five answers won the race differs from run to run: dot one that is there)
        [(key,)] = query(seeded_database, "SELECT key FROM idea_entries WHERE wall_id = %s "
                         "ORDER BY id LIMIT 1", (wall_id,))
        assert at_once(lambda wall, citizen, i: ideas.place_dot(wall, citizen, key, 1)) == \
            ["no_dots"] * 9 + ["ok"] * 3
        assert query(seeded_database, "SELECT sum(dots) FROM idea_dots WHERE wall_id = %s",
                     (wall_id,)) == [(3,)]
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
