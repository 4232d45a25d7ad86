"""Follow-up meetings on an approved case, and each job consultant's calendar feed.

A :class:`Meeting` is one follow-up meeting between the citizen and their job consultant: made
from the follow-up dates fixed at approval, or added later; moved, cancelled, and after the
meeting given a short note. A :class:`CalendarFeed` is the secret address a job consultant
subscribes to in their calendar: only a hash of its token is stored.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from course.approvals.models import Case
    from course.people.models import Staff

#: Where a meeting came from: the approval's follow-up dates, or added afterwards.
ORIGINS = ("approval", "added")


class Meeting(db.Model):
    """A follow-up meeting on a case: its day (and, if agreed, time), and the note after it."""

    __tablename__ = "followup_meetings"
    __table_args__ = (
        sa.CheckConstraint("origin IN ('approval', 'added')", name="origin"),
        sa.Index("ix_followup_meetings_case_on", "case_id", "on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    on: Mapped[date]
    #: The agreed time of day (Danish time); none: the day only.
    at: Mapped[time | None]
    origin: Mapped[str] = mapped_column(sa.String(10), default="added")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The short note after the meeting (the citizen reads it too).
    note: Mapped[str] = mapped_column(sa.Text, default="")
    noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    noted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()
    noted_by: Mapped[Staff | None] = relationship(foreign_keys=[noted_by_id])

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    def __repr__(self) -> str:
        return f"<Meeting {self.id} case {self.case_id} {self.on}>"


class CalendarFeed(db.Model):
    """A job consultant's secret calendar address: the SHA-256 of its random token. A new
    token replaces the old one (the old address stops working at once)."""

    __tablename__ = "calendar_feeds"

    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
