"""Facilitators from another department (the method advises it, so citizens and facilitators
do not know each other): a team lead adds a facilitator of another team to a course, who then
runs that course — console, projector, agenda, attendance, rounds, and the participants'
drafts while the course runs — and sees nothing else of the team."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from course import realtime
from course.extensions import db, socketio
from course.schedule.models import Course
from tests.conftest import login_staff


@pytest.fixture
def guest_course(app, make_world, make_draft):
    """Team A's course (running today) with Team B's facilitator added as a guest; a second
    Team A course without them; a draft of Team A's first citizen."""
    a, b = make_world("Team A"), make_world("Team B")
    other = make_world("Team A2")  # (a world of its own; its course moves to Team A below)
    make_draft(a.citizens[0][0], a.course_id, goal="Job på lager",
               lines=[{"title": "Truckkørekort", "amount": 9000}])
    lead = app.test_client()
    login_staff(lead, "lead@teama.dk")
    with app.app_context():
        course = db.session.get(Course, a.course_id)
        form = {"name": course.name, "kickoff_on": course.kickoff_on.isoformat(),
                "day1_on": course.day1_on.isoformat(), "day2_on": course.day2_on.isoformat(),
                "venue": course.venue, "capacity": str(course.capacity),
                "question_mode": course.question_mode,
                "facilitators": [str(a.facilitator_id)],
                "guest_facilitators": [str(b.facilitator_id)]}
        second = db.session.get(Course, other.course_id)
        second.team_id = a.team_id
        db.session.commit()
    response = lead.post(f"/courses/{a.course_id}/edit", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return a, b, other.course_id


@pytest.fixture
def guest(app, guest_course):
    client = app.test_client()
    login_staff(client, "fac@teamb.dk")
    return client


def test_the_team_lead_adds_a_guest_and_a_facilitator_cannot(app, guest_course):
    a, b, _ = guest_course
    with app.app_context():
        names = {s.name for s in db.session.get(Course, a.course_id).facilitators}
    assert names == {"Facilitator Team A", "Facilitator Team B"}
    facilitator = app.test_client()
    login_staff(facilitator, "fac@teama.dk")
    page = facilitator.get(f"/courses/{a.course_id}/edit").get_data(as_text=True)
    assert "Facilitatorer fra et andet team" not in page  # not offered
    with app.app_context():
        course = db.session.get(Course, a.course_id)
        form = {"name": "Nyt navn", "kickoff_on": course.kickoff_on.isoformat(),
                "day1_on": course.day1_on.isoformat(), "day2_on": course.day2_on.isoformat(),
                "venue": "", "capacity": "20", "question_mode": "either",
                "facilitators": [str(a.facilitator_id)]}
    assert facilitator.post(f"/courses/{a.course_id}/edit", data=form).status_code == 303
    with app.app_context():  # the guest stays: a facilitator neither adds nor removes guests
        assert len(db.session.get(Course, a.course_id).facilitators) == 2
    forged = facilitator.post(f"/courses/{a.course_id}/edit",
                              data={**form, "guest_facilitators": [str(b.lead_id)]})
    assert forged.status_code == 422
    assert "Kun afdelingslederen kan tilføje facilitatorer fra andre teams." in forged.get_data(
        as_text=True)


def test_a_lead_cannot_add_another_teams_lead_or_consultant_as_a_guest(app, guest_course):
    a, b, _ = guest_course
    lead = app.test_client()
    login_staff(lead, "lead@teama.dk")
    with app.app_context():
        course = db.session.get(Course, a.course_id)
        form = {"name": course.name, "kickoff_on": course.kickoff_on.isoformat(),
                "day1_on": course.day1_on.isoformat(), "day2_on": course.day2_on.isoformat(),
                "venue": "", "capacity": "20", "question_mode": "either",
                "facilitators": [str(a.facilitator_id)],
                "guest_facilitators": [str(b.consultant_id)]}
    refused = lead.post(f"/courses/{a.course_id}/edit", data=form)
    assert refused.status_code == 422
    assert "Vælg gæster blandt de andre teams aktive facilitatorer." in refused.get_data(
        as_text=True)


def test_the_guest_runs_the_course(app, guest_course, guest):
    a, _b, _ = guest_course
    course = a.course_id
    assert f"/courses/{course}" in guest.get("/office").get_data(as_text=True)
    for path in (f"/courses/{course}", f"/courses/{course}/console",
                 f"/courses/{course}/agenda", f"/courses/{course}/attendance",
                 f"/courses/{course}/now"):
        assert guest.get(path).status_code == 200, path
    assert guest.post(f"/courses/{course}/session/start", data={"day": "kickoff"},
                      headers={"HX-Request": "true"}).status_code == 200
    assert guest.post(f"/courses/{course}/projector").status_code == 302


def test_the_guest_sees_nothing_else_of_the_team(app, guest_course, guest):
    a, _b, second = guest_course
    course_page = guest.get(f"/courses/{a.course_id}").get_data(as_text=True)
    assert 'id="participants"' not in course_page and "Citizen Team A 0" not in course_page
    citizen_id = a.citizens[0][0]
    for path in (f"/courses/{second}", f"/courses/{second}/console",
                 f"/courses/{a.course_id}/edit", f"/courses/{a.course_id}/citizens/{citizen_id}",
                 "/queue", "/notifications"):
        assert guest.get(path).status_code in (403, 404), path
    assert f"/courses/{second}" not in guest.get("/office").get_data(as_text=True)


def test_the_guest_reads_the_drafts_while_the_course_runs_and_not_after(app, guest_course,
                                                                         guest):
    a, _b, _ = guest_course
    with app.app_context():
        from course.budgets.models import Draft

        draft_id = db.session.scalar(sa.select(Draft.id))
    assert guest.get(f"/drafts/{draft_id}").status_code == 200  # the kickoff is today
    with app.app_context():
        course = db.session.get(Course, a.course_id)
        course.kickoff_on = date.today() - timedelta(days=20)
        course.day1_on = date.today() - timedelta(days=10)
        course.day2_on = date.today() - timedelta(days=9)
        db.session.commit()
    assert guest.get(f"/drafts/{draft_id}").status_code == 404  # the course has run
    own = app.test_client()
    login_staff(own, "fac@teama.dk")
    assert own.get(f"/drafts/{draft_id}").status_code == 200  # the team's own still follow


def test_the_guests_socket_enters_the_course_and_no_queue(app, guest_course, guest):
    a, b, _ = guest_course
    sock = socketio.test_client(app, flask_test_client=guest)
    [hello] = [e for e in sock.get_received() if e["name"] == realtime.EVENT_HELLO]
    rooms = set(hello["args"][0]["streams"])
    assert realtime.room(a.course_id, realtime.FACILITATORS) in rooms
    assert realtime.room(b.course_id, realtime.FACILITATORS) in rooms  # their own course
    assert not any(room.startswith("team:") for room in rooms)
