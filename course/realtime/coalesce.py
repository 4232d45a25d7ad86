"""Coalesced pushes: many changes within moments, a few pushes per room.

Fifty phones voting or reacting within seconds must not mean fifty pushes to every screen.
After a change is committed, :meth:`Coalescer.after_change` pushes at once if the last push
for that key went out more than ``interval`` ago; otherwise it marks the key dirty and makes
sure one trailing push follows when the interval is over. The trailing push clears the mark
*before* it reads what it pushes, and a change is committed before it looks at the mark, so
every change is either in a push that reads after it or sets the mark for another: what the
screens show converges to the final state, with at most about one push per interval per key.

The marks live in this process (one Socket.IO server process serves a course's rooms); a
second process would at most double the rate, never lose the last state.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import Flask, current_app

from course.extensions import db, socketio


@dataclass
class _Mark:
    last: float = float("-inf")  #: when the last push went out (monotonic)
    dirty: bool = False  #: a trailing push is due


class Coalescer:
    """Pushes per key (a room, a poll) at most about once per ``interval`` seconds.

    ``push(key)`` queues what the key's screens show and sends it
    (:func:`course.realtime.commit_and_push`); it runs in a request context — the caller's,
    or one of its own for the trailing push.
    """

    def __init__(self, interval: float, push: Callable[[Hashable], None]) -> None:
        self.interval = interval
        self.push = push
        self._marks: dict[Hashable, _Mark] = {}
        self._lock = threading.Lock()

    def after_change(self, key: Hashable) -> None:
        """Push now, or see that a trailing push follows (call after the commit)."""
        now = time.monotonic()
        with self._lock:
            mark = self._marks.setdefault(key, _Mark())
            if mark.dirty:
                return  # the trailing push reads after this change's commit
            wait = mark.last + self.interval - now
            if wait <= 0:
                mark.last = now
            else:
                mark.dirty = True
        if wait <= 0:
            self.push(key)
        else:
            socketio.start_background_task(self.trailing, current_app._get_current_object(),
                                           key, wait)

    def trailing(self, app: Flask, key: Hashable, wait: float) -> None:
        """The trailing push: after ``wait`` seconds, clear the mark, then read and push."""
        socketio.sleep(wait)
        with self._lock:
            mark = self._marks.setdefault(key, _Mark())
            mark.dirty = False
            mark.last = time.monotonic()
        # A request context of its own: the push queue and its numbering live in one.
        with app.test_request_context():
            try:
                self.push(key)
            finally:
                db.session.remove()

    def is_dirty(self, key: Hashable) -> bool:
        with self._lock:
            mark = self._marks.get(key)
            return mark is not None and mark.dirty

    def forget(self, key: Hashable) -> None:
        """Drop a key's mark (no change comes any more), unless a trailing push is due."""
        with self._lock:
            mark = self._marks.get(key)
            if mark is not None and not mark.dirty:
                del self._marks[key]
