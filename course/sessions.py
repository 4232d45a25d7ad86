"""Server-side sessions kept where the data is: a table of the app's own database.

With several server processes every one must read every session (a phone signs in on one and
posts on another). Keeping them in Redis made Redis a single point of failure: with Redis down,
no page opened, not even the error page. In the database they live and die with the data they
give access to.

Flask-Session provides the interface (session ids, cookies, regeneration, serialisation). Its
own SQLAlchemy backend is not used: it saves through the request's ``db.session`` and commits
it, which would write whatever a refused request had flushed and meant to roll back. This one
writes on a connection of its own, one short transaction per step.

It reads through the request's database session, and with the session row it reads the row of
whatever a feature asked to have read alongside it (:func:`read_alongside`): the sign-in the
session holds, so that a signed-in request, socket connect or event costs one statement for
both, not one for the session and one for who is signed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from datetime import timedelta as TimeDelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, Request, current_app, g
from flask.sessions import SessionInterface, SessionMixin
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
    #: SHA-256 of the sign-in token the session holds (Flask-Login's ``_user_id``), written with
    #: the data: what :func:`read_alongside` joins on. ``None``: nobody signed in.
    login_key: Mapped[str | None] = mapped_column(sa.String(64))


#: Where the app keeps what :func:`read_alongside` registered.
ALONGSIDE = "teten.session_alongside"


def login_key(data: dict[str, Any]) -> str | None:
    """The key of the sign-in a session's data holds: SHA-256 of Flask-Login's user id (a
    sign-in token, :meth:`course.people.models.Person.get_id`), as the sign-ins' table keeps
    it (``token_hash``)."""
    token = data.get("_user_id")
    return hashlib.sha256(token.encode()).hexdigest() if isinstance(token, str) else None


def read_alongside(app: Flask, entity: Any, on: Callable[[Any], Any], *options: Any) -> None:
    """Read a row of ``entity`` in the session's own statement: the one that ``on`` matches to
    the session row's :attr:`WebSession.login_key` (an outer join, with ``options`` such as
    the joined loads of its relations). It is left as ``g.read_with_session`` (``None`` when
    no row matched) for whoever would otherwise read it; a feature that does must still check
    that it is the row it wants. Only with this store (:class:`DatabaseSessionInterface`);
    with the others ``g.read_with_session`` is never set."""
    app.extensions[ALONGSIDE] = (entity, on, options)


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
        # Through the request's session: a read writes nothing, and the request goes on with
        # the connection (and the row read alongside) instead of checking out another.
        query = sa.select(WebSession.data, WebSession.expiry).where(
            WebSession.session_id == store_id, WebSession.expiry > _now())
        alongside = current_app.extensions.get(ALONGSIDE)
        if alongside is not None:
            entity, on, options = alongside
            query = (query.add_columns(entity).outerjoin(entity, on(WebSession.login_key))
                     .options(*options))
        row = db.session.execute(query).first()
        if row is None:
            return None
        g.web_session_expiry = row.expiry  # (see should_set_storage)
        if alongside is not None:
            g.read_with_session = row[2]
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

    def save_session(self, app: Flask, session: ServerSideSession, response: Any) -> None:
        """Save as Flask-Session does, with the store's writes — the id a sign-in retired
        (:meth:`regenerate`) and the session itself — in one transaction at the end.

        By now the request is done with the database: what it committed stands, and what it
        did not, the app context's teardown would discard. So its connection goes back to the
        pool before the store takes one, and no request holds two at once: holding one while
        waiting for a second, sixteen sign-ins at the same moment on a pool of fifteen waited
        on each other until the pool's timeout (found by the benchmark, issue 19).
        """
        db.session.close()
        super().save_session(app, session, response)
        writes = g.pop(_WRITES, [])
        if writes:
            with db.engine.begin() as connection:
                for write in writes:
                    write(connection)

    def _upsert_session(self, session_lifetime: TimeDelta, session: ServerSideSession,
                        store_id: str) -> None:
        values = {"session_id": store_id, "data": self.serializer.encode(session),
                  "expiry": _now() + session_lifetime, "login_key": login_key(session)}

        def upsert(connection: sa.Connection) -> None:
            insert = (postgresql.insert if connection.dialect.name == "postgresql"
                      else sqlite.insert)(self.table).values(**values)
            connection.execute(insert.on_conflict_do_update(
                index_elements=[self.table.c.session_id],
                set_={"data": insert.excluded.data, "expiry": insert.excluded.expiry,
                      "login_key": insert.excluded.login_key}))

        g.setdefault(_WRITES, []).append(upsert)

    def _delete_session(self, store_id: str) -> None:
        """Queued for :meth:`save_session` (``regenerate`` calls this in the middle of a
        sign-in, whose request holds its connection)."""
        g.setdefault(_WRITES, []).append(lambda connection: connection.execute(
            sa.delete(self.table).where(self.table.c.session_id == store_id)))

    def _delete_expired_sessions(self) -> None:
        # (before a request, every ~1,000: on the request's own connection, not a second one)
        db.session.execute(sa.delete(WebSession).where(WebSession.expiry <= _now()))
        db.session.commit()


#: The store's writes of one request, made by :meth:`DatabaseSessionInterface.save_session`.
_WRITES = "web_session_writes"


#: Set in a socket's environ once its connect has been admitted (course.realtime.sockets).
SOCKET_ADMITTED = "teten.socket_admitted"


class NotForSocketEvents:
    """The app's session interface, but for a socket's events after its connect.

    Flask-SocketIO runs every event of a socket (its disconnect too) in a request context made
    from the socket's first request, and pushing one opens the session: a read of the session
    store per event. Only the connect needs it (who is signed in decides the rooms); the
    events after it act on what the connect admitted, re-checked against the holder it
    recorded (:func:`course.realtime.sockets.entitled`). They get a null session instead — one
    that refuses writes — and so does any code that would ask them who is signed in: nobody.
    """

    def __init__(self, inner: SessionInterface) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        if request.environ.get(SOCKET_ADMITTED):
            return self.inner.make_null_session(app)
        return self.inner.open_session(app, request)

