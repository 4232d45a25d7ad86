"""The running day's fragments and the one context builder of each, used by the routes that
render them and by the pushes that send them (:mod:`course.live.pushes`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from course import realtime, web
from course.budgets import workshop
from course.live import day as live_day
from course.live import questions, services
from course.people.models import Citizen
from course.people.services import local_today
from course.schedule.models import Course, Day, ItemKind

NOW = "live/_now.html"
QUESTIONS = "live/_questions.html"
SPOTLIGHT = "live/_spotlight.html"
ANNOUNCEMENT = "live/_announcement.html"
ATTENDANCE = "live/_attendance.html"
ATTENDANCE_COUNT = "live/_attendance_count.html"
ATTENDANCE_ROWS = "live/_attendance_rows.html"
JOIN_COUNT = "live/_join_count.html"


def now_context(course: Course, audience: str) -> dict[str, Any]:
    """The now/next region as ``audience`` sees it: see :func:`now_contexts`."""
    common, parts = now_contexts(course, [audience])
    return {**common, **parts[audience], "audience": audience}


def now_contexts(course: Course, audiences: Iterable[str]
                 ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The now/next region: the current and next item, the countdown, the day's agenda, the
    workshop's step and the question on the projector — read once for every audience of a
    push — and, per audience, what the features above add to it (a round's board). The
    projector's stage also carries the join strip's count."""
    view = live_day.now_view(course)
    audiences = list(audiences)
    common = {"course": course, "view": view, "workshop": workshop_context(course, view),
              "today": local_today(),
              "next_meeting": None if view.running else course.next_meeting(local_today()),
              "shown_question": questions.spotlight(course.id) if view.running else None}
    if realtime.PROJECTOR in audiences:  # the day the view just read, not read again
        common.update(join_count_context(course, view.day))
    parts = {audience: web.parts_of("live.now", course=course, audience=audience, view=view)
             for audience in audiences}
    return common, parts


def join_count_context(course: Course, day: Day | None = None) -> dict[str, Any]:
    """The wall's join strip count: how many active participants are checked in on the day
    attendance is about (``day``, if the caller has it), of how many are enrolled — the
    consoles' count, one row read, the same for the whole room."""
    day = day or live_day.attendance_day(course)
    return {"joined": live_day.presence_count(course, day)}


def workshop_context(course: Course, view: live_day.NowView) -> dict[str, Any] | None:
    """During a workshop item: the guided step, the worked examples, and the room's progress
    (counts only — the console never shows anyone's text)."""
    if view.current is None or view.current.kind != ItemKind.WORKSHOP:
        return None
    day = Day(view.running.day)
    presence = live_day.attendance(course, day)
    present = [p.citizen.id for p in presence if p.present] or [p.citizen.id for p in presence]
    index = view.running.workshop_step
    return {"index": index, "step": workshop.step(index), "steps": workshop.STEPS,
            "examples": workshop.EXAMPLES, "progress": workshop.progress(present)}


def questions_context(course: Course, audience: str, *, viewer: Citizen | None = None,
                      sort: str = questions.DEFAULT_SORT) -> dict[str, Any]:
    """The questions of the talk on now, sorted by ``sort``: on the consoles every question
    (waiting, open, answered, hidden); on ``viewer``'s phone the open and answered ones, with
    their own votes and their own waiting or hidden questions. Per person on the phones: read
    by each phone over HTTP, never pushed (a push only pings: :func:`course.live.pushes.
    push_questions`)."""
    talk = questions.current_talk(course)
    listing = None
    if talk is not None and audience == realtime.FACILITATORS:
        listing = questions.for_console(talk[1].id, sort)
    elif talk is not None and viewer is not None:
        listing = questions.for_phone(talk[1].id, viewer, sort)
    return {"course": course, "talk": talk[1] if talk else None, "questions": listing,
            "sort": sort, "sorts": questions.SORTS}


def spotlight_context(course: Course) -> dict[str, Any]:
    """The question the facilitator put on the projector, if any (never a waiting, hidden or
    answered one)."""
    return {"course": course, "shown_question": questions.spotlight(course.id)}


def announcement_context(course_id: int) -> dict[str, Any]:
    return {"announcement": services.current_announcement(course_id)}


def attendance_context(course: Course) -> dict[str, Any]:
    """Who is in the room on the day attendance is about."""
    day = live_day.attendance_day(course)
    return {"course": course, "day": day, "presence": live_day.attendance(course, day)}

