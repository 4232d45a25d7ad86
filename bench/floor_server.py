"""The floor: the unavoidable work of a comment and of a page, and nothing else (issue 19).

Served exactly like Teten (``gunicorn -k gevent -w 1 bench.floor_server:app``) against the
same PostgreSQL database (``COURSE_DATABASE_URL``) through SQLAlchemy and psycopg, with the
Socket.IO settings Teten passes to Flask-SocketIO. What a Teten comment cannot avoid, and this
server does:

- ``POST /comment`` (JSON ``{"phones": bytes, "projector": bytes, "text": ...}``): load the
  poster's session the way Teten does now (one SELECT on ``web_sessions`` by the cookie's id,
  msgpack-decoded by msgspec as Flask-Session does), one INSERT and its COMMIT, one Jinja
  render per audience (phones, projector) to messages of the sizes Teten's pushes have, one
  emit per room; 204.
- A socket connects with a phone's Teten cookie (its session loaded, one SELECT; refused
  without one) or as the projector (``auth = {"room": "projector"}``), joins its room and gets
  ``live:hello`` with the room's sequence number.
- ``GET /fair``: the fair page baseline, a bare page that loads the session (one SELECT) and
  runs one indexed PostgreSQL query (the room's 15 newest comments, by primary key), rendered
  in the bare layout.

No ORM, no sign-in, no authorisation, no audit trail, no counters: whatever Teten spends
above these figures is what its own code adds.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import msgspec
import socketio
import sqlalchemy as sa
from flask import Flask, render_template, request

SESSION_COOKIE = "teten_session"
SESSION_PREFIX = "teten:"
ROOMS = {"phones": "course:0:participants", "projector": "course:0:projector"}
TARGETS = {"phones": "round-ping", "projector": "round-board"}

#: No ``pool_pre_ping``: a ping per checkout is avoidable work (issue 19, point 3).
engine = sa.create_engine(os.environ["COURSE_DATABASE_URL"].replace(
    "postgresql://", "postgresql+psycopg://", 1), pool_pre_ping=False)
with engine.begin() as _conn:
    _conn.execute(sa.text(
        "CREATE TABLE IF NOT EXISTS bench_floor_comments (id bigserial PRIMARY KEY, "
        "session_id varchar(255) NOT NULL, text text NOT NULL, "
        "created timestamp NOT NULL DEFAULT now())"))

LOAD_SESSION = sa.text("SELECT data FROM web_sessions WHERE session_id = :id AND expiry > :now")
INSERT = sa.text("INSERT INTO bench_floor_comments (session_id, text) VALUES (:sid, :text)")
NEWEST = sa.text("SELECT id, text, created FROM bench_floor_comments "
                 "ORDER BY id DESC LIMIT 15")

sio = socketio.Server(async_mode="gevent", ping_interval=20, max_http_buffer_size=64 * 1024,
                      cors_allowed_origins=None)
pages = Flask(__name__, template_folder=str(Path(__file__).resolve().parent / "templates"))
seqs = dict.fromkeys(ROOMS.values(), 0)
_decode = msgspec.msgpack.Decoder().decode  # Flask-Session's "msgpack" format


def _session_id(cookie_header: str | None) -> str | None:
    cookie = SimpleCookie()
    try:
        cookie.load(cookie_header or "")
    except Exception:  # a malformed header is no session
        return None
    morsel = cookie.get(SESSION_COOKIE)
    return morsel.value if morsel is not None and morsel.value else None


def load_session(connection: sa.Connection, cookie_header: str | None) -> dict[str, Any] | None:
    """The session as Teten's store reads it: one SELECT by id, msgpack-decoded."""
    sid = _session_id(cookie_header)
    if sid is None:
        return None
    data = connection.scalar(LOAD_SESSION, {"id": SESSION_PREFIX + sid,
                                            "now": datetime.now(UTC).replace(tzinfo=None)})
    return None if data is None else _decode(data)


@sio.event
def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
    if isinstance(auth, dict) and auth.get("room") == "projector":
        room = ROOMS["projector"]
    else:
        with engine.connect() as connection:
            if load_session(connection, environ.get("HTTP_COOKIE")) is None:
                return False
        room = ROOMS["phones"]
    sio.enter_room(sid, room)
    sio.emit("live:hello", {"streams": {room: seqs[room]}}, to=sid)
    return True


@pages.post("/comment")
def comment():
    """A comment at its floor: session, INSERT + COMMIT, a render per audience, an emit per
    room."""
    body = request.get_json(force=True)
    with engine.connect() as connection:
        if load_session(connection, request.headers.get("Cookie")) is None:
            return "", 403
        connection.execute(INSERT, {"sid": _session_id(request.headers.get("Cookie")),
                                    "text": str(body.get("text", ""))[:1000]})
        connection.commit()
    for kind, room in ROOMS.items():
        seqs[room] += 1
        html = render_template("floor_fragment.html", target=TARGETS[kind],
                               text=body.get("text", ""), fill=_fill(kind, body))
        sio.emit("live:fragments", {"stream": room, "seq": seqs[room],
                                    "fragments": [{"target": TARGETS[kind], "html": html}]},
                 to=room)
    return "", 204


_fills: dict[tuple[str, int, int], str] = {}


def _fill(kind: str, body: dict[str, Any]) -> str:
    """Padding that brings the rendered message to Teten's size for that audience (the
    render itself is not skipped: only the filler text is computed once)."""
    size = int(body.get(kind, 200))
    text = str(body.get("text", ""))
    key = (kind, size, len(text))
    if key not in _fills:
        overhead = len('42["live:fragments",{"stream":"course:0:participants","seq":1000000,'
                       '"fragments":[{"target":"round-ping","html":""}]}]')
        bare = len(render_template("floor_fragment.html", target=TARGETS[kind], text=text,
                                   fill=""))
        _fills[key] = "x" * max(0, size - overhead - bare)
    return _fills[key]


@pages.get("/fair")
def fair():
    """The fair page baseline: a session load and one indexed query, in the bare layout."""
    with engine.connect() as connection:
        session = load_session(connection, request.headers.get("Cookie"))
        rows = connection.execute(NEWEST).all()
    lines = [{"title": f"Kommentar {row.id}", "amount": row.id, "text": row.text}
             for row in rows]
    return render_template("bare.html", title="Min budgetplan" if session else "Teten",
                           lines=lines)


@pages.get("/")
def index():
    return "floor"


app = socketio.WSGIApp(sio, pages)
