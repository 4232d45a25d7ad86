"""Which process owns a course: with several processes, a course's devices live in one of them.

With ``WORKERS`` = N > 0 (``COURSE_WORKERS``), process ``WORKER_INDEX`` (``COURSE_WORKER_INDEX``,
0 … N − 1) *owns* the courses ``c`` with ``c % N == WORKER_INDEX``. The balancer routes every
device of a course to its owner (docs/deploy.md, docs/nginx.conf): the sockets by the
``course`` argument of their URL (static/js/app.js adds it), the pages and posts by the
:data:`COOKIE` a course's pages set. Every socket in a course's pinned rooms (its phones, its
projector and speaker's screen: :data:`course.realtime.rooms.PINNED`) is then held by the owner,
so a push to such a room is emitted in the owner alone — no hop through the message queue, which
costs every process a message to receive and unpickle for each push.

Everything else goes through the queue as before: one person's devices, a team's queue, a staff
member's notices, a course's facilitators' room (a facilitator or team lead of several courses
holds one socket in all of their rooms, wherever it landed), and a pinned room of a course owned
elsewhere (the request that pushes landed on another process). A socket that would join a pinned
room of a course this process does not own is refused: the balancer is misconfigured, and
accepting it would leave it without the owner's local pushes.

With ``WORKERS`` 0 (the default) every process owns every course and every push goes through the
queue (when there is one), as it always did.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, current_app, g, request, template_rendered
from flask_socketio import ConnectionRefusedError

from course.realtime.rooms import pinned_course

log = logging.getLogger(__name__)

#: The cookie that names the course a browser is in, for the balancer (docs/nginx.conf).
COOKIE = "teten_course"


def owner(course_id: int, workers: int) -> int:
    """The index of the process that owns ``course_id`` among ``workers`` processes."""
    return course_id % workers


def owns(course_id: int) -> bool:
    """Does this process own the course (always, with ``WORKERS`` off)?"""
    workers = current_app.config["WORKERS"]
    return not workers or owner(course_id, workers) == current_app.config["WORKER_INDEX"]


def local(room_name: str) -> bool:
    """Is an emit to this room for this process's sockets alone (no message queue)? Only for a
    pinned room of a course this process owns, with ``WORKERS`` on."""
    if not current_app.config["WORKERS"]:
        return False
    course_id = pinned_course(room_name)
    return course_id is not None and owns(course_id)


def foreign(room_names: Iterable[str]) -> list[str]:
    """The pinned rooms among ``room_names`` of courses this process does not own."""
    if not current_app.config["WORKERS"]:
        return []
    return [name for name in room_names
            if (course_id := pinned_course(name)) is not None and not owns(course_id)]


def refuse_foreign(room_names: Iterable[str]) -> None:
    """Refuse a connection (``ConnectionRefusedError``) that would join a pinned room of a
    course owned by another process, and log it: the balancer sent it to the wrong process."""
    wrong = foreign(room_names)
    if not wrong:
        return
    workers, index = current_app.config["WORKERS"], current_app.config["WORKER_INDEX"]
    course_id = pinned_course(wrong[0])
    log.warning("socket refused: room %s belongs to process %d of %d, this is process %d "
                "(socket URL's course=%r): the balancer does not route sockets by course",
                wrong[0], owner(course_id, workers), workers, index,
                request.args.get("course"))
    raise ConnectionRefusedError(f"course {course_id} is served by process "
                                 f"{owner(course_id, workers)}, not {index}")


def page_course(streams: Iterable[str] | None) -> int | None:
    """The course a live page is a device of (the course of its pinned rooms), with ``WORKERS``
    on; its socket URL names it (``data-live-course``, app.js) so the balancer can route it."""
    if not streams or not current_app.config["WORKERS"]:
        return None
    return next((c for name in streams if (c := pinned_course(name)) is not None), None)


def route_to(course_id: int) -> None:
    """Have this answer set :data:`COOKIE` to ``course_id`` (with ``WORKERS`` on), so the
    browser's next requests reach the course's owner: a page of a course calls it (a device
    page through :func:`init_app`'s listener, the facilitator's console itself)."""
    if current_app.config["WORKERS"]:
        g.route_course = course_id


def init_app(app: Flask) -> None:
    """The routing cookie, set on the answers of a course's pages; ``live_course`` for the
    layout's ``data-live-course``."""
    app.jinja_env.globals["live_course"] = page_course
    if app.config["WORKERS"]:  # (off, a render and an answer pay nothing for it)
        template_rendered.connect(_remember_page_course, app)
        app.after_request(_set_cookie)


def _remember_page_course(app: Flask, template: Any, context: dict[str, Any],
                          **_: Any) -> None:
    course_id = page_course(context.get("streams"))
    if course_id is not None:
        route_to(course_id)


def _set_cookie(response: Response) -> Response:
    course_id = g.pop("route_course", None)
    if course_id is not None and request.cookies.get(COOKIE) != str(course_id):
        # Not a secret (the course's number is in the page's URLs): read by the balancer only.
        response.set_cookie(COOKIE, str(course_id), httponly=True, samesite="Lax",
                            secure=bool(current_app.config["SECURE_COOKIES"]))
    return response
