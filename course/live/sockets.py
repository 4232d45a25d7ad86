"""Socket.IO handlers. The server decides the rooms; every event re-checks the sign-in."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace, disconnect, emit, join_room

from course.extensions import db, socketio
from course.live import bridge, services
from course.live.models import DisplayLink, LiveConnection
from course.people.models import LoginSession
from course.types import utcnow


def _display_link(auth: Any) -> DisplayLink | None:
    if isinstance(auth, dict) and isinstance(auth.get("display"), str):
        return services.display_link_for_token(auth["display"])
    return None


#: A client may send at most this many events per window; a flood closes only its own socket.
EVENT_LIMIT = 20
EVENT_WINDOW_SECONDS = 10.0


def entitled(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Run a client event only while the sign-in it was opened with is live and the client is
    not flooding; otherwise disconnect that socket (everyone else is unaffected)."""

    @functools.wraps(handler)
    def guarded(self: Namespace, *args: Any) -> Any:
        if _flooding(request.sid) or not _still_entitled(request.sid):
            disconnect()
            return None
        return handler(self, *args)

    return guarded


def _flooding(sid: str) -> bool:
    """Count this connection's events per window (on its ``LiveConnection`` row)."""
    connection = db.session.get(LiveConnection, sid)
    if connection is None:
        return False  # not registered: _still_entitled refuses it
    now = utcnow()
    started = connection.window_started_at
    if started is None or (now - started).total_seconds() >= EVENT_WINDOW_SECONDS:
        connection.window_started_at, connection.events_in_window = now, 0
    connection.events_in_window += 1
    db.session.commit()
    return connection.events_in_window > EVENT_LIMIT


class LiveNamespace(Namespace):
    """The default namespace: connecting joins the rooms the database entitles one to."""

    def on_connect(self, auth: Any = None) -> None:
        link = _display_link(auth)
        connection = LiveConnection(sid=request.sid)
        if link is not None:
            rooms = [bridge.room(link.course_id, bridge.PROJECTOR)]
            connection.display_link_id = link.id
        elif current_user.is_authenticated:
            rooms = bridge.rooms_for(current_user)
            connection.login_session_id = _login_session_id(current_user.login_token)
        else:
            raise ConnectionRefusedError("sign in first")
        for name in rooms:
            join_room(name)
        db.session.merge(connection)
        db.session.commit()
        emit(bridge.EVENT_HELLO, {"streams": bridge.current_seqs(rooms)})

    def on_disconnect(self, reason: Any = None) -> None:
        db.session.execute(sa.delete(LiveConnection).where(LiveConnection.sid == request.sid))
        db.session.commit()

    #: Client event names (``live:sync``) and the ``on_<name>`` method that handles each.
    EVENTS = {bridge.EVENT_SYNC: "sync"}

    def trigger_event(self, event: str, *args: Any) -> Any:
        if event not in ("connect", "disconnect"):
            event = self.EVENTS.get(event, "")
            if not event:
                return None  # unknown events are ignored, never dispatched by name
        return super().trigger_event(event, *args)

    @entitled
    def on_sync(self, *_: Any) -> dict[str, Any]:
        """The client asks where each of its streams stands (after a gap); answered as an ack."""
        rooms = [name for name in socketio.server.rooms(request.sid)
                 if name.startswith(bridge.ROOM_PREFIXES)]
        return {"streams": bridge.current_seqs(rooms)}


def _login_session_id(token: str | None) -> int | None:
    from course.people import codes

    if not token:
        return None
    return db.session.scalar(
        sa.select(LoginSession.id).where(LoginSession.token_hash == codes.token_hash(token)))


def _still_entitled(sid: str) -> bool:
    """Is the sign-in (or display link) this socket was opened with still live?"""
    connection = db.session.get(LiveConnection, sid)
    if connection is None:
        return False
    if connection.display_link_id is not None:
        link = db.session.get(DisplayLink, connection.display_link_id)
        return link is not None and link.revoked_at is None
    session = db.session.get(LoginSession, connection.login_session_id)
    if session is None or session.ended_at is not None:
        return False
    person = session.staff or session.citizen
    return person is not None and person.active


def init_app() -> None:
    """Register the handlers on the app's Socket.IO server (call after ``socketio.init_app``).

    ``init_app`` makes a new server each time, so registering at import would leave every
    app but the first without handlers — and a server without handlers accepts anyone.
    """
    socketio.on_namespace(LiveNamespace("/"))
