"""The realtime core: rooms, the push queue with per-room sequence numbers, and the Socket.IO
namespace. Infrastructure, no feature: it imports none, and the features tell it who may enter
which room (:func:`entitle`, :func:`admit_with`) when the app is built.

Writes go over HTTP; a route queues the fragments its change shows (:func:`render_for`,
:func:`render_to`), and :func:`commit_and_push` commits, then emits them — so a dropped socket
never loses what someone wrote, and a refused request drops them (:func:`discard_pushes`).
"""

from __future__ import annotations

from flask import Flask

from course.realtime import topology
from course.realtime.push import (
    EVENT_FRAGMENTS,
    EVENT_HELLO,
    EVENT_SYNC,
    claim,
    claim_course,
    commit_and_push,
    current_seqs,
    discard_pushes,
    disconnect,
    refetch_for,
    refetch_to,
    remove_for,
    render_for,
    render_to,
)
from course.realtime.rooms import (
    AUDIENCES,
    FACILITATORS,
    PARTICIPANTS,
    PROJECTOR,
    Admission,
    admit_with,
    citizen_room,
    entitle,
    room,
    rooms_for,
    staff_room,
    team_room,
)
from course.realtime.topology import route_to

__all__ = [
    "AUDIENCES", "EVENT_FRAGMENTS", "EVENT_HELLO", "EVENT_SYNC", "FACILITATORS",
    "PARTICIPANTS", "PROJECTOR", "Admission", "admit_with", "citizen_room", "claim",
    "claim_course", "commit_and_push", "current_seqs", "disconnect", "discard_pushes",
    "entitle", "init_app", "refetch_for", "refetch_to", "remove_for", "render_for", "render_to",
    "room", "rooms_for", "route_to", "staff_room", "streams_for", "team_room",
]


def init_app(app: Flask) -> None:
    """Give the app its registry and register the namespace on its Socket.IO server (call
    after ``socketio.init_app``: ``init_app`` makes a new server each time, so registering at
    import would leave every app but the first without handlers — and a server without
    handlers accepts anyone)."""
    from course.extensions import socketio
    from course.realtime.rooms import EXTENSION, Registry
    from course.realtime.sockets import LiveNamespace

    app.extensions[EXTENSION] = Registry()
    socketio.on_namespace(LiveNamespace("/"))
    topology.init_app(app)


def streams_for(person: object) -> dict[str, int]:
    """Where each of ``person``'s rooms stands: what a live page is rendered with. Read it
    before the page's regions: a change committed between the two readings is then either in
    the regions or announced by a number the page does not have yet (and the push applies it
    again, harmlessly) — never in neither."""
    return current_seqs(rooms_for(person))
