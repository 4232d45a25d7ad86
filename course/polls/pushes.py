"""What a poll pushes, and the coalescing of votes.

A facilitator's change (a poll made, opened, closed, its results shown or hidden) pings the
consoles' and the phones' poll regions (each reads its own: a console's forms, a phone's own
vote) and renders the projector's poll once.

Votes are coalesced: fifty phones voting within seconds must not mean fifty pushes to every
screen. After a vote is committed, :func:`after_vote` pushes the counts (rendered once for
the consoles and once for the projector) at once if the room's last count went out more than
:data:`INTERVAL` ago; otherwise it marks the room dirty and makes sure one trailing push
follows when the interval is over. The trailing push clears the mark *before* it reads the
counts, and a vote is committed before it looks at the mark, so every vote is either in a
push that reads after it or sets the mark for another: what the screens show converges to
the final count, with at most about one push per :data:`INTERVAL` per poll (and one poll is
open in a course at a time: per room).

The marks live in this process (one Socket.IO server process serves a course's rooms); a
second process would at most double the rate, never lose the last count.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import Flask, current_app

from course import realtime
from course.extensions import db, socketio
from course.polls import fragments
from course.polls.models import Poll
from course.schedule.models import Course

#: At most one push of a poll's counts in this many seconds.
INTERVAL = 0.3


def push_polls(course: Course) -> None:
    """Queue what a facilitator's change shows: a ping for every console's and every phone's
    poll region, the projector's poll rendered once."""
    realtime.refetch_for(course.id, "polls", [realtime.FACILITATORS])
    realtime.refetch_for(course.id, "poll", [realtime.PARTICIPANTS])
    realtime.render_for(course.id, "poll", fragments.PROJECTOR, {realtime.PROJECTOR: {}},
                        **fragments.projector_context(course.id))


def push_counts(course_id: int, poll: Poll) -> None:
    """Queue the counts of ``poll``: its results on the consoles, and on the projector if its
    results are shown there. Numbered before the counts are read (see realtime.claim)."""
    realtime.claim([realtime.room(course_id, realtime.FACILITATORS),
                    realtime.room(course_id, realtime.PROJECTOR)])
    context = fragments.results_context(poll)
    realtime.render_for(course_id, f"poll-{poll.id}-results", fragments.RESULTS,
                        {realtime.FACILITATORS: {}}, **context)
    if poll.results_shown:
        realtime.render_for(course_id, "poll", fragments.PROJECTOR, {realtime.PROJECTOR: {}},
                            **fragments.projector_context(course_id))


@dataclass
class _Room:
    last: float = float("-inf")  #: when the last count went out (monotonic)
    dirty: bool = False  #: a trailing push is due


_rooms: dict[tuple[int, int], _Room] = {}
_lock = threading.Lock()


def after_vote(course_id: int, poll_id: int) -> None:
    """Push the counts now, or see that a trailing push follows (call after the commit)."""
    now = time.monotonic()
    with _lock:
        room = _rooms.setdefault((course_id, poll_id), _Room())
        if room.dirty:
            return  # the trailing push reads after this vote's commit
        wait = room.last + INTERVAL - now
        if wait <= 0:
            room.last = now
        else:
            room.dirty = True
    if wait <= 0:
        _push_counts_now(course_id, poll_id)
    else:
        socketio.start_background_task(_trailing, current_app._get_current_object(),
                                       course_id, poll_id, wait)


def _push_counts_now(course_id: int, poll_id: int) -> None:
    poll = db.session.get(Poll, poll_id)
    if poll is not None:
        push_counts(course_id, poll)
    realtime.commit_and_push()


def _trailing(app: Flask, course_id: int, poll_id: int, wait: float) -> None:
    """The trailing push: after ``wait`` seconds, clear the mark, then read and push."""
    socketio.sleep(wait)
    with _lock:
        room = _rooms.setdefault((course_id, poll_id), _Room())
        room.dirty = False
        room.last = time.monotonic()
    # A request context of its own: the push queue and its numbering live in one.
    with app.test_request_context():
        try:
            _push_counts_now(course_id, poll_id)
        finally:
            db.session.remove()


def forget(course_id: int, poll_id: int) -> None:
    """Drop a poll's mark (its voting closed: no vote comes any more)."""
    with _lock:
        room = _rooms.get((course_id, poll_id))
        if room is not None and not room.dirty:
            del _rooms[(course_id, poll_id)]

