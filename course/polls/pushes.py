"""What a poll pushes, and the coalescing of votes.

A facilitator's change (a poll made, opened, closed, its results shown or hidden) pings the
consoles' and the phones' poll regions (each reads its own: a console's forms, a phone's own
vote) and renders the projector's poll once.

Votes are coalesced (:class:`course.realtime.coalesce.Coalescer`): after a vote is committed,
:func:`after_vote` pushes the counts (rendered once for the consoles and once for the
projector) at once, or marks the poll for one trailing push; at most about one push per
:data:`INTERVAL` per poll, converging to the final count.
"""

from __future__ import annotations

from course import realtime
from course.extensions import db
from course.polls import fragments, services
from course.polls.models import Poll
from course.realtime.coalesce import Coalescer
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


def _push_counts_now(course_id: int, poll_id: int) -> None:
    poll = db.session.get(Poll, poll_id)
    if poll is not None:
        push_counts(course_id, poll)
    realtime.commit_and_push()


#: The coalescing of the votes, per poll (one poll is open in a course at a time: per room).
coalescer = Coalescer(INTERVAL, lambda key: _push_counts_now(*key))


def after_vote(course_id: int, poll_id: int) -> None:
    """Push the counts now, or see that a trailing push follows (call after the commit)."""
    coalescer.after_change((course_id, poll_id))


def forget(course_id: int, poll_id: int) -> None:
    """Drop a poll's mark (its voting closed: no vote comes any more)."""
    coalescer.forget((course_id, poll_id))


def _closed(course: Course, polls: list[Poll]) -> None:
    """Some polls closed with the day: their counts settle, every screen follows."""
    for poll in polls:
        forget(course.id, poll.id)
    if polls:
        push_polls(course)


def close_when_item_ends(course: Course, *, item_id: int) -> None:
    """The running day moved on from an item (``live.signals.item_left``): its polls close
    and their results leave the projector."""
    _closed(course, services.close_when_item_ends(course.id, item_id))


def close_when_day_ends(course: Course) -> None:
    """The day ended (``live.signals.day_ended``): every open poll closes."""
    _closed(course, services.close_when_day_ends(course.id))
