"""People: teams, staff accounts, citizens, and the server-side record of who is signed in."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from course.schedule.models import Course


class Role(enum.StrEnum):
    """What a signed-in principal is. Staff have one of the first four."""

    FACILITATOR = "facilitator"
    JOB_CONSULTANT = "job_consultant"
    TEAM_LEAD = "team_lead"
    #: The finance office: records payouts on approved cases and sees nothing of the plans
    #: beyond their lines (``course.access``: not of the kind ``STAFF``).
    FINANCE = "finance"
    CITIZEN = "citizen"


STAFF_ROLES = (Role.FACILITATOR, Role.JOB_CONSULTANT, Role.TEAM_LEAD, Role.FINANCE)


class Team(db.Model):
    """A team of the job centre; staff and courses belong to one."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)


class Principal:
    """What Flask-Login sees: a person plus the login session the request came with.

    ``get_id`` returns the login session's token, so the cookie session names a revocable
    server-side record, never the person directly. (Not Flask-Login's ``UserMixin``: its
    ``__eq__`` compares ids, which would make two unloaded people equal.)
    """

    login_token: str | None = None
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str | None:
        return self.login_token

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


class Staff(Principal, db.Model):
    """A job-centre employee: facilitator, job consultant, team lead or finance."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=20, validate_strings=True,
                values_callable=lambda roles: [r.value for r in roles])
    )
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship()

    __table_args__ = (
        sa.CheckConstraint("role IN ('facilitator', 'job_consultant', 'team_lead', 'finance')",
                           name="role"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def __repr__(self) -> str:
        return f"<Staff {self.id} {self.role}>"


class SecondFactor(db.Model):
    """A staff member's authenticator app (TOTP): the shared secret, once confirmed.

    ``last_step`` is the 30-second time step of the last code accepted: a code is good once.
    A team lead's reset empties the secret (and records who reset it and when); the person
    sets the app up again at their next sign-in.
    """

    __tablename__ = "staff_second_factors"

    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), primary_key=True)
    #: Base32 TOTP secret; ``None`` when not set up (or reset). Never logged or exported.
    secret: Mapped[str | None] = mapped_column(sa.String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reset_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))

    reset_by: Mapped[Staff | None] = relationship(foreign_keys=[reset_by_id])


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator app (kept as a keyed hash)."""

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Citizen(Principal, db.Model):
    """A participant (borger) enrolled in one course. No CPR number is ever stored."""

    __tablename__ = "citizens"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    job_consultant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: HMAC of the personal code; the code itself is shown once and never stored.
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    code_issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: May sign in and counts against capacity: false after a "no" or an opt-out.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    #: The eligibility checklist the enrolling staff member confirmed (keys, see enrolment).
    eligibility: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    enrolled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    #: The meeting where the job consultant explained the method; a week to decide follows.
    info_meeting_on: Mapped[date | None]
    #: "pending", "yes" or "no" — participation is voluntary.
    decision: Mapped[str] = mapped_column(sa.String(10), default="pending")
    decided_on: Mapped[date | None]
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the citizen last said they had read the privacy notice (``course.privacy``): the
    #: phone shows the notice until then, and again after the municipality changes it.
    privacy_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When ``flask purge`` removed the citizen's personal data past its retention period:
    #: the name is a pseudonym from then on, the code and contact details are gone.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship(back_populates="citizens")
    job_consultant: Mapped[Staff | None] = relationship(foreign_keys=[job_consultant_id])
    enrolled_by: Mapped[Staff | None] = relationship(foreign_keys=[enrolled_by_id])

    role = Role.CITIZEN

    __table_args__ = (
        sa.CheckConstraint("decision IN ('pending', 'yes', 'no')", name="decision"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def __repr__(self) -> str:
        return f"<Citizen {self.id}>"


class LoginSession(db.Model):
    """One sign-in of one person on one device. Ending it ends the session everywhere.

    The cookie carries a server-side session id; that session holds this record's token; the
    database keeps only the token's hash. Logout, deactivation, a re-issued code or an idle
    timeout set ``ended_at`` — after that the token loads nobody, whatever cookie is replayed.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    citizen_id: Mapped[int | None] = mapped_column(sa.ForeignKey("citizens.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(sa.String(30))

    staff: Mapped[Staff | None] = relationship()
    citizen: Mapped[Citizen | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "(staff_id IS NULL) <> (citizen_id IS NULL)", name="exactly_one_person"
        ),
    )


class ThrottleBucket(db.Model):
    """Failed sign-in attempts counted per key (course code, device, e-mail) in a window."""

    __tablename__ = "throttle_buckets"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
