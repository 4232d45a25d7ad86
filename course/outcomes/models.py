"""The outcome figures' one table: who downloaded which figures, when (the exports' own log).

The audit trail (``approvals.models.AuditEvent``) is a case's: it needs a case and a citizen, and
an export is about many. So each download of the per-citizen rows is kept here instead, as
append-only as the trail: the database refuses UPDATE and DELETE.
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


class OutcomeExport(db.Model):
    """One download of the outcome rows: by whom, the filter it was made with, how many rows."""

    __tablename__ = "outcome_exports"
    __table_args__ = (
        sa.CheckConstraint("format IN ('csv', 'xlsx')", name="format"),
        sa.Index("ix_outcome_exports_team_at", "team_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    format: Mapped[str] = mapped_column(sa.String(4))
    #: The filter: a course (none: all the team's), a period (both days included; none: open).
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("courses.id"))
    period_from: Mapped[date | None]
    period_to: Mapped[date | None]
    rows: Mapped[int]

    staff: Mapped[Staff] = relationship()

    def __repr__(self) -> str:
        return f"<OutcomeExport {self.id} {self.format} {self.rows} rows>"


#: The triggers that make ``outcome_exports`` append-only, per dialect (course.types.append_only).
APPEND_ONLY_SQL = append_only(OutcomeExport.__table__)
