"""The approval queue: submitting a frozen version, the queue, the assessment on the three
criteria, green / yellow / red, send back and end, the outcome on the phone, the declaration,
notices (in-app, live and by e-mail), the append-only audit trail and the exports."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from course.approvals.models import AuditEvent, Case, Notification, PlanVersion
from course.budgets.models import BudgetLine, Draft, StrategyItem, StrategyKind
from course.extensions import db, socketio
from tests.conftest import (
    FACILITATOR_A,
    PASSWORD,
    hx_post,
    signed_in_citizen,
    signed_in_staff,
    smtp_inbox,
)

GOAL = "Job som lagermedarbejder"


@pytest.fixture
def team_a(make_world):
    """Team A with two citizens."""
    return make_world(citizens=2)


def complete_draft(app, citizen_id: int, course_id: int, amount: int = 9800) -> int:
    """A plan that passes the checklist (one line with a change theory, each strategy list)."""
    with app.app_context():
        draft = Draft(citizen_id=citizen_id, course_id=course_id, goal=GOAL,
                      motivation="Jeg vil tjene mine egne penge.")
        draft.lines = [BudgetLine(position=0, title="Truckkørekort", amount=amount,
                                  change="Jeg kan køre truck",
                                  job_effect="Lagerjob kræver certifikat",
                                  price_source="AMU-kursets hjemmeside",
                                  no_documentation="Prisen står på kursets egen side",
                                  need_date=date(2027, 2, 1))]
        draft.strategy = [StrategyItem(kind=kind, position=0, text=f"Punkt {kind.value}")
                          for kind in StrategyKind]
        db.session.add(draft)
        db.session.commit()
        return draft.id


@pytest.fixture
def citizen(app, team_a, citizen_client):
    """Citizen 0's phone, signed in, with a complete plan (not yet submitted)."""
    complete_draft(app, team_a.citizens[0][0], team_a.course_id)
    return citizen_client


def _case(app) -> Case:
    with app.app_context():
        case = db.session.scalars(sa.select(Case)).one()
        db.session.expunge(case)
        return case


def _submit(citizen):
    response = citizen.post("/me/plan/submit")
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def _trail(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def _rate(client, case, effect="yes", realistic="yes", coherence="yes"):
    return hx_post(client, f"/cases/{case.id}/ratings", version=str(case.version),
                   **{"substantial_change-value": effect, "substantial_change-note": "Godt mål",
                      "realistic-value": realistic, "realistic-note": "",
                      "coherence-value": coherence, "coherence-note": ""})


def _approve(client, case, months="9", **extra):
    with client.application.app_context():
        line_ids = [line["id"] for line in db.session.get(Case, case.id).current.content["lines"]]
    data = {"version": str(case.version), "length_months": months,
            "follow_up": "Møde hver måned", "follow_up_dates": "01-03-2027\n2027-04-01",
            **{f"payment-{i}": "invoice" for i in line_ids}} | extra
    return hx_post(client, f"/cases/{case.id}/approve", **data)


def _approve_green(app, consultant, case):
    """The own consultant rates all yes, chooses green and approves for nine months."""
    _rate(consultant, case)
    case = _case(app)
    hx_post(consultant, f"/cases/{case.id}/triage", colour="green", version=str(case.version))
    assert _approve(consultant, _case(app)).status_code == 200


def _new_consultant(app, world, email: str) -> int:
    """Another job consultant in the team (signs in with ``PASSWORD``); returns their id."""
    from course.people import services as people
    from course.people.models import Role, Team

    with app.app_context():
        staff = people.create_staff(db.session.get(Team, world.team_id), email.split("@")[0],
                                    email, Role.JOB_CONSULTANT, PASSWORD,
                                    must_change_password=False)
        db.session.commit()
        return staff.id


# -- submitting -----------------------------------------------------------------------------


def test_submitting_freezes_a_version_and_locks_the_draft(app, team_a, citizen):
    _submit(citizen)
    case = _case(app)
    assert case.state == "submitted" and case.consultant_id == team_a.consultant_id
    with app.app_context():
        version = db.session.scalars(sa.select(PlanVersion)).one()
        assert version.content["goal"] == GOAL and len(version.content_hash) == 64
        assert version.content["lines"][0]["change"] == "Jeg kan køre truck"
        draft = db.session.get(Draft, case.draft_id)
        assert draft.locked_at is not None
        line_id = draft.lines[0].id
    # the draft is read-only now: the editor shows where the plan stands, a save is refused
    assert citizen.get("/me/budget").headers["Location"].endswith("/me/plan")
    page = citizen.get("/me/plan").get_data(as_text=True)
    assert "Din plan er sendt" in page
    refused = hx_post(citizen, f"/drafts/{case.draft_id}/fields",
                      field=f"draft:{case.draft_id}:goal", value="Nyt mål", version="0")
    assert refused.status_code == 409
    assert "Din plan er sendt og kan ikke ændres nu" in refused.get_data(as_text=True)
    assert hx_post(citizen, f"/drafts/{case.draft_id}/lines/{line_id}/delete").status_code == 409
    again = citizen.post("/me/plan/submit")
    assert again.status_code == 422 and "allerede sendt" in again.get_data(as_text=True)
    assert _trail(app) == ["submitted"]


def test_an_incomplete_or_over_cap_plan_cannot_be_submitted(app, team_a):
    phone = signed_in_citizen(app, team_a, 1)
    complete_draft(app, team_a.citizens[1][0], team_a.course_id, amount=50_001)
    response = phone.post("/me/plan/submit")
    assert response.status_code == 422
    assert "Planen er ikke klar til at blive sendt" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
        assert db.session.scalars(sa.select(Draft)).one().locked_at is None


def test_the_plan_arrives_live_in_the_queue(app, team_a, citizen, consultant_client):
    queue_socket = socketio.test_client(app, flask_test_client=consultant_client)
    queue_socket.get_received()
    page = consultant_client.get("/queue").get_data(as_text=True)
    assert "Ingen sager her" in page
    _submit(citizen)
    received = queue_socket.get_received()
    pings = [f for e in received if e["name"] == "live:fragments"
             for f in e["args"][0]["fragments"]]
    assert {f["target"] for f in pings} == {"queue-ping", "notice-ping"}
    assert all(GOAL not in f["html"] and "Citizen" not in f["html"] for f in pings)
    fragment = consultant_client.get("/queue",
                                     headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Citizen Team A 0" in fragment and "Ny" in fragment
    badge = consultant_client.get("/notifications/badge").get_data(as_text=True)
    assert "1 ny besked" in badge


def test_the_queue_filters_and_counts(app, team_a, citizen, consultant_client, lead_client):
    _submit(citizen)
    mine = consultant_client.get("/queue?state=submitted", headers={"HX-Request": "true"})
    html = mine.get_data(as_text=True)
    assert "Citizen Team A 0" in html and 'queue-count-n">1</span> Ny' in html
    with app.app_context():
        case_id = db.session.scalar(sa.select(Case.id))
    assert f'<a href="/cases/{case_id}">Citizen Team A 0</a>' in html and "<td>0 dage</td>" in html
    # the team lead has no case of their own: the team's queue is theirs by default
    assert "Citizen Team A 0" in lead_client.get("/queue").get_data(as_text=True)
    assert "Citizen Team A 0" not in lead_client.get("/queue?view=mine", headers={
        "HX-Request": "true"}).get_data(as_text=True)
    assert "Citizen Team A 0" not in consultant_client.get("/queue?view=mine&course=999", headers={
        "HX-Request": "true"}).get_data(as_text=True)
    assert "Citizen Team A 0" not in consultant_client.get(
        "/queue?state=approved", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Citizen Team A 0" not in consultant_client.get(
        "/queue?days=3", headers={"HX-Request": "true"}).get_data(as_text=True)


def test_who_may_reach_the_queue_and_a_case(app, team_a, make_world, citizen):
    _submit(citizen)
    case = _case(app)
    make_world("Team B")
    stranger = signed_in_staff(app, "con@teamb.dk")
    facilitator = signed_in_staff(app, FACILITATOR_A)
    assert stranger.get(f"/cases/{case.id}").status_code == 404
    assert "Citizen Team A 0" not in stranger.get("/queue?view=team").get_data(as_text=True)
    for path in ("/queue", f"/cases/{case.id}", "/exports/approved.csv"):
        assert citizen.get(path).status_code == 403
        assert facilitator.get(path).status_code == 403
    assert hx_post(citizen, f"/cases/{case.id}/approve").status_code == 403


# -- assessing and deciding -----------------------------------------------------------------


def test_the_assessment_screen_holds_everything(app, team_a, citizen, consultant_client):
    _submit(citizen)
    case = _case(app)
    page = consultant_client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert GOAL in page and "Jeg kan køre truck" in page and "Lagerjob kræver certifikat" in page
    assert "Sparring med jobkonsulenten" in page  # earlier sparring comments
    assert "Planen kan føre til en væsentlig ændring" in page
    assert 'name="version" value="' in page


def test_green_approval_by_the_own_consultant(app, team_a, citizen, consultant_client, lead_client):
    _submit(citizen)
    case = _case(app)
    response = _rate(consultant_client, case)
    assert response.status_code == 200 and "Forslag ud fra vurderingen" in response.get_data(
        as_text=True)
    case = _case(app)
    assert case.state == "in_assessment"
    assert hx_post(consultant_client, f"/cases/{case.id}/triage", colour="green",
                   version=str(case.version)).status_code == 200
    case = _case(app)
    # a colleague cannot approve a green case that is not theirs
    refused = _approve(lead_client, case)
    assert refused.status_code == 422 and "Kun borgerens egen jobkonsulent" in refused.get_data(
        as_text=True)
    for months in ("5", "13", "ni"):
        bad = _approve(consultant_client, case, months=months)
        assert bad.status_code == 422 and "6 til 12 måneder" in bad.get_data(as_text=True)
    with app.app_context():
        line_id = db.session.get(Case, case.id).current.content["lines"][0]["id"]
    bad = _approve(consultant_client, case, **{f"payment-{line_id}": "kontant"})
    assert bad.status_code == 422 and "betalingsformen" in bad.get_data(as_text=True)
    assert _case(app).state == "in_assessment"

    assert _approve(consultant_client, case,
                    **{f"payment-{line_id}": "own_account"}).status_code == 200
    case = _case(app)
    assert case.state == "approved" and case.length_months == 9
    assert case.follow_up_dates == ["2027-03-01", "2027-04-01"]
    assert case.payments == {str(line_id): "own_account"}
    # the team sees it for information
    assert "Til orientering" in lead_client.get("/queue").get_data(as_text=True)

    outcome = citizen.get("/me/plan").get_data(as_text=True)
    assert "Din plan er godkendt" in outcome and "Forløbets længde: 9 måneder" in outcome
    assert "1. marts 2027" in outcome and "Udlæg" in outcome
    assert citizen.post("/me/plan/declaration").status_code == 422  # the box must be ticked
    assert citizen.post("/me/plan/declaration", data={"agree": "1"}).status_code == 303
    assert "Underskrevet" in citizen.get("/me/plan").get_data(as_text=True)
    assert citizen.post("/me/plan/declaration", data={"agree": "1"}).status_code == 422
    assert _trail(app) == ["submitted", "rated", "rated", "rated", "triaged", "approved",
                           "declaration_signed"]


def test_yellow_colleagues_spar_then_green(app, team_a, citizen, consultant_client, lead_client):
    _submit(citizen)
    case = _case(app)
    _rate(consultant_client, case, realistic="uncertain")
    case = _case(app)
    page = consultant_client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'colour-chip colour-yellow">Gul' in page  # suggested
    hx_post(consultant_client, f"/cases/{case.id}/triage", colour="yellow",
            version=str(case.version))
    case = _case(app)
    assert case.state == "yellow"
    assert hx_post(consultant_client, f"/cases/{case.id}/colleagues", staff_id=str(team_a.lead_id),
                   version=str(case.version)).status_code == 200
    assert "1 ny besked" in lead_client.get("/notifications/badge").get_data(as_text=True)
    # only the team's colleagues can be asked
    bad = hx_post(consultant_client, f"/cases/{case.id}/colleagues",
                  staff_id=str(team_a.facilitator_id),
                  version=str(_case(app).version))
    assert bad.status_code == 422
    assert hx_post(lead_client, f"/cases/{case.id}/comments", text="Realistisk nok, synes jeg"
                   ).status_code == 200
    assert hx_post(lead_client, f"/cases/{case.id}/comments", text="  ").status_code == 422
    assert "Realistisk nok" in consultant_client.get(f"/cases/{case.id}").get_data(as_text=True)
    case = _case(app)
    hx_post(consultant_client, f"/cases/{case.id}/triage", colour="green",
            version=str(case.version))
    assert _approve(consultant_client, _case(app)).status_code == 200
    assert _case(app).state == "approved"


def test_red_the_team_decides_and_records_who_took_part(app, team_a, citizen, consultant_client,
                                                        lead_client):
    _submit(citizen)
    case = _case(app)
    _rate(consultant_client, case, effect="no", realistic="no", coherence="uncertain")
    case = _case(app)
    hx_post(consultant_client, f"/cases/{case.id}/triage", colour="red", version=str(case.version))
    case = _case(app)
    assert case.state == "red"
    alone = _approve(lead_client, case)  # a team decision needs at least two who took part
    assert alone.status_code == 422 and "mindst to" in alone.get_data(as_text=True)
    assert _approve(lead_client, case, participant=str(team_a.consultant_id)).status_code == 200
    case = _case(app)
    assert case.state == "approved" and set(case.team_participants) == {team_a.lead_id,
                                                                        team_a.consultant_id}


def test_send_back_opens_the_draft_and_the_next_version_shows_what_changed(app, team_a, citizen,
                                                                           consultant_client):
    _submit(citizen)
    case = _case(app)
    assert hx_post(consultant_client, f"/cases/{case.id}/send-back", note="",
                   version=str(case.version)).status_code == 422
    assert hx_post(consultant_client, f"/cases/{case.id}/send-back", note="Find en billigere pris",
                   version=str(case.version)).status_code == 200
    assert _case(app).state == "sent_back"
    page = citizen.get("/me/plan").get_data(as_text=True)
    assert "Find en billigere pris" in page
    editor = citizen.get("/me/budget").get_data(as_text=True)
    assert "Find en billigere pris" in editor
    saved = hx_post(citizen, f"/drafts/{case.draft_id}/fields",
                    field=f"draft:{case.draft_id}:goal", value="Job som truckfører", version="0")
    assert saved.status_code == 200, saved.get_data(as_text=True)
    _submit(citizen)
    case = _case(app)
    assert case.state == "submitted"
    page = consultant_client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Det er ændret siden version 1" in page
    assert f"<del>{GOAL}</del>" in page and "<ins>Job som truckfører</ins>" in page
    with app.app_context():
        assert [v.number for v in db.session.get(Case, case.id).versions] == [1, 2]


def test_ending_with_one_of_the_seeds_reasons(app, team_a, citizen, consultant_client):
    _submit(citizen)
    case = _case(app)
    bad = hx_post(consultant_client, f"/cases/{case.id}/reject", reason="uvenlig",
                  version=str(case.version))
    assert bad.status_code == 422 and "afslutningsårsagerne" in bad.get_data(as_text=True)
    assert hx_post(consultant_client, f"/cases/{case.id}/reject", reason="job", note="Fik fast job",
                   version=str(case.version)).status_code == 200
    assert _case(app).state == "rejected"
    page = citizen.get("/me/plan").get_data(as_text=True)
    assert "Dit forløb er afsluttet" in page and "Ordinær beskæftigelse" in page
    assert hx_post(consultant_client, f"/cases/{case.id}/send-back", note="x").status_code == 422


def test_two_consultants_at_once_one_wins_the_other_is_told(app, team_a, citizen, consultant_client,
                                                           lead_client):
    _submit(citizen)
    case = _case(app)
    _rate(consultant_client, case, effect="no", realistic="no", coherence="no")
    case = _case(app)
    hx_post(consultant_client, f"/cases/{case.id}/triage", colour="red", version=str(case.version))
    case = _case(app)  # both screens show this version
    first = _approve(lead_client, case, participant=str(team_a.consultant_id))
    assert first.status_code == 200
    second = hx_post(consultant_client, f"/cases/{case.id}/send-back", note="Ret prisen",
                     participant=str(team_a.lead_id), version=str(case.version))
    assert second.status_code == 409
    assert "En anden handlede på sagen samtidig" in second.get_data(as_text=True)
    assert _case(app).state == "approved" and _case(app).send_back_note == ""


# -- the record -----------------------------------------------------------------------------


def test_the_audit_trail_refuses_update_and_delete(app, team_a, citizen):
    _submit(citizen)
    with app.app_context():
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.update(AuditEvent).values(reason="rettet"))
        db.session.rollback()
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.delete(AuditEvent))
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 1


@pytest.mark.parametrize("statement", [
    "INSERT OR REPLACE INTO audit_events (id, case_id, citizen_id, at, action, reason, details) "
    "SELECT id, case_id, citizen_id, at, action, 'rettet', details FROM audit_events",
    "REPLACE INTO audit_events (id, case_id, citizen_id, at, action, reason, details) "
    "SELECT id, case_id, citizen_id, at, action, 'rettet', details FROM audit_events",
    "INSERT INTO audit_events (id, case_id, citizen_id, at, action, reason, details) "
    "SELECT id, case_id, citizen_id, at, action, 'rettet', details FROM audit_events WHERE true "
    "ON CONFLICT (id) DO UPDATE SET reason = excluded.reason",
    "INSERT OR REPLACE INTO audit_events (id, case_id, citizen_id, at, action, reason, details) "
    "SELECT id, case_id, citizen_id, at, action, 'rettet', details FROM audit_events "
    "UNION ALL SELECT id + 1000, case_id, citizen_id, at, action, 'ny', details "
    "FROM audit_events",
])
def test_the_audit_trail_refuses_replace_on_sqlite(app, team_a, citizen, statement):
    """SQLite resolves a REPLACE by deleting the old row without firing the DELETE trigger
    (recursive triggers are off): the INSERT trigger refuses a taken id instead."""
    _submit(citizen)
    with app.app_context():
        before = db.session.execute(sa.select(AuditEvent.id, AuditEvent.reason)).all()
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text(statement))
        db.session.rollback()
        assert db.session.execute(sa.select(AuditEvent.id, AuditEvent.reason)).all() == before
        # A new row (a free id, or none given) is written as ever.
        for new_id in ("id + 1000", "NULL"):
            db.session.execute(sa.text(
                "INSERT INTO audit_events (id, case_id, citizen_id, at, action, reason, details) "
                f"SELECT {new_id}, case_id, citizen_id, at, action, 'ny', details "
                "FROM audit_events ORDER BY id LIMIT 1"))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 3


def test_one_citizens_trail_exports_for_an_access_request(app, team_a, citizen, consultant_client):
    _submit(citizen)
    case = _case(app)
    hx_post(consultant_client, f"/cases/{case.id}/send-back", note="Ret prisen",
            version=str(case.version))
    response = consultant_client.get(f"/cases/{case.id}/trail.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0][:3] == ["Tidspunkt", "Trin", "Af"]
    assert [r[1] for r in rows[1:]] == ["Plan afleveret", "Plan sendt tilbage til ændringer"]
    assert rows[2][2] == "Consultant Team A" and rows[2][5] == "Ønskede ændringer: Ret prisen"


def test_exports_of_the_approved_lines(app, team_a, citizen, consultant_client):
    _submit(citizen)
    case = _case(app)
    _approve_green(app, consultant_client, case)
    text = consultant_client.get("/exports/approved.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    today = date.today().isoformat()
    reference = f"TET-{case.id:05d}"
    assert rows == [["Sag", "Godkendt", "Jobkonsulent", "Borger", "Forløb", "Budgetpost",
                     "Beløb (kr.)", "Betaling", "Behovsdato", "Afsluttet"],
                    [reference, today, "Consultant Team A", "Citizen Team A 0", "Course Team A",
                     "Truckkørekort", "9800", "Faktura til kommunen", "2027-02-01", ""],
                    ["", "", "", "", "", "I alt", "9800", "", "", ""]]
    book = load_workbook(io.BytesIO(consultant_client.get("/exports/approved.xlsx").data))
    sheet = book.active
    row = [c.value for c in sheet[2]]
    assert row[0] == reference and row[2:8] == ["Consultant Team A", "Citizen Team A 0",
                                                 "Course Team A", "Truckkørekort", 9800,
                                                 "Faktura til kommunen"]
    assert row[1].date() == date.today() and row[8].date() == date(2027, 2, 1)  # real dates
    assert [c.value for c in sheet[3]][5:7] == ["I alt", 9800]
    # a period of approval dates (both included)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    for query, found in ((f"?from={today}&to={today}", 1), (f"?to={yesterday}", 0),
                         (f"?from={today}", 1), ("?from=not-a-date", 1)):
        text = consultant_client.get(f"/exports/approved.csv{query}").get_data(as_text=True)
        assert len(list(csv.reader(io.StringIO(text), delimiter=";"))) == 2 + found, query


def test_a_notice_by_e_mail_is_a_link_only(app, team_a, citizen):
    with smtp_inbox() as (port, messages):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="teten@kommune.dk")
        _submit(citizen)
    [mail] = messages
    assert mail.rcpt_tos == ["con@teama.dk"]
    body = mail.content.decode()
    case = _case(app)
    assert f"/cases/{case.id}" in body
    assert GOAL not in body and "Citizen" not in body and "Truck" not in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1


def test_a_near_budget_deadline_reminds_the_citizen_and_the_consultant_once(app, team_a):
    from datetime import timedelta

    from course.approvals import services
    from course.people.models import Citizen
    from course.types import local_today

    with app.app_context():
        citizen = db.session.get(Citizen, team_a.citizens[0][0])
        citizen.decision, citizen.decided_on = "yes", local_today() - timedelta(days=26)
        far = db.session.get(Citizen, team_a.citizens[1][0])
        far.decision, far.decided_on = "yes", local_today() - timedelta(days=2)
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0 and "2 reminder(s)" in result.output
    assert "0 reminder(s)" in runner.invoke(args=["remind"]).output  # once per deadline
    with app.app_context():
        notes = db.session.scalars(sa.select(Notification)).all()
        assert {(n.citizen_id, n.staff_id) for n in notes} == {
            (team_a.citizens[0][0], None), (None, team_a.consultant_id)}
        assert all(n.kind == "deadline" for n in notes)
        # a plan already with the consultant is not reminded of
        assert services.remind_deadlines(local_today()) == []
    phone = signed_in_citizen(app, team_a)
    assert "1 ny besked" in phone.get("/me").get_data(as_text=True)


# -- who sees a submitted plan, and what the decision binds -----------------------------------


def test_a_submitted_plan_and_its_attachments_open_to_the_team(app, team_a, citizen, lead_client):
    from tests.budgets.test_attachments import PDF

    with app.app_context():
        draft = db.session.scalars(sa.select(Draft)).one()
        draft_id, line_id = draft.id, draft.lines[0].id
    uploaded = citizen.post(f"/drafts/{draft_id}/lines/{line_id}/attachments",
                            data={"file": (io.BytesIO(PDF), "tilbud.pdf", "application/pdf")},
                            headers={"HX-Request": "true"}, content_type="multipart/form-data")
    assert uploaded.status_code == 200, uploaded.get_data(as_text=True)
    with app.app_context():
        from course.budgets.models import Attachment
        attachment_id = db.session.scalars(sa.select(Attachment.id)).one()
    # the team lead sees drafts in progress anyway; a job consultant colleague does not
    _new_consultant(app, team_a, "kollega@teama.dk")
    other = signed_in_staff(app, "kollega@teama.dk")
    assert other.get(f"/attachments/{attachment_id}").status_code == 404  # in progress
    _submit(citizen)
    case = _case(app)
    download = other.get(f"/attachments/{attachment_id}")
    assert download.status_code == 200 and download.data == PDF  # submitted
    download.close()
    page = other.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "tilbud.pdf" in page and GOAL in page
    assert "Afgørelse til print" in page and 'name="colour"' not in page  # not theirs to triage


def test_the_decision_document_names_the_version_and_the_decision(app, team_a, citizen,
                                                                  consultant_client):
    _submit(citizen)
    case = _case(app)
    _approve_green(app, consultant_client, case)
    with app.app_context():
        digest = db.session.get(Case, case.id).current.content_hash
    document = consultant_client.get(f"/cases/{case.id}/decision").get_data(as_text=True)
    assert "Afgørelse om budgetplan" in document and digest[:16] in document
    assert "9 måneder" in document and "Consultant Team A" in document
    assert "Møde hver måned" in document and "Faktura til kommunen" in document
    assert "Godt mål" in document  # the rating's note


def test_a_plan_over_the_cap_is_not_approved(app, team_a, citizen, consultant_client):
    _submit(citizen)
    with app.app_context():
        from course.schedule.models import Course
        version = db.session.scalars(sa.select(PlanVersion)).one()
        version.content = {**version.content, "cap": 5000}  # e.g. a cap lowered meanwhile
        db.session.get(Course, team_a.course_id).budget_cap = 5000
        db.session.commit()
    case = _case(app)
    _rate(consultant_client, case)
    case = _case(app)
    hx_post(consultant_client, f"/cases/{case.id}/triage", colour="green",
            version=str(case.version))
    refused = _approve(consultant_client, _case(app))
    assert refused.status_code == 422
    assert "over budgetrammen" in refused.get_data(as_text=True)
    assert _case(app).state == "in_assessment"


def test_a_new_version_goes_to_the_citizens_job_consultant_of_now(app, team_a, citizen,
                                                                  consultant_client):
    from course.people.models import Citizen

    _submit(citizen)
    case = _case(app)
    hx_post(consultant_client, f"/cases/{case.id}/send-back", note="Ret prisen",
            version=str(case.version))
    new_id = _new_consultant(app, team_a, "ny@teama.dk")
    with app.app_context():
        db.session.get(Citizen, team_a.citizens[0][0]).job_consultant_id = new_id
        db.session.commit()
    _submit(citizen)
    assert _case(app).consultant_id == new_id
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.staff_id == new_id, Notification.kind == "new_submission")) == 1


def test_exports_never_hand_a_spreadsheet_a_formula(app, team_a, citizen, consultant_client):
    with app.app_context():
        line = db.session.scalars(sa.select(BudgetLine)).one()
        line.title = '=HYPERLINK("http://evil.example","Klik")'
        db.session.commit()
    _submit(citizen)
    _approve_green(app, consultant_client, _case(app))
    text = consultant_client.get("/exports/approved.csv").get_data(as_text=True).lstrip("\ufeff")
    row = list(csv.reader(io.StringIO(text), delimiter=";"))[1]
    assert row[5] == '\'=HYPERLINK("http://evil.example","Klik")'
    sheet = load_workbook(io.BytesIO(consultant_client.get("/exports/approved.xlsx").data)).active
    assert sheet.cell(row=2, column=6).data_type == "s"
    assert sheet.cell(row=2, column=6).value.startswith("'=")


# -- who assesses: giving a case to another job consultant ----------------------------------


def test_the_team_lead_gives_a_case_to_another_job_consultant(app, team_a, make_world, citizen,
                                                              consultant_client, lead_client):
    """The lead moves an open case — and its citizen — to a colleague, who is told and can
    assess it; the former consultant no longer can; the trail says who moved it to whom."""
    from course.people.models import Citizen

    _submit(citizen)
    case = _case(app)
    new_id = _new_consultant(app, team_a, "ny@teama.dk")
    page = lead_client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Giv sagen til" in page and f'<option value="{new_id}">' in page
    assert f'<option value="{team_a.consultant_id}">' not in page  # not to whom it is with
    assert "Giv sagen til" not in consultant_client.get(f"/cases/{case.id}").get_data(as_text=True)
    # only the lead gives a case away; a stale version or someone outside the team is refused
    refused = hx_post(consultant_client, f"/cases/{case.id}/consultant", consultant_id=str(new_id),
                      version=str(case.version))
    assert refused.status_code == 422 and "Kun afdelingslederen" in refused.get_data(as_text=True)
    # nobody outside the team's consultants and lead reaches the case at all
    make_world("Team B")
    other_lead = signed_in_staff(app, "lead@teamb.dk")
    facilitator = signed_in_staff(app, FACILITATOR_A)
    for outsider, status in ((other_lead, 404), (facilitator, 403), (citizen, 403)):
        assert hx_post(outsider, f"/cases/{case.id}/consultant", consultant_id=str(new_id),
                       version=str(case.version)).status_code == status
    for bad in (str(team_a.facilitator_id), str(team_a.lead_id), "x", ""):
        answer = hx_post(lead_client, f"/cases/{case.id}/consultant", consultant_id=bad,
                         version=str(case.version))
        assert answer.status_code == 422, bad
        assert "Vælg en af teamets jobkonsulenter" in answer.get_data(as_text=True)
    assert hx_post(lead_client, f"/cases/{case.id}/consultant", consultant_id=str(new_id),
                   version=str(case.version - 1)).status_code == 409
    assert _case(app).consultant_id == team_a.consultant_id  # nothing moved so far

    assert hx_post(lead_client, f"/cases/{case.id}/consultant", consultant_id=str(new_id),
                   version=str(case.version)).status_code == 200
    case = _case(app)
    assert case.consultant_id == new_id
    with app.app_context():
        assert db.session.get(Citizen, team_a.citizens[0][0]).job_consultant_id == new_id
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.staff_id == new_id, Notification.kind == "case_assigned")) == 1
        event = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "assigned")).one()
        assert (event.actor_staff_id, event.details) == (
            team_a.lead_id, {"before": team_a.consultant_id, "after": new_id,
                             "colour_before": None})
    assert _rate(consultant_client, case).status_code == 422  # not theirs any more
    newcomer = signed_in_staff(app, "ny@teama.dk")
    assert _rate(newcomer, case).status_code == 200


def test_a_case_whose_consultant_left_is_flagged_and_taken_over(app, team_a, citizen,
                                                                consultant_client, lead_client):
    """The citizen's job consultant leaves the team: nobody could assess the case. The queue
    says so, the case page tells why, and another job consultant takes it over."""
    from course.people.models import Staff

    _submit(citizen)
    case = _case(app)
    new_id = _new_consultant(app, team_a, "ny@teama.dk")
    with app.app_context():
        db.session.get(Staff, team_a.consultant_id).active = False
        db.session.commit()
    queue = lead_client.get("/queue?view=team").get_data(as_text=True)
    assert "Ingen jobkonsulent" in queue
    colleague = signed_in_staff(app, "ny@teama.dk")
    page = colleague.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Ingen kan vurdere sagen" in page and "Overtag sagen" in page
    # a job consultant takes a case over for themselves only
    assert hx_post(colleague, f"/cases/{case.id}/consultant", consultant_id=str(team_a.lead_id),
                   version=str(case.version)).status_code == 422
    taken = hx_post(colleague, f"/cases/{case.id}/consultant", consultant_id=str(new_id),
                    version=str(case.version))
    assert taken.status_code == 200
    assert _case(app).consultant_id == new_id
    assert "Ingen jobkonsulent" not in lead_client.get("/queue?view=team").get_data(as_text=True)
    with app.app_context():  # (nobody to tell: they took it themselves)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.kind == "case_assigned")) == 0
    # once it has an active consultant, another job consultant cannot take it from them
    third = _new_consultant(app, team_a, "tredje@teama.dk")
    other = signed_in_staff(app, "tredje@teama.dk")
    assert "Overtag sagen" not in other.get(f"/cases/{case.id}").get_data(as_text=True)
    assert hx_post(other, f"/cases/{case.id}/consultant", consultant_id=str(third),
                   version=str(_case(app).version)).status_code == 422


def test_a_green_case_given_away_is_the_new_consultants_to_judge(app, team_a, citizen,
                                                                 consultant_client, lead_client):
    """Green means "I approve this alone": given to someone else, the case keeps its ratings
    but not the colour — the new consultant chooses again before approving."""
    _submit(citizen)
    case = _case(app)
    _rate(consultant_client, case)
    case = _case(app)
    hx_post(consultant_client, f"/cases/{case.id}/triage", colour="green",
            version=str(case.version))
    new_id = _new_consultant(app, team_a, "ny@teama.dk")
    case = _case(app)
    assert hx_post(lead_client, f"/cases/{case.id}/consultant", consultant_id=str(new_id),
                   version=str(case.version)).status_code == 200
    case = _case(app)
    assert (case.state, case.colour) == ("in_assessment", None)
    newcomer = signed_in_staff(app, "ny@teama.dk")
    assert _approve(newcomer, case).status_code == 422  # choose green first
    hx_post(newcomer, f"/cases/{case.id}/triage", colour="green", version=str(case.version))
    assert _approve(newcomer, _case(app)).status_code == 200


def test_giving_a_case_away_at_the_same_moment_loses_cleanly(app, team_a, citizen, lead_client,
                                                             monkeypatch):
    """Two people move the same case at once: the one whose write lands second is told so
    (409, nothing kept), not shown an error page."""
    from sqlalchemy.orm.exc import StaleDataError

    from course.approvals import services as cases

    _submit(citizen)
    case = _case(app)
    new_id = _new_consultant(app, team_a, "ny@teama.dk")

    def lost_race(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'cases' expected to update 1 row(s)")

    monkeypatch.setattr(cases, "assign", lost_race)
    answer = hx_post(lead_client, f"/cases/{case.id}/consultant", consultant_id=str(new_id),
                     version=str(case.version))
    assert answer.status_code == 409
    assert "En anden handlede på sagen" in answer.get_data(as_text=True)
    assert _case(app).consultant_id == team_a.consultant_id
