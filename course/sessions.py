"""Server-side sessions kept where the data is: a table of the app's own database.

With several server processes every one must read every session (a phone signs in on one and
posts on another). Keeping them in Redis made Redis a single point of failure: with Redis down,
no page opened, not even the error page. In the database they live and die with the data they
give access to.

Flask-Session provides the interface (session ids, cookies, regeneration, serialisation). Its
own SQLAlchemy backend is not used: it saves through the request's ``db.session`` and commits
it, which would write whatever a refused request had flushed and meant to roll back. This one
reads and writes on a connection of its own, one short transaction per step.
"""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import timedelta as TimeDelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, g
from flask_session.base import ServerSideSession, ServerSideSessionInterface
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from course.extensions import db


class WebSession(db.Model):
    """One browser's server-side session: its id (the cookie's value), data and expiry."""

    __tablename__ = "web_sessions"

    session_id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    #: Naive UTC (compared in SQL with a naive UTC bound value).
    expiry: Mapped[datetime] = mapped_column(sa.DateTime, index=True)


#: An unchanged session's expiry is written again once it is this much older than a fresh one.
REFRESH_AFTER = TimeDelta(seconds=30)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class DatabaseSessionInterface(ServerSideSessionInterface):
    """Flask-Session's interface over :class:`WebSession`, on connections of its own."""

    session_class = ServerSideSession
    #: Expired rows are not dropped by the store itself: every ~1,000 requests one request
    #: deletes them (Flask-Session's ``cleanup_n_requests``).
    ttl = False

    def __init__(self, app: Flask, key_prefix: str, sid_length: int = 32) -> None:
        super().__init__(app, key_prefix=key_prefix, use_signer=False, permanent=True,
                         sid_length=sid_length, serialization_format="msgpack",
                         cleanup_n_requests=1000)
        self.table = WebSession.__table__

    def _retrieve_session_data(self, store_id: str) -> dict[str, Any] | None:
        with db.engine.connect() as connection:
            row = connection.execute(sa.select(self.table.c.data, self.table.c.expiry).where(
                self.table.c.session_id == store_id, self.table.c.expiry > _now())).first()
        if row is None:
            return None
        g.web_session_expiry = row.expiry  # (see should_set_storage)
        return self.serializer.decode(row.data)

    def should_set_storage(self, app: Flask, session: ServerSideSession) -> bool:
        """Write a changed session; an unchanged one only to slide its expiry, and that at most
        twice a minute (like the login session's last-seen time, which ends an idle session:
        :func:`course.people.services.load_session`) — not a write per request."""
        if session.modified:
            return True
        if not super().should_set_storage(app, session):
            return False
        stored = g.get("web_session_expiry")
        return stored is None or (
            stored < _now() + app.permanent_session_lifetime - REFRESH_AFTER)

    def _upsert_session(self, session_lifetime: TimeDelta, session: ServerSideSession,
                        store_id: str) -> None:
        values = {"session_id": store_id, "data": self.serializer.encode(session),
                  "expiry": _now() + session_lifetime}
        with db.engine.begin() as connection:
            insert = (postgresql.insert if connection.dialect.name == "postgresql"
                      else sqlite.insert)(self.table).values(**values)
            connection.execute(insert.on_conflict_do_update(
                index_elements=[self.table.c.session_id],
                set_={"data": insert.excluded.data, "expiry": insert.excluded.expiry}))

    def _delete_session(self, store_id: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(sa.delete(self.table).where(self.table.c.session_id == store_id))

    def _delete_expired_sessions(self) -> None:
        with db.engine.begin() as connection:
            connection.execute(sa.delete(self.table).where(self.table.c.expiry <= _now()))
