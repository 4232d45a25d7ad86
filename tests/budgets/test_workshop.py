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
from tests.conftest import (
    CONSULTANT_A,
    pushes_to,
    signed_in_citizen,
    signed_in_staff,
)


@pytest.fixture
def workshop_course(app, team_a):
    """Team A's course with the change-theory workshop and a break on the kickoff day; citizen 0
    has a theory on every line, citizen 1 lacks one, citizen 2 has no draft."""
    with app.app_context():
        db.session.add_all([
            AgendaItem(course_id=team_a.course_id, day=Day.KICKOFF, position=0,
                       starts_at=time(10), ends_at=time(11), kind=ItemKind.WORKSHOP,
                       title="Forandringsteori: fra budgetpost til job"),
            AgendaItem(course_id=team_a.course_id, day=Day.KICKOFF, position=1,
                       starts_at=time(11), ends_at=time(11, 15), kind=ItemKind.BREAK,
                       title="Pause"),
        ])
        for index, theories in [(0, [True, True]), (1, [True, False])]:
            draft = Draft(citizen_id=team_a.citizens[index][0], course_id=team_a.course_id,
                          goal="Lagermedarbejder")
            draft.lines = [BudgetLine(title=f"Post {n}", amount=1000,
                                      change="Certifikat" if has else "",
                                      job_effect="Lagerjob" if has else "")
                           for n, has in enumerate(theories)]
            db.session.add(draft)
        db.session.commit()
    return team_a


@pytest.fixture
def workshop_facilitator(facilitator_client, workshop_course):
    """Team A's facilitator, signed in, with the kickoff day started (on the workshop)."""
    response = facilitator_client.post(f"/courses/{workshop_course.course_id}/session/start",
                                       data={"day": "kickoff"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return facilitator_client


def test_the_projector_shows_the_step_and_three_worked_examples(app, workshop_course,
                                                                workshop_facilitator):
    token = workshop_facilitator.post(f"/courses/{workshop_course.course_id}/projector").headers[
        "Location"].rsplit("/", 1)[1]
    page = app.test_client().get(f"/projector/{token}").get_data(as_text=True)
    assert workshop.STEPS[0].heading in page
    for example in workshop.EXAMPLES:
        assert example.title in page and example.parts["intro"] in page


def test_steps_advance_live_on_projector_and_phones(app, workshop_course, workshop_facilitator):
    phone = signed_in_citizen(app, workshop_course, 2)
    phone_socket = socketio.test_client(app, flask_test_client=phone)
    phone_socket.get_received()
    response = workshop_facilitator.post(
        f"/courses/{workshop_course.course_id}/session/workshop/next",
        headers={"HX-Request": "true"})
    assert response.status_code == 200
    [pushed] = pushes_to(phone_socket, "now")
    assert workshop.STEPS[1].prompt in pushed
    assert "Skriv dine forandringsteorier" in pushed
    # past the last step: refused with a message, nothing pushed
    for _ in range(len(workshop.STEPS) - 2):
        workshop_facilitator.post(f"/courses/{workshop_course.course_id}/session/workshop/next",
                                  headers={"HX-Request": "true"})
    phone_socket.get_received()
    refused = workshop_facilitator.post(
        f"/courses/{workshop_course.course_id}/session/workshop/next",
        headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert "Der er ikke flere trin" in refused.get_data(as_text=True)
    assert pushes_to(phone_socket, "now") == []


def test_moving_to_another_item_starts_the_next_workshop_at_its_introduction(app, workshop_course,
                                                                            workshop_facilitator):
    from course.live.models import RunningDay

    workshop_facilitator.post(f"/courses/{workshop_course.course_id}/session/workshop/next")
    workshop_facilitator.post(f"/courses/{workshop_course.course_id}/session/next")
    with app.app_context():
        assert db.session.scalars(sa.select(RunningDay)).one().workshop_step == 0
    refused = workshop_facilitator.post(
        f"/courses/{workshop_course.course_id}/session/workshop/next",
        headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "ikke en workshop" in refused.get_data(as_text=True)


def test_the_console_counts_progress_without_showing_anyones_text(app, workshop_course,
                                                                  workshop_facilitator):
    console = workshop_facilitator.get(
        f"/courses/{workshop_course.course_id}/console").get_data(as_text=True)
    assert "1 af 3 har en forandringsteori på alle budgetposter (2 er i gang)" in console
    assert "Certifikat" not in console and "Lagerjob" not in console


def test_progress_counts_only_those_present_once_people_check_in(app, workshop_course,
                                                                 workshop_facilitator):
    signed_in_citizen(app, workshop_course, 1)  # kickoff is today: checked in
    console = workshop_facilitator.get(
        f"/courses/{workshop_course.course_id}/console").get_data(as_text=True)
    assert "0 af 1 har en forandringsteori" in console


def test_the_citizens_workshop_page_lists_their_own_lines_only(app, workshop_course,
                                                               workshop_facilitator):
    phone = signed_in_citizen(app, workshop_course)
    page = phone.get("/me/workshop").get_data(as_text=True)
    assert "Post 0" in page and "Post 1" in page
    other = signed_in_citizen(app, workshop_course, 2)
    page = other.get("/me/workshop").get_data(as_text=True)
    assert "Post 0" not in page and "Du har ingen budgetposter endnu" in page


def test_only_facilitators_move_the_steps(app, workshop_course, workshop_facilitator):
    consultant = signed_in_staff(app, CONSULTANT_A)
    phone = signed_in_citizen(app, workshop_course)
    path = f"/courses/{workshop_course.course_id}/session/workshop/next"
    assert consultant.post(path).status_code == 404
    assert phone.post(path).status_code == 403


def test_progress_counts():
    assert workshop.progress([]) == workshop.Progress(0, 0, 0)
