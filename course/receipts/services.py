"""Receipts for own-account transfers: the rules they are expected, handed in, decided on,
reminded of and claimed back by.

A receipt is expected for each own-account payout (not for a reversal) when the payout is
recorded (:func:`expect_receipt`, connected to ``payouts.signals.payout_recorded``), due the
municipality's number of days later (:func:`receipt_days`, default 14). Its state is read from
the append-only records (:func:`views_of`):

* ``due`` — nothing handed in yet;
* ``handed_in`` — the latest upload waits for a verdict;
* ``accepted`` — the latest upload was accepted (nothing more is due);
* ``asked_again`` — the latest upload was refused with a reason: the citizen hands in again;
* ``cancelled`` — the payout was reversed: its receipt is no longer due.

A receipt that is due or asked again is *overdue* after its due date. Services flush; the
route commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from course import money
from course.approvals import services as approvals
from course.approvals.models import Case, CaseState, Notification, Setting
from course.budgets import files
from course.extensions import db
from course.payouts.models import Payout
from course.people.models import Citizen, Role, Staff
from course.receipts.models import (
    Receipt,
    ReceiptReminder,
    ReceiptReview,
    ReceiptUpload,
    RepaymentClaim,
)
from course.types import local_today, utcnow

#: The municipality's setting: days after the transfer to hand in the receipt.
DAYS_SETTING = "receipt_days"
DEFAULT_DAYS = 14
MIN_DAYS, MAX_DAYS = 1, 90
#: The longest reason kept (asking again, claiming repayment).
MAX_REASON = 2000

ACCEPTED, ASKED_AGAIN = "accepted", "asked_again"


class ReceiptError(Exception):
    """A refused step; ``code`` names the reason for a translated message
    (:data:`course.receipts.labels.ERRORS`)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# -- the setting ----------------------------------------------------------------------------------


def receipt_days() -> int:
    """The days a citizen has to hand in a receipt after an own-account transfer."""
    setting = db.session.get(Setting, DAYS_SETTING)
    try:
        days = int(setting.value) if setting is not None else DEFAULT_DAYS
    except ValueError:
        return DEFAULT_DAYS
    return days if MIN_DAYS <= days <= MAX_DAYS else DEFAULT_DAYS


def days_setting() -> Setting | None:
    return db.session.get(Setting, DAYS_SETTING)


def set_receipt_days(staff: Staff, raw: str) -> int:
    """The team lead sets the days to hand in a receipt (for transfers recorded from now on).

    :raises ReceiptError: ``not_lead``; ``days_not_a_number``; ``days_out_of_range``.
    """
    if not isinstance(staff, Staff) or staff.role != Role.TEAM_LEAD or not staff.active:
        raise ReceiptError("not_lead")
    text = (raw or "").strip()
    if not text.isdigit():
        raise ReceiptError("days_not_a_number")
    days = int(text)
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ReceiptError("days_out_of_range")
    setting = db.session.get(Setting, DAYS_SETTING)
    if setting is None:
        setting = Setting(name=DAYS_SETTING, value=str(days))
        db.session.add(setting)
    setting.value, setting.updated_at, setting.updated_by_id = str(days), utcnow(), staff.id
    db.session.flush()
    return days


# -- expecting a receipt -------------------------------------------------------------------------


def expect_receipt(payout: Payout, *, case: Case) -> Receipt | None:
    """A transfer to the citizen's own account expects a receipt, due the setting's days after
    it was paid (``payouts.signals.payout_recorded``); an invoice expects none."""
    if payout.method != "own_account" or payout.reverses_id is not None:
        return None
    receipt = Receipt(case_id=case.id, payout_id=payout.id,
                      due_on=payout.paid_on + timedelta(days=receipt_days()))
    db.session.add(receipt)
    db.session.flush()
    return receipt


# -- reading ------------------------------------------------------------------------------------


@dataclass
class ReceiptView:
    """One expected receipt as the pages show it: the payout, its records, its state."""

    receipt: Receipt
    payout: Payout
    title: str
    today: date
    uploads: list[ReceiptUpload] = field(default_factory=list)
    reviews: dict[int, ReceiptReview] = field(default_factory=dict)  # by upload id
    reversed: bool = False
    claim: RepaymentClaim | None = None

    @property
    def id(self) -> int:
        return self.receipt.id

    @property
    def due_on(self) -> date:
        return self.receipt.due_on

    @property
    def latest(self) -> ReceiptUpload | None:
        return self.uploads[-1] if self.uploads else None

    @property
    def latest_review(self) -> ReceiptReview | None:
        return self.reviews.get(self.latest.id) if self.latest is not None else None

    @property
    def state(self) -> str:
        if self.reversed:
            return "cancelled"
        if self.latest is None:
            return "due"
        review = self.latest_review
        if review is None:
            return "handed_in"
        return review.verdict

    @property
    def overdue(self) -> bool:
        return self.state in ("due", ASKED_AGAIN) and self.today > self.due_on

    @property
    def reviewable(self) -> bool:
        return self.state == "handed_in"

    @property
    def claimable(self) -> bool:
        """Missing (overdue) or refused, and not claimed yet."""
        return self.claim is None and (self.state == ASKED_AGAIN or self.overdue)

    @property
    def open_flag(self) -> bool:
        """Overdue with nothing done about it yet (no claim recorded): flagged."""
        return self.overdue and self.claim is None


def _views(receipts: list[Receipt], today: date, titles: dict[int, dict[int, str]] | None = None
           ) -> list[ReceiptView]:
    """The views of ``receipts``, their records read in a few statements whatever their number.
    ``titles``: per case id, the budget line titles by line id (empty titles without)."""
    if not receipts:
        return []
    ids = [r.id for r in receipts]
    payout_ids = [r.payout_id for r in receipts]
    payouts = {p.id: p for p in db.session.scalars(
        sa.select(Payout).where(Payout.id.in_(payout_ids)))}
    reversed_ids = set(db.session.scalars(sa.select(Payout.reverses_id).where(
        Payout.reverses_id.in_(payout_ids))))
    uploads: dict[int, list[ReceiptUpload]] = defaultdict(list)
    for upload in db.session.scalars(sa.select(ReceiptUpload).where(
            ReceiptUpload.receipt_id.in_(ids)).order_by(ReceiptUpload.id)):
        uploads[upload.receipt_id].append(upload)
    reviews: dict[int, dict[int, ReceiptReview]] = defaultdict(dict)
    for review in db.session.scalars(sa.select(ReceiptReview).where(
            ReceiptReview.receipt_id.in_(ids)).options(selectinload(ReceiptReview.staff))):
        reviews[review.receipt_id][review.upload_id] = review
    claims = {c.payout_id: c for c in db.session.scalars(
        sa.select(RepaymentClaim).where(RepaymentClaim.payout_id.in_(payout_ids))
        .options(selectinload(RepaymentClaim.recorded_by)))}
    out = []
    for r in receipts:
        payout = payouts[r.payout_id]
        out.append(ReceiptView(
            r, payout, (titles or {}).get(r.case_id, {}).get(payout.line_id, ""), today,
            uploads[r.id], reviews[r.id], r.payout_id in reversed_ids, claims.get(r.payout_id)))
    return out


def _titles(case: Case) -> dict[int, str]:
    return {line["id"]: line["title"]
            for line in approvals.decided_version(case).content["lines"]}


def views_of(case: Case, today: date | None = None) -> list[ReceiptView]:
    """The case's expected receipts, oldest payout first."""
    receipts = list(db.session.scalars(sa.select(Receipt).where(
        Receipt.case_id == case.id).order_by(Receipt.id)))
    if not receipts:
        return []
    return _views(receipts, today or local_today(), {case.id: _titles(case)})


def overdue_by_case(case_ids: Iterable[int], today: date | None = None) -> dict[int, int]:
    """How many receipts of each approved case are overdue with nothing done about them (the
    queue's flag): a few statements for the whole queue."""
    ids = list(case_ids)
    today = today or local_today()
    if not ids:
        return {}
    receipts = list(db.session.scalars(
        sa.select(Receipt).join(Case, Case.id == Receipt.case_id)
        .where(Receipt.case_id.in_(ids), Case.state == CaseState.APPROVED,
               Receipt.due_on < today)))
    counts: dict[int, int] = defaultdict(int)
    for view in _views(receipts, today):
        if view.open_flag:
            counts[view.receipt.case_id] += 1
    return dict(counts)


def _view(case: Case, receipt_id: int, today: date | None = None) -> ReceiptView:
    view = next((v for v in views_of(case, today) if v.id == receipt_id), None)
    if view is None:
        raise ReceiptError("unknown_receipt")
    return view


def upload_of(upload_id: int) -> tuple[ReceiptUpload, Case] | None:
    """An upload and its case (for the access check of the file's route)."""
    row = db.session.execute(
        sa.select(ReceiptUpload, Case).join(Receipt, Receipt.id == ReceiptUpload.receipt_id)
        .join(Case, Case.id == Receipt.case_id).where(ReceiptUpload.id == upload_id)).first()
    return (row[0], row[1]) if row is not None else None


# -- handing in ---------------------------------------------------------------------------------


def _lock(case: Case) -> None:
    """Hold the case's row until the commit, so two steps at once read the same state in turn
    (PostgreSQL; SQLite writes one at a time anyway)."""
    db.session.execute(sa.select(Case.id).where(Case.id == case.id).with_for_update())


def upload(case: Case, citizen: Citizen, receipt_id: int, stream: IO[bytes] | None,
           filename: str | None, *, max_bytes: int, fallback_name: str) -> ReceiptUpload:
    """The citizen hands in a receipt (a photo or a PDF) for one of their own-account payouts.

    Refused: a case not approved (or ended); a reversed payout's receipt; one already accepted;
    a file the upload path refuses (``files.AttachmentError``, raised as it is). The file is on
    disk when this returns; the route discards it if the commit fails.
    """
    if case.citizen_id != citizen.id:
        raise ReceiptError("unknown_receipt")
    if case.state != CaseState.APPROVED:
        raise ReceiptError("ended" if case.state == CaseState.REJECTED else "not_approved")
    _lock(case)
    view = _view(case, receipt_id)
    if view.state == "cancelled":
        raise ReceiptError("cancelled")
    if view.state == ACCEPTED:
        raise ReceiptError("already_accepted")
    stored = files.store_upload(stream, filename, max_bytes=max_bytes,
                                fallback_name=fallback_name)
    row = ReceiptUpload(receipt_id=view.id, citizen_id=citizen.id,
                        storage_name=stored.storage_name, original_name=stored.original_name,
                        content_type=stored.content_type, size=stored.size)
    db.session.add(row)
    try:
        db.session.flush()
    except Exception:
        files.discard_file(stored.storage_name)
        raise
    approvals.record(case, "receipt_uploaded", citizen=citizen, receipt=view.id,
                     payout=view.payout.id, upload=row.id, title=view.title,
                     amount=view.payout.amount, kind="image" if row.is_picture else "pdf")
    if case.consultant is not None and case.consultant.active:
        approvals.notify(case.consultant, "receipt_handed_in", case, f"/cases/{case.id}")
    return row


# -- deciding -----------------------------------------------------------------------------------


def may_act(staff: Staff, case: Case) -> bool:
    """The team's job consultants and lead (on a case approved, or ended after approval) and
    the team's finance office (on an approved case) decide on receipts and claim repayment."""
    if not isinstance(staff, Staff) or not staff.active or staff.team_id != case.team_id:
        return False
    if staff.role == Role.FINANCE:
        return case.state == CaseState.APPROVED
    return approvals.is_team_consultant(staff, case) and case.was_approved


def review(case: Case, staff: Staff, receipt_id: int, upload_id: int | None, verdict: str,
           reason: str = "") -> ReceiptReview:
    """Accept the receipt handed in, or ask for it again with the reason (required).

    ``upload_id`` is the upload the person looked at: if another was handed in meanwhile, or
    the upload was decided on already, the verdict is refused (look again).
    """
    if not may_act(staff, case):
        raise ReceiptError("not_allowed")
    if verdict not in (ACCEPTED, ASKED_AGAIN):
        raise ReceiptError("bad_verdict")
    _lock(case)
    view = _view(case, receipt_id)
    if not view.reviewable:
        raise ReceiptError("nothing_to_review")
    if upload_id != view.latest.id:
        raise ReceiptError("not_latest")
    reason = (reason or "").strip()
    if verdict == ASKED_AGAIN and not reason:
        raise ReceiptError("no_reason")
    if len(reason) > MAX_REASON:
        raise ReceiptError("too_long", max=MAX_REASON)
    row = ReceiptReview(receipt_id=view.id, upload_id=view.latest.id, verdict=verdict,
                        reason=reason if verdict == ASKED_AGAIN else "", staff_id=staff.id)
    db.session.add(row)
    db.session.flush()
    approvals.record(case, f"receipt_{verdict}", staff=staff, reason=row.reason,
                     receipt=view.id, payout=view.payout.id, upload=view.latest.id,
                     title=view.title, amount=view.payout.amount)
    if verdict == ASKED_AGAIN:
        approvals.notify(case.citizen, "receipt_asked_again", case, "/me/plan")
    return row


def claim(case: Case, staff: Staff, receipt_id: int, amount: str, reason: str,
          today: date | None = None) -> RepaymentClaim:
    """Mark a missing (overdue) or refused receipt as a claim for repayment: the amount (at most
    what was paid) and the reason. Only the record: nothing is collected automatically."""
    if not may_act(staff, case):
        raise ReceiptError("not_allowed")
    _lock(case)
    view = _view(case, receipt_id, today)
    if view.claim is not None:
        raise ReceiptError("already_claimed")
    if not view.claimable:
        raise ReceiptError("not_claimable")
    try:
        value = money.parse_amount(amount)
    except money.AmountError as err:
        raise ReceiptError(f"amount_{err.code}") from None
    if value > view.payout.amount:
        raise ReceiptError("over_paid", paid=view.payout.amount)
    reason = (reason or "").strip()
    if not reason:
        raise ReceiptError("no_claim_reason")
    if len(reason) > MAX_REASON:
        raise ReceiptError("too_long", max=MAX_REASON)
    row = RepaymentClaim(case_id=case.id, payout_id=view.payout.id, amount=value,
                         reason=reason, recorded_by_id=staff.id)
    db.session.add(row)
    db.session.flush()
    approvals.record(case, "repayment_claimed", staff=staff, reason=reason, receipt=view.id,
                     payout=view.payout.id, title=view.title, amount=value)
    return row


# -- reminding ----------------------------------------------------------------------------------


def remind_receipts(today: date | None = None) -> list[Notification]:
    """Notices for overdue receipts of approved cases: to the citizen and their case's job
    consultant, once per receipt (run daily: ``flask remind``). An ended case, a receipt handed
    in, accepted, claimed or no longer due, is reminded of nothing."""
    today = today or local_today()
    receipts = list(db.session.scalars(
        sa.select(Receipt).join(Case, Case.id == Receipt.case_id)
        .outerjoin(ReceiptReminder, ReceiptReminder.receipt_id == Receipt.id)
        .where(Case.state == CaseState.APPROVED, Receipt.due_on < today,
               ReceiptReminder.receipt_id.is_(None))
        .order_by(Receipt.id)))
    made: list[Notification] = []
    for view in _views(receipts, today):
        if not view.open_flag:
            continue
        case = db.session.get(Case, view.receipt.case_id)
        db.session.add(ReceiptReminder(receipt_id=view.id))
        made.append(approvals.notify(case.citizen, "receipt_due", case, "/me/plan",
                                     about_day=view.due_on))
        if case.consultant is not None and case.consultant.active:
            made.append(approvals.notify(case.consultant, "receipt_due", case,
                                         f"/cases/{case.id}", about_day=view.due_on))
    db.session.flush()
    return made
