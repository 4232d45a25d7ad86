"""Pushes: fragments rendered once per audience, sent after the commit, in sequence.

Writes go over HTTP; only after the database commit does the server push. A push is the very
partial the HTTP route renders, rendered once for each *audience* (the participants, the
facilitators or the projector of one course; a team's queue; one person's devices) and emitted
to that audience's room with the room's next sequence number. A browser that reconnects, or
sees a gap in a room's sequence, re-fetches its live regions over HTTP — so a dropped socket
never loses anything.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context, render_template
from sqlalchemy.dialects import postgresql, sqlite

from course.extensions import db, socketio
from course.realtime import topology
from course.realtime.models import LiveConnection, LiveStream
from course.realtime.rooms import AUDIENCES, room

#: Socket.IO event names (server → client).
EVENT_HELLO = "live:hello"
EVENT_FRAGMENTS = "live:fragments"
#: Socket.IO event names (client → server).
EVENT_SYNC = "live:sync"
#: The "swap" of a fragment that only asks a screen to read its region afresh (app.js).
REFETCH = "refetch"


def render_for(course_id: int, target: str, template: str,
               audiences: dict[str, dict[str, Any]], *, swap: str = "innerHTML",
               fallback: str | None = None, **context: Any) -> None:
    """Render ``template`` once per audience and queue it for ``#target`` in that audience's room.

    ``audiences`` maps an audience to the extra context it renders with (``audience`` is always
    set), e.g. ``{PARTICIPANTS: {}, PROJECTOR: {}}``. The fragment replaces what is inside
    ``#target``; ``swap`` is another htmx swap style: ``outerHTML`` for the element itself (one
    tile of a board), ``afterbegin`` to put it on top of a list, ``afterend`` to put it after
    ``#target`` (a tile after its neighbour's); :func:`remove_for` sends ``delete``. An element
    put in that a screen already has is left (app.js). ``fallback`` names the region a screen
    re-fetches when it lacks ``#target`` (a list's row for someone added since the page
    loaded). Nothing is sent until :func:`commit_and_push`. Outside a request (a script that
    changes the room) nothing is queued: screens read such a change on their next fetch.
    """
    if not has_request_context():
        return
    g.rendering_push = True  # no per-person content (CSRF tokens) in what a whole room gets
    try:
        for audience, extra in audiences.items():
            fragment = {"target": target,
                        "html": render_template(template, audience=audience, **context, **extra)}
            if swap != "innerHTML":
                fragment["swap"] = swap
            if fallback:
                fragment["fallback"] = fallback
            _queue(room(course_id, audience), fragment)
    finally:
        g.rendering_push = False


def remove_for(course_id: int, target: str, audiences: dict[str, Any]) -> None:
    """Queue the removal of ``#target`` (one tile of a board) in each audience's room; a
    screen without it has nothing to remove."""
    if not has_request_context():
        return
    for audience in audiences:
        _queue(room(course_id, audience), {"target": target, "html": "", "swap": "delete"})


def refetch_for(course_id: int, target: str, audiences: Iterable[str]) -> None:
    """Queue a ping for ``#target`` in each audience's room: every screen there reads its own
    ``#target`` afresh over HTTP (its ``data-live-src``). For a region that differs from person
    to person (my vote, my question waiting for a facilitator), which a push rendered once for
    a room cannot carry: the push says only *that* it changed. A screen without ``#target``
    ignores it."""
    if not has_request_context():
        return
    for audience in audiences:
        _queue(room(course_id, audience), _refetch(target))


def refetch_to(room_name: str, target: str) -> None:
    """:func:`refetch_for` for one room outside a course's audiences (one person's devices)."""
    if has_request_context():
        _queue(room_name, _refetch(target))


def _refetch(target: str) -> dict[str, str]:
    return {"target": target, "html": "", "swap": REFETCH}


def render_to(room_name: str, target: str, template: str, **context: Any) -> None:
    """Render ``template`` once for a whole room outside a course (a team's queue, one person's
    notices) and queue it for ``#target``. Like :func:`render_for`, nothing per-person."""
    if not has_request_context():
        return
    g.rendering_push = True
    try:
        _queue(room_name, {"target": target, "html": render_template(template, **context)})
    finally:
        g.rendering_push = False


def _queue(room_name: str, fragment: dict[str, str]) -> None:
    """Queue one fragment for a room until :func:`commit_and_push`."""
    g.setdefault("live_pushes", {}).setdefault(room_name, []).append(fragment)


def claim(names: list[str]) -> None:
    """Take the rooms' next sequence numbers now, before reading what the push will show.

    The rooms' rows stay locked until the commit, so two requests that push to the same rooms
    read and push one after the other: the later one's reading includes the earlier one's
    change. This matters for a push of only what changed (one plan's count): read before the
    lock, two comments on one plan at the same moment would each push the count without the
    other's, and the screens would keep the wrong count.

    The rooms already queued for are claimed with ``names``, in one sorted statement (two
    requests lock in the same order: no deadlock). Claiming rooms already claimed does
    nothing; claim all of a request's rooms at its first claim (the push functions claim the
    course's three audiences together), since rooms claimed later lock in a second statement.
    Every claimed room gets a message at the commit, an empty one if nothing was queued for
    it, so no screen sees a gap.
    """
    claimed: dict[str, int] | None = g.get("live_claimed")
    if claimed is None:
        claimed = g.live_claimed = {}
        names = [*names, *g.get("live_pushes", {})]
    new = sorted(set(names) - set(claimed))
    if new:
        claimed.update(_advance(new))


def claim_course(course_id: int, *extra: str) -> None:
    """:func:`claim` the course's three audience rooms (and ``extra`` rooms): what a push about
    the course claims before it reads what it will show."""
    claim([*(room(course_id, audience) for audience in AUDIENCES), *extra])


def commit_and_push(*, keep_loaded: bool = False) -> None:
    """Commit the request's work, then emit what :func:`render_for` queued.

    Each room's sequence number is advanced inside the same transaction as the change it
    announces (or earlier, by :func:`claim`), so the number a client holds always matches a
    state it can re-fetch.

    ``keep_loaded``: what the request has read stays loaded after the commit instead of being
    read again on first use — for a request that goes on with the rows it has just written
    and read (a comment, then the reviewer's next plan), where each re-read is a statement.
    """
    pending: dict[str, list[dict[str, str]]] = g.pop("live_pushes", {})
    seqs: dict[str, int] = g.pop("live_claimed", None) or {}
    unclaimed = sorted(set(pending) - set(seqs))
    if unclaimed:
        seqs.update(_advance(unclaimed))
    messages = [(name, seq, pending.get(name, [])) for name, seq in seqs.items()]
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, not keep_loaded
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    for name, seq, fragments in messages:
        emit_to(name, EVENT_FRAGMENTS, {"stream": name, "seq": seq, "fragments": fragments})
    if messages:
        # The emits only queue the message for each socket; yield once so the sockets' writers
        # send it before this request goes on with its own work (the poster's next page).
        socketio.sleep(0)


def emit_to(room_name: str, event: str, payload: dict[str, Any]) -> None:
    """Emit to a room: in this process alone when it holds all of the room's sockets (a pinned
    room of a course it owns, :func:`course.realtime.topology.local`), otherwise through the
    message queue to every process. Every push to a room goes out here."""
    socketio.emit(event, payload, to=room_name, ignore_queue=topology.local(room_name))


def discard_pushes() -> None:
    """Forget queued pushes and claimed numbers (the request failed and rolled back)."""
    g.pop("live_pushes", None)
    g.pop("live_claimed", None)


def _advance(names: list[str]) -> dict[str, int]:
    """Advance the sequence number of every room of one push (or claim), in one statement.

    ``names`` come sorted, so two requests pushing to the same rooms lock their rows in the same
    order and cannot deadlock.
    """
    statement = _advance_statement(db.session.get_bind().dialect.name, len(names))
    params = {f"room{i}": name for i, name in enumerate(names)}
    return dict(db.session.connection().execute(statement, params).all())


@functools.cache
def _advance_statement(dialect: str, rooms: int) -> Any:
    """The upsert of :func:`_advance` for a number of rooms, built once (building and keying a
    multi-row upsert costs more CPU than running it)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = LiveStream.__table__
    return (
        insert(table)
        .values([{"room": sa.bindparam(f"room{i}"), "seq": 1} for i in range(rooms)])
        .on_conflict_do_update(index_elements=[table.c.room], set_={"seq": table.c.seq + 1})
        .returning(table.c.room, table.c.seq)
    )


def current_seqs(rooms: list[str]) -> dict[str, int]:
    """The last sequence number of each room (0 for a room nothing was pushed to yet)."""
    known = dict(db.session.execute(
        sa.select(LiveStream.room, LiveStream.seq).where(LiveStream.room.in_(rooms))
    ).all()) if rooms else {}
    return {name: known.get(name, 0) for name in rooms}


def disconnect(holder: str, holder_ids: list[int]) -> None:
    """Close every socket admitted by these (ended) holders — sign-ins, projector links — in
    whichever process holds it. Commits its own bookkeeping."""
    if not holder_ids:
        return
    condition = (LiveConnection.holder == holder) & LiveConnection.holder_id.in_(holder_ids)
    sids = db.session.scalars(sa.select(LiveConnection.sid).where(condition)).all()
    if not sids:
        return
    db.session.execute(sa.delete(LiveConnection).where(LiveConnection.sid.in_(sids)))
    db.session.commit()
    for sid in sids:
        # With a message queue this reaches the process that holds the socket.
        socketio.server.disconnect(sid, namespace="/")
