"""The Socket.IO namespace. The server decides the rooms; every event re-checks the holder."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, disconnect, emit, join_room

from course.extensions import db, socketio
from course.realtime import push, rooms, topology
from course.realtime.models import LiveConnection
from course.sessions import SOCKET_ADMITTED

#: A client may send at most this many events per window; a flood closes only its own socket.
EVENT_LIMIT = 20
EVENT_WINDOW_SECONDS = 10.0


class FloodGuard:
    """Counts each socket's client events per window, in this process.

    All of a socket's events reach the process that holds it, so the count needs no database;
    and because the events of one socket may be handled at once (a greenlet or thread each),
    reading, resetting and incrementing the count happen under one lock: a burst cannot slip
    past the limit by reading the same count twice.
    """

    def __init__(self, limit: int, window_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window_seconds, clock
        self._counts: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def flooding(self, sid: str) -> bool:
        """Count one event of ``sid``; true once it has sent more than the limit this window."""
        now = self.clock()
        with self._lock:
            started, count = self._counts.get(sid, (now, 0))
            if now - started >= self.window:
                started, count = now, 0
            self._counts[sid] = (started, count + 1)
        return count + 1 > self.limit

    def forget(self, sid: str) -> None:
        with self._lock:
            self._counts.pop(sid, None)


#: The guard of this process's sockets.
flood_guard = FloodGuard(EVENT_LIMIT, EVENT_WINDOW_SECONDS)


def entitled(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Run a client event only while the holder it was admitted by is live and the client is
    not flooding; otherwise disconnect that socket (everyone else is unaffected)."""

    @functools.wraps(handler)
    def guarded(self: Namespace, *args: Any) -> Any:
        if flood_guard.flooding(request.sid) or not _still_entitled(request.sid):
            disconnect()
            return None
        return handler(self, *args)

    return guarded


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
        topology.refuse_foreign(admission.rooms)  # a course's devices are on its owner
        for name in admission.rooms:
            join_room(name)
        # A socket's id is new with every connection: an insert, not a merge (a read first).
        db.session.add(LiveConnection(sid=request.sid, holder=admission.holder,
                                      holder_id=admission.holder_id))
        # The rooms are joined already: a push from now on reaches the socket, and the numbers
        # read here are at most its. Read before the commit: one transaction, not a second.
        streams = push.current_seqs(admission.rooms)
        db.session.commit()
        emit(push.EVENT_HELLO, {"streams": streams})
        # Its events from now on act on what was admitted: no session read for each.
        request.environ[SOCKET_ADMITTED] = True

    def on_disconnect(self, reason: Any = None) -> None:
        # A connect again over the same transport (the client reconnecting the namespace) is
        # admitted afresh, with a session read.
        request.environ.pop(SOCKET_ADMITTED, None)
        flood_guard.forget(request.sid)
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
