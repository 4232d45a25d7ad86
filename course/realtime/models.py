"""The push bookkeeping: each room's last sequence number, and the open connections."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from course.extensions import db
from course.types import UTCDateTime, utcnow


class LiveStream(db.Model):
    """The last sequence number pushed to one room; clients use it to spot gaps."""

    __tablename__ = "live_streams"

    room: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class LiveConnection(db.Model):
    """An open Socket.IO connection and what admitted it (its *holder*: a sign-in, a projector
    link…), so ending that holder can disconnect it from any process."""

    __tablename__ = "live_connections"

    sid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    #: The kind of holder, as a feature registered it (:func:`course.realtime.admit_with`).
    holder: Mapped[str] = mapped_column(sa.String(16))
    holder_id: Mapped[int] = mapped_column()
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_live_connections_holder", "holder", "holder_id"),)
