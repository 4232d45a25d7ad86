"""The guided change-theory workshop: steps on the projector and phones, progress on the console
(counts only), and each citizen's own lines to write on."""

from __future__ import annotations

from datetime import time

import pytest
import sqlalchemy as sa

from course.budgets import workshop
from course.budgets.models import BudgetLine, Draft
from course.extensions import db, socketio
from course.schedule.models import AgendaItem, Day, ItemKind
from tests.conftest import join_citizen, login_staff, pushes_to


@pytest.fixture
def world(app, make_world):
    world = make_world()
    with app.app_context():
        db.session.add_all([
            AgendaItem(course_id=world.course_id, day=Day.KICKOFF, position=0,
                       starts_at=time(10), ends_at=time(11), kind=ItemKind.WORKSHOP,
                       title="Forandringsteori: fra budgetpost til job"),
            AgendaItem(course_id=world.course_id, day=Day.KICKOFF, position=1,
                       starts_at=time(11), ends_at=time(11, 15), kind=ItemKind.BREAK,
                       title="Pause"),
        ])
        # citizen 0: every line has a theory; citizen 1: one line lacks it; citizen 2: no draft
        for index, theories in [(0, [True, True]), (1, [True, False])]:
            draft = Draft(citizen_id=world.citizens[index][0], course_id=world.course_id,
                          goal="Lagermedarbejder")
            draft.lines = [BudgetLine(title=f"Post {n}", amount=1000,
                                      change="Certifikat" if has else "",
                                      job_effect="Lagerjob" if has else "")
                           for n, has in enumerate(theories)]
            db.session.add(draft)
        db.session.commit()
    return world


@pytest.fixture
def facilitator(app, world):
    client = app.test_client()
    login_staff(client, "fac@teama.dk")
    response = client.post(f"/courses/{world.course_id}/session/start", data={"day": "kickoff"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    return client


def test_the_projector_shows_the_step_and_three_worked_examples(app, world, facilitator):
    token = facilitator.post(f"/courses/{world.course_id}/projector").headers[
        "Location"].rsplit("/", 1)[1]
    page = app.test_client().get(f"/projector/{token}").get_data(as_text=True)
    assert workshop.STEPS[0].heading in page
    for example in workshop.EXAMPLES:
        assert example.title in page and example.parts["intro"] in page


def test_steps_advance_live_on_projector_and_phones(app, world, facilitator):
    phone = app.test_client()
    join_citizen(phone, world.course_code, world.citizens[2][1])
    phone_socket = socketio.test_client(app, flask_test_client=phone)
    phone_socket.get_received()
    response = facilitator.post(f"/courses/{world.course_id}/session/workshop/next",
                                headers={"HX-Request": "true"})
    assert response.status_code == 200
    [pushed] = pushes_to(phone_socket, "now")
    assert workshop.STEPS[1].prompt in pushed
    assert "Skriv dine forandringsteorier" in pushed
    # past the last step: refused with a message, nothing pushed
    for _ in range(len(workshop.STEPS) - 2):
        facilitator.post(f"/courses/{world.course_id}/session/workshop/next",
                         headers={"HX-Request": "true"})
    phone_socket.get_received()
    refused = facilitator.post(f"/courses/{world.course_id}/session/workshop/next",
                               headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert "Der er ikke flere trin" in refused.get_data(as_text=True)
    assert pushes_to(phone_socket, "now") == []


def test_moving_to_another_item_starts_the_next_workshop_at_its_introduction(app, world,
                                                                            facilitator):
    from course.live.models import RunningDay

    facilitator.post(f"/courses/{world.course_id}/session/workshop/next")
    facilitator.post(f"/courses/{world.course_id}/session/next")
    with app.app_context():
        assert db.session.scalars(sa.select(RunningDay)).one().workshop_step == 0
    refused = facilitator.post(f"/courses/{world.course_id}/session/workshop/next",
                               headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "ikke en workshop" in refused.get_data(as_text=True)


def test_the_console_counts_progress_without_showing_anyones_text(app, world, facilitator):
    console = facilitator.get(f"/courses/{world.course_id}/console").get_data(as_text=True)
    assert "1 af 3 har en forandringsteori på alle budgetposter (2 er i gang)" in console
    assert "Certifikat" not in console and "Lagerjob" not in console


def test_progress_counts_only_those_present_once_people_check_in(app, world, facilitator):
    phone = app.test_client()
    join_citizen(phone, world.course_code, world.citizens[1][1])  # kickoff is today: checked in
    console = facilitator.get(f"/courses/{world.course_id}/console").get_data(as_text=True)
    assert "0 af 1 har en forandringsteori" in console


def test_the_citizens_workshop_page_lists_their_own_lines_only(app, world, facilitator):
    phone = app.test_client()
    join_citizen(phone, world.course_code, world.citizens[0][1])
    page = phone.get("/me/workshop").get_data(as_text=True)
    assert "Post 0" in page and "Post 1" in page
    other = app.test_client()
    join_citizen(other, world.course_code, world.citizens[2][1])
    page = other.get("/me/workshop").get_data(as_text=True)
    assert "Post 0" not in page and "Du har ingen budgetposter endnu" in page


def test_only_facilitators_move_the_steps(app, world, facilitator):
    consultant, phone = app.test_client(), app.test_client()
    login_staff(consultant, "con@teama.dk")
    join_citizen(phone, world.course_code, world.citizens[0][1])
    path = f"/courses/{world.course_id}/session/workshop/next"
    assert consultant.post(path).status_code == 404
    assert phone.post(path).status_code == 403


def test_progress_counts():
    assert workshop.progress([]) == workshop.Progress(0, 0, 0)
