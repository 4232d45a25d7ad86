"""Minor changes after approval: the rules a citizen proposes a change by, and the job
consultant decides on it by.

The citizen of an approved case (not ended) proposes the whole new plan: amounts moved between
the approved lines, an unpaid line removed, new lines with their change theory, and why. The
cap and the payouts already made hold: no line's new amount is below what has been paid on
it, and a line with payouts stays. One proposal is open per case at a time.

The case's own job consultant or the team lead approves it — a new plan version (number + 1,
its hash as a submission's), which becomes the decided one; finance's figures follow it, as
they read the decided version — or refuses it with a reason. A proposal made on a version that
is no longer the decided one is stale. Every step is on the case's audit trail; the other side
is notified. Services flush; the routes commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from course.approvals import services as approvals
from course.approvals.models import Case, CaseState, PlanVersion
from course.budgets import services as budget_services
from course.budgets.models import Category, PaymentMethod
from course.changes.models import ChangeRequest, ChangeState
from course.extensions import db
from course.payouts import services as payouts
from course.people.models import Citizen, Role, Staff
from course.types import utcnow

#: How long the citizen's reason and the consultant's refusal may be.
MAX_REASON = 4000
#: New lines in one proposal: minor changes, not a new plan.
MAX_NEW_LINES = 3
#: The fields of a new line, read as the budget editor reads them (budgets.services.FIELDS).
NEW_LINE_FIELDS = ("title", "amount", "category", "need_date", "price_source",
                   "no_documentation", "payment_method", "private", "change", "job_effect",
                   "assumptions")


class ChangeError(Exception):
    """A refused step; ``code`` names the reason for a translated message
    (:data:`course.changes.labels.ERRORS`)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Proposal:
    """What the citizen typed (as typed: the rules read it). ``amounts``: the new amount per
    approved line id; ``removed``: the line ids to remove; ``new_lines``: each new line's
    fields (:data:`NEW_LINE_FIELDS`)."""

    amounts: dict[int, str] = field(default_factory=dict)
    removed: set[int] = field(default_factory=set)
    new_lines: list[dict[str, str]] = field(default_factory=list)
    reason: str = ""


# -- who may ------------------------------------------------------------------------------------


def _changeable(case: Case) -> None:
    """Only an approved plan, not ended, can be changed."""
    if case.state == CaseState.REJECTED:
        raise ChangeError("ended")
    if case.state != CaseState.APPROVED:
        raise ChangeError("not_approved")


def can_propose(case: Case | None) -> bool:
    return case is not None and case.state == CaseState.APPROVED


def decides(staff: Staff, case: Case) -> bool:
    """Who decides on a proposed change: the case's own job consultant or the team lead (who
    follow an approved case, as for recording a job or ending it)."""
    return approvals.is_team_consultant(staff, case) and (
        staff.role == Role.TEAM_LEAD or case.consultant_id == staff.id)


def _lock(case: Case) -> None:
    """Hold the case's row until the commit and read it afresh (PostgreSQL; SQLite writes one
    at a time anyway): a payout recorded and a change approved at once cannot both pass the
    paid ≤ approved check, and a decision reads the decided version as it is now."""
    db.session.refresh(case, with_for_update=True)


# -- reading ------------------------------------------------------------------------------------


def proposed_in(case_ids: list[int]) -> set[int]:
    """Which of the cases have a proposed change waiting for a decision (one statement)."""
    if not case_ids:
        return set()
    return set(db.session.scalars(sa.select(ChangeRequest.case_id).where(
        ChangeRequest.case_id.in_(case_ids), ChangeRequest.state == ChangeState.PROPOSED)))


def open_request(case: Case) -> ChangeRequest | None:
    """The case's proposal waiting for a decision, if any."""
    return db.session.scalar(sa.select(ChangeRequest).where(
        ChangeRequest.case_id == case.id, ChangeRequest.state == ChangeState.PROPOSED))


def latest(case: Case) -> ChangeRequest | None:
    """The case's last proposal (open or decided)."""
    return db.session.scalar(sa.select(ChangeRequest).where(ChangeRequest.case_id == case.id)
                             .order_by(ChangeRequest.number.desc()).limit(1))


def approved_changes(case: Case) -> list[ChangeRequest]:
    """The approved changes, oldest first (the decision document lists them)."""
    return list(db.session.scalars(sa.select(ChangeRequest).where(
        ChangeRequest.case_id == case.id, ChangeRequest.state == ChangeState.APPROVED)
        .options(selectinload(ChangeRequest.version), selectinload(ChangeRequest.decided_by))
        .order_by(ChangeRequest.number)))


def base_version(request: ChangeRequest) -> PlanVersion:
    return db.session.get(PlanVersion, request.base_version_id)


def what_changes(request: ChangeRequest) -> list[approvals.Change]:
    """The proposal against the version it was proposed on, as the case loop shows what
    changed between two versions (:func:`course.approvals.services.changes`)."""
    return approvals.changes(base_version(request), PlanVersion(content=request.content))


# -- proposing ----------------------------------------------------------------------------------


def _amount(raw: str, title: str) -> int:
    from course import money

    try:
        return money.parse_amount(raw)
    except money.AmountError as err:
        raise ChangeError(f"amount_{err.code}", title=title) from None


def _text(raw: str | None, max_length: int) -> str:
    try:
        return budget_services.parse_value(budget_services.FieldSpec("text", max_length),
                                           raw).strip()
    except budget_services.FieldInvalid:
        raise ChangeError("too_long", max=max_length) from None


def _new_line(typed: dict[str, str], line_id: int, n: int) -> dict[str, Any]:
    """A new line in the version format, read by the editor's rules; refused without a title,
    a price, or the change theory (what changes, and how that leads closer to a job)."""
    specs = budget_services.FIELDS["line"]
    title = typed.get("title", "").strip()
    if not title:
        raise ChangeError("new_no_title", n=n)
    values: dict[str, Any] = {}
    for name in NEW_LINE_FIELDS:
        spec = specs[name]
        raw = typed.get(name, "")
        if name == "amount":
            values[name] = _amount(raw, title)
            continue
        if spec.kind == "choice" and not raw.strip():
            raise ChangeError("new_choose", title=title)
        try:
            value = budget_services.parse_value(spec, raw)
        except budget_services.FieldInvalid as err:
            raise ChangeError("new_field", title=title, field=name, field_code=err.code,
                              **err.params) from None
        values[name] = value.strip() if isinstance(value, str) else value
    if not values["change"] or not values["job_effect"]:
        raise ChangeError("new_no_theory", title=title)
    return {
        "id": line_id,
        "title": values["title"],
        "category": Category(values["category"]).value,
        "amount": values["amount"],
        "need_date": values["need_date"].isoformat() if values["need_date"] else None,
        "price_source": values["price_source"],
        "no_documentation": values["no_documentation"],
        "payment_method": PaymentMethod(values["payment_method"]).value,
        "private": bool(values["private"]),
        "change": values["change"],
        "job_effect": values["job_effect"],
        "assumptions": values["assumptions"],
        "attachments": [],
    }


def _next_line_id(case: Case) -> int:
    """A line id not used in any of the case's versions (payouts are keyed by it)."""
    return max((line["id"] for v in case.versions for line in v.content["lines"]),
               default=0) + 1


def _check_paid(case: Case, lines: list[dict[str, Any]], removed: list[dict[str, Any]]) -> None:
    """The payouts already made hold: no line below what was paid on it, no line with payouts
    removed."""
    current = payouts.figures(case)
    amounts = {line["id"]: line["amount"] for line in lines}
    for paid_line in current.lines:
        if paid_line.id in amounts and amounts[paid_line.id] < paid_line.paid:
            raise ChangeError("below_paid", title=paid_line.title, paid=paid_line.paid)
    for line in removed:
        paid_line = current.line(line["id"])
        if paid_line is not None and paid_line.payouts:
            raise ChangeError("paid_line_removed", title=line["title"])


def build(case: Case, proposal: Proposal) -> dict[str, Any]:
    """The new plan's content from what the citizen typed, on the decided version; refused if
    it breaks a rule (see the module's docstring)."""
    base = approvals.decided_version(case).content
    lines: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    for line in base["lines"]:
        if line["id"] in proposal.removed:
            removed.append(line)
            continue
        raw = proposal.amounts.get(line["id"])
        amount = line["amount"] if raw is None else _amount(raw, line["title"])
        lines.append(dict(line, amount=amount))
    typed_new = [t for t in proposal.new_lines if any(v.strip() for k, v in t.items()
                                                       if k not in ("category", "payment_method"))]
    if len(typed_new) > MAX_NEW_LINES:
        raise ChangeError("too_many_new", n=MAX_NEW_LINES)
    next_id = _next_line_id(case)
    for n, typed in enumerate(typed_new, start=1):
        lines.append(_new_line(typed, next_id + n - 1, n))
    if not lines:
        raise ChangeError("no_lines")
    total = sum(line["amount"] for line in lines)
    if total > base["cap"]:
        raise ChangeError("over_cap", total=total, cap=base["cap"])
    _check_paid(case, lines, removed)
    content = dict(base, lines=lines, total=total)
    if content == base:
        raise ChangeError("no_change")
    return content


def propose(case: Case, citizen: Citizen, proposal: Proposal) -> ChangeRequest:
    """The citizen proposes a change to their approved plan; their job consultant is told."""
    if case.citizen_id != citizen.id:
        raise ChangeError("not_yours")
    _changeable(case)
    db.session.execute(sa.select(Case.id).where(Case.id == case.id).with_for_update())
    if open_request(case) is not None:
        raise ChangeError("already_open")
    reason = _text(proposal.reason, MAX_REASON)
    content = build(case, proposal)
    if not reason:
        raise ChangeError("no_reason")
    number = (db.session.scalar(sa.select(sa.func.max(ChangeRequest.number)).where(
        ChangeRequest.case_id == case.id)) or 0) + 1
    base = approvals.decided_version(case)
    request = ChangeRequest(case_id=case.id, number=number, base_version_id=base.id,
                            content=content, reason=reason)
    db.session.add(request)
    db.session.flush()
    approvals.record(case, "change_proposed", citizen=citizen, reason=reason, change=number,
                     on_version=base.number, total=content["total"])
    for person in _deciders(case):
        approvals.notify(person, "change_proposed", case, f"/cases/{case.id}")
    return request


def _deciders(case: Case) -> list[Staff]:
    """Whom a proposal is for: the case's job consultant, or the team lead when the case has
    none who can act on it."""
    if approvals.has_consultant(case):
        return [case.consultant]
    return [p for p in approvals.colleagues(case, exclude=None) if p.role == Role.TEAM_LEAD]


def withdraw(case: Case, citizen: Citizen) -> ChangeRequest:
    """The citizen takes their open proposal back before it is decided."""
    if case.citizen_id != citizen.id:
        raise ChangeError("not_yours")
    request = open_request(case)
    if request is None:
        raise ChangeError("none_open")
    request.state = ChangeState.WITHDRAWN
    request.decided_at = utcnow()
    db.session.flush()
    approvals.record(case, "change_withdrawn", citizen=citizen, change=request.number)
    return request


# -- deciding -----------------------------------------------------------------------------------


def _decidable(case: Case, staff: Staff, request_id: int) -> ChangeRequest:
    if not decides(staff, case):
        raise ChangeError("not_your_case")
    _changeable(case)
    _lock(case)
    request = db.session.get(ChangeRequest, request_id)
    if request is None or request.case_id != case.id:
        raise ChangeError("unknown")
    db.session.refresh(request)
    if request.state != ChangeState.PROPOSED:
        raise ChangeError("decided")
    return request


def approve(case: Case, staff: Staff, request_id: int) -> PlanVersion:
    """Approve the proposed change: its content becomes a new plan version, decided. Refused
    when the decided version moved on since the proposal (stale), or when payouts made since
    then are more than a line's new amount."""
    request = _decidable(case, staff, request_id)
    if request.base_version_id != case.decided_version_id:
        raise ChangeError("stale")
    content = request.content
    if content["total"] > content["cap"]:
        raise ChangeError("over_cap", total=content["total"], cap=content["cap"])
    base = approvals.decided_version(case)
    kept = {line["id"] for line in content["lines"]}
    _check_paid(case, content["lines"],
                [line for line in base.content["lines"] if line["id"] not in kept])
    now = utcnow()
    version = PlanVersion(number=len(case.versions) + 1, content=content,
                          content_hash=approvals.content_hash(content),
                          submitted_at=request.created_at)
    case.versions.append(version)
    db.session.flush()
    case.decided_version_id = version.id
    case.version_number, case.total = version.number, content["total"]
    case.payments = {str(line["id"]): case.payments.get(str(line["id"]), line["payment_method"])
                     for line in content["lines"]}
    case.updated_at = now
    request.state, request.decided_at, request.decided_by_id = ChangeState.APPROVED, now, staff.id
    request.version_id = version.id
    db.session.flush()
    approvals.record(case, "change_approved", staff=staff, change=request.number,
                     from_version=base.number, to_version=version.number,
                     total=content["total"], hash=version.content_hash)
    approvals.notify(case.citizen, "change_approved", case, "/me/plan")
    return version


def refuse(case: Case, staff: Staff, request_id: int, reason: str) -> ChangeRequest:
    """Refuse the proposed change, saying why; the approved plan stays as it is."""
    request = _decidable(case, staff, request_id)
    reason = _text(reason, MAX_REASON)
    if not reason:
        raise ChangeError("no_refusal_reason")
    request.state, request.decided_at, request.decided_by_id = (
        ChangeState.REFUSED, utcnow(), staff.id)
    request.decision_reason = reason
    case.updated_at = utcnow()
    db.session.flush()
    approvals.record(case, "change_refused", staff=staff, reason=reason, change=request.number,
                     on_version=base_version(request).number)
    approvals.notify(case.citizen, "change_refused", case, "/me/plan")
    return request
