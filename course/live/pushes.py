"""What the running day pushes to which audience of a course, and how it follows the features
below it. A projector's display link admits its screen to the course's projector room, and
only while the link is not revoked."""

from __future__ import annotations

from course import realtime
from course.extensions import db
from course.live import day as live_day
from course.live import fragments, services
from course.live.models import DisplayLink
from course.live.signals import now_pushed, questions_pushed
from course.people.models import Citizen
from course.schedule.models import Course, Day

#: The holder kind of a projector's connection, and its key in the ``auth`` payload.
DISPLAY = "display"


def admit_display(auth: dict) -> realtime.Admission | None:
    """A projector connects with its display link's token (not the browser's sign-in)."""
    token = auth.get(DISPLAY)
    link = services.display_link_for_token(token) if isinstance(token, str) else None
    if link is None:
        return None
    return realtime.Admission(DISPLAY, link.id, [realtime.room(link.course_id,
                                                               realtime.PROJECTOR)])


def display_alive(link_id: int) -> bool:
    link = db.session.get(DisplayLink, link_id)
    return link is not None and link.revoked_at is None


def disconnect_display(link: DisplayLink) -> None:
    """Close every projector socket opened with a (revoked) display link."""
    realtime.disconnect(DISPLAY, [link.id])


# -- what the running day pushes ---------------------------------------------------------------


EVERYONE = (realtime.PARTICIPANTS, realtime.FACILITATORS, realtime.PROJECTOR)


def push_now(course: Course, *, item_changed: bool = True) -> None:
    """Queue the now/next region for every audience, and, when the item on now may have
    changed (``item_changed``), the questions that follow from it. A change that moves no item
    (the countdown, a workshop step, a round's state) leaves the questions alone: each phone
    reads its list on a ping, and a room of phones need not read it for a paused clock."""
    realtime.claim_course(course.id)  # numbered before it is read (see realtime.claim)
    common, parts = fragments.now_contexts(course, EVERYONE)
    realtime.render_for(course.id, "now", fragments.NOW, parts, **common)
    if item_changed:
        push_questions(course)
    now_pushed.send(course, item_changed=item_changed)


def push_clock(course: Course) -> None:
    """:func:`push_now` after a change that moves no item (the countdown, a workshop step)."""
    push_now(course, item_changed=False)


def push_questions(course: Course, *, phones: bool = True) -> None:
    """Queue what a change to the questions shows: a ping for the consoles' lists and, when the
    change shows on the other phones (``phones``: not a question that waits for a facilitator),
    for every phone's list; and the projector's spotlight, rendered once.

    The lists are pinged, not pushed: a phone's list holds its own votes and its own waiting or
    hidden questions, and a console's is sorted as that console chose, so each screen reads its
    own over HTTP (``live.questions_region``) — and a waiting question is in no push at all.
    """
    audiences = [realtime.FACILITATORS, realtime.PARTICIPANTS] if phones else \
        [realtime.FACILITATORS]
    realtime.refetch_for(course.id, "questions", audiences)
    realtime.render_for(course.id, "spotlight", fragments.SPOTLIGHT, {realtime.PROJECTOR: {}},
                        **fragments.spotlight_context(course))
    questions_pushed.send(course)


def push_day(course: Course) -> None:
    """Queue what starting or ending a day changes beyond the now region: the consoles'
    attendance, which follows the day running."""
    push_now(course)
    realtime.render_for(course.id, "attendance", fragments.ATTENDANCE,
                        {realtime.FACILITATORS: {}}, **fragments.attendance_context(course))


def push_announcement(course: Course) -> None:
    """Queue the announcement region for every audience of the course."""
    realtime.render_for(course.id, "announcement", fragments.ANNOUNCEMENT,
                        {a: {} for a in EVERYONE}, **fragments.announcement_context(course.id))


def push_presence(course: Course, day: Day, citizen: Citizen) -> None:
    """Queue what one person's check-in or leaving changed: on the consoles the count and
    their row (swapped whole), not the list — a morning's arrivals in a big room would
    otherwise push the whole list once per person —, on the wall the join strip's count.
    Nothing when ``day`` is not the day the consoles show
    (:func:`course.live.day.attendance_day`): a sign-in checks in for today's meeting, which
    may not be the day running."""
    if day != live_day.attendance_day(course):
        return
    audiences = {realtime.FACILITATORS: {}}
    # Numbered before the count is read: two arrivals at the same moment push one after the
    # other, the later with both counted. (Claimed already during a round.)
    realtime.claim([realtime.room(course.id, audience)
                    for audience in (realtime.FACILITATORS, realtime.PROJECTOR)])
    realtime.render_for(course.id, "attendance-count", fragments.ATTENDANCE_COUNT, audiences,
                        counts=live_day.presence_count(course, day))
    # the wall's join strip: its count alone, rendered once for the room
    realtime.render_for(course.id, "projector-joined", fragments.JOIN_COUNT,
                        {realtime.PROJECTOR: {}}, **fragments.join_count_context(course, day))
    realtime.render_for(course.id, f"attendance-{citizen.id}", fragments.ATTENDANCE_ROWS,
                        audiences, swap="outerHTML", fallback="attendance", course=course,
                        presence=[live_day.presence_of(course, day, citizen)])


# -- what the running day does when the features below it change ---------------------------------


def check_in_on_sign_in(citizen: Citizen) -> None:
    """A citizen signing in on a meeting day is checked in; the consoles follow
    (``people.signals.citizen_signed_in``)."""
    day = live_day.check_in_on_sign_in(citizen)
    if day is not None:
        push_presence(citizen.course, day, citizen)


def follow_agenda(course: Course) -> None:
    """An agenda edit during a running day moves the screens with it
    (``schedule.signals.agenda_changed``)."""
    if live_day.running_day(course.id) is not None:
        push_now(course)
