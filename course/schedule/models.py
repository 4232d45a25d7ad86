"""A course (kollektivt forløb): one cohort with a kickoff and two course days."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from course.people.models import Citizen, Staff, Team

course_facilitators = sa.Table(
    "course_facilitators",
    db.metadata,
    sa.Column("course_id", sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("staff_id", sa.ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
)


class Course(db.Model):
    """A cohort of citizens following the collective course together."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: The public join code shown on the projector (unambiguous alphabet, unique).
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    capacity: Mapped[int] = mapped_column(default=24)
    kickoff_on: Mapped[date]
    day1_on: Mapped[date]
    day2_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship()
    facilitators: Mapped[list[Staff]] = relationship(
        secondary=course_facilitators, order_by="Staff.name"
    )
    citizens: Mapped[list[Citizen]] = relationship(
        back_populates="course", order_by="Citizen.name"
    )

    __table_args__ = (sa.CheckConstraint("capacity > 0", name="capacity_positive"),)

    def __repr__(self) -> str:
        return f"<Course {self.id} {self.code}>"
