"""Cases in the approval queue.

A citizen's draft becomes a *case* when it is first submitted. Each submission freezes a
:class:`PlanVersion` (the plan's content as JSON, with a SHA-256 hash of it); ratings and the
decision are bound to the version they were made on. ``Case.version`` is SQLAlchemy's version
counter: two consultants acting on one case at once cannot both win.

:class:`AuditEvent` is append-only: the database itself refuses UPDATE and DELETE on it (triggers
created with the table, on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.types import UTCDateTime, append_only, str_enum, utcnow

if TYPE_CHECKING:
    from course.budgets.models import Draft
    from course.people.models import Citizen, Staff
    from course.schedule.models import Course


class CaseState(enum.StrEnum):
    SUBMITTED = "submitted"  # ny: waiting to be picked up
    IN_ASSESSMENT = "in_assessment"  # under vurdering
    YELLOW = "yellow"  # gul: colleagues comment / spar
    RED = "red"  # rød: on the team meeting's list
    SENT_BACK = "sent_back"  # sendt tilbage: the citizen revises
    APPROVED = "approved"  # godkendt
    REJECTED = "rejected"  # afsluttet with an ending reason


#: States in which the case is still waiting for someone in the office.
OPEN_STATES = (CaseState.SUBMITTED, CaseState.IN_ASSESSMENT, CaseState.YELLOW, CaseState.RED)


class Colour(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class Criterion(enum.StrEnum):
    """The three approval criteria (docs/method.md §5)."""

    SUBSTANTIAL_CHANGE = "substantial_change"
    REALISTIC = "realistic"
    COHERENCE = "coherence"


class RatingValue(enum.StrEnum):
    YES = "yes"
    UNCERTAIN = "uncertain"
    NO = "no"


class EndingReason(enum.StrEnum):
    """The seed's ending reasons (docs/method.md §6)."""

    JOB = "job"
    NOT_APPROVABLE = "not_approvable"
    CITIZEN_OPTS_OUT = "citizen_opts_out"
    MISTRUST = "mistrust"
    AGREEMENTS_BROKEN = "agreements_broken"
    NO_CHANGE_6_MONTHS = "no_change_6_months"


class Case(db.Model):
    """A citizen's plan in the approval queue, from the first submission to the outcome."""

    __tablename__ = "cases"
    __table_args__ = (
        sa.CheckConstraint("length_months IS NULL OR length_months BETWEEN 6 AND 12",
                           name="length_months"),
        sa.Index("ix_cases_team_state", "team_id", "state", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id"), unique=True)
    citizen_id: Mapped[int] = mapped_column(sa.ForeignKey("citizens.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))
    #: The citizen's job consultant when the plan was submitted: theirs to assess.
    consultant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    state: Mapped[CaseState] = mapped_column(str_enum(CaseState), default=CaseState.SUBMITTED)
    colour: Mapped[Colour | None] = mapped_column(str_enum(Colour))
    #: When the current version was submitted: the queue's waiting time runs from here.
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The current version's number and total, kept here for the queue (which lists hundreds
    #: of cases without reading their frozen plans).
    version_number: Mapped[int] = mapped_column(default=0, server_default="0")
    total: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # -- the decision (bound to ``decided_version_id``) --
    #: The version decided on (a plain id: a foreign key would make cases and plan_versions
    #: depend on each other; the services only ever set it to one of the case's versions).
    decided_version_id: Mapped[int | None]
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    length_months: Mapped[int | None]
    follow_up: Mapped[str] = mapped_column(sa.Text, default="")
    #: Follow-up meeting dates (ISO dates), in order.
    follow_up_dates: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: Payment method per budget line id (as strings: JSON keys), confirmed at approval.
    payments: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    #: Who took part in a team decision (staff ids).
    team_participants: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    send_back_note: Mapped[str] = mapped_column(sa.Text, default="")
    ending_reason: Mapped[EndingReason | None] = mapped_column(str_enum(EndingReason))
    ending_note: Mapped[str] = mapped_column(sa.Text, default="")
    #: The day the course ended (the ending's own date: before or after approval, today or a
    #: day since the plan was handed in) and who ended it. After an approval the approval's
    #: ``decided_*`` stay as they were: the decision document prints both.
    ended_on: Mapped[date | None]
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    #: The last day a job or a substantial change was recorded after approval (the six months
    #: without one run from here, else from the approval).
    progress_on: Mapped[date | None]
    declaration_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The complaint guidance (klagevejledning) the municipality had set when the case was
    #: ended: the decision document keeps saying what the citizen was told, whatever the
    #: setting says later. Empty: the setting was not filled in (the default text applies).
    complaint_guidance: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    version: Mapped[int] = mapped_column(nullable=False)

    __mapper_args__ = {"version_id_col": version}

    draft: Mapped[Draft] = relationship()
    citizen: Mapped[Citizen] = relationship()
    course: Mapped[Course] = relationship()
    consultant: Mapped[Staff | None] = relationship(foreign_keys=[consultant_id])
    decided_by: Mapped[Staff | None] = relationship(foreign_keys=[decided_by_id])
    ended_by: Mapped[Staff | None] = relationship(foreign_keys=[ended_by_id])
    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="case", order_by="PlanVersion.number",
        foreign_keys="PlanVersion.case_id")
    comments: Mapped[list[CaseComment]] = relationship(
        back_populates="case", order_by="CaseComment.id")

    @property
    def current(self) -> PlanVersion:
        return self.versions[-1]

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.state}>"

    @property
    def was_approved(self) -> bool:
        """Approved, now or before it was ended (only an approval fixes the length)."""
        return self.length_months is not None

    @property
    def reference(self) -> str:
        """The case's reference on documents and in exports (``TET-00042``): stable, short, and
        findable in the queue."""
        return f"TET-{self.id:05d}"


class PlanVersion(db.Model):
    """An immutable submitted version of a plan: content as JSON and its SHA-256."""

    __tablename__ = "plan_versions"
    __table_args__ = (sa.UniqueConstraint("case_id", "number", name="case_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    number: Mapped[int]
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="versions", foreign_keys=[case_id])
    ratings: Mapped[list[Rating]] = relationship(back_populates="plan_version",
                                                 order_by="Rating.id")


class Rating(db.Model):
    """A consultant's rating of one criterion on one plan version, with a note."""

    __tablename__ = "ratings"
    __table_args__ = (sa.UniqueConstraint("version_id", "criterion", name="version_criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_versions.id"), index=True)
    criterion: Mapped[Criterion] = mapped_column(str_enum(Criterion))
    value: Mapped[RatingValue] = mapped_column(str_enum(RatingValue))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan_version: Mapped[PlanVersion] = relationship(back_populates="ratings")
    by: Mapped[Staff] = relationship()


class CaseComment(db.Model):
    """A comment in a case's colleague sparring (yellow) or team discussion (red)."""

    __tablename__ = "case_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="comments")
    author: Mapped[Staff] = relationship()


class SparringRequest(db.Model):
    """A colleague asked to comment on a yellow case."""

    __tablename__ = "sparring_requests"
    __table_args__ = (sa.UniqueConstraint("case_id", "staff_id", name="case_staff"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    asked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship(foreign_keys=[staff_id])


class Notification(db.Model):
    """An in-app notice for one person (staff or citizen); by e-mail a link only, if configured.

    ``kind`` names the message (translated when shown); nothing personal is stored in it beyond
    the link to the case, so it is safe to put in an e-mail.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        sa.CheckConstraint("(staff_id IS NULL) <> (citizen_id IS NULL)", name="one_recipient"),
        sa.Index("ix_notifications_staff_unread", "staff_id", "read_at"),
        sa.Index("ix_notifications_citizen_unread", "citizen_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    citizen_id: Mapped[int | None] = mapped_column(sa.ForeignKey("citizens.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    link: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: For deadline reminders: the day it is about, so each is sent once.
    about_day: Mapped[date | None]


class Setting(db.Model):
    """A text the municipality fills in for its decisions (one row per setting ``name``, e.g.
    ``complaint_guidance``); no row: the translated default applies."""

    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))

    updated_by: Mapped[Staff | None] = relationship()


class AuditEvent(db.Model):
    """One step on a case: who, when, on which version, with which colour and reason.

    Append-only: the triggers below make the database refuse UPDATE and DELETE.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    citizen_id: Mapped[int] = mapped_column(sa.ForeignKey("citizens.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    actor_citizen_id: Mapped[int | None] = mapped_column(sa.ForeignKey("citizens.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    version_number: Mapped[int | None]
    colour: Mapped[str | None] = mapped_column(sa.String(10))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor_staff: Mapped[Staff | None] = relationship(foreign_keys=[actor_staff_id])


#: The triggers that make ``audit_events`` append-only, per dialect (course.types.append_only).
APPEND_ONLY_SQL = append_only(AuditEvent.__table__)
