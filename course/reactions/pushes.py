"""What reactions push: the projector's burst, coalesced.

Fifty-five phones reacting within seconds must not mean fifty-five pushes to every screen:
after a reaction is committed, :func:`after_reaction` hands the course to a
:class:`course.realtime.coalesce.Coalescer` — the burst (counts only) is rendered once for the
projector at once, or one trailing push follows, at most one per :data:`INTERVAL` per room,
and the last push reads every reaction committed before it.
"""

from __future__ import annotations

from collections.abc import Hashable

from course import realtime
from course.reactions import fragments
from course.realtime.coalesce import Coalescer
from course.schedule.models import Course

#: At most one push of a room's burst in this many seconds.
INTERVAL = 0.3


def push_burst(course_id: int) -> None:
    """Queue the burst for the projector. Numbered before the counts are read."""
    realtime.claim([realtime.room(course_id, realtime.PROJECTOR)])
    realtime.render_for(course_id, "reactions", fragments.PROJECTOR, {realtime.PROJECTOR: {}},
                        **fragments.projector_context(course_id))


def _push_now(key: Hashable) -> None:
    assert isinstance(key, int)
    push_burst(key)
    realtime.commit_and_push()


#: The coalescing of the reactions, per course (its projector room).
coalescer = Coalescer(INTERVAL, _push_now)


def after_reaction(course_id: int) -> None:
    """Push the burst now, or see that a trailing push follows (call after the commit)."""
    coalescer.after_change(course_id)


def push_set(course: Course) -> None:
    """The course's set changed: every phone re-reads its reaction buttons."""
    realtime.refetch_for(course.id, "reactions", [realtime.PARTICIPANTS])
