"""The Socket.IO namespace. The server decides the rooms; every event re-checks the holder."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, disconnect, emit, join_room

from course.extensions import db, socketio
from course.realtime import push, rooms
from course.realtime.models import LiveConnection
from course.types import utcnow

#: A client may send at most this many events per window; a flood closes only its own socket.
EVENT_LIMIT = 20
EVENT_WINDOW_SECONDS = 10.0


def entitled(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Run a client event only while the holder it was admitted by is live and the client is
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


def _still_entitled(sid: str) -> bool:
    """Is the holder (sign-in, display link) this socket was admitted by still live?"""
    connection = db.session.get(LiveConnection, sid)
    return connection is not None and rooms.still_alive(connection.holder,
                                                        connection.holder_id)


class LiveNamespace(Namespace):
    """The default namespace: connecting joins the rooms the database entitles one to."""

    def on_connect(self, auth: Any = None) -> None:
        admission = rooms.admit(auth)
        if admission is None:
            raise ConnectionRefusedError("sign in first")
        for name in admission.rooms:
            join_room(name)
        db.session.merge(LiveConnection(sid=request.sid, holder=admission.holder,
                                        holder_id=admission.holder_id))
        db.session.commit()
        emit(push.EVENT_HELLO, {"streams": push.current_seqs(admission.rooms)})

    def on_disconnect(self, reason: Any = None) -> None:
        db.session.execute(sa.delete(LiveConnection).where(LiveConnection.sid == request.sid))
        db.session.commit()

    #: Client event names (``live:sync``) and the ``on_<name>`` method that handles each.
    EVENTS = {push.EVENT_SYNC: "sync"}

    def trigger_event(self, event: str, *args: Any) -> Any:
        if event not in ("connect", "disconnect"):
            event = self.EVENTS.get(event, "")
            if not event:
                return None  # unknown events are ignored, never dispatched by name
        return super().trigger_event(event, *args)

    @entitled
    def on_sync(self, *_: Any) -> dict[str, Any]:
        """The client asks where each of its streams stands (after a gap); answered as an ack."""
        names = [name for name in socketio.server.rooms(request.sid)
                 if name.startswith(rooms.ROOM_PREFIXES)]
        return {"streams": push.current_seqs(names)}
