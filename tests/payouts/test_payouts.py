"""Payouts per approved line (issue 17, point 2): the finance role and its boundaries, the
rules (paid ≤ approved per line and in total, dates, invoices, only approved cases), the
reversing entries, the audit trail, and approved / paid / left on the three views."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from course.approvals import services as approvals
from course.approvals.models import AuditEvent, Case
from course.extensions import db
from course.payouts import services
from course.payouts.models import Payout
from course.people import services as people
from course.people.models import Role, Staff, Team
from course.types import local_today
from tests.approvals.plans import PlanLine, approved_plan
from tests.conftest import (
    CONSULTANT_A,
    LEAD_A,
    PASSWORD,
    hx_post,
    signed_in_citizen,
    signed_in_staff,
)

#: Texts of the plan that finance must never see.
GOAL = "Maalet-er-et-cykelvaerksted"
MOTIVATION = "Motivationen-er-hemmelig"
CHANGE = "Forandringsteorien-om-truck"
JOB_EFFECT = "Jobeffekten-paa-lageret"
STRATEGY = "Strategipunktet-holde-op"
RATING_NOTE = "Vurderingsnoten-er-intern"
COMMENT = "Kommentaren-i-traaden"
PLAN_TEXTS = (GOAL, MOTIVATION, CHANGE, JOB_EFFECT, STRATEGY, RATING_NOTE, COMMENT)

TRUCK, TOOLS = 12_500, 2_500  # line 0: invoice; line 1: own account
FINANCE_A = "fin@teama.dk"


@pytest.fixture
def team_a(make_world):
    return make_world(citizens=2)


def _finance(app, team_id: int, email: str) -> int:
    with app.app_context():
        staff = people.create_staff(db.session.get(Team, team_id), "Finn Finans", email,
                                    Role.FINANCE, PASSWORD, must_change_password=False)
        db.session.commit()
        return staff.id


def _plan(app, world, index: int = 0, *, approve: bool = True) -> int:
    """Citizen ``index``'s plan, submitted, rated (with a note), green and approved by their
    consultant, with a sparring comment: line 0 by invoice, line 1 to their own account."""
    return approved_plan(
        app, world, index, approve=approve, goal=GOAL, motivation=MOTIVATION,
        strategy=STRATEGY, rating_note=RATING_NOTE, comment=COMMENT, lines=[
            PlanLine("Truckkørekort", TRUCK, "invoice", CHANGE, JOB_EFFECT, "AMU", "AMU's side"),
            PlanLine("Arbejdssko", TOOLS, "own_account", CHANGE + " 2", JOB_EFFECT + " 2",
                     "Butik", "Butikkens side")])


@pytest.fixture
def case_id(app, team_a) -> int:
    return _plan(app, team_a)


@pytest.fixture
def finance_id(app, team_a) -> int:
    return _finance(app, team_a.team_id, FINANCE_A)


@pytest.fixture
def finance(app, finance_id):
    return signed_in_staff(app, FINANCE_A)


def _lines(app, case_id: int) -> list[int]:
    with app.app_context():
        return [line["id"] for line in db.session.get(Case, case_id).current.content["lines"]]


TODAY = local_today()


def invoice(amount: str, **typed) -> services.Entry:
    return services.Entry(**{"amount": amount, "paid_on": TODAY.isoformat(),
                             "received_on": TODAY.isoformat(), "supplier": "AMU Nord",
                             "invoice_number": "F-1001", **typed})


def transfer(amount: str, **typed) -> services.Entry:
    return services.Entry(**{"amount": amount, "paid_on": TODAY.isoformat(), **typed})


def _record(app, case_id: int, staff_id: int, line: int, entry: services.Entry) -> str | None:
    """Record through the service and commit; the refusal's code, or None."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        try:
            services.record(case, db.session.get(Staff, staff_id), _lines(app, case_id)[line],
                            entry)
        except services.PayoutError as err:
            db.session.rollback()
            return err.code
        db.session.commit()
        return None


def _figures(app, case_id: int) -> tuple[list[tuple[int, int, int]], tuple[int, int, int]]:
    with app.app_context():
        f = services.figures(db.session.get(Case, case_id))
        return ([(line.approved, line.paid, line.left) for line in f.lines],
                (f.approved, f.paid, f.left))


# -- the rules, each at its boundary --------------------------------------------------------------


def test_a_line_takes_exactly_its_approved_amount_and_not_one_krone_more(app, case_id,
                                                                         finance_id):
    assert _record(app, case_id, finance_id, 0, invoice("12.501 kr.")) == "over_line"
    assert _record(app, case_id, finance_id, 0, invoice("10.000")) is None
    assert _record(app, case_id, finance_id, 0, invoice("2.501")) == "over_line"
    assert _record(app, case_id, finance_id, 0, invoice("2.500 kr.")) is None
    assert _figures(app, case_id)[0][0] == (TRUCK, TRUCK, 0)
    assert _record(app, case_id, finance_id, 0, invoice("1")) in ("over_line", "over_total")


def test_the_case_takes_exactly_its_approved_total_and_not_one_krone_more(app, case_id,
                                                                          finance_id):
    assert _record(app, case_id, finance_id, 0, invoice("12.500")) is None
    assert _record(app, case_id, finance_id, 1, transfer("2.501")) == "over_total"
    assert _record(app, case_id, finance_id, 1, transfer("2.500")) is None
    assert _figures(app, case_id) == ([(TRUCK, TRUCK, 0), (TOOLS, TOOLS, 0)],
                                      (TRUCK + TOOLS, TRUCK + TOOLS, 0))


def test_amounts_are_read_as_the_editor_reads_them(app, case_id, finance_id):
    assert _record(app, case_id, finance_id, 1, transfer("1.234,50 kr.")) == "amount_ore"
    assert _record(app, case_id, finance_id, 1, transfer("-5")) == "amount_negative"
    assert _record(app, case_id, finance_id, 1, transfer("")) == "amount_empty"
    assert _record(app, case_id, finance_id, 1, transfer("1.234,00 kr.")) is None
    assert _figures(app, case_id)[0][1] == (TOOLS, 1234, TOOLS - 1234)


def test_the_date_paid_is_not_in_the_future_and_an_invoice_is_received_before(app, case_id,
                                                                               finance_id):
    tomorrow, yesterday = TODAY + timedelta(days=1), TODAY - timedelta(days=1)
    assert _record(app, case_id, finance_id, 1,
                   transfer("100", paid_on=tomorrow.isoformat())) == "paid_in_future"
    assert _record(app, case_id, finance_id, 1, transfer("100", paid_on="")) == "no_paid_on"
    assert _record(app, case_id, finance_id, 1, transfer("100", paid_on="32-13-2026")) == \
        "bad_date"
    assert _record(app, case_id, finance_id, 0, invoice(
        "100", paid_on=yesterday.isoformat(), received_on=TODAY.isoformat())) == \
        "received_after_paid"
    assert _record(app, case_id, finance_id, 0, invoice(
        "100", paid_on=yesterday.isoformat(), received_on=yesterday.isoformat())) is None
    assert _record(app, case_id, finance_id, 1, transfer("100")) is None  # paid today


def test_an_invoice_needs_its_supplier_number_and_received_date(app, case_id, finance_id):
    assert _record(app, case_id, finance_id, 0, invoice("100", supplier=" ")) == "no_supplier"
    assert _record(app, case_id, finance_id, 0, invoice("100", invoice_number="")) == \
        "no_invoice_number"
    assert _record(app, case_id, finance_id, 0, invoice("100", received_on="")) == \
        "no_received_on"
    # an own-account transfer needs none of them (and keeps none typed by mistake)
    assert _record(app, case_id, finance_id, 1, transfer("100", supplier="X")) is None
    with app.app_context():
        payout = db.session.scalars(sa.select(Payout)).one()
        assert (payout.method, payout.supplier, payout.received_on) == ("own_account", "", None)


def test_a_case_not_approved_or_ended_is_not_paid_out(app, team_a, finance_id):
    waiting = _plan(app, team_a, 0, approve=False)
    assert _record(app, waiting, finance_id, 0, invoice("100")) == "not_approved"
    with app.app_context():
        case = db.session.get(Case, waiting)
        approvals.reject(case, db.session.get(Staff, team_a.consultant_id), "not_approvable",
                         "Kan ikke godkendes")
        db.session.commit()
    assert _record(app, waiting, finance_id, 0, invoice("100")) == "ended"


# -- reversing ------------------------------------------------------------------------------------


def test_a_payout_is_corrected_only_by_a_reversing_entry(app, case_id, finance_id):
    assert _record(app, case_id, finance_id, 0, invoice("12.500")) is None
    with app.app_context():
        case, staff = db.session.get(Case, case_id), db.session.get(Staff, finance_id)
        first = db.session.scalars(sa.select(Payout)).one()
        with pytest.raises(services.PayoutError) as err:
            services.reverse(case, staff, first.id, "  ")
        assert err.value.code == "no_reason"
        reversal = services.reverse(case, staff, first.id, "Forkert beløb på fakturaen")
        db.session.commit()
        assert (reversal.amount, reversal.reverses_id) == (-TRUCK, first.id)
        for payout_id, code in ((first.id, "already_reversed"),
                                (reversal.id, "reversal_of_reversal")):
            with pytest.raises(services.PayoutError) as err:
                services.reverse(case, staff, payout_id, "Igen")
            assert err.value.code == code
        db.session.rollback()
    assert _figures(app, case_id)[0][0] == (TRUCK, 0, TRUCK)
    # the line can be paid again, the right amount, up to the approved amount
    assert _record(app, case_id, finance_id, 0, invoice("12.400")) is None
    assert _record(app, case_id, finance_id, 0, invoice("101")) == "over_line"
    with app.app_context():
        assert [p.amount for p in db.session.scalars(sa.select(Payout).order_by(Payout.id))] == [
            TRUCK, -TRUCK, 12_400]


def test_the_database_refuses_to_change_or_delete_a_payout(app, case_id, finance_id):
    assert _record(app, case_id, finance_id, 1, transfer("500")) is None
    with app.app_context():
        for statement in ("UPDATE payouts SET amount = 1", "DELETE FROM payouts",
                          "INSERT OR REPLACE INTO payouts SELECT * FROM payouts",
                          "REPLACE INTO payouts SELECT * FROM payouts"):
            with pytest.raises(DatabaseError):
                db.session.execute(sa.text(statement))
            db.session.rollback()
        assert db.session.scalar(sa.select(Payout.amount)) == 500


def test_a_reversal_cannot_be_replaced_by_another_on_sqlite(app, case_id, finance_id):
    """``reverses_id`` is unique: REPLACE would resolve a second reversal of one payout by
    deleting the first. The INSERT trigger refuses it."""
    assert _record(app, case_id, finance_id, 1, transfer("500")) is None
    with app.app_context():
        case, staff = db.session.get(Case, case_id), db.session.get(Staff, finance_id)
        services.reverse(case, staff, db.session.scalar(sa.select(Payout.id)), "Forkert konto")
        db.session.commit()
        rows = db.session.execute(sa.select(Payout.id, Payout.reason)).all()
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(sa.text(
                "INSERT OR REPLACE INTO payouts (case_id, line_id, method, amount, supplier, "
                "invoice_number, paid_on, reverses_id, reason, recorded_by_id, recorded_at) "
                "SELECT case_id, line_id, method, amount, supplier, invoice_number, paid_on, "
                "reverses_id, 'skjult', recorded_by_id, recorded_at FROM payouts "
                "WHERE reverses_id IS NOT NULL"))
        db.session.rollback()
        assert db.session.execute(sa.select(Payout.id, Payout.reason)).all() == rows


def test_each_payout_and_reversal_is_in_the_audit_trail(app, case_id, finance_id):
    assert _record(app, case_id, finance_id, 1, transfer("500")) is None
    with app.app_context():
        case = db.session.get(Case, case_id)
        payout = db.session.scalars(sa.select(Payout)).one()
        services.reverse(case, db.session.get(Staff, finance_id), payout.id, "Dobbelt betalt")
        db.session.commit()
        events = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action.like("payout_%")).order_by(AuditEvent.id)).all()
        assert [(e.action, e.actor_staff_id, e.details["amount"]) for e in events] == [
            ("payout_recorded", finance_id, 500), ("payout_reversed", finance_id, -500)]
        assert events[0].details["line"] == _lines(app, case_id)[1]
        assert events[1].reason == "Dobbelt betalt"


# -- the role's boundaries ------------------------------------------------------------------------


def test_the_team_lead_creates_a_finance_account_that_signs_in_to_the_payouts(app, team_a):
    lead = signed_in_staff(app, LEAD_A)
    response = lead.post("/staff", data={"name": "Frida Finans", "email": "frida@teama.dk",
                                         "role": "finance"})
    assert response.status_code == 200
    with app.app_context():
        staff = db.session.scalars(sa.select(Staff).where(Staff.email == "frida@teama.dk")).one()
        assert staff.role == Role.FINANCE
        people.set_password(staff, PASSWORD, must_change=False)
        db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"email": "frida@teama.dk", "password": PASSWORD})
    assert response.headers["Location"] == "/payouts"
    assert client.get("/payouts").status_code == 200


def test_finance_sees_the_lines_and_payouts_and_no_plan_text(app, case_id, finance_id,
                                                             finance):
    assert _record(app, case_id, finance_id, 0, invoice("4.000")) is None
    pages = [finance.get("/payouts"), finance.get(f"/payouts/cases/{case_id}")]
    for response in pages:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Citizen Team A 0" in html
        for text in PLAN_TEXTS:
            assert text not in html, text
    html = pages[1].get_data(as_text=True)
    assert f"TET-{case_id:05d}" in html
    assert "Truckkørekort" in html and "Arbejdssko" in html
    assert "AMU Nord" in html and "F-1001" in html


def test_finance_cannot_reach_the_case_the_queue_the_draft_or_the_decision(app, team_a, case_id,
                                                                           finance):
    with app.app_context():
        draft_id = db.session.get(Case, case_id).draft_id
    for path in (f"/cases/{case_id}", "/queue", f"/cases/{case_id}/decision",
                 f"/cases/{case_id}/trail", f"/drafts/{draft_id}", f"/drafts/{draft_id}/print",
                 f"/drafts/{draft_id}/comments", "/office", f"/courses/{team_a.course_id}",
                 "/exports/approved.csv", "/staff"):
        assert finance.get(path).status_code in (403, 404), path


def test_finance_sees_only_its_teams_approved_cases(app, team_a, make_world, case_id):
    waiting = _plan(app, team_a, 1, approve=False)
    b = make_world("Team B")
    _finance(app, b.team_id, "fin@teamb.dk")
    other = signed_in_staff(app, "fin@teamb.dk")
    assert "Citizen Team A" not in other.get("/payouts").get_data(as_text=True)
    assert other.get(f"/payouts/cases/{case_id}").status_code == 404
    line = _lines(app, case_id)[1]
    response = other.post(f"/payouts/cases/{case_id}/lines/{line}",
                          data={"amount": "100", "paid_on": TODAY.isoformat()})
    assert response.status_code == 404
    _finance(app, team_a.team_id, FINANCE_A)
    own = signed_in_staff(app, FINANCE_A)
    assert own.get(f"/payouts/cases/{waiting}").status_code == 404  # not approved
    assert "Citizen Team A 1" not in own.get("/payouts").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Payout.id))) == 0


def test_a_job_consultant_or_a_citizen_cannot_record_a_payout(app, team_a, case_id):
    line = _lines(app, case_id)[1]
    data = {"amount": "100", "paid_on": TODAY.isoformat()}
    for client in (signed_in_staff(app, CONSULTANT_A), signed_in_staff(app, LEAD_A),
                   signed_in_citizen(app, team_a, 0)):
        assert client.post(f"/payouts/cases/{case_id}/lines/{line}", data=data).status_code \
            == 403
        assert client.get("/payouts").status_code == 403
        assert client.get(f"/payouts/cases/{case_id}").status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Payout.id))) == 0


def test_a_citizen_sees_only_their_own_payouts(app, team_a, case_id, finance_id):
    other_case = _plan(app, team_a, 1)
    assert _record(app, case_id, finance_id, 0, invoice("4.000", supplier="AMU Nord")) is None
    assert _record(app, other_case, finance_id, 0,
                   invoice("7.000", supplier="Køreskolen Syd", invoice_number="K-77")) is None
    mine = signed_in_citizen(app, team_a, 0).get("/me/plan").get_data(as_text=True)
    assert "AMU Nord" in mine and "4.000 kr." in mine
    assert "Køreskolen Syd" not in mine and "7.000 kr." not in mine
    theirs = signed_in_citizen(app, team_a, 1).get("/me/plan").get_data(as_text=True)
    assert "Køreskolen Syd" in theirs and "AMU Nord" not in theirs


# -- the three views' figures ---------------------------------------------------------------------


def _text(html: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_approved_paid_and_left_on_the_three_views(app, team_a, case_id, finance_id, finance):
    assert _record(app, case_id, finance_id, 0, invoice("4.000")) is None
    assert _record(app, case_id, finance_id, 1, transfer("500")) is None
    # finance: per line and in all
    page = _text(finance.get(f"/payouts/cases/{case_id}").get_data(as_text=True))
    assert "Truckkørekort Faktura til kommunen 12.500 kr. 4.000 kr. 8.500 kr." in page
    assert "Arbejdssko Overførsel til borgerens egen konto 2.500 kr. 500 kr. 2.000 kr." in page
    assert "I alt 15.000 kr. 4.500 kr. 10.500 kr." in page
    # the job consultant's case: the read-only card
    consultant = signed_in_staff(app, CONSULTANT_A)
    html = consultant.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'id="case-payouts-{case_id}"' in html
    card = _text(html.split(f'id="case-payouts-{case_id}"')[1].split("</section>")[0])
    assert "Udbetalinger" in card
    assert ("Truckkørekort Godkendt 12.500 kr. · Udbetalt 4.000 kr. · Tilbage 8.500 kr."
            in card)
    assert "I alt Godkendt 15.000 kr. · Udbetalt 4.500 kr. · Tilbage 10.500 kr." in card
    assert "<form" not in html.split(f'id="case-payouts-{case_id}"')[1].split("</section>")[0]
    # the citizen's plan page
    mine = _text(signed_in_citizen(app, team_a, 0).get("/me/plan").get_data(as_text=True))
    assert "Udbetalt 4.000 kr. af 12.500 kr. · 8.500 kr. tilbage" in mine
    assert "Udbetalt 500 kr. af 2.500 kr. · 2.000 kr. tilbage" in mine
    assert "til din egen konto" in mine and "til AMU Nord" in mine


def test_the_overview_filters_the_cases_not_fully_paid(app, team_a, case_id, finance_id,
                                                       finance):
    other = _plan(app, team_a, 1)
    assert _record(app, other, finance_id, 0, invoice("12.500")) is None
    assert _record(app, other, finance_id, 1, transfer("2.500")) is None
    everything = _text(finance.get("/payouts").get_data(as_text=True))
    assert "Citizen Team A 0" in everything and "Citizen Team A 1" in everything
    assert "Fuldt udbetalt" in everything
    unpaid = _text(finance.get("/payouts?unpaid=1").get_data(as_text=True))
    assert "Citizen Team A 0" in unpaid and "Citizen Team A 1" not in unpaid
    assert "15.000 kr. 0 kr. 15.000 kr." in unpaid


# -- refusals in place ----------------------------------------------------------------------------


def test_a_refusal_is_said_beside_the_lines_form_and_keeps_what_was_typed(app, case_id,
                                                                          finance):
    line = _lines(app, case_id)[0]
    typed = {"supplier": "AMU Nord", "invoice_number": "F-2002", "amount": "12.501",
             "received_on": TODAY.isoformat(), "paid_on": TODAY.isoformat()}
    response = hx_post(finance, f"/payouts/cases/{case_id}/lines/{line}", **typed)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#line-{line}-message"
    assert "mere end der er tilbage på posten (12.500 kr.)" in response.get_data(as_text=True)
    # without JavaScript: the page again, the message beside the form, the values as typed
    response = finance.post(f"/payouts/cases/{case_id}/lines/{line}", data=typed)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "mere end der er tilbage på posten" in html
    for value in typed.values():
        assert f'value="{value}"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Payout.id))) == 0


def test_a_recorded_payout_answers_with_the_case_and_is_pushed_nowhere_else(app, case_id,
                                                                            finance):
    line = _lines(app, case_id)[1]
    response = hx_post(finance, f"/payouts/cases/{case_id}/lines/{line}", amount="2.500",
                       paid_on=TODAY.isoformat())
    assert response.status_code == 200
    assert "Posten er fuldt udbetalt." in response.get_data(as_text=True)
    response = finance.post(f"/payouts/cases/{case_id}/lines/{_lines(app, case_id)[0]}",
                            data=dict(amount="1", paid_on=TODAY.isoformat(), supplier="A",
                                      invoice_number="1", received_on=TODAY.isoformat()))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/payouts/cases/{case_id}"


def test_the_consultants_card_and_the_citizens_page_follow_a_payout_live(app, team_a, case_id,
                                                                          finance):
    from course.extensions import socketio
    from tests.conftest import pushes_to

    consultant = signed_in_staff(app, CONSULTANT_A)
    queue_socket = socketio.test_client(app, flask_test_client=consultant)
    phone = signed_in_citizen(app, team_a, 0)
    phone_socket = socketio.test_client(app, flask_test_client=phone)
    finance_socket = socketio.test_client(app, flask_test_client=finance)
    for sock in (queue_socket, phone_socket, finance_socket):
        sock.get_received()
    line = _lines(app, case_id)[1]
    assert hx_post(finance, f"/payouts/cases/{case_id}/lines/{line}", amount="500",
                   paid_on=TODAY.isoformat()).status_code == 200
    [card] = pushes_to(queue_socket, f"case-payouts-{case_id}")
    assert "Udbetalt 500 kr. · Tilbage 2.000 kr." in card
    assert "csrf_token" not in card
    assert any(e["args"][0]["fragments"][0]["target"] == "my-plan-outcome"
               for e in phone_socket.get_received() if e["name"] == "live:fragments")
    assert finance_socket.get_received() == []  # finance is in no room
