"""What the idea wall pushes, and the coalescing of answers and dots.

A facilitator's change (a wall made, opened, closed, shown, a group hidden or merged, a held
answer let through) pings the consoles' and the phones' wall regions (each reads its own: a
console's forms, a phone's own answers and dots) and renders the projector's wall once.

Answers and dots are coalesced per course (:class:`course.realtime.coalesce.Coalescer`): after
one is committed, :func:`after_answer` pings the consoles and renders the projector at once, or
marks the course for one trailing push; at most about one push per :data:`INTERVAL` per room,
converging to the final wall. The phones are not pinged for another phone's answer or dot:
they never show others' answers while answering, nor the counts while dot-voting.
"""

from __future__ import annotations

from course import realtime
from course.ideas import fragments
from course.realtime.coalesce import Coalescer
from course.schedule.models import Course

#: At most one push of a wall's changes in this many seconds per course.
INTERVAL = 0.3


def push_wall(course: Course) -> None:
    """Queue what a facilitator's change shows: a ping for every console's and every phone's
    wall region, the projector's wall rendered once."""
    realtime.refetch_for(course.id, "ideas", [realtime.FACILITATORS])
    realtime.refetch_for(course.id, "idea-wall", [realtime.PARTICIPANTS])
    push_projector(course.id)


def push_projector(course_id: int) -> None:
    realtime.render_for(course_id, "idea-wall", fragments.PROJECTOR, {realtime.PROJECTOR: {}},
                        **fragments.projector_context(course_id))


def _push_now(course_id: int) -> None:
    realtime.claim([realtime.room(course_id, realtime.FACILITATORS),
                    realtime.room(course_id, realtime.PROJECTOR)])
    realtime.refetch_for(course_id, "ideas", [realtime.FACILITATORS])
    push_projector(course_id)
    realtime.commit_and_push()


#: The coalescing of answers and dots, per course (one wall runs in a course at a time).
coalescer = Coalescer(INTERVAL, lambda key: _push_now(key))


def after_answer(course_id: int) -> None:
    """Push now, or see that a trailing push follows (call after the commit)."""
    coalescer.after_change(course_id)
