"""Polls in the live room: a question with options, prepared on an agenda item or made on the
spot from the console, and the anonymous votes of the phones."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from course.extensions import db
from course.types import UTCDateTime, utcnow


class Poll(db.Model):
    """One poll of a course: ``kind`` is single choice, multiple choice, a 1–5 scale or a
    check-in; ``options`` the texts to choose from (the scale's and check-in's are fixed).

    ``state``: ``ready`` (not yet voted on), ``open`` (phones vote and may change their vote),
    ``closed``. ``results_shown``: the facilitator has put the results on the projector.
    ``agenda_item_id``: the item it was prepared on (empty: made on the spot). ``salt`` keys
    the voters' marks (:func:`course.polls.services.voter_key`), one salt per poll.
    """

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    question: Mapped[str] = mapped_column(sa.String(200))
    options: Mapped[list[str]] = mapped_column(sa.JSON)
    state: Mapped[str] = mapped_column(sa.String(8), default="ready")
    results_shown: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    salt: Mapped[str] = mapped_column(sa.String(32))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PollVote(db.Model):
    """One voter's choice in one poll, and nothing about who they are.

    ``voter_key`` is an HMAC of the citizen's id under the server's secret and the poll's own
    salt. From these rows alone one can count the votes and see that a voter changed their
    mind (``changed_at``), but not tell who voted, nor link one person's votes across polls
    (each poll has its own salt). With the server's secret one could test whether a given
    citizen voted and how: that is what lets a phone see and change its own vote, and why the
    consoles and the projector only ever read the counts.
    """

    __tablename__ = "poll_votes"

    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"),
                                         primary_key=True)
    voter_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    choices: Mapped[list[int]] = mapped_column(sa.JSON)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
