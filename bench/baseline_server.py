"""The baseline: a bare python-socketio server and a bare Flask page, under the same gunicorn.

Served exactly like Teten (``gunicorn -k gevent -w 1 bench.baseline_server:app``), with the
Socket.IO settings Teten passes to Flask-SocketIO (ping interval, buffer size, same-origin
check), and nothing else: no database, no sessions, no sign-in, no rendering.

- A socket connects to the default namespace with ``auth = {"room": "participants"}`` (or
  ``"projector"``), joins that room (named like Teten's, ``course:0:participants``) and gets
  ``live:hello`` with the room's sequence number.
- ``POST /broadcast`` with ``{"phones": bytes, "projector": bytes}`` emits one
  ``live:fragments`` message of (about) that many bytes on the wire to each room, numbered
  like Teten's, and answers 204: the same shape and size as a Teten push, with zero work
  behind it.
- ``POST /vote`` with ``{"voter": i, "choice": k, "bytes": size}`` records (or changes) one
  voter's choice in memory and emits the counts to the projector at once, every vote (no
  coalescing), in a ``live:fragments`` message of about ``size`` bytes whose fragment shows
  the counts as Teten's does (``class="poll-count"``): the votes benchmark's baseline.
- ``GET /bare`` renders a small template (a layout and a list of 15 lines): the floor for a
  page's server time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import socketio
from flask import Flask, render_template, request

#: The body's keys of ``POST /broadcast`` → the room, and the fragment target it carries.
ROOMS = {"phones": "course:0:participants", "projector": "course:0:projector"}
TARGETS = {"phones": "round-ping", "projector": "round-board"}

sio = socketio.Server(async_mode="gevent", ping_interval=20, max_http_buffer_size=64 * 1024,
                      cors_allowed_origins=None)
pages = Flask(__name__, template_folder=str(Path(__file__).resolve().parent / "templates"))
#: The rooms' sequence numbers (one process, so memory is the truth here).
seqs = dict.fromkeys(ROOMS.values(), 0)
_padding: dict[tuple[str, int], str] = {}

LINES = [{"title": f"Budgetpost {n}", "amount": 1_000 * n,
          "text": "Jeg kan søge flere job, når jeg har beviset."} for n in range(1, 16)]


@sio.event
def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
    audience = auth.get("room") if isinstance(auth, dict) else None
    name = {"participants": ROOMS["phones"], "projector": ROOMS["projector"]}.get(audience)
    if name is None:
        return False
    sio.enter_room(sid, name)
    sio.emit("live:hello", {"streams": {name: seqs[name]}}, to=sid)
    return True


def _fragments(kind: str, size: int) -> list[dict[str, str]]:
    """A fragment list whose message is ``size`` bytes on the wire (``42[...]``)."""
    key = (kind, size)
    if key not in _padding:
        empty = {"stream": ROOMS[kind], "seq": 1_000_000, "fragments": [
            {"target": TARGETS[kind], "html": ""}]}
        overhead = len("42" + json.dumps(["live:fragments", empty], separators=(",", ":")))
        _padding[key] = "x" * max(0, size - overhead)
    return [{"target": TARGETS[kind], "html": _padding[key]}]


@pages.post("/broadcast")
def broadcast():
    """Emit one message per room, like a Teten push after a comment."""
    sizes = request.get_json(force=True)
    for kind, room in ROOMS.items():
        seqs[room] += 1
        sio.emit("live:fragments", {"stream": room, "seq": seqs[room],
                                    "fragments": _fragments(kind, int(sizes.get(kind, 200)))},
                 to=room)
    return "", 204


#: The votes benchmark's poll: each voter's choice, in memory.
votes: dict[int, int] = {}


@pages.post("/vote")
def vote():
    """Record one voter's choice and emit the counts to the projector (every vote)."""
    body = request.get_json(force=True)
    votes[int(body["voter"])] = int(body["choice"])
    counts = [0] * 4
    for choice in votes.values():
        counts[choice % 4] += 1
    shown = "".join(f'<span class="poll-count">{c} · 0 %</span>' for c in counts)
    room = ROOMS["projector"]
    seqs[room] += 1
    size = int(body.get("bytes", 1200))
    message = {"stream": room, "seq": seqs[room], "fragments": [
        {"target": "poll", "html": shown}]}
    overhead = len("42" + json.dumps(["live:fragments", message], separators=(",", ":")))
    message["fragments"][0]["html"] = shown + "x" * max(0, size - overhead)
    sio.emit("live:fragments", message, to=room)
    return "", 204


@pages.get("/bare")
def bare():
    """A bare template page."""
    return render_template("bare.html", title="Min budgetplan", lines=LINES)


@pages.get("/")
def index():
    return "baseline"


app = socketio.WSGIApp(sio, pages)
