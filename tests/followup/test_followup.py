"""Follow-up after approval (issue 17, point 4): the approval's dates become meetings; the
case's job consultant (or the team lead) adds, moves, cancels and notes them by the rules;
an ended case takes no new meetings; the citizen reads their meetings and reports a changed
plan (notifying the job consultant, once a day); the follow-up calendar and the calendar
feed — valid iCalendar with nothing personal beyond the first name and the case's link —
and who may reach what."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from course.approvals import services as approvals
from course.approvals.models import AuditEvent, Case, Notification
from course.budgets.models import BudgetLine, Draft, StrategyItem, StrategyKind
from course.extensions import db
from course.followup import services
from course.followup.models import CalendarFeed, Meeting
from course.people import services as people
from course.people.models import Citizen, Role, Staff, Team
from course.types import local_today, utcnow
from tests.conftest import (
    CONSULTANT_A,
    LEAD_A,
    PASSWORD,
    hx_post,
    signed_in_citizen,
    signed_in_staff,
    smtp_inbox,
)

TODAY = local_today()
GOAL = "Maalet-er-hemmeligt-lager"
FOLLOW_UP = "Opfoelgningsplanen-er-intern"
NOTE = "Noten-efter-moedet-om-truck"
CONSULTANT_B = "con2@teama.dk"


@pytest.fixture
def team_a(make_world):
    return make_world(citizens=3)


def _approve(app, world, index: int = 0, *, dates: list[date] = (),
             consultant_id: int | None = None) -> int:
    """Citizen ``index``'s plan submitted, rated, green and approved by their (or the given)
    job consultant with the follow-up ``dates``; returns the case's id."""
    with app.app_context():
        citizen = db.session.get(Citizen, world.citizens[index][0])
        if consultant_id is not None:
            citizen.job_consultant_id = consultant_id
        draft = Draft(citizen_id=citizen.id, course_id=world.course_id, goal=GOAL,
                      motivation="Jeg vil gerne arbejde")
        draft.strategy = [StrategyItem(kind=kind, position=0, text=f"Punkt {kind.value}")
                          for kind in StrategyKind]
        draft.lines = [BudgetLine(position=0, title="Truckkørekort", amount=12_000,
                                  change="Jeg kan køre truck", job_effect="Lagerjob",
                                  price_source="AMU", no_documentation="AMU's side",
                                  need_date=date(2027, 2, 1))]
        db.session.add(draft)
        db.session.flush()
        consultant = db.session.get(Staff, consultant_id or world.consultant_id)
        case = approvals.submit(draft, citizen)
        for criterion in ("substantial_change", "realistic", "coherence"):
            approvals.rate(case, consultant, criterion, "yes", "")
        approvals.triage(case, consultant, "green")
        line = case.current.content["lines"][0]
        approvals.approve(case, consultant, approvals.Approval(
            length_months=9, follow_up=FOLLOW_UP, follow_up_dates=list(dates),
            payments={line["id"]: "invoice"}))
        db.session.commit()
        return case.id


def _staff(app, team_id: int, email: str, role: Role, name: str = "Sara Anden") -> int:
    with app.app_context():
        staff = people.create_staff(db.session.get(Team, team_id), name, email, role, PASSWORD,
                                    must_change_password=False)
        db.session.commit()
        return staff.id


def _meetings(app, case_id: int) -> list[Meeting]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Meeting).where(Meeting.case_id == case_id)
                                  .order_by(Meeting.on, Meeting.id)).all()
        db.session.expunge_all()
        return list(rows)


def _actions(app, case_id: int) -> list[tuple[str, dict]]:
    with app.app_context():
        return [(e.action, e.details) for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.case_id == case_id,
                                        AuditEvent.action.like("meeting_%"))
            .order_by(AuditEvent.id))]


def _add(client, case_id: int, on: date, at: str = ""):
    return hx_post(client, f"/cases/{case_id}/meetings", on=on.isoformat(), at=at)


def _base(case_id: int, meeting_id: int) -> str:
    return f"/cases/{case_id}/meetings/{meeting_id}"


# -- from the approval --------------------------------------------------------------------------


def test_the_approvals_follow_up_dates_become_the_cases_meetings(app, team_a):
    days = [TODAY + timedelta(days=30), TODAY + timedelta(days=60)]
    case_id = _approve(app, team_a, dates=list(reversed(days)))
    meetings = _meetings(app, case_id)
    assert [m.on for m in meetings] == days
    assert {(m.origin, m.created_by_id, m.at, m.note) for m in meetings} == {
        ("approval", team_a.consultant_id, None, "")}


def test_an_approval_without_dates_makes_no_meetings(app, team_a):
    assert _meetings(app, _approve(app, team_a)) == []


def test_the_migration_turns_the_approved_cases_dates_into_meetings(tmp_path):
    """Cases approved before the follow-up existed get their dates as meetings on upgrade.

    The cases are written at head (the models are today's, so an older schema would not take
    them), then the revision's backfill runs over them as the upgrade runs it."""
    import importlib.util

    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from flask_migrate import upgrade

    from course import create_app
    from tests.conftest import base_config

    app = create_app({**base_config(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}"})
    with app.app_context():
        upgrade()
        team = Team(name="T")
        db.session.add(team)
        db.session.flush()
        con = people.create_staff(team, "K", "k@x.dk", Role.JOB_CONSULTANT, PASSWORD)
        from course.schedule.models import Course
        course = Course(team=team, name="C", code="ABCD2345", venue="R", capacity=5,
                        kickoff_on=TODAY, day1_on=TODAY, day2_on=TODAY)
        db.session.add(course)
        db.session.flush()
        ids = []
        for n, dates in enumerate([["2027-01-04", "2027-02-01"], None]):
            citizen, _code = people.enrol_citizen(course, f"Borger {n}", con)
            draft = Draft(citizen_id=citizen.id, course_id=course.id)
            db.session.add(draft)
            db.session.flush()
            case = Case(draft_id=draft.id, citizen_id=citizen.id, course_id=course.id,
                        team_id=team.id, consultant_id=con.id, decided_by_id=con.id,
                        length_months=9 if dates else None, follow_up_dates=dates or [])
            db.session.add(case)  # (written directly: no approval, so no meetings yet)
            db.session.flush()
            ids.append(case.id)
        con_id = con.id
        db.session.commit()
        spec = importlib.util.spec_from_file_location("followup_revision", MIGRATION)
        revision = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(revision)
        with db.engine.begin() as connection, Operations.context(
                MigrationContext.configure(connection)):
            revision._backfill()
        rows = db.session.execute(sa.text(
            'SELECT case_id, "on", origin, created_by_id FROM followup_meetings ORDER BY id'
        )).all()
    assert [tuple(r) for r in rows] == [(ids[0], "2027-01-04", "approval", con_id),
                                        (ids[0], "2027-02-01", "approval", con_id)]


#: The follow-up's revision: it makes the tables and turns approved cases' dates into meetings.
MIGRATION = (Path(__file__).parents[2] / "migrations" / "versions"
             / "c4f1e8a2d7b3_followup_meetings_and_calendar_feeds.py")


# -- planning, moving, cancelling, noting -------------------------------------------------------


def test_the_consultant_adds_a_meeting_from_today_on(app, team_a, consultant_client):
    case_id = _approve(app, team_a)
    response = _add(consultant_client, case_id, TODAY - timedelta(days=1))
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#meeting-add-message"
    assert _add(consultant_client, case_id, TODAY + timedelta(days=800)).status_code == 422
    assert hx_post(consultant_client, f"/cases/{case_id}/meetings", on="31-02-2027"
                   ).status_code == 422
    assert _add(consultant_client, case_id, TODAY, at="25:99").status_code == 422
    assert _meetings(app, case_id) == []
    response = _add(consultant_client, case_id, TODAY + timedelta(days=7), at="10:30")
    assert response.status_code == 200
    assert 'id="case-followup-title"' in response.get_data(as_text=True)
    [meeting] = _meetings(app, case_id)
    assert (meeting.on, meeting.at, meeting.origin) == (TODAY + timedelta(days=7), time(10, 30),
                                                        "added")
    assert _actions(app, case_id) == [("meeting_added", {
        "meeting": meeting.id, "on": f"{(TODAY + timedelta(days=7)).isoformat()} 10:30"})]


def test_a_meeting_is_moved_to_a_day_from_today_on(app, team_a, consultant_client):
    case_id = _approve(app, team_a, dates=[TODAY + timedelta(days=14)])
    [meeting] = _meetings(app, case_id)
    base = _base(case_id, meeting.id)
    response = hx_post(consultant_client, f"{base}/move", on=(TODAY - timedelta(days=1))
                       .isoformat())
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#meeting-{meeting.id}-move-message"
    new_day = TODAY + timedelta(days=21)
    assert hx_post(consultant_client, f"{base}/move", on=new_day.strftime("%d-%m-%Y"),
                   at="09.15").status_code == 200
    [moved] = _meetings(app, case_id)
    assert (moved.on, moved.at) == (new_day, time(9, 15))
    assert _actions(app, case_id)[-1] == ("meeting_moved", {
        "meeting": meeting.id, "before": (TODAY + timedelta(days=14)).isoformat(),
        "on": f"{new_day.isoformat()} 09:15"})


def test_a_cancelled_meeting_is_not_moved_noted_or_cancelled_again(app, team_a,
                                                                   consultant_client):
    case_id = _approve(app, team_a, dates=[TODAY])
    [meeting] = _meetings(app, case_id)
    base = _base(case_id, meeting.id)
    assert hx_post(consultant_client, f"{base}/cancel").status_code == 200
    assert _meetings(app, case_id)[0].cancelled_at is not None
    for action, data in (("cancel", {}), ("move", {"on": TODAY.isoformat()}),
                         ("note", {"note": NOTE})):
        response = hx_post(consultant_client, f"{base}/{action}", **data)
        assert response.status_code == 422, action
        assert "aflyst" in response.get_data(as_text=True)
    assert [a for a, _d in _actions(app, case_id)] == ["meeting_cancelled"]


def test_the_note_is_written_once_the_meetings_day_has_come(app, team_a, consultant_client):
    case_id = _approve(app, team_a, dates=[TODAY, TODAY + timedelta(days=1)])
    today_meeting, tomorrow = _meetings(app, case_id)
    response = hx_post(consultant_client, f"{_base(case_id, tomorrow.id)}/note", note=NOTE)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#meeting-{tomorrow.id}-note-message"
    assert "efter mødet" in response.get_data(as_text=True)
    base = _base(case_id, today_meeting.id)
    assert hx_post(consultant_client, f"{base}/note", note="   ").status_code == 422
    too_long = "x" * (services.MAX_NOTE + 1)
    assert hx_post(consultant_client, f"{base}/note", note=too_long).status_code == 422
    assert _actions(app, case_id) == []
    response = hx_post(consultant_client, f"{base}/note", note=f"  {NOTE}  ")
    assert response.status_code == 200
    assert NOTE in response.get_data(as_text=True)
    noted = _meetings(app, case_id)[0]
    assert (noted.note, noted.noted_by_id) == (NOTE, team_a.consultant_id)
    # a held meeting stays: it is neither moved nor cancelled
    assert hx_post(consultant_client, f"{base}/cancel").status_code == 422
    assert hx_post(consultant_client, f"{base}/move",
                   on=(TODAY + timedelta(days=3)).isoformat()).status_code == 422
    # the note can be corrected; the trail keeps both
    assert hx_post(consultant_client, f"{base}/note", note="Rettet note").status_code == 200
    assert [d["note"] for a, d in _actions(app, case_id) if a == "meeting_noted"] == [
        NOTE, "Rettet note"]


def test_without_javascript_a_step_lands_back_on_the_case(app, team_a, consultant_client):
    case_id = _approve(app, team_a)
    response = consultant_client.post(f"/cases/{case_id}/meetings",
                                      data={"on": TODAY.isoformat()})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/cases/{case_id}#case-followup")


def test_an_ended_case_takes_no_new_meetings_and_its_later_ones_are_closed(
        app, team_a, consultant_client):
    case_id = _approve(app, team_a, dates=[TODAY, TODAY + timedelta(days=10)])
    held, later = _meetings(app, case_id)
    with app.app_context():
        approvals.reject(db.session.get(Case, case_id), db.session.get(
            Staff, team_a.consultant_id), "job", "Fastansat")
        db.session.commit()
    refused = _add(consultant_client, case_id, TODAY + timedelta(days=3))
    assert refused.status_code == 422 and "afsluttet" in refused.get_data(as_text=True)
    assert hx_post(consultant_client, f"{_base(case_id, later.id)}/move",
                   on=(TODAY + timedelta(days=20)).isoformat()).status_code == 422
    assert hx_post(consultant_client, f"{_base(case_id, later.id)}/cancel").status_code == 422
    assert hx_post(consultant_client, f"{_base(case_id, later.id)}/note",
                   note=NOTE).status_code == 422
    # the last meeting, on the day the case ended, can still be written up
    assert hx_post(consultant_client, f"{_base(case_id, held.id)}/note",
                   note=NOTE).status_code == 200
    page = consultant_client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Aflyst: forløbet er afsluttet" in page
    assert 'class="meeting-add-form"' not in page
    phone = signed_in_citizen(app, team_a, 0).get("/me/plan").get_data(as_text=True)
    assert "Aflyst: forløbet er afsluttet" in phone and NOTE in phone
    assert "Der er sket ændringer i min plan" not in phone


# -- who may act --------------------------------------------------------------------------------


def test_only_the_cases_consultant_or_the_team_lead_plans_its_meetings(app, team_a):
    case_id = _approve(app, team_a, dates=[TODAY])
    [meeting] = _meetings(app, case_id)
    _staff(app, team_a.team_id, CONSULTANT_B, Role.JOB_CONSULTANT)
    colleague = signed_in_staff(app, CONSULTANT_B)
    response = _add(colleague, case_id, TODAY)
    assert response.status_code == 422 and "team lead" not in response.get_data(as_text=True)
    assert hx_post(colleague, f"{_base(case_id, meeting.id)}/note", note=NOTE).status_code == 422
    # the colleague reads the meetings, without the forms
    page = colleague.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="case-followup"' in page and 'class="meeting-note-form"' not in page
    lead = signed_in_staff(app, LEAD_A)
    assert _add(lead, case_id, TODAY + timedelta(days=2)).status_code == 200
    assert hx_post(lead, f"{_base(case_id, meeting.id)}/note", note=NOTE).status_code == 200


def test_another_teams_staff_finance_and_citizens_cannot_reach_a_cases_meetings(
        app, team_a, make_world):
    case_id = _approve(app, team_a, dates=[TODAY])
    [meeting] = _meetings(app, case_id)
    make_world("Team B")
    _staff(app, team_a.team_id, "fin@teama.dk", Role.FINANCE)
    posts = [(f"/cases/{case_id}/meetings", {"on": TODAY.isoformat()}),
             (f"{_base(case_id, meeting.id)}/move", {"on": TODAY.isoformat()}),
             (f"{_base(case_id, meeting.id)}/cancel", {}),
             (f"{_base(case_id, meeting.id)}/note", {"note": NOTE})]
    for who, expected in ((signed_in_staff(app, "con@teamb.dk"), 404),
                          (signed_in_staff(app, "lead@teamb.dk"), 404),
                          (signed_in_staff(app, "fin@teama.dk"), 403),
                          (signed_in_staff(app, "fac@teama.dk"), 403),
                          (signed_in_citizen(app, team_a, 0), 403)):
        for path, data in posts:
            assert hx_post(who, path, **data).status_code == expected, path
    # a meeting of another case is not this case's
    other = _approve(app, team_a, 1, dates=[TODAY])
    consultant = signed_in_staff(app, CONSULTANT_A)
    assert hx_post(consultant, f"{_base(other, meeting.id)}/note",
                   note=NOTE).status_code == 422
    [untouched] = _meetings(app, case_id)
    assert (untouched.note, untouched.cancelled_at) == ("", None)


# -- the citizen --------------------------------------------------------------------------------


def test_the_citizen_sees_their_meetings_and_the_notes_on_their_plan(app, team_a,
                                                                    consultant_client):
    case_id = _approve(app, team_a, dates=[TODAY, TODAY + timedelta(days=30)])
    today_meeting, later = _meetings(app, case_id)
    hx_post(consultant_client, f"{_base(case_id, today_meeting.id)}/note", note=NOTE)
    hx_post(consultant_client, f"{_base(case_id, later.id)}/move",
            on=(TODAY + timedelta(days=31)).isoformat(), at="13:00")
    page = signed_in_citizen(app, team_a, 0).get("/me/plan").get_data(as_text=True)
    assert "Opfølgningsmøder" in page
    assert NOTE in page and "kl. 13.00" in page
    other = signed_in_citizen(app, team_a, 1).get("/me/plan")
    assert NOTE not in other.get_data(as_text=True)


def test_the_phone_names_the_next_meeting_as_it_is_planned_now(app, team_a,
                                                               consultant_client):
    first, second = TODAY + timedelta(days=3), TODAY + timedelta(days=30)
    case_id = _approve(app, team_a, dates=[first, second])
    with app.app_context():
        case = db.session.get(Case, case_id)
        approvals.sign_declaration(case, case.citizen)
        db.session.commit()
    phone = signed_in_citizen(app, team_a, 0)
    hx_post(consultant_client, f"{_base(case_id, _meetings(app, case_id)[0].id)}/cancel")
    moved_to = TODAY + timedelta(days=20)
    hx_post(consultant_client, f"{_base(case_id, _meetings(app, case_id)[1].id)}/move",
            on=moved_to.isoformat(), at="14:30")
    with app.test_request_context():
        from course.i18n import long_date

        expected = f"Næste møde med din jobkonsulent: {long_date(moved_to)} kl. 14.30."
    for path in ("/me", "/me/stage"):
        assert expected in phone.get(path).get_data(as_text=True), path


def test_the_citizen_is_told_once_until_they_have_read_it(app, team_a, consultant_client):
    case_id = _approve(app, team_a)
    citizen_id = team_a.citizens[0][0]

    def notices() -> list[tuple[str, str, bool]]:
        with app.app_context():
            return [(n.kind, n.link, n.read_at is None) for n in db.session.scalars(
                sa.select(Notification).where(Notification.citizen_id == citizen_id,
                                              Notification.kind == "meetings_changed")
                .order_by(Notification.id))]

    _add(consultant_client, case_id, TODAY + timedelta(days=3))
    _add(consultant_client, case_id, TODAY + timedelta(days=10))
    assert notices() == [("meetings_changed", "/me/plan", True)]
    phone = signed_in_citizen(app, team_a, 0)
    assert "Dine møder med din jobkonsulent er ændret" in phone.get("/me/notices").get_data(
        as_text=True)
    phone.get("/me/plan")  # reading the plan page reads the notice
    first = _meetings(app, case_id)[0]
    hx_post(consultant_client, f"{_base(case_id, first.id)}/cancel")
    assert notices() == [("meetings_changed", "/me/plan", False),
                         ("meetings_changed", "/me/plan", True)]


def test_reporting_a_change_notifies_the_consultant_once_a_day(app, team_a):
    case_id = _approve(app, team_a)
    with app.app_context():
        db.session.get(Citizen, team_a.citizens[0][0]).email = "anna@example.dk"
        db.session.get(Staff, team_a.consultant_id).email  # noqa: B018 (loaded)
        db.session.commit()
    phone = signed_in_citizen(app, team_a, 0)
    assert "Der er sket ændringer i min plan" in phone.get("/me/plan").get_data(as_text=True)
    with smtp_inbox() as (port, inbox):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="teten@kommune.dk")
        response = hx_post(phone, "/me/plan/changes", text="Jeg har fået deltidsjob i Netto")
        assert response.status_code == 200
        assert "Din jobkonsulent har fået besked" in response.get_data(as_text=True)
        again = hx_post(phone, "/me/plan/changes", text="En gang til")
        assert again.status_code == 422
        assert again.headers["HX-Retarget"] == "#report-message"
        assert "allerede" in again.get_data(as_text=True)
    [mail] = inbox
    assert mail.rcpt_tos == ["con@teama.dk"]
    body = mail.content.decode()
    assert f"/cases/{case_id}" in body and "Netto" not in body and "Citizen" not in body
    with app.app_context():
        notes = db.session.scalars(sa.select(Notification).where(
            Notification.staff_id == team_a.consultant_id,
            Notification.kind != "new_submission")).all()
        assert [(n.kind, n.link) for n in notes] == [("plan_changed", f"/cases/{case_id}")]
        events = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "plan_changed_reported")).all()
        assert [(e.actor_citizen_id, e.details) for e in events] == [
            (team_a.citizens[0][0], {"text": "Jeg har fået deltidsjob i Netto"})]
        # the next day, the citizen can tell again
        case = db.session.get(Case, case_id)
        tomorrow = utcnow() + timedelta(days=1)
        services.report_change(case, case.citizen, "", now=tomorrow)
    page = signed_in_staff(app, CONSULTANT_A).get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Jeg har fået deltidsjob i Netto" in page
    assert "Borgeren melder ændringer i planen" in page
    assert "Du har fortalt det til din jobkonsulent i dag" in phone.get("/me/plan").get_data(
        as_text=True)


def test_a_change_is_reported_on_ones_own_approved_running_case_only(app, team_a):
    _approve(app, team_a)
    without_case = signed_in_citizen(app, team_a, 2)
    assert hx_post(without_case, "/me/plan/changes", text="x").status_code == 404
    phone = signed_in_citizen(app, team_a, 0)
    too_long = "x" * (services.MAX_REPORT + 1)
    assert hx_post(phone, "/me/plan/changes", text=too_long).status_code == 422
    for staff in (CONSULTANT_A, LEAD_A):
        assert hx_post(signed_in_staff(app, staff), "/me/plan/changes").status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
            Notification.kind == "plan_changed")) == 0


# -- the follow-up calendar ---------------------------------------------------------------------


def test_the_calendar_lists_a_consultants_own_meetings_and_a_leads_teams(app, team_a,
                                                                        make_world):
    b_id = _staff(app, team_a.team_id, CONSULTANT_B, Role.JOB_CONSULTANT, "Bo Anden")
    mine = _approve(app, team_a, 0, dates=[TODAY + timedelta(days=2)])
    theirs = _approve(app, team_a, 1, dates=[TODAY + timedelta(days=3)], consultant_id=b_id)
    with app.app_context():  # a held meeting without a note, and a cancelled one
        db.session.add(Meeting(case_id=mine, on=TODAY - timedelta(days=3), origin="added"))
        db.session.add(Meeting(case_id=mine, on=TODAY + timedelta(days=4), origin="added",
                               cancelled_at=utcnow()))
        db.session.commit()
    page = signed_in_staff(app, CONSULTANT_A).get("/followup").get_data(as_text=True)
    assert "Citizen Team A 0" in page and "Citizen Team A 1" not in page
    assert "Afholdte møder uden notat" in page
    assert page.count("Citizen Team A 0") == 2  # the cancelled one is not listed
    lead = signed_in_staff(app, LEAD_A).get("/followup").get_data(as_text=True)
    assert "Citizen Team A 0" in lead and "Citizen Team A 1" in lead and "Bo Anden" in lead
    make_world("Team B")
    other = signed_in_staff(app, "lead@teamb.dk").get("/followup").get_data(as_text=True)
    assert "Citizen Team A" not in other
    assert theirs


# -- the calendar feed --------------------------------------------------------------------------


def _feed_url(client) -> str:
    import re

    page = client.post("/followup/calendar").get_data(as_text=True)
    return re.search(r'class="feed-url" readonly value="([^"]+)"', page).group(1)


def _events(body: bytes) -> list:
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def test_the_feed_is_icalendar_of_the_consultants_own_meetings_with_nothing_personal(
        app, team_a, consultant_client):
    b_id = _staff(app, team_a.team_id, CONSULTANT_B, Role.JOB_CONSULTANT)
    case_id = _approve(app, team_a, 0, dates=[TODAY + timedelta(days=5)])
    _approve(app, team_a, 1, dates=[TODAY + timedelta(days=6)], consultant_id=b_id)
    _add(consultant_client, case_id, TODAY, at="10:30")
    [timed, _day] = _meetings(app, case_id)
    hx_post(consultant_client, f"{_base(case_id, timed.id)}/note", note=NOTE)
    with app.app_context():
        db.session.add(Meeting(case_id=case_id, on=TODAY + timedelta(days=9), origin="added",
                               cancelled_at=utcnow()))
        db.session.commit()
    url = _feed_url(consultant_client)
    assert url.startswith("http://") and "/calendar/" in url and url.endswith(".ics")
    anonymous = app.test_client()
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.get_data()
    events = _events(body)
    assert len(events) == 3
    assert {str(e["SUMMARY"]) for e in events} == {"Opfølgning: Citizen"}
    assert {str(e["URL"]) for e in events} == {f"http://teten.test/cases/{case_id}"}
    by_day = {e.decoded("DTSTART") if isinstance(e.decoded("DTSTART"), date)
              and not isinstance(e.decoded("DTSTART"), datetime)
              else e.decoded("DTSTART").date(): e for e in events}
    start = by_day[TODAY].decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (10, 30, "Europe/Copenhagen")
    assert by_day[TODAY + timedelta(days=5)].decoded("DTSTART") == TODAY + timedelta(days=5)
    assert str(by_day[TODAY + timedelta(days=9)]["STATUS"]) == "CANCELLED"
    assert str(by_day[TODAY]["STATUS"]) == "CONFIRMED"
    [zone] = Calendar.from_ical(body).walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Copenhagen"
    text = body.decode()
    for private in ("Team A", NOTE, GOAL, FOLLOW_UP, "Truck", "TET-", "Citizen Team"):
        assert private not in text, private
    # the UIDs are stable from one fetch to the next
    assert sorted(str(e["UID"]) for e in _events(anonymous.get(url).get_data())) == sorted(
        str(e["UID"]) for e in events)


def test_a_wrong_or_renewed_token_is_404_and_only_the_hash_is_kept(app, team_a,
                                                                  consultant_client):
    _approve(app, team_a, dates=[TODAY])
    old = _feed_url(consultant_client)
    token = old.rsplit("/", 1)[1].removesuffix(".ics")
    with app.app_context():
        [feed] = db.session.scalars(sa.select(CalendarFeed)).all()
        assert token not in feed.token_hash and len(feed.token_hash) == 64
    anonymous = app.test_client()
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404
    assert anonymous.get(old[:-5] + "x.ics").status_code == 404
    new = _feed_url(consultant_client)
    assert new != old
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    page = consultant_client.get("/followup/calendar").get_data(as_text=True)
    assert new not in page and "Lav en ny kalenderadresse" in page
    with app.app_context():  # a deactivated account's feed stops too
        db.session.get(Staff, team_a.consultant_id).active = False
        db.session.commit()
    assert anonymous.get(new).status_code == 404


def test_the_download_is_the_signed_in_consultants_calendar(app, team_a, consultant_client):
    _approve(app, team_a, dates=[TODAY + timedelta(days=1)])
    response = consultant_client.get("/followup/calendar.ics")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert len(_events(response.get_data())) == 1
    assert app.test_client().get("/followup/calendar.ics").status_code in (302, 401)
    assert signed_in_citizen(app, team_a, 0).get("/followup/calendar.ics").status_code == 403


# -- the audit trail ----------------------------------------------------------------------------


def test_each_step_is_in_the_citizens_audit_trail_in_words(app, team_a, consultant_client):
    case_id = _approve(app, team_a, dates=[TODAY])
    [meeting] = _meetings(app, case_id)
    hx_post(consultant_client, f"{_base(case_id, meeting.id)}/note", note=NOTE)
    _add(consultant_client, case_id, TODAY + timedelta(days=1))
    added = _meetings(app, case_id)[1]
    hx_post(consultant_client, f"{_base(case_id, added.id)}/move",
            on=(TODAY + timedelta(days=2)).isoformat())
    hx_post(consultant_client, f"{_base(case_id, added.id)}/cancel")
    hx_post(signed_in_citizen(app, team_a, 0), "/me/plan/changes", text="Nyt job")
    trail = consultant_client.get(f"/cases/{case_id}/trail").get_data(as_text=True)
    for step in ("Notat efter et opfølgningsmøde", "Opfølgningsmøde planlagt",
                 "Opfølgningsmøde flyttet", "Opfølgningsmøde aflyst",
                 "Borgeren meldte en ændring i planen", NOTE, "Nyt job"):
        assert step in trail, step
