"""Voluntary participation: a week to decide, four weeks for the plan, yes, no and opting out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from flask import render_template_string

from course.extensions import db
from course.people import pushes as people_pushes
from course.people import services
from course.people.models import Citizen, LoginSession
from tests.conftest import join_citizen, login_staff
from tests.people.test_enrolment import enrol_data


def danish(day: date) -> str:
    return format_date(day, "d. MMMM y", locale="da")


@pytest.fixture
def today(app) -> date:
    with app.app_context():
        return services.local_today()


def set_citizen(app, citizen_id: int, **values) -> None:
    with app.app_context():
        citizen = db.session.get(Citizen, citizen_id)
        for name, value in values.items():
            setattr(citizen, name, value)
        db.session.commit()


def get_citizen(app, citizen_id: int) -> Citizen:
    with app.app_context():
        citizen = db.session.get(Citizen, citizen_id)
        db.session.expunge(citizen)
        return citizen


def decide(client, world, citizen_id: int, decision: str, on: date):
    return client.post(f"/courses/{world.course_id}/citizens/{citizen_id}/decision",
                       data={"decision": decision, "decided_on": on.isoformat()})


@pytest.fixture
def disconnected(monkeypatch) -> list[list[int]]:
    """The login-session ids the routes asked the realtime core to disconnect."""

    calls: list[list[int]] = []
    monkeypatch.setattr(people_pushes, "disconnect_sign_ins", lambda ids: calls.append(list(ids)))
    return calls


# -- the rules -----------------------------------------------------------------------------------


def test_the_deadlines_follow_the_method():
    citizen = Citizen(name="A", info_meeting_on=date(2026, 11, 17), decision="pending",
                      active=True)
    assert services.decision_deadline(citizen) == date(2026, 11, 24)
    assert services.budget_deadline(citizen) is None
    citizen.decision, citizen.decided_on = "yes", date(2026, 11, 24)
    assert services.budget_deadline(citizen) == date(2026, 12, 22)


@pytest.mark.parametrize("meeting_days_ago, status, overdue, can_decide", [
    (0, "pending", False, True), (7, "pending", False, True), (8, "pending", True, True),
])
def test_participation_while_deciding(meeting_days_ago, status, overdue, can_decide):
    today = date(2026, 11, 30)
    citizen = Citizen(name="A", info_meeting_on=today - timedelta(days=meeting_days_ago),
                      decision="pending", active=True)
    p = services.participation(citizen, today)
    assert (p.status, p.overdue, p.can_decide, p.can_opt_out) == (status, overdue, can_decide,
                                                                    False)
    assert p.days_left == 7 - meeting_days_ago


def test_participation_after_yes_no_and_opt_out():
    from course.types import utcnow

    today = date(2026, 11, 30)
    yes = Citizen(name="A", info_meeting_on=date(2026, 11, 20), decision="yes",
                  decided_on=date(2026, 11, 25), active=True)
    p = services.participation(yes, today)
    assert (p.status, p.budget_deadline, p.days_left, p.can_opt_out, p.can_decide) == (
        "yes", date(2026, 12, 23), 23, True, False)
    no = Citizen(name="B", decision="no", decided_on=today, active=False)
    assert services.participation(no, today).status == "no"
    gone = Citizen(name="C", decision="yes", decided_on=today, active=False,
                   opted_out_at=utcnow())
    p = services.participation(gone, today)
    assert (p.status, p.can_opt_out, p.can_decide) == ("opted_out", False, False)


# -- staff record the decision -----------------------------------------------------------------


def test_deadlines_are_shown_in_danish_on_the_course_and_citizen_pages(app, client, make_world,
                                                                      today):
    world = make_world(citizens=2)
    (first, _), (second, _) = world.citizens
    set_citizen(app, first, info_meeting_on=today - timedelta(days=2))
    set_citizen(app, second, info_meeting_on=today - timedelta(days=3), decision="yes",
                decided_on=today - timedelta(days=1))
    login_staff(client, "con@teama.dk")
    page = client.get(f"/courses/{world.course_id}").get_data(as_text=True)
    for heading in ["Svarfrist", "Svar", "Budgetplan senest", "Status"]:
        assert f'<th scope="col">{heading}</th>' in page
    assert danish(today + timedelta(days=5)) in page  # the first one's answer is due
    assert "Betænkningstid" in page and "Deltager" in page
    assert danish(today - timedelta(days=1) + timedelta(days=28)) in page
    detail = client.get(f"/courses/{world.course_id}/citizens/{first}").get_data(as_text=True)
    assert "Frivillig deltagelse" in detail
    assert f"Borgeren har betænkningstid til og med {danish(today + timedelta(days=5))}." \
        in detail
    assert "Registrér ja" in detail and "Registrér nej" in detail


def test_a_yes_sets_the_budget_deadline(app, client, make_world, today):
    world = make_world(citizens=1)
    citizen_id = world.citizens[0][0]
    set_citizen(app, citizen_id, info_meeting_on=today - timedelta(days=3))
    login_staff(client, "con@teama.dk")
    response = decide(client, world, citizen_id, "yes", today)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    due = danish(today + timedelta(days=28))
    assert f"Ja er registreret. Budgetplanen skal være færdig senest {due}." in page
    citizen = get_citizen(app, citizen_id)
    assert (citizen.decision, citizen.decided_on, citizen.active) == ("yes", today, True)
    assert "Borgeren melder fra…" in page and "Registrér ja" not in page


def test_a_yes_after_the_decision_deadline_is_refused(app, client, make_world, today):
    world = make_world(citizens=1)
    citizen_id = world.citizens[0][0]
    set_citizen(app, citizen_id, info_meeting_on=today - timedelta(days=10))
    login_staff(client, "con@teama.dk")
    detail = client.get(f"/courses/{world.course_id}/citizens/{citizen_id}").get_data(True)
    assert "Svarfristen er overskredet" in detail
    response = decide(client, world, citizen_id, "yes", today)
    assert response.status_code == 422
    deadline = danish(today - timedelta(days=3))
    assert f"Betænkningstiden udløb den {deadline}, så et ja kan ikke længere registreres." \
        in response.get_data(as_text=True)
    citizen = get_citizen(app, citizen_id)
    assert (citizen.decision, citizen.decided_on, citizen.active) == ("pending", None, True)


def test_a_yes_given_in_time_can_be_recorded_later(app, client, make_world, today):
    world = make_world(citizens=1)
    citizen_id = world.citizens[0][0]
    set_citizen(app, citizen_id, info_meeting_on=today - timedelta(days=10))
    login_staff(client, "con@teama.dk")
    said_yes_on = today - timedelta(days=4)
    assert decide(client, world, citizen_id, "yes", said_yes_on).status_code == 303
    citizen = get_citizen(app, citizen_id)
    assert citizen.decided_on == said_yes_on
    assert services.budget_deadline(citizen) == said_yes_on + timedelta(days=28)


@pytest.mark.parametrize("days, message", [
    (+1, "Datoen kan ikke ligge ude i fremtiden."),
    (-5, "Svaret kan ikke dateres før informationsmødet"),
])
def test_the_date_of_the_answer_is_checked(app, client, make_world, today, days, message):
    world = make_world(citizens=1)
    citizen_id = world.citizens[0][0]
    set_citizen(app, citizen_id, info_meeting_on=today - timedelta(days=2))
    login_staff(client, "con@teama.dk")
    response = decide(client, world, citizen_id, "yes", today + timedelta(days=days))
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert get_citizen(app, citizen_id).decision == "pending"


@pytest.mark.parametrize("data", [{"decision": "maybe"}, {"decision": ""}, {}])
def test_nonsense_decisions_are_refused(app, client, make_world, today, data):
    world = make_world(citizens=1)
    citizen_id = world.citizens[0][0]
    login_staff(client, "con@teama.dk")
    response = client.post(f"/courses/{world.course_id}/citizens/{citizen_id}/decision",
                           data={"decided_on": today.isoformat(), **data})
    assert response.status_code == 422
    assert "Vælg ja eller nej." in response.get_data(as_text=True)
    assert get_citizen(app, citizen_id).decision == "pending"


def test_an_answer_is_recorded_once(app, client, make_world, today):
    world = make_world(citizens=1)
    citizen_id = world.citizens[0][0]
    set_citizen(app, citizen_id, info_meeting_on=today)
    login_staff(client, "con@teama.dk")
    assert decide(client, world, citizen_id, "yes", today).status_code == 303
    response = decide(client, world, citizen_id, "no", today)
    assert response.status_code == 422
    assert get_citizen(app, citizen_id).decision == "yes"


def test_a_no_ends_participation_sessions_and_frees_the_place(app, client, make_world, today,
                                                              disconnected):
    world = make_world(citizens=2, capacity=2)
    citizen_id, code = world.citizens[0]
    phone = app.test_client()
    join_citizen(phone, world.course_code, code)
    login_staff(client, "con@teama.dk")
    assert client.post(f"/courses/{world.course_id}/citizens",
                       data=enrol_data(world, today)).status_code == 422  # full
    response = decide(client, world, citizen_id, "no", today)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nej er registreret. Citizen Team A 0 kan ikke længere logge ind, og pladsen er " \
           "ledig." in page
    citizen = get_citizen(app, citizen_id)
    assert (citizen.decision, citizen.active) == ("no", False)
    # Signed out on the server and on open sockets; cannot sign in again.
    assert phone.get("/me").status_code == 302
    with app.app_context():
        ended = db.session.scalars(sa.select(LoginSession).where(
            LoginSession.citizen_id == citizen_id)).all()
        assert ended and all(s.end_reason == "declined" for s in ended)
        assert disconnected == [[s.id for s in ended]]
    assert app.test_client().post("/join", data={"course_code": world.course_code,
                                                 "personal_code": code}).status_code == 422
    # The place is free: the list says so, and a new citizen fits.
    course_page = client.get(f"/courses/{world.course_id}").get_data(as_text=True)
    assert "Deltagere (1 af 2 pladser)" in course_page and "Har sagt nej" in course_page
    assert client.post(f"/courses/{world.course_id}/citizens",
                       data=enrol_data(world, today)).status_code == 200


def test_opting_out_ends_sessions_and_frees_the_place(app, client, make_world, today,
                                                      disconnected):
    world = make_world(citizens=1, capacity=1)
    citizen_id, code = world.citizens[0]
    set_citizen(app, citizen_id, info_meeting_on=today - timedelta(days=1))
    login_staff(client, "con@teama.dk")
    assert decide(client, world, citizen_id, "yes", today).status_code == 303
    phone, laptop = app.test_client(), app.test_client()
    join_citizen(phone, world.course_code, code)
    join_citizen(laptop, world.course_code, code)
    response = client.post(f"/courses/{world.course_id}/citizens/{citizen_id}/opt-out")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Citizen Team A 0 har meldt fra og er logget ud alle steder. Pladsen er ledig." in page
    citizen = get_citizen(app, citizen_id)
    assert citizen.opted_out_at is not None and not citizen.active
    assert citizen.decision == "yes"  # the yes stays on record
    assert phone.get("/me").status_code == 302 and laptop.get("/me").status_code == 302
    assert len(disconnected[-1]) == 2
    with app.app_context():
        reasons = db.session.scalars(sa.select(LoginSession.end_reason).where(
            LoginSession.citizen_id == citizen_id)).all()
        assert reasons == ["opted_out", "opted_out"]
    assert app.test_client().post("/join", data={"course_code": world.course_code,
                                                 "personal_code": code}).status_code == 422
    course_page = client.get(f"/courses/{world.course_id}").get_data(as_text=True)
    assert "Deltagere (0 af 1 pladser)" in course_page and "Har meldt fra" in course_page
    assert client.post(f"/courses/{world.course_id}/citizens",
                       data=enrol_data(world, today)).status_code == 200


def test_only_a_participating_citizen_can_opt_out(app, client, make_world, today):
    world = make_world(citizens=1)
    citizen_id = world.citizens[0][0]
    login_staff(client, "con@teama.dk")
    response = client.post(f"/courses/{world.course_id}/citizens/{citizen_id}/opt-out")
    assert response.status_code == 422
    assert "Kun en borger, der har sagt ja og stadig deltager, kan melde fra." \
        in response.get_data(as_text=True)
    citizen = get_citizen(app, citizen_id)
    assert citizen.active and citizen.opted_out_at is None


def test_the_citizen_page_shows_who_enrolled_and_the_confirmed_checklist(app, client,
                                                                         make_world, today):
    world = make_world(citizens=0)
    login_staff(client, "con@teama.dk")
    client.post(f"/courses/{world.course_id}/citizens", data=enrol_data(
        world, today, phone="12 34 56 78", assessment=["informed"]))
    with app.app_context():
        citizen_id = db.session.scalar(sa.select(Citizen.id))
    page = client.get(f"/courses/{world.course_id}/citizens/{citizen_id}").get_data(True)
    for text in ["Anna Hansen", "12 34 56 78", "af Consultant Team A",
                 "Borgeren er fyldt 30 år", "Borgeren står til rådighed for arbejdsmarkedet",
                 "ved, at deltagelse ikke er en forhåndsgodkendelse af budgetønsker",
                 danish(today - timedelta(days=1))]:
        assert text in page, text
    assert "Borgeren er motiveret for at deltage" not in page  # not ticked


# -- the citizen sees their deadlines ----------------------------------------------------------


def render_deadlines(app, citizen: Citizen) -> str:
    with app.test_request_context():
        return render_template_string('{% include "people/_my_deadlines.html" %}',
                                      participation=services.participation(citizen))


def test_the_phone_shows_the_budget_deadline_after_a_yes(app):
    today = date.today()
    citizen = Citizen(name="A", info_meeting_on=date(2026, 11, 20), decision="yes",
                      decided_on=date(2026, 11, 24), active=True)
    text = " ".join(render_deadlines(app, citizen).split())
    assert "Du har sagt ja. Din budgetplan skal være færdig senest 22. december 2026." in text
    left = (date(2026, 12, 22) - today).days
    if left > 1:
        assert f"{left} dage tilbage." in text


def test_the_phone_shows_the_week_to_decide(app):
    with app.app_context():
        today = services.local_today()
    citizen = Citizen(name="A", info_meeting_on=today - timedelta(days=1), decision="pending",
                      active=True)
    text = " ".join(render_deadlines(app, citizen).split())
    assert "Det er frivilligt at deltage. Sig ja eller nej til din jobkonsulent senest " \
           f"{danish(today + timedelta(days=6))}." in text
    citizen.info_meeting_on = today - timedelta(days=9)
    text = " ".join(render_deadlines(app, citizen).split())
    assert f"Din betænkningstid udløb den {danish(today - timedelta(days=2))}." in text


def test_the_phone_counts_the_days_left(app):
    with app.app_context():
        today = services.local_today()
    citizen = Citizen(name="A", decision="yes", active=True,
                      decided_on=today - timedelta(days=27))
    assert "1 dag tilbage." in render_deadlines(app, citizen)
    citizen.decided_on = today - timedelta(days=28)
    assert "I dag er sidste dag." in render_deadlines(app, citizen)
    citizen.decided_on = today - timedelta(days=30)
    assert "Fristen er overskredet." in render_deadlines(app, citizen)


def test_the_phone_shows_nothing_without_a_deadline(app):
    citizen = Citizen(name="A", decision="pending", active=True)
    assert render_deadlines(app, citizen).strip() == ""
