"""Ending, at any time (issue 17, point 5): a case ends with one of the seed's six reasons
before or after approval (also while sent back), with an ending date and a note, by who may;
the audit trail says it in words, the citizen is told live, the decision document of an ending
after approval prints the approval and the ending with the complaint guidance. After approval,
six months without a recorded job or substantial change and the approved length's end are
flagged (case page and queue); a recorded job starts the six months again; an ended case's
citizen is reminded of nothing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from course.approvals import services
from course.approvals.models import AuditEvent, Case, CaseState, EndingReason, Notification
from course.extensions import db, socketio
from course.people.models import Citizen, Staff
from course.types import local_today
from tests.approvals.test_approvals import (
    _approve_green,
    _case,
    _new_consultant,
    _submit,
    complete_draft,
)
from tests.conftest import LEAD_A, hx_post, pushed, signed_in_staff

DEFAULT_GUIDANCE_DA = "Du kan klage over denne afgørelse"


@pytest.fixture
def citizen(app, team_a, citizen_client):
    """Citizen 0's phone with a complete plan, not yet handed in."""
    complete_draft(app, team_a.citizens[0][0], team_a.course_id)
    return citizen_client


@pytest.fixture
def approved(app, team_a, citizen, consultant_client) -> Case:
    """Citizen 0's plan, handed in and approved green by their consultant for nine months."""
    _submit(citizen)
    _approve_green(app, consultant_client, _case(app))
    case = _case(app)
    assert case.state == CaseState.APPROVED
    return case


def _end(client, case, reason="job", ended_on=None, note="Fastansat som lagerarbejder",
         path="end"):
    data = {"reason": reason, "note": note, "version": str(case.version)}
    if ended_on is not None:
        data["ended_on"] = ended_on if isinstance(ended_on, str) else ended_on.isoformat()
    return hx_post(client, f"/cases/{case.id}/{path}", **data)


def _move(app, case_id: int, *, handed_in_days_ago: int = 0, approved: datetime | None = None):
    """Put the case's hand-in (and approval) in the past, as time would have."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.versions[0].submitted_at = datetime.now(UTC) - timedelta(days=handed_in_days_ago)
        if approved is not None:
            case.decided_at = approved
        db.session.commit()


# -- ending, before and after approval ----------------------------------------------------------


@pytest.mark.parametrize("reason", list(EndingReason))
def test_an_approved_case_ends_with_each_reason(app, approved, consultant_client, reason):
    response = _end(consultant_client, approved, reason.value)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    case = _case(app)
    assert case.state == CaseState.REJECTED and case.ending_reason == reason
    assert case.ended_on == local_today() and case.ending_note == "Fastansat som lagerarbejder"
    # the approval stays on the case: its date, length and who decided
    assert case.length_months == 9 and case.decided_at == approved.decided_at
    assert case.decided_by_id == approved.decided_by_id
    html = response.get_data(as_text=True)
    assert "Afsluttet" in html and 'id="end-title"' not in html  # no second ending


def test_the_approved_case_page_offers_the_ending_with_the_six_reasons(approved,
                                                                      consultant_client):
    html = consultant_client.get(f"/cases/{approved.id}").get_data(as_text=True)
    card = html[html.index('id="end-title"'):]
    card = card[:card.index("</section>")]
    assert ">Afslut forløbet<" in html
    assert card.count('type="radio" name="reason"') == 6
    for label in ("Ordinær beskæftigelse", "Budgetplanen kan ikke godkendes",
                  "6 måneder uden job eller væsentlig ændring"):
        assert label in card
    # the date: today, the Danish way, and the first day it may be
    assert f'name="ended_on" value="{local_today().strftime("%d-%m-%Y")}"' in card
    assert "dd-mm-åååå, fra den dag planen blev afleveret" in card
    assert 'id="end-message"' in card and 'name="note"' in card


def test_a_sent_back_case_ends_and_the_plan_is_locked(app, team_a, citizen, consultant_client):
    from course.budgets.models import Draft

    _submit(citizen)
    case = _case(app)
    assert hx_post(consultant_client, f"/cases/{case.id}/send-back", note="Ret prisen",
                   version=str(case.version)).status_code == 200
    case = _case(app)
    assert 'id="end-title"' in consultant_client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert _end(consultant_client, case, "citizen_opts_out", note="").status_code == 200
    case = _case(app)
    assert case.state == CaseState.REJECTED and case.decided_at is not None
    with app.app_context():
        assert db.session.scalars(sa.select(Draft)).one().locked_at is not None
    # the citizen can no longer hand the plan in again
    assert citizen.post("/me/plan/submit").status_code == 422


def test_an_open_case_ends_with_a_date_by_its_decider(app, team_a, citizen, consultant_client):
    _submit(citizen)
    _move(app, _case(app).id, handed_in_days_ago=10)
    case = _case(app)
    day = local_today() - timedelta(days=3)
    response = _end(consultant_client, case, "not_approvable", ended_on=day, path="reject")
    assert response.status_code == 200
    case = _case(app)
    assert case.ended_on == day and case.decided_at is not None


# -- the date rules --------------------------------------------------------------------------


def test_the_ending_date_is_not_in_the_future_nor_before_the_hand_in(app, approved,
                                                                    consultant_client):
    _move(app, approved.id, handed_in_days_ago=20)
    case = _case(app)
    tomorrow = local_today() + timedelta(days=1)
    refused = _end(consultant_client, case, ended_on=tomorrow)
    assert refused.status_code == 422
    assert "Datoen kan ikke ligge ude i fremtiden." in refused.get_data(as_text=True)
    too_early = local_today() - timedelta(days=21)
    refused = _end(consultant_client, case, ended_on=too_early)
    assert refused.status_code == 422
    assert "Forløbet kan ikke afsluttes, før planen blev afleveret" in refused.get_data(
        as_text=True)
    refused = _end(consultant_client, case, ended_on="31-02-2027")
    assert refused.status_code == 422 and "dd-mm-åååå" in refused.get_data(as_text=True)
    assert _case(app).state == CaseState.APPROVED  # nothing kept of the refusals
    # the day of the hand-in itself, written the Danish way, is allowed
    first = local_today() - timedelta(days=20)
    assert _end(consultant_client, case, ended_on=first.strftime("%d-%m-%Y")).status_code == 200
    assert _case(app).ended_on == first


def test_no_date_means_today(app, approved, consultant_client):
    assert _end(consultant_client, approved, ended_on="").status_code == 200
    assert _case(app).ended_on == local_today()


# -- who may ----------------------------------------------------------------------------------


def test_who_may_end_an_approved_case(app, team_a, approved, citizen):
    _new_consultant(app, team_a, "kollega@teama.dk")
    colleague = signed_in_staff(app, "kollega@teama.dk")
    refused = _end(colleague, approved)
    assert refused.status_code == 422
    assert "Kun borgerens egen jobkonsulent" in refused.get_data(as_text=True)
    assert citizen.post(f"/cases/{approved.id}/end", data={"reason": "job"}).status_code in (
        403, 404)
    lead = signed_in_staff(app, LEAD_A)
    assert _end(lead, _case(app), "agreements_broken").status_code == 200
    case = _case(app)
    assert case.state == CaseState.REJECTED
    with app.app_context():
        assert db.session.get(Staff, case.ended_by_id).email == LEAD_A
    # a case already ended is not ended again
    again = _end(lead, case, "mistrust")
    assert again.status_code == 422
    assert "Forløbet er allerede afsluttet." in again.get_data(as_text=True)
    assert _case(app).ending_reason == EndingReason.AGREEMENTS_BROKEN


def test_a_bad_reason_or_a_long_note_is_refused(app, approved, consultant_client):
    assert "Vælg en af afslutningsårsagerne." in _end(
        consultant_client, approved, "fired").get_data(as_text=True)
    refused = _end(consultant_client, approved, note="x" * 4001)
    assert refused.status_code == 422 and "Højst 4000 tegn." in refused.get_data(as_text=True)
    assert _case(app).state == CaseState.APPROVED


def test_the_refusal_is_said_beside_the_form_and_the_text_is_kept(app, approved,
                                                                 consultant_client):
    refused = _end(consultant_client, approved, ended_on=local_today() + timedelta(days=2),
                   note="Borgeren starter som tømrerlærling")
    assert refused.status_code == 422
    # htmx swaps the message into the slot beside the form: the form and its text stay
    assert refused.headers["HX-Retarget"] == "#end-message"
    assert refused.headers["HX-Reswap"] == "innerHTML"
    body = refused.get_data(as_text=True)
    assert "<form" not in body and "tømrerlærling" not in body


# -- the trail, the citizen, the decision document -------------------------------------------


def test_the_trail_says_the_ending_and_its_date_in_words(app, approved, consultant_client):
    _move(app, approved.id, handed_in_days_ago=30)
    day = date.fromordinal(local_today().toordinal() - 2)
    assert _end(consultant_client, _case(app), ended_on=day).status_code == 200
    page = consultant_client.get(f"/cases/{approved.id}/trail").get_data(as_text=True)
    from course.i18n import long_date

    with app.test_request_context():
        spoken = long_date(day)
    assert "Forløbet afsluttet" in page and "Ordinær beskæftigelse." in page
    assert f"Afsluttet den {spoken}." in page and "Afsluttet efter godkendelsen." in page
    assert "Fastansat som lagerarbejder" in page
    csv = consultant_client.get(f"/cases/{approved.id}/trail.csv").get_data(as_text=True)
    assert f"Afsluttet den {spoken}." in csv
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "rejected")).one()
        assert event.details["ended_on"] == day.isoformat()


def test_the_citizen_is_told_live(app, team_a, approved, citizen, consultant_client):
    sock = socketio.test_client(app, flask_test_client=citizen)
    sock.get_received()
    assert _end(consultant_client, approved).status_code == 200
    assert {"notice-ping", "my-plan-outcome", "my-stage"} <= {f["target"] for f in pushed(sock)}
    with app.app_context():
        [note] = db.session.scalars(sa.select(Notification).where(
            Notification.citizen_id == team_a.citizens[0][0],
            Notification.kind == "ended")).all()
        assert note.link == "/me/plan"
    outcome = citizen.get("/me/plan/outcome").get_data(as_text=True)
    assert "Dit forløb er afsluttet" in outcome and "Ordinær beskæftigelse" in outcome


def test_the_decision_document_of_an_ending_after_approval(app, approved, consultant_client):
    _move(app, approved.id, handed_in_days_ago=30)
    day = local_today() - timedelta(days=1)
    assert _end(consultant_client, _case(app), ended_on=day).status_code == 200
    html = consultant_client.get(f"/cases/{approved.id}/decision").get_data(as_text=True)
    from course.i18n import long_date

    with app.test_request_context():
        ended, approved_on = long_date(day), long_date(approved.decided_at)
    # the ending, with its date and note
    assert "Forløbet er afsluttet: Ordinær beskæftigelse." in html
    assert re.search(rf"<dt>Afsluttet</dt><dd>{re.escape(ended)}", html)
    assert "Fastansat som lagerarbejder" in html
    # the approval's facts, as they were
    assert f"Budgetplanen blev godkendt {approved_on}" in html
    assert re.search(rf"<dt>Godkendt</dt><dd>{re.escape(approved_on)}", html)
    assert "9 måneder" in html and "Møde hver måned" in html
    assert "Betaling pr. budgetpost" in html
    # and the complaint guidance
    assert "Klagevejledning" in html and DEFAULT_GUIDANCE_DA in html


# -- the flags after approval ---------------------------------------------------------------


def _approved_on(app, case_id: int, day: date, months: int = 9) -> None:
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.decided_at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        case.length_months = months
        db.session.commit()


def _row(app, team_a, case_id: int, today: date) -> services.QueueRow:
    with app.app_context():
        staff = db.session.get(Staff, team_a.consultant_id)
        return next(r for r in services.team_rows(staff, today=today) if r.case_id == case_id)


def test_six_months_without_a_job_is_flagged_on_the_day(app, team_a, approved):
    _approved_on(app, approved.id, date(2026, 1, 15), months=12)
    before = _row(app, team_a, approved.id, date(2026, 7, 14))
    assert not before.no_change_six_months and not before.overdue
    on = _row(app, team_a, approved.id, date(2026, 7, 15))
    assert on.no_change_six_months and on.overdue and not on.length_ended
    with app.app_context():
        case = db.session.get(Case, approved.id)
        assert not services.case_flags(case, date(2026, 7, 14)).no_change_six_months
        assert services.case_flags(case, date(2026, 7, 15)).no_change_six_months


def test_the_end_of_the_approved_length_is_flagged_on_the_day(app, team_a, approved):
    _approved_on(app, approved.id, date(2026, 1, 31), months=9)
    assert not _row(app, team_a, approved.id, date(2026, 10, 30)).length_ended
    row = _row(app, team_a, approved.id, date(2026, 10, 31))
    assert row.length_ended and row.overdue
    # a month without the 31st: the month's last day
    assert services.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_both_flags_show_on_the_case_page_and_in_the_queue(app, approved, consultant_client):
    _approved_on(app, approved.id, local_today() - timedelta(days=400), months=6)
    page = consultant_client.get(f"/cases/{approved.id}").get_data(as_text=True)
    assert 'id="flag-six-months"' in page and 'id="flag-length"' in page
    assert "afgør, om forløbet skal afsluttes" in page
    queue = consultant_client.get("/queue", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert "Seks måneder uden job eller væsentlig ændring" in queue
    assert "Godkendt varighed udløbet" in queue
    overdue = consultant_client.get("/queue?overdue=1", headers={"HX-Request": "true"})
    assert f"TET-{approved.id:05d}" in overdue.get_data(as_text=True)
    # an ended case has no flags
    assert _end(consultant_client, _case(app), "no_change_6_months").status_code == 200
    queue = consultant_client.get("/queue", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert "Godkendt varighed udløbet" not in queue


def test_a_recorded_job_starts_the_six_months_again(app, team_a, approved, consultant_client):
    _approved_on(app, approved.id, local_today() - timedelta(days=200), months=12)
    page = consultant_client.get(f"/cases/{approved.id}").get_data(as_text=True)
    assert 'id="flag-six-months"' in page
    case = _case(app)
    on = local_today() - timedelta(days=10)
    response = hx_post(consultant_client, f"/cases/{case.id}/progress", kind="job",
                       on=on.isoformat(), note="Deltid i Netto", version=str(case.version))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert 'id="flag-six-months"' not in response.get_data(as_text=True)
    assert "Deltid i Netto" in response.get_data(as_text=True)
    case = _case(app)
    assert case.progress_on == on and case.state == CaseState.APPROVED
    # six months from the job recorded, not from the approval
    assert not _row(app, team_a, case.id, services.add_months(on, 6) - timedelta(days=1)
                    ).no_change_six_months
    assert _row(app, team_a, case.id, services.add_months(on, 6)).no_change_six_months
    trail = consultant_client.get(f"/cases/{case.id}/trail").get_data(as_text=True)
    assert "Opfølgning registreret" in trail and "Borgeren er kommet i job den" in trail


def test_a_job_is_recorded_between_the_approval_and_today_by_who_follows(app, team_a, approved,
                                                                         consultant_client):
    _approved_on(app, approved.id, local_today() - timedelta(days=30))
    case = _case(app)
    for bad_day in (local_today() + timedelta(days=1), local_today() - timedelta(days=31)):
        refused = hx_post(consultant_client, f"/cases/{case.id}/progress", kind="job",
                          on=bad_day.isoformat(), version=str(case.version))
        assert refused.status_code == 422
        assert refused.headers["HX-Retarget"] == "#progress-message"
    refused = hx_post(consultant_client, f"/cases/{case.id}/progress", kind="lottery",
                      version=str(case.version))
    assert refused.status_code == 422
    _new_consultant(app, team_a, "kollega@teama.dk")
    colleague = signed_in_staff(app, "kollega@teama.dk")
    assert hx_post(colleague, f"/cases/{case.id}/progress", kind="job",
                   version=str(case.version)).status_code == 422
    assert _case(app).progress_on is None


# -- reminders stop ----------------------------------------------------------------------------


def test_an_ended_case_s_citizen_is_reminded_of_nothing(app, team_a, citizen,
                                                       consultant_client):
    _submit(citizen)
    case = _case(app)
    assert hx_post(consultant_client, f"/cases/{case.id}/send-back", note="Ret prisen",
                   version=str(case.version)).status_code == 200
    with app.app_context():
        person = db.session.get(Citizen, team_a.citizens[0][0])
        person.decision, person.decided_on = "yes", local_today() - timedelta(days=26)
        db.session.commit()
        # sent back with the deadline near: the citizen would be reminded
        assert services.remind_deadlines(local_today())
        db.session.rollback()
    assert _end(consultant_client, _case(app), "citizen_opts_out").status_code == 200
    result = app.test_cli_runner().invoke(args=["remind"])
    assert result.exit_code == 0 and "0 reminder(s)" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.kind == "deadline")) == 0
