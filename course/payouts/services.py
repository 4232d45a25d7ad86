"""Payouts per approved budget line: the rules the finance office records them by.

The approved amounts are the decided plan version's lines, each with the payment method the
decision confirmed (``Case.payments``). Paid never exceeds approved — per line and in total —
and a payout is corrected only by a reversing entry (:func:`reverse`), never edited. Each
payout and reversal is a step of the case's audit trail. Services flush; the route commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from course import money
from course.approvals import services as approvals
from course.approvals.models import Case, CaseState
from course.budgets.models import PaymentMethod
from course.extensions import db
from course.payouts import signals
from course.payouts.models import Payout
from course.people.models import Staff
from course.types import local_today

#: The longest supplier name and invoice number kept.
MAX_SUPPLIER, MAX_INVOICE_NUMBER, MAX_REASON = 200, 100, 2000


class PayoutError(Exception):
    """A refused payout; ``code`` names the reason for a translated message
    (:data:`course.payouts.labels.ERRORS`)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# -- the figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One approved line: what was approved, how it is paid, what is paid and left."""

    id: int
    title: str
    method: str
    approved: int
    payouts: list[Payout] = field(default_factory=list)

    @property
    def paid(self) -> int:
        return sum(p.amount for p in self.payouts)

    @property
    def left(self) -> int:
        return self.approved - self.paid


@dataclass(frozen=True)
class Figures:
    """A case's approved / paid / left per line and in all."""

    case: Case
    lines: list[Line]

    @property
    def approved(self) -> int:
        return sum(line.approved for line in self.lines)

    @property
    def paid(self) -> int:
        return sum(line.paid for line in self.lines)

    @property
    def left(self) -> int:
        return self.approved - self.paid

    @property
    def fully_paid(self) -> bool:
        return self.left <= 0

    def line(self, line_id: int) -> Line | None:
        return next((line for line in self.lines if line.id == line_id), None)

    @property
    def reversed_ids(self) -> set[int]:
        """The payouts that a later entry reversed."""
        return {p.reverses_id for line in self.lines for p in line.payouts if p.reverses_id}


def payouts_of(case_ids: list[int]) -> dict[int, list[Payout]]:
    """Every payout and reversal of the cases, oldest first, by case id (one statement)."""
    out: dict[int, list[Payout]] = {i: [] for i in case_ids}
    if case_ids:
        for payout in db.session.scalars(sa.select(Payout).where(Payout.case_id.in_(case_ids))
                                         .order_by(Payout.id)):
            out[payout.case_id].append(payout)
    return out


def figures(case: Case, payouts: list[Payout] | None = None) -> Figures:
    """The decided version's lines with the payment method the decision confirmed and what has
    been paid on each (``payouts``: already read, else read here)."""
    if payouts is None:
        payouts = payouts_of([case.id])[case.id]
    version = approvals.decided_version(case)
    return Figures(case, [
        Line(id=line["id"], title=line["title"],
             method=case.payments.get(str(line["id"]), line["payment_method"]),
             approved=line["amount"],
             payouts=[p for p in payouts if p.line_id == line["id"]])
        for line in version.content["lines"]])


def team_cases(team_id: int, *, not_fully_paid: bool = False) -> list[Figures]:
    """The team's approved cases with their figures, the longest-approved first; with
    ``not_fully_paid`` only those with money left to pay."""
    cases = db.session.scalars(
        sa.select(Case).where(Case.team_id == team_id, Case.state == CaseState.APPROVED)
        .order_by(Case.decided_at, Case.id)).all()
    paid = payouts_of([c.id for c in cases])
    out = [figures(case, paid[case.id]) for case in cases]
    return [f for f in out if not f.fully_paid] if not_fully_paid else out


# -- recording ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """What finance typed for one payout (as typed: the rules parse it)."""

    amount: str = ""
    paid_on: str = ""
    received_on: str = ""
    supplier: str = ""
    invoice_number: str = ""


def _date(text: str, code: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PayoutError(code) from None


def _payable(case: Case) -> None:
    if case.state == CaseState.REJECTED:
        raise PayoutError("ended")
    if case.state != CaseState.APPROVED:
        raise PayoutError("not_approved")


def _lock(case: Case) -> None:
    """Hold the case's row until the commit, so two payouts recorded at once cannot both pass
    the sums (PostgreSQL; SQLite writes one at a time anyway); and read it afresh, so a change
    to the plan approved meanwhile (a new decided version) is what the sums are checked
    against."""
    db.session.refresh(case, with_for_update=True)


def record(case: Case, staff: Staff, line_id: int, entry: Entry,
           today: date | None = None) -> Payout:
    """Record one payout on an approved line.

    An invoice (to the municipality) needs the supplier, the invoice number, the amount, and
    the dates received and paid; an own-account transfer the amount and the date paid. The
    amount is read as the budget editor reads it (whole kroner, ``1.234 kr.``). Refused: a case
    not approved or ended; a date paid in the future, or received after paid; more than the
    total left to pay, or than the line's amount left.
    """
    _payable(case)
    _lock(case)
    current = figures(case)
    line = current.line(line_id)
    if line is None:
        raise PayoutError("unknown_line")
    try:
        amount = money.parse_amount(entry.amount)
    except money.AmountError as err:
        raise PayoutError(f"amount_{err.code}") from None
    paid_on = _date(entry.paid_on, "bad_date")
    if paid_on is None:
        raise PayoutError("no_paid_on")
    if paid_on > (today or local_today()):
        raise PayoutError("paid_in_future")
    supplier = (entry.supplier or "").strip()
    invoice_number = (entry.invoice_number or "").strip()
    received_on = None
    if line.method == PaymentMethod.INVOICE:
        if not supplier:
            raise PayoutError("no_supplier")
        if not invoice_number:
            raise PayoutError("no_invoice_number")
        if len(supplier) > MAX_SUPPLIER or len(invoice_number) > MAX_INVOICE_NUMBER:
            raise PayoutError("too_long")
        received_on = _date(entry.received_on, "bad_date")
        if received_on is None:
            raise PayoutError("no_received_on")
        if received_on > paid_on:
            raise PayoutError("received_after_paid")
    else:
        supplier = invoice_number = ""
    if amount > current.left:
        raise PayoutError("over_total", left=current.left)
    if amount > line.left:
        raise PayoutError("over_line", left=line.left)
    payout = Payout(case_id=case.id, line_id=line.id, method=line.method, amount=amount,
                    supplier=supplier, invoice_number=invoice_number, received_on=received_on,
                    paid_on=paid_on, recorded_by_id=staff.id)
    db.session.add(payout)
    db.session.flush()
    approvals.record(case, "payout_recorded", staff=staff, payout=payout.id, line=line.id,
                     title=line.title, amount=amount, method=line.method,
                     paid_on=paid_on.isoformat())
    signals.payout_recorded.send(payout, case=case)
    return payout


def reverse(case: Case, staff: Staff, payout_id: int, reason: str) -> Payout:
    """Correct a payout by a reversing entry: its negative amount, pointing at it, with the
    reason. The payout itself is never changed; a payout is reversed once, and a reversal is
    not reversed (record the right payout again instead)."""
    _payable(case)
    _lock(case)
    payout = db.session.get(Payout, payout_id)
    if payout is None or payout.case_id != case.id:
        raise PayoutError("unknown_payout")
    if payout.reverses_id is not None:
        raise PayoutError("reversal_of_reversal")
    already = db.session.scalar(sa.select(Payout.id).where(Payout.reverses_id == payout.id))
    if already is not None:
        raise PayoutError("already_reversed")
    reason = (reason or "").strip()
    if not reason:
        raise PayoutError("no_reason")
    if len(reason) > MAX_REASON:
        raise PayoutError("too_long")
    reversal = Payout(case_id=case.id, line_id=payout.line_id, method=payout.method,
                      amount=-payout.amount, supplier=payout.supplier,
                      invoice_number=payout.invoice_number, received_on=payout.received_on,
                      paid_on=local_today(), reverses_id=payout.id, reason=reason,
                      recorded_by_id=staff.id)
    db.session.add(reversal)
    db.session.flush()
    approvals.record(case, "payout_reversed", staff=staff, reason=reason, payout=reversal.id,
                     reverses=payout.id, line=payout.line_id, amount=-payout.amount)
    return reversal
