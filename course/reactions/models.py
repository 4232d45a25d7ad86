"""Reactions in the live room: the set a course offers, and the reactions sent (no person)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from course.extensions import db
from course.types import UTCDateTime, utcnow


class ReactionSet(db.Model):
    """The reactions a course offers its phones, in order (no row: the default set,
    :data:`course.reactions.services.DEFAULT`)."""

    __tablename__ = "reaction_sets"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"),
                                           primary_key=True)
    emojis: Mapped[list[str]] = mapped_column(sa.JSON)


class Reaction(db.Model):
    """One reaction sent from a phone, and nothing about who sent it.

    ``sender_key`` is an HMAC of the citizen's id and the minute it was sent in, under the
    server's secret: it lets the server count a phone's reactions in this minute (the limit)
    and no more — the next minute gives the same phone another key, so rows cannot be linked
    beyond a minute, and without the secret not to a person. The projector reads only counts.
    Rows older than a few minutes are deleted (:func:`course.reactions.services.react`).
    """

    __tablename__ = "reactions"
    __table_args__ = (sa.Index("ix_reactions_course_id_sent_at", "course_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    emoji: Mapped[str] = mapped_column(sa.String(16))
    sender_key: Mapped[str] = mapped_column(sa.String(64), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
