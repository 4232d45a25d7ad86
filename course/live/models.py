"""The running day's records: announcements, projector display links, the session of a day,
attendance and questions to the speaker."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.people.models import Citizen, Staff
from course.types import UTCDateTime, utcnow


class Announcement(db.Model):
    """A short message from a facilitator to everyone in a course room (projector and phones)."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    text: Mapped[str] = mapped_column(sa.String(280))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[Staff] = relationship()


class DisplayLink(db.Model):
    """A revocable link that lets one screen show one course's projector view, and nothing else.

    The token travels in the URL (not the cookie), so a facilitator can open the projector in a
    second window of the same browser without losing their own session. Only its hash is stored.
    """

    __tablename__ = "display_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[Staff] = relationship()


class RunningDay(db.Model):
    """One course day as it runs: which agenda item is on, and its countdown.

    Held in the database, so a reloaded projector or a restarted server shows the same state.
    The countdown is derived: ``elapsed`` seconds banked before the current run, plus the time
    since ``timer_started_at`` while it runs; ``extra_seconds`` holds the "+5 min" presses.
    ``item_clocks`` keeps where each item left stood (``[elapsed, extra, workshop step]`` by item
    id), so going back to it carries on where it was. ``join_qr_shown``: the facilitator has put
    the full-screen join QR on the wall (for latecomers), whatever item is on, until taken off.
    """

    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    day: Mapped[str] = mapped_column(sa.String(10))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    current_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_items.id", ondelete="SET NULL"))
    timer_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    elapsed_seconds: Mapped[int] = mapped_column(default=0)
    extra_seconds: Mapped[int] = mapped_column(default=0)
    #: During a change-theory workshop: the guided step on screen (0 = the introduction).
    workshop_step: Mapped[int] = mapped_column(default=0)
    item_clocks: Mapped[dict[str, list[int]]] = mapped_column(sa.JSON, default=dict,
                                                              server_default="{}")
    join_qr_shown: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (sa.UniqueConstraint("course_id", "day", name="uq_live_sessions_course_day"),)
    __mapper_args__ = {"version_id_col": version}


class Attendance(db.Model):
    """A citizen present on one course day: checked in (by signing in, or by a facilitator)."""

    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    day: Mapped[str] = mapped_column(sa.String(10))
    citizen_id: Mapped[int] = mapped_column(sa.ForeignKey("citizens.id", ondelete="CASCADE"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.UniqueConstraint("course_id", "day", "citizen_id", name="uq_attendance_course_day"),
    )


class Question(db.Model):
    """A question to the speaker of a talk, sent from a phone; facilitators let it through (when
    the course holds questions for review), show it on the projector, mark it answered or hide it.

    ``citizen_id`` names the asker for the screens allowed to show a name (the consoles, and
    everyone for a named question). In a course whose questions are *nameless* it is empty: no
    screen can show a name that is not there. ``author_key`` lets the asker's own phone recognise
    their question (its state, their rate limit, no vote on it) without naming them: a keyed hash
    of course and citizen (:func:`course.live.questions.author_key`) that the server computes
    from whoever is signed in, and that no one can turn back into a person without the server's
    secret.
    """

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    agenda_item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True)
    citizen_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("citizens.id", ondelete="CASCADE"))
    author_key: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    anonymous: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(sa.String(280))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Waiting for a facilitator (the course holds questions for review).
    held: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    votes: Mapped[int] = mapped_column(default=0)

    citizen: Mapped[Citizen | None] = relationship()


class QuestionVote(db.Model):
    """One citizen's upvote of one question (at most one each)."""

    __tablename__ = "question_votes"

    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        sa.ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True)
