"""Minor changes after approval (issue 17, point 1): the citizen proposes a change to their
approved plan (move money, remove or replace an unpaid line, add a line with its change
theory), the job consultant approves it (a new decided version, shown as the case loop shows
what changed) or refuses it with a reason. The cap and the payouts made hold; every step is on
the audit trail and notified; the access rules fail closed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from course.approvals import services as approvals
from course.approvals.models import AuditEvent, Case, CaseState, Notification
from course.changes import services
from course.changes.models import ChangeRequest, ChangeState
from course.extensions import db
from course.payouts import services as payouts
from course.people import services as people
from course.people.models import Role, Staff, Team
from course.types import local_today
from tests.approvals.plans import PlanLine, approved_plan
from tests.conftest import PASSWORD, hx_post, signed_in_citizen, signed_in_staff

TRUCK, SHOES = 12_500, 2_500  # line 0 by invoice, line 1 to the citizen's own account
NEW_THEORY = "Forandringen-med-svejsekurset"
REASON = "Kurset blev billigere end ventet"


@pytest.fixture
def team_a(make_world):
    return make_world(citizens=2)


def _plan(app, world, index: int = 0, *, approve: bool = True, cap: int | None = None) -> int:
    """Citizen ``index``'s plan (two lines), submitted, green and approved by their
    consultant: line 0 by invoice, line 1 to their own account."""
    return approved_plan(app, world, index, approve=approve, cap=cap, goal="Lagerarbejder",
                         lines=[PlanLine("Truckkørekort", TRUCK, "invoice", "Truck", "Lagerjob",
                                         "AMU", "AMU"),
                                PlanLine("Arbejdssko", SHOES, "own_account", "Sko", "Sikkerhed",
                                         "Butik", "Butik")])


@pytest.fixture
def case_id(app, team_a) -> int:
    return _plan(app, team_a)


def _line_ids(app, case_id: int) -> list[int]:
    with app.app_context():
        case = db.session.get(Case, case_id)
        return [line["id"] for line in approvals.decided_version(case).content["lines"]]


def _new_line(**typed) -> dict[str, str]:
    return {"title": "Svejsekursus", "amount": "3.000", "category": "education",
            "payment_method": "invoice", "need_date": "2027-03-01", "price_source": "AMU",
            "no_documentation": "", "private": "", "change": NEW_THEORY,
            "job_effect": "Svejsere søges", "assumptions": "Jeg består", **typed}


def _propose(app, case_id: int, proposal: services.Proposal) -> ChangeRequest | str:
    """Propose as the case's citizen; the request's id, or the refusal's code."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        try:
            request = services.propose(case, case.citizen, proposal)
        except services.ChangeError as err:
            db.session.rollback()
            return err.code
        db.session.commit()
        return request.id


def _decide(app, case_id: int, staff_id: int, request_id: int, *, refuse: str | None = None):
    with app.app_context():
        case = db.session.get(Case, case_id)
        staff = db.session.get(Staff, staff_id)
        try:
            if refuse is None:
                services.approve(case, staff, request_id)
            else:
                services.refuse(case, staff, request_id, refuse)
        except services.ChangeError as err:
            db.session.rollback()
            return err.code
        db.session.commit()
        return None


def _pay(app, case_id: int, line_id: int, amount: int, world) -> None:
    with app.app_context():
        team = db.session.get(Team, world.team_id)
        finance = db.session.scalar(sa.select(Staff).where(Staff.role == Role.FINANCE)) or \
            people.create_staff(team, "Finn Finans", "fin@teama.dk", Role.FINANCE, PASSWORD,
                                must_change_password=False)
        today = local_today().isoformat()
        payouts.record(db.session.get(Case, case_id), finance, line_id, payouts.Entry(
            amount=str(amount), paid_on=today, received_on=today, supplier="AMU Nord",
            invoice_number="F-1"))
        db.session.commit()


def _move(app, case_id: int, truck: int, shoes: int, **extra) -> services.Proposal:
    a, b = _line_ids(app, case_id)
    return services.Proposal(amounts={a: str(truck), b: str(shoes)}, reason=REASON, **extra)


# -- the rules --------------------------------------------------------------------------------


def test_moving_money_and_adding_a_line_makes_a_new_decided_version(app, team_a, case_id):
    a, b = _line_ids(app, case_id)
    request_id = _propose(app, case_id, _move(app, case_id, 9_500, SHOES,
                                              new_lines=[_new_line()]))
    assert isinstance(request_id, int)
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.version_number == 1 and case.total == TRUCK + SHOES  # nothing yet
    assert _decide(app, case_id, team_a.consultant_id, request_id) is None
    with app.app_context():
        case = db.session.get(Case, case_id)
        version = approvals.decided_version(case)
        assert version.number == 2 and case.version_number == 2
        assert case.current.id == version.id == case.decided_version_id
        assert version.content_hash == approvals.content_hash(version.content)
        assert case.total == version.content["total"] == 9_500 + SHOES + 3_000
        new = version.content["lines"][2]
        assert new["id"] not in (a, b) and new["title"] == "Svejsekursus"
        assert new["change"] == NEW_THEORY and new["need_date"] == "2027-03-01"
        # existing lines keep the method the decision confirmed; the new one gets its own
        assert case.payments == {str(a): "invoice", str(b): "own_account",
                                 str(new["id"]): "invoice"}
        assert case.state == CaseState.APPROVED and case.length_months == 9
        what = approvals.changes(case.versions[0], version)
        assert {(c.part, c.field) for c in what} == {("line_changed", "amount"),
                                                     ("line_added", None)}
        request = db.session.get(ChangeRequest, request_id)
        assert request.state == ChangeState.APPROVED and request.version_id == version.id
        # finance's figures follow the decided version
        figures = payouts.figures(case)
        assert [(line.id, line.approved) for line in figures.lines] == [
            (a, 9_500), (b, SHOES), (new["id"], 3_000)]


def test_the_cap_holds(app, team_a):
    case_id = _plan(app, team_a, cap=20_000)
    assert _propose(app, case_id, _move(app, case_id, TRUCK, 7_501)) == "over_cap"
    assert _propose(app, case_id, _move(app, case_id, TRUCK, 7_500)) != "over_cap"


def test_a_change_cannot_undercut_a_paid_line(app, team_a, case_id):
    a, b = _line_ids(app, case_id)
    _pay(app, case_id, a, 10_000, team_a)
    assert _propose(app, case_id, _move(app, case_id, 9_999, SHOES)) == "below_paid"
    assert isinstance(_propose(app, case_id, _move(app, case_id, 10_000, SHOES)), int)


def test_a_line_with_payouts_cannot_be_removed_an_unpaid_one_can(app, team_a, case_id):
    a, b = _line_ids(app, case_id)
    _pay(app, case_id, a, 100, team_a)
    removed = services.Proposal(removed={a}, reason=REASON)
    assert _propose(app, case_id, removed) == "paid_line_removed"
    replaced = services.Proposal(removed={b}, new_lines=[_new_line(amount="2.000")],
                                 reason=REASON)
    request_id = _propose(app, case_id, replaced)
    assert _decide(app, case_id, team_a.consultant_id, request_id) is None
    with app.app_context():
        case = db.session.get(Case, case_id)
        titles = [line["title"] for line in case.current.content["lines"]]
        assert titles == ["Truckkørekort", "Svejsekursus"]
        assert str(b) not in case.payments


def test_payouts_made_between_proposal_and_decision_still_hold(app, team_a, case_id):
    a, _b = _line_ids(app, case_id)
    request_id = _propose(app, case_id, _move(app, case_id, 5_000, SHOES))
    _pay(app, case_id, a, 6_000, team_a)
    assert _decide(app, case_id, team_a.consultant_id, request_id) == "below_paid"


def test_a_payout_before_the_change_still_counts_on_its_line_after_it(app, team_a, case_id):
    a, b = _line_ids(app, case_id)
    _pay(app, case_id, a, 4_000, team_a)
    request_id = _propose(app, case_id, _move(app, case_id, 8_000, SHOES + 4_500))
    assert _decide(app, case_id, team_a.consultant_id, request_id) is None
    with app.app_context():
        line = payouts.figures(db.session.get(Case, case_id)).line(a)
        assert (line.approved, line.paid, line.left) == (8_000, 4_000, 4_000)


def test_something_must_change_and_why(app, case_id):
    assert _propose(app, case_id, _move(app, case_id, TRUCK, SHOES)) == "no_change"
    proposal = _move(app, case_id, TRUCK - 1, SHOES)
    proposal.reason = "  "
    assert _propose(app, case_id, proposal) == "no_reason"


def test_a_new_line_needs_a_title_a_price_and_its_change_theory(app, case_id):
    def new(**typed):
        return _propose(app, case_id, services.Proposal(new_lines=[_new_line(**typed)],
                                                        reason=REASON))
    assert new(title=" ") == "new_no_title"
    assert new(amount="") == "amount_empty"
    assert new(amount="12,50") == "amount_ore"
    assert new(change="") == "new_no_theory"
    assert new(job_effect=" ") == "new_no_theory"
    assert new(category="boat") == "new_field"
    assert new(need_date="32.13.2027") == "new_field"


def test_only_one_open_proposal(app, team_a, case_id):
    first = _propose(app, case_id, _move(app, case_id, TRUCK - 1, SHOES))
    assert _propose(app, case_id, _move(app, case_id, TRUCK - 2, SHOES)) == "already_open"
    with app.app_context():
        case = db.session.get(Case, case_id)
        services.withdraw(case, case.citizen)
        db.session.commit()
        assert db.session.get(ChangeRequest, first).state == ChangeState.WITHDRAWN
    assert isinstance(_propose(app, case_id, _move(app, case_id, TRUCK - 2, SHOES)), int)


def test_a_stale_proposal_is_refused_at_decision_time(app, team_a, case_id):
    first = _propose(app, case_id, _move(app, case_id, TRUCK - 1, SHOES))
    with app.app_context():  # a second proposal made on the same version (two tabs)
        case = db.session.get(Case, case_id)
        stale = ChangeRequest(case_id=case_id, number=2, base_version_id=case.decided_version_id,
                              content=db.session.get(ChangeRequest, first).content, reason="x")
        db.session.add(stale)
        db.session.commit()
        stale_id = stale.id
    assert _decide(app, case_id, team_a.consultant_id, first) is None
    assert _decide(app, case_id, team_a.consultant_id, stale_id) == "stale"
    assert _decide(app, case_id, team_a.consultant_id, first) == "decided"


def test_a_refusal_needs_a_reason_and_leaves_the_plan(app, team_a, case_id):
    request_id = _propose(app, case_id, _move(app, case_id, TRUCK - 1, SHOES))
    assert _decide(app, case_id, team_a.consultant_id, request_id, refuse=" ") == \
        "no_refusal_reason"
    assert _decide(app, case_id, team_a.consultant_id, request_id,
                   refuse="Prisen er ikke dokumenteret") is None
    with app.app_context():
        case = db.session.get(Case, case_id)
        request = db.session.get(ChangeRequest, request_id)
        assert request.state == ChangeState.REFUSED
        assert request.decision_reason == "Prisen er ikke dokumenteret"
        assert case.version_number == 1 and len(case.versions) == 1


def test_only_an_approved_not_ended_plan_can_be_changed(app, team_a):
    open_case = _plan(app, team_a, 0, approve=False)
    assert _propose(app, open_case, services.Proposal(
        new_lines=[_new_line()], reason=REASON)) == "not_approved"
    ended = _plan(app, team_a, 1)
    request_id = _propose(app, ended, _move(app, ended, TRUCK - 1, SHOES))
    with app.app_context():
        case = db.session.get(Case, ended)
        approvals.reject(case, db.session.get(Staff, team_a.consultant_id), "job", "")
        db.session.commit()
    assert _propose(app, ended, _move(app, ended, TRUCK - 2, SHOES)) == "ended"
    assert _decide(app, ended, team_a.consultant_id, request_id) == "ended"


def test_only_the_own_consultant_or_the_team_lead_decides(app, team_a, case_id):
    with app.app_context():
        other = people.create_staff(db.session.get(Team, team_a.team_id), "Anden",
                                    "con2@teama.dk", Role.JOB_CONSULTANT, PASSWORD,
                                    must_change_password=False)
        db.session.commit()
        other_id = other.id
    request_id = _propose(app, case_id, _move(app, case_id, TRUCK - 1, SHOES))
    assert _decide(app, case_id, other_id, request_id) == "not_your_case"
    assert _decide(app, case_id, team_a.facilitator_id, request_id) == "not_your_case"
    assert _decide(app, case_id, team_a.lead_id, request_id) is None


def test_every_step_is_on_the_audit_trail_and_notified(app, team_a, case_id):
    first = _propose(app, case_id, _move(app, case_id, TRUCK - 1, SHOES))
    _decide(app, case_id, team_a.consultant_id, first, refuse="Nej tak")
    second = _propose(app, case_id, _move(app, case_id, TRUCK - 2, SHOES + 2))
    _decide(app, case_id, team_a.consultant_id, second)
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.case_id == case_id, AuditEvent.action.like("change_%"))
            .order_by(AuditEvent.id)).all()
        assert [(e.action, e.version_number, e.details.get("change")) for e in events] == [
            ("change_proposed", 1, 1), ("change_refused", 1, 1),
            ("change_proposed", 1, 2), ("change_approved", 2, 2)]
        assert events[0].actor_citizen_id == team_a.citizens[0][0] and events[0].reason == REASON
        assert events[1].actor_staff_id == team_a.consultant_id and events[1].reason == "Nej tak"
        assert events[3].details["from_version"] == 1 and events[3].details["to_version"] == 2
        notes = db.session.scalars(sa.select(Notification).where(
            Notification.case_id == case_id, Notification.kind.like("change_%"))
            .order_by(Notification.id)).all()
        assert [(n.kind, n.staff_id, n.citizen_id, n.link) for n in notes] == [
            ("change_proposed", team_a.consultant_id, None, f"/cases/{case_id}"),
            ("change_refused", None, team_a.citizens[0][0], "/me/plan"),
            ("change_proposed", team_a.consultant_id, None, f"/cases/{case_id}"),
            ("change_approved", None, team_a.citizens[0][0], "/me/plan")]


def test_a_proposed_change_is_flagged_in_the_queue_beside_other_flags(app, team_a, case_id):
    """The queue row of an approved case says a change waits; flags from other features (an
    overdue receipt) stand beside it, not instead of it (web.parts_of joins them)."""
    from course import web

    consultant = signed_in_staff(app, "con@teama.dk")

    def row() -> str:
        queue = consultant.get("/queue?view=team&state=approved").get_data(as_text=True)
        return queue[queue.index(f'/cases/{case_id}"'):].split("</tr>")[0]

    assert "Ændring foreslået" not in row()
    first = _propose(app, case_id, _move(app, case_id, TRUCK - 1, SHOES))
    assert "Ændring foreslået" in row()

    def another_flag(_page, *, rows):
        return {"row_flags": {case_id: ["Et andet flag"]}}

    web.page_parts.connect(another_flag, sender="approvals.queue")
    try:
        assert "Ændring foreslået" in row() and "Et andet flag" in row()
    finally:
        web.page_parts.disconnect(another_flag, sender="approvals.queue")
    _decide(app, case_id, team_a.consultant_id, first)
    assert "Ændring foreslået" not in row()


def test_the_approved_lines_date_a_changed_line_by_its_change_and_keep_an_ended_plan(
        app, team_a, case_id, monkeypatch):
    """The approved-lines export lists the decided version after a change, each line dated by
    the step that approved it — the decision, or the change that added it — and a plan ended
    after its approval stays on record with the day it ended."""
    from datetime import timedelta

    from course.types import utcnow

    later = utcnow() + timedelta(days=30)
    real_record = approvals.record

    def record_later(case, action, **kwargs):
        event = real_record(case, action, **kwargs)
        if action == "change_approved":
            event.at = later  # (the change approved a month after the decision)
        return event

    monkeypatch.setattr(services.approvals, "record", record_later)
    request_id = _propose(app, case_id, _move(app, case_id, 9_500, SHOES,
                                              new_lines=[_new_line()]))
    _decide(app, case_id, team_a.consultant_id, request_id)
    with app.app_context():
        lines = {line.title: line for line in approvals.approved_lines(team_a.team_id)}
        assert set(lines) == {"Truckkørekort", "Arbejdssko", "Svejsekursus"}
        assert lines["Truckkørekort"].amount == 9_500  # as changed
        assert lines["Truckkørekort"].approved_on == local_today()
        assert lines["Svejsekursus"].approved_on == local_today(later)
        assert [line.title for line in approvals.approved_lines(
            team_a.team_id, since=local_today(later))] == ["Svejsekursus"]
        case = db.session.get(Case, case_id)
        approvals.reject(case, db.session.get(Staff, team_a.consultant_id), "job", "Fast job")
        db.session.commit()
        ended = approvals.approved_lines(team_a.team_id)
        assert len(ended) == 3 and {line.ended_on for line in ended} == {local_today()}


# -- on the web ---------------------------------------------------------------------------------


def _form(app, case_id: int, truck: str, shoes: str, **extra) -> dict[str, str]:
    a, b = _line_ids(app, case_id)
    return {f"amount-{a}": truck, f"amount-{b}": shoes, "reason": REASON, "new_count": "1",
            **{f"new-1-{k}": v for k, v in extra.items()}}


def test_the_citizen_proposes_from_the_plan_page_and_sees_the_answer(app, team_a, case_id):
    phone = signed_in_citizen(app, team_a)
    plan = phone.get("/me/plan").get_data(as_text=True)
    assert "/me/plan/change" in plan
    assert phone.get("/me/plan/change").status_code == 200
    data = _form(app, case_id, "9.500", "2.500", **_new_line())
    response = hx_post(phone, "/me/plan/change", **data)
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/me/plan"
    con = signed_in_staff(app, "con@teama.dk")
    page = con.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Svejsekursus" in page and NEW_THEORY in page and REASON in page
    request_id = _open_id(app, case_id)
    answer = hx_post(con, f"/cases/{case_id}/changes/{request_id}/approve")
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert "9.500 kr." in body and "12.500 kr." in body  # what changed since version 1
    plan = phone.get("/me/plan").get_data(as_text=True)
    assert "Svejsekursus" in plan and "15.000 kr." in plan
    decision = con.get(f"/cases/{case_id}/decision").get_data(as_text=True)
    assert "Svejsekursus" in decision and "Ændring 1: version 2, godkendt" in decision
    assert "version 2" in decision  # the decided version is printed: the current one
    trail = con.get(f"/cases/{case_id}/trail").get_data(as_text=True)
    assert "Ændring foreslået" in trail and "Ændring godkendt" in trail
    assert "Ændring 1: version 1 blev til version 2." in trail
    notices = phone.get("/me/notices").get_data(as_text=True)
    assert "Ændringen er godkendt." in notices


def _open_id(app, case_id: int) -> int:
    with app.app_context():
        return services.open_request(db.session.get(Case, case_id)).id


def test_an_over_cap_proposal_is_refused_in_place_keeping_what_was_typed(app, team_a, case_id):
    phone = signed_in_citizen(app, team_a)
    data = _form(app, case_id, "49.000", "2.500")
    response = hx_post(phone, "/me/plan/change", **data)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#change-message"
    page = phone.post("/me/plan/change", data=data)  # without JavaScript: the page again
    body = page.get_data(as_text=True)
    assert page.status_code == 422 and 'value="49.000"' in body and REASON in body
    assert "loftet" in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChangeRequest)) == 0


def test_more_shows_another_new_line_keeping_what_was_typed(app, team_a, case_id):
    phone = signed_in_citizen(app, team_a)
    data = {**_form(app, case_id, "9.000", "2.500", title="Svejsekursus"), "more": "1"}
    body = hx_post(phone, "/me/plan/change", **data).get_data(as_text=True)
    assert 'name="new-2-title"' in body and 'value="Svejsekursus"' in body
    assert 'value="9.000"' in body


# -- access --------------------------------------------------------------------------------------


def test_another_citizen_reaches_no_proposal(app, team_a, case_id):
    request_id = _propose(app, case_id, _move(app, case_id, TRUCK - 1, SHOES))
    other = signed_in_citizen(app, team_a, 1)  # no approved case of their own
    assert other.get("/me/plan/change").status_code == 404
    assert other.post("/me/plan/change", data=_form(app, case_id, "1", "1")).status_code == 404
    assert other.post("/me/plan/change/withdraw").status_code == 404
    assert other.post(f"/cases/{case_id}/changes/{request_id}/approve").status_code == 403
    with app.app_context():
        assert db.session.get(ChangeRequest, request_id).state == ChangeState.PROPOSED


def test_a_consultant_of_another_team_gets_404(app, team_a, make_world, case_id):
    make_world("Team B", citizens=0)
    request_id = _propose(app, case_id, _move(app, case_id, TRUCK - 1, SHOES))
    for email in ("con@teamb.dk", "lead@teamb.dk"):
        other = signed_in_staff(app, email)
        assert other.post(f"/cases/{case_id}/changes/{request_id}/approve").status_code == 404
        assert other.post(f"/cases/{case_id}/changes/{request_id}/refuse",
                          data={"reason": "x"}).status_code == 404
    with app.app_context():
        assert db.session.get(ChangeRequest, request_id).state == ChangeState.PROPOSED


def test_a_facilitator_of_the_team_cannot_decide(app, team_a, case_id):
    request_id = _propose(app, case_id, _move(app, case_id, TRUCK - 1, SHOES))
    fac = signed_in_staff(app, "fac@teama.dk")
    assert fac.post(f"/cases/{case_id}/changes/{request_id}/approve").status_code == 403


def test_finance_never_sees_the_proposals_plan_text(app, team_a, case_id):
    with app.app_context():
        people.create_staff(db.session.get(Team, team_a.team_id), "Finn Finans",
                            "fin@teama.dk", Role.FINANCE, PASSWORD, must_change_password=False)
        db.session.commit()
    request_id = _propose(app, case_id, _move(app, case_id, TRUCK - 1, SHOES,
                                              new_lines=[_new_line()]))
    fin = signed_in_staff(app, "fin@teama.dk")
    assert fin.get(f"/cases/{case_id}").status_code == 403
    assert fin.post(f"/cases/{case_id}/changes/{request_id}/approve").status_code == 403
    assert fin.get("/me/plan/change").status_code == 403
    page = fin.get(f"/payouts/cases/{case_id}").get_data(as_text=True)
    assert NEW_THEORY not in page and REASON not in page
    _decide(app, case_id, team_a.consultant_id, request_id)
    page = fin.get(f"/payouts/cases/{case_id}").get_data(as_text=True)
    assert "Svejsekursus" in page and NEW_THEORY not in page and REASON not in page
