"""Receipts for transfers to the citizen's own account, and the repayment claims.

Every table here is append-only (the database refuses UPDATE and DELETE), as the payouts and
the audit trail are: a receipt is a record of what was expected, handed in and decided, and
its state is *read* from those records, never stored and overwritten:

* :class:`Receipt` — one expected receipt per own-account payout (not per reversal), with the
  due date fixed when the payout was recorded (paid on + the setting's days at that time: a
  later change of the setting does not move a date the citizen was already given);
* :class:`ReceiptUpload` — each attempt the citizen hands in (a photo or a PDF, stored by the
  budget tool's upload path: type checked by content, EXIF stripped);
* :class:`ReceiptReview` — the job consultant's or finance's verdict on one upload: accepted,
  or asked again with the reason (one verdict per upload: two people at once cannot both);
* :class:`ReceiptReminder` — the overdue reminder sent for a receipt (once per receipt);
* :class:`RepaymentClaim` — a missing or refused receipt marked as a claim for repayment, with
  the amount and the reason (one per payout; nothing beyond the record is automated).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.types import UTCDateTime, append_only, utcnow

if TYPE_CHECKING:
    from course.payouts.models import Payout
    from course.people.models import Staff


class Receipt(db.Model):
    """The receipt expected for one own-account payout, due on ``due_on``."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    payout_id: Mapped[int] = mapped_column(sa.ForeignKey("payouts.id"), unique=True)
    due_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    payout: Mapped[Payout] = relationship()

    def __repr__(self) -> str:
        return f"<Receipt {self.id} payout {self.payout_id} due {self.due_on}>"


class ReceiptUpload(db.Model):
    """One attempt at handing in a receipt: the stored file (never a public URL)."""

    __tablename__ = "receipt_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("receipts.id"), index=True)
    citizen_id: Mapped[int] = mapped_column(sa.ForeignKey("citizens.id"))
    #: The random name the file is stored under (budgets.files); unique.
    storage_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_picture(self) -> bool:
        return self.content_type.startswith("image/")


class ReceiptReview(db.Model):
    """The verdict on one upload: ``accepted``, or ``asked_again`` with the reason."""

    __tablename__ = "receipt_reviews"
    __table_args__ = (
        sa.CheckConstraint("verdict IN ('accepted', 'asked_again')", name="verdict"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("receipts.id"), index=True)
    upload_id: Mapped[int] = mapped_column(sa.ForeignKey("receipt_uploads.id"), unique=True)
    verdict: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    staff: Mapped[Staff] = relationship()


class ReceiptReminder(db.Model):
    """The overdue reminder of a receipt went out (to the citizen and their job consultant)."""

    __tablename__ = "receipt_reminders"

    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("receipts.id"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RepaymentClaim(db.Model):
    """A claim for repayment of (part of) an own-account payout whose receipt is missing or
    was refused: the amount and the reason, as recorded."""

    __tablename__ = "repayment_claims"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    payout_id: Mapped[int] = mapped_column(sa.ForeignKey("payouts.id"), unique=True)
    amount: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[Staff] = relationship()


#: The triggers that make each table append-only, per dialect (course.types.append_only).
APPEND_ONLY_SQL = {table.name: append_only(table) for table in (
    Receipt.__table__, ReceiptUpload.__table__, ReceiptReview.__table__,
    ReceiptReminder.__table__, RepaymentClaim.__table__)}
