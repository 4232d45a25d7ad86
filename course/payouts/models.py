"""Payouts on approved budget lines, as the finance office records them.

A :class:`Payout` is one payment on one line of the decided plan version: an invoice paid to a
supplier, or a transfer to the citizen's own account. The table is append-only, like the audit
trail: a wrong payout is corrected by a *reversing* entry (the negative amount, pointing at the
one it reverses), never edited or deleted — the database itself refuses UPDATE and DELETE.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.types import UTCDateTime, append_only, utcnow

if TYPE_CHECKING:
    from course.people.models import Staff


class Payout(db.Model):
    """One payment (positive ``amount``) or the reversal of one (negative, ``reverses_id``)."""

    __tablename__ = "payouts"
    __table_args__ = (
        sa.CheckConstraint("method IN ('invoice', 'own_account')", name="method"),
        sa.CheckConstraint("(reverses_id IS NULL) = (amount > 0)", name="sign"),
        sa.Index("ix_payouts_case_line", "case_id", "line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    #: The budget line's id in the decided version's content (``content["lines"][i]["id"]``).
    line_id: Mapped[int]
    #: The payment method the decision confirmed for the line, when the payout was made.
    method: Mapped[str] = mapped_column(sa.String(20))
    amount: Mapped[int]
    supplier: Mapped[str] = mapped_column(sa.String(200), default="")
    invoice_number: Mapped[str] = mapped_column(sa.String(100), default="")
    received_on: Mapped[date | None]
    paid_on: Mapped[date]
    #: The payout this entry reverses (each can be reversed once).
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payouts.id"), unique=True)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[Staff] = relationship()

    def __repr__(self) -> str:
        return f"<Payout {self.id} case {self.case_id} line {self.line_id} {self.amount}>"


#: The triggers that make ``payouts`` append-only, per dialect (course.types.append_only).
APPEND_ONLY_SQL = append_only(Payout.__table__)
