"""What the budget tool pushes: a sparring thread, to its two sides' devices.

A thread is rendered once for each room (no per-person content in it: the form to write is
outside the region) and swapped into ``#draft-thread-<draft id>`` wherever it is shown — the
citizen's editor and plan page, the job consultant's view of the draft. The case's staff (the
team's queue room, once the plan is handed in) get it from the approval queue, which listens
to :data:`course.budgets.signals.comment_added`.
"""

from __future__ import annotations

from course import realtime
from course.budgets import fragments
from course.budgets.models import Draft


def thread_target(draft: Draft) -> str:
    return f"draft-thread-{draft.id}"


def push_thread(draft: Draft, *rooms: str) -> None:
    """Queue the draft's threads for the citizen's devices and their job consultant's (and
    ``rooms`` besides)."""
    names = [realtime.citizen_room(draft.citizen_id), *rooms]
    if draft.citizen.job_consultant_id is not None:
        names.append(realtime.staff_room(draft.citizen.job_consultant_id))
    context = fragments.thread_context(draft)
    for name in dict.fromkeys(names):
        realtime.render_to(name, thread_target(draft), fragments.THREAD, **context)
