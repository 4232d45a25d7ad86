"""Live-session records: announcements, projector display links and the push bookkeeping."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.people.models import Staff
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


class LiveStream(db.Model):
    """The last sequence number pushed to one audience room; clients use it to spot gaps."""

    __tablename__ = "live_streams"

    room: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class LiveConnection(db.Model):
    """An open Socket.IO connection, so ending a session can disconnect it from any process."""

    __tablename__ = "live_connections"

    sid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    login_session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("login_sessions.id", ondelete="CASCADE"), index=True
    )
    display_link_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("display_links.id", ondelete="CASCADE"), index=True
    )
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
