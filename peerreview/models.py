"""Tables of the round domain (all prefixed ``pr_``).

People, courses, agenda items and drafts live in the host application; here they are plain
integer references (``course_ref``, ``person_ref``, ``draft_ref``…) without foreign keys, so this
package has its own :class:`Base` and can be created, migrated and tested on its own. The host
includes ``Base.metadata`` in its migrations.

Times are stored as timezone-aware UTC (:class:`UTCDateTime`), also on SQLite.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .prompts import default_prompt_set
from .snapshots import peer_view
from .state import Grouping, RoundState

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MAX_FEEDBACK_LENGTH = 1000


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that always hands back aware UTC datetimes.

    SQLite has no time zone type and returns naive values; mixing those with aware ones raises
    ``TypeError``. Naive input is refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None


class Base(DeclarativeBase):
    """Declarative base of the ``pr_`` tables, with the app's Alembic naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _in(column: str, values: type[RoundState] | type[Grouping]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Round(Base):
    """A live sparring round of a course: its settings, its state and its prompt set.

    ``version`` is the SQLAlchemy version counter: every UPDATE of the row checks and bumps it, so
    two facilitator consoles changing the state at once cannot both win silently.
    """

    __tablename__ = "pr_round"
    __table_args__ = (
        CheckConstraint(_in("state", RoundState), name="state"),
        CheckConstraint(_in("grouping", Grouping), name="grouping"),
        CheckConstraint("group_size BETWEEN 3 AND 4", name="group_size"),
        CheckConstraint("min_feedback >= 1", name="min_feedback"),
        CheckConstraint("duration_seconds > 0", name="duration_seconds"),
        CheckConstraint(
            "(completed_override_by_ref IS NULL) = (override_reason IS NULL)",
            name="override_pair",
        ),
        CheckConstraint(
            "(opened_override_by_ref IS NULL) = (opened_override_reason IS NULL)",
            name="opened_override_pair",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_ref: Mapped[int] = mapped_column(Integer, index=True)
    agenda_item_ref: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default=RoundState.PLANNED.value)
    grouping: Mapped[str] = mapped_column(String(16), default=Grouping.GROUPS.value)
    group_size: Mapped[int] = mapped_column(Integer, default=4)
    min_feedback: Mapped[int] = mapped_column(Integer, default=2)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    duration_seconds: Mapped[int] = mapped_column(Integer, default=15 * 60)
    prompt_set: Mapped[dict[str, Any]] = mapped_column(JSON, default=default_prompt_set)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closing_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_override_by_ref: Mapped[int | None] = mapped_column(Integer)
    override_reason: Mapped[str | None] = mapped_column(Text)
    #: Snapshot ids that were below the minimum when the override closed the round.
    override_shortfall: Mapped[list[int] | None] = mapped_column(JSON)
    #: Who opened the round with too few drafts for every one to reach the minimum, and why.
    opened_override_by_ref: Mapped[int | None] = mapped_column(Integer)
    opened_override_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    participants: Mapped[list[RoundParticipant]] = relationship(
        back_populates="round",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="RoundParticipant.id",
    )
    snapshots: Mapped[list[Snapshot]] = relationship(
        back_populates="round",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Snapshot.id",
    )

    @property
    def ends_at(self) -> datetime | None:
        """When the round's time is up (``opened_at + duration``), or ``None`` before it opens."""
        if self.opened_at is None:
            return None
        return self.opened_at + timedelta(seconds=self.duration_seconds)

    def __repr__(self) -> str:
        return f"<Round {self.id} {self.state} course={self.course_ref}>"


class RoundParticipant(Base):
    """A person in a round. *Present* means checked in and not marked as left.

    ``group_no`` and ``seat_no`` are given when the person is first present in an open round:
    ``seat_no`` is the rotation order (the whole room in a ring), used to spread reviewers.
    """

    __tablename__ = "pr_round_participant"
    __table_args__ = (UniqueConstraint("round_id", "person_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pr_round.id", ondelete="CASCADE"))
    person_ref: Mapped[int] = mapped_column(Integer)
    group_no: Mapped[int | None] = mapped_column(Integer)
    seat_no: Mapped[int | None] = mapped_column(Integer)
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship(back_populates="participants")

    def __repr__(self) -> str:
        return f"<RoundParticipant {self.person_ref} round={self.round_id} g={self.group_no}>"


class Snapshot(Base):
    """The frozen content of one person's draft, as the round reviews it.

    ``content`` holds the owner's whole frozen draft (see :mod:`peerreview.snapshots`); peers
    only ever get :meth:`peer_view`.
    """

    __tablename__ = "pr_snapshot"
    __table_args__ = (UniqueConstraint("round_id", "owner_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pr_round.id", ondelete="CASCADE"))
    owner_ref: Mapped[int] = mapped_column(Integer)
    draft_ref: Mapped[int] = mapped_column(Integer, index=True)
    draft_version: Mapped[int | None] = mapped_column(Integer)
    # Deferred: rounds count and rank snapshots all the time, and read a draft only to show it.
    content: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[Round] = relationship(back_populates="snapshots")

    def peer_view(self) -> dict[str, Any]:
        """The content co-participants may see: no private lines, motivation only if shared."""
        return peer_view(self.content)

    def __repr__(self) -> str:
        return f"<Snapshot {self.id} owner={self.owner_ref} round={self.round_id}>"


class Assignment(Base):
    """A "review this draft now" handed out by the allocation; one open at a time per reviewer.

    Open = neither ``completed_at`` (set by the reviewer's first comment on it) nor
    ``abandoned_at`` (skip, leaving, round closed). A partial unique index enforces the
    one-open-assignment rule in the database too.
    """

    __tablename__ = "pr_assignment"
    __table_args__ = (
        Index("ix_pr_assignment_round_reviewer", "round_id", "reviewer_ref"),
        Index("ix_pr_assignment_round_snapshot", "round_id", "snapshot_id"),
        Index(
            "uq_pr_assignment_one_open",
            "round_id",
            "reviewer_ref",
            unique=True,
            sqlite_where=text("completed_at IS NULL AND abandoned_at IS NULL"),
            postgresql_where=text("completed_at IS NULL AND abandoned_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pr_round.id", ondelete="CASCADE"))
    reviewer_ref: Mapped[int] = mapped_column(Integer)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("pr_snapshot.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    snapshot: Mapped[Snapshot] = relationship()

    @property
    def is_open(self) -> bool:
        """Neither completed nor abandoned."""
        return self.completed_at is None and self.abandoned_at is None

    def __repr__(self) -> str:
        return f"<Assignment {self.id} {self.reviewer_ref}->{self.snapshot_id}>"


class Feedback(Base):
    """One comment: a criterion, a stem, 1–1000 characters, optionally anchored to a line.

    Hidden comments stay on record for the facilitators but count for nothing and go nowhere
    (not to the owner, the projector or the approval queue). *Held* comments (the course holds
    comments for review) are the same until a facilitator lets them through: only their author
    and the facilitators see them, and they do not count towards the minimum yet.
    """

    __tablename__ = "pr_feedback"
    __table_args__ = (
        # Feedback count per snapshot in a round (board, allocation, close guard).
        Index("ix_pr_feedback_round_snapshot", "round_id", "snapshot_id", "hidden"),
        # Rate limit and "already reviewed" per reviewer in a round.
        Index("ix_pr_feedback_round_reviewer", "round_id", "reviewer_ref", "created_at"),
        CheckConstraint(f"length(text) BETWEEN 1 AND {MAX_FEEDBACK_LENGTH}", name="text_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pr_round.id", ondelete="CASCADE"))
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("pr_snapshot.id", ondelete="CASCADE"))
    reviewer_ref: Mapped[int] = mapped_column(Integer)
    criterion: Mapped[str] = mapped_column(String(32))
    stem: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    line_ref: Mapped[int | None] = mapped_column(Integer)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    held: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    released_by_ref: Mapped[int | None] = mapped_column(Integer)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_ref: Mapped[int | None] = mapped_column(Integer)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    helpful: Mapped[bool] = mapped_column(Boolean, default=False)
    addressed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    snapshot: Mapped[Snapshot] = relationship()

    def __repr__(self) -> str:
        return f"<Feedback {self.id} on {self.snapshot_id} by {self.reviewer_ref}>"
