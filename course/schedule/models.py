"""A course (kollektivt forløb): one cohort with a kickoff and two course days."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.types import UTCDateTime, str_enum, utcnow

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
    #: Questions to speakers: "named"; "anonymous" (to the other participants: the facilitators
    #: see the name); "either" (the citizen chooses, named or anonymous to the others); or
    #: "nameless": no one's name is kept with a question, so no screen can show it.
    question_mode: Mapped[str] = mapped_column(sa.String(10), default="either")
    #: Held for review: a new question, or a new comment in a round, reaches no one but its
    #: author and the facilitators until a facilitator lets it through.
    hold_questions: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    hold_comments: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: The most a citizen's budget may total, in whole kroner (the method's DKK 50,000).
    budget_cap: Mapped[int] = mapped_column(default=50_000)
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

    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("question_mode IN ('named', 'anonymous', 'either', 'nameless')",
                           name="question_mode"),
    )

    def date_of(self, day: Day) -> date:
        """The calendar date of one of the course's three meetings."""
        return {Day.KICKOFF: self.kickoff_on, Day.DAY1: self.day1_on, Day.DAY2: self.day2_on}[day]

    def day_on(self, when: date) -> Day | None:
        """Which meeting (if any) takes place on ``when``."""
        for day in Day:
            if self.date_of(day) == when:
                return day
        return None

    def next_meeting(self, today: date) -> Day | None:
        """The first of the course's meetings on or after ``today`` (None once all are over)."""
        coming = [day for day in Day if self.date_of(day) >= today]
        return min(coming, key=self.date_of) if coming else None

    def __repr__(self) -> str:
        return f"<Course {self.id} {self.code}>"


class Day(enum.StrEnum):
    """The three meetings of a course."""

    KICKOFF = "kickoff"
    DAY1 = "day1"
    DAY2 = "day2"


class ItemKind(enum.StrEnum):
    TALK = "talk"
    WORKSHOP = "workshop"
    SPARRING_ROUND = "sparring_round"
    BREAK = "break"
    PLENARY = "plenary"


class SpeakerRole(enum.StrEnum):
    FORMER_PARTICIPANT = "former_participant"
    EMPLOYER = "employer"
    ENTREPRENEUR = "entrepreneur"
    FACILITATOR = "facilitator"


class AgendaItem(db.Model):
    """One item of a course day's agenda: a talk, a workshop, a sparring round, a break…"""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    day: Mapped[Day] = mapped_column(str_enum(Day))
    position: Mapped[int]
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind))
    title: Mapped[str] = mapped_column(sa.String(160))
    speaker_name: Mapped[str] = mapped_column(sa.String(120), default="")
    speaker_role: Mapped[SpeakerRole | None] = mapped_column(str_enum(SpeakerRole))
    description: Mapped[str] = mapped_column(sa.Text, default="")  # markdown, sanitised on render
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        sa.Index("ix_agenda_items_course_day_position", "course_id", "day", "position"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def minutes(self) -> int:
        """Planned length in minutes (0 when the end is not after the start)."""
        start = self.starts_at.hour * 60 + self.starts_at.minute
        end = self.ends_at.hour * 60 + self.ends_at.minute
        return max(0, end - start)
