"""The idea wall: a prompt, the phones' short answers (grouped on the wall by their normalised
words), the facilitator's merges of two groups, and the anonymous dots of a dot-vote."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from course.extensions import db
from course.types import UTCDateTime, utcnow


class IdeaWall(db.Model):
    """One idea wall of a course: prepared on an agenda item (``agenda_item_id``) or made on
    the spot.

    ``state``: ``ready``, ``open`` (phones send answers), ``closed``. ``voting``: ``""`` (no
    dot-vote yet), ``open`` (each phone places up to ``dots`` dots), ``closed``. ``shown``: the
    wall is on the projector. ``salt`` keys the authors' and voters' marks, one salt per wall.
    """

    __tablename__ = "idea_walls"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True)
    prompt: Mapped[str] = mapped_column(sa.String(200))
    state: Mapped[str] = mapped_column(sa.String(8), default="ready")
    voting: Mapped[str] = mapped_column(sa.String(8), default="", server_default="")
    dots: Mapped[int] = mapped_column(default=3, server_default="3")
    shown: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    salt: Mapped[str] = mapped_column(sa.String(32))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdeaEntry(db.Model):
    """One answer sent from a phone, and nothing about who sent it but a mark.

    ``author_key`` is an HMAC of the citizen's id under the server's secret and the wall's
    salt: it lets a phone count and see its own answers, and no screen shows it. ``key`` is
    the normalised text (case, spaces, punctuation and Danish inflection: :func:`normalise`)
    that groups answers on the wall. ``held``: waiting for a facilitator (the course holds
    questions for review); ``hidden_at``: taken off by a facilitator.
    """

    __tablename__ = "idea_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    wall_id: Mapped[int] = mapped_column(sa.ForeignKey("idea_walls.id", ondelete="CASCADE"),
                                         index=True)
    author_key: Mapped[str] = mapped_column(sa.String(64), index=True)
    text: Mapped[str] = mapped_column(sa.String(200))
    key: Mapped[str] = mapped_column(sa.String(200))
    held: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdeaMerge(db.Model):
    """A facilitator put one group of a wall (``from_key``) into another (``into_key``): the
    wall shows them as one, their counts and dots summed. Undone, the row stays with
    ``undone_at`` (the record of who merged what, and when)."""

    __tablename__ = "idea_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    wall_id: Mapped[int] = mapped_column(sa.ForeignKey("idea_walls.id", ondelete="CASCADE"),
                                         index=True)
    from_key: Mapped[str] = mapped_column(sa.String(200))
    into_key: Mapped[str] = mapped_column(sa.String(200))
    #: the two groups' spellings when merged (what the record shows)
    from_label: Mapped[str] = mapped_column(sa.String(200))
    into_label: Mapped[str] = mapped_column(sa.String(200))
    by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdeaDot(db.Model):
    """One voter's dots on one group of a wall (several on one group are allowed), keyed like
    a poll vote (:class:`course.polls.models.PollVote`): from these rows one can count the
    dots, not tell whose they are, nor link a voter across walls."""

    __tablename__ = "idea_dots"

    wall_id: Mapped[int] = mapped_column(sa.ForeignKey("idea_walls.id", ondelete="CASCADE"),
                                         primary_key=True)
    voter_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    dots: Mapped[int] = mapped_column(default=0)
