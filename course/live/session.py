"""The running course day: the current agenda item, its countdown, and who is in the room.

All state lives in the database (``LiveSession``, ``Attendance``), so a reloaded projector or a
restarted server shows exactly the same thing. Services flush; the route commits and pushes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from blinker import Namespace

from course.extensions import db
from course.live.models import Attendance, LiveSession
from course.people.models import Citizen, Staff
from course.schedule.models import AgendaItem, Course, Day, ItemKind
from course.types import local_today, utcnow

EXTEND_SECONDS = 5 * 60

_signals = Namespace()
#: Sent (sender: the course) when a citizen is checked in or marked as left, with ``citizen``
#: and ``present``; a running feedback round follows it (:mod:`course.rounds`). Receivers
#: flush and queue pushes; the route commits and pushes.
presence_changed = _signals.signal("presence-changed")


class SessionError(Exception):
    """A refused live-session operation; ``code`` names the reason for a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def day_items(course_id: int, day: Day | str) -> list[AgendaItem]:
    """The agenda of one meeting, in order."""
    return list(db.session.scalars(
        sa.select(AgendaItem)
        .where(AgendaItem.course_id == course_id, AgendaItem.day == Day(day))
        .order_by(AgendaItem.position, AgendaItem.starts_at, AgendaItem.id)
    ))


def current_session(course_id: int) -> LiveSession | None:
    """The course's running session (the most recently started one not ended), if any."""
    return db.session.scalar(
        sa.select(LiveSession)
        .where(LiveSession.course_id == course_id, LiveSession.ended_at.is_(None))
        .order_by(LiveSession.started_at.desc(), LiveSession.id.desc())
        .limit(1)
    )


def start_session(course: Course, day: Day) -> LiveSession:
    """Start (or resume) the session of one meeting; any other running one of the course ends.

    The first item of the day becomes current, its countdown not yet running.
    """
    now = utcnow()
    for other in db.session.scalars(sa.select(LiveSession).where(
            LiveSession.course_id == course.id, LiveSession.ended_at.is_(None),
            LiveSession.day != day.value)):
        other.ended_at = now
    session = db.session.scalar(sa.select(LiveSession).where(
        LiveSession.course_id == course.id, LiveSession.day == day.value))
    if session is None:
        items = day_items(course.id, day)
        session = LiveSession(course_id=course.id, day=day.value, started_at=now,
                              current_item_id=items[0].id if items else None)
        db.session.add(session)
    elif session.ended_at is not None:
        session.ended_at = None
        session.started_at = now
    db.session.flush()
    return session


def end_session(session: LiveSession) -> None:
    """End the day: phones and the projector go back to the waiting screen."""
    _bank(session, utcnow())
    session.ended_at = utcnow()
    db.session.flush()


def move(session: LiveSession, step: int) -> AgendaItem | None:
    """Go ``step`` items forward (1) or back (-1); the new item's countdown starts at once."""
    items = day_items(session.course_id, session.day)
    if not items:
        raise SessionError("empty_day")
    ids = [item.id for item in items]
    index = ids.index(session.current_item_id) if session.current_item_id in ids else -1
    target = index + step
    if not 0 <= target < len(items):
        raise SessionError("no_more_items")
    return go_to(session, items[target])


def go_to(session: LiveSession, item: AgendaItem) -> AgendaItem:
    """Make ``item`` current and start its countdown from its planned length."""
    if item.course_id != session.course_id or item.day.value != session.day:
        raise SessionError("not_in_day")
    session.current_item_id = item.id
    session.elapsed_seconds = 0
    session.extra_seconds = 0
    session.workshop_step = 0
    session.timer_started_at = utcnow()
    db.session.flush()
    return item


def move_workshop_step(session: LiveSession, step: int, steps: int) -> int:
    """Go ``step`` guided steps forward or back in the workshop on now (of ``steps`` steps)."""
    item = db.session.get(AgendaItem, session.current_item_id) if session.current_item_id else None
    if item is None or item.kind != ItemKind.WORKSHOP:
        raise SessionError("not_workshop")
    target = session.workshop_step + step
    if not 0 <= target < steps:
        raise SessionError("no_more_steps")
    session.workshop_step = target
    db.session.flush()
    return target


def _bank(session: LiveSession, now: datetime) -> None:
    if session.timer_started_at is not None:
        session.elapsed_seconds += int((now - session.timer_started_at).total_seconds())
        session.timer_started_at = None


def start_timer(session: LiveSession) -> None:
    """Run the countdown (again)."""
    if session.current_item_id is None:
        raise SessionError("no_item")
    if session.timer_started_at is None:
        session.timer_started_at = utcnow()
    db.session.flush()


def pause_timer(session: LiveSession) -> None:
    """Stop the countdown, keeping the time used so far."""
    _bank(session, utcnow())
    db.session.flush()


def extend_timer(session: LiveSession, seconds: int = EXTEND_SECONDS) -> None:
    """Give the current item more time ("+5 min")."""
    if session.current_item_id is None:
        raise SessionError("no_item")
    session.extra_seconds += seconds
    db.session.flush()


@dataclass(frozen=True)
class Countdown:
    """Where the current item's countdown stands; the browser ticks it between pushes."""

    running: bool
    remaining: int  # seconds; negative when the item runs over
    ends_at_ms: int | None  # when it reaches zero (epoch ms), while running
    server_now_ms: int

    @property
    def overrun(self) -> bool:
        return self.remaining < 0


def countdown(session: LiveSession, item: AgendaItem, now: datetime | None = None) -> Countdown:
    now = now or utcnow()
    used = session.elapsed_seconds
    if session.timer_started_at is not None:
        used += int((now - session.timer_started_at).total_seconds())
    remaining = item.minutes * 60 + session.extra_seconds - used
    now_ms = int(now.timestamp() * 1000)
    ends = now_ms + remaining * 1000 if session.timer_started_at is not None else None
    return Countdown(session.timer_started_at is not None, remaining, ends, now_ms)


@dataclass(frozen=True)
class NowView:
    """Everything the now/next regions show, computed once per push for every audience."""

    course: Course
    session: LiveSession | None
    day: Day | None
    current: AgendaItem | None
    next: AgendaItem | None
    items: list[AgendaItem]
    countdown: Countdown | None


def now_view(course: Course) -> NowView:
    """The state of the room now: current and next item, the countdown, the day's agenda."""
    session = current_session(course.id)
    if session is None:
        return NowView(course, None, None, None, None, [], None)
    items = day_items(course.id, session.day)
    current = next((i for i in items if i.id == session.current_item_id), None)
    following = None
    if current is not None:
        index = items.index(current)
        following = items[index + 1] if index + 1 < len(items) else None
    clock = countdown(session, current) if current is not None else None
    return NowView(course, session, Day(session.day), current, following, items, clock)


# -- attendance -------------------------------------------------------------------------------


def check_in(course: Course, day: Day, citizen: Citizen, by: Staff | None = None) -> Attendance:
    """Mark a citizen present on a course day (again, if they had been marked as left)."""
    return _check_in(course, day, citizen, by)[0]


def _check_in(course: Course, day: Day, citizen: Citizen,
              by: Staff | None = None) -> tuple[Attendance, bool]:
    """:func:`check_in`, and whether it changed anything (someone present stays as they are)."""
    if citizen.course_id != course.id:
        raise SessionError("not_in_course")
    row = db.session.scalar(sa.select(Attendance).where(
        Attendance.course_id == course.id, Attendance.day == day.value,
        Attendance.citizen_id == citizen.id))
    if row is None:
        row = Attendance(course_id=course.id, day=day.value, citizen_id=citizen.id,
                         checked_in_by_id=by.id if by else None)
        db.session.add(row)
    elif row.left_at is None:
        return row, False
    else:
        row.left_at = None
    db.session.flush()
    presence_changed.send(course, citizen=citizen, present=True)
    return row, True


def mark_left(course: Course, day: Day, citizen: Citizen) -> None:
    """Mark a citizen as having left the room (they no longer count as present)."""
    row = db.session.scalar(sa.select(Attendance).where(
        Attendance.course_id == course.id, Attendance.day == day.value,
        Attendance.citizen_id == citizen.id))
    if row is not None and row.left_at is None:
        row.left_at = utcnow()
        db.session.flush()
        presence_changed.send(course, citizen=citizen, present=False)


def check_in_on_sign_in(citizen: Citizen) -> Day | None:
    """A citizen signing in on one of the course's meeting days is checked in for that day;
    returns the day when that changed their presence (not for a second phone, or signing in
    again while present: nothing to tell the room then — in a room of 500, each telling is
    the whole list)."""
    day = citizen.course.day_on(local_today())
    if day is None:
        return None
    return day if _check_in(citizen.course, day, citizen)[1] else None


@dataclass(frozen=True)
class Presence:
    citizen: Citizen
    checked_in_at: datetime | None
    left_at: datetime | None

    @property
    def present(self) -> bool:
        return self.checked_in_at is not None and self.left_at is None


def is_present(course_id: int, day: Day, citizen_id: int) -> bool:
    """Whether one citizen is checked in on ``day`` and not marked as left (one row read)."""
    return db.session.scalar(sa.select(Attendance.id).where(
        Attendance.course_id == course_id, Attendance.day == day.value,
        Attendance.citizen_id == citizen_id, Attendance.left_at.is_(None))) is not None


def presence_of(course: Course, day: Day, citizen: Citizen) -> Presence:
    """One participant's presence on ``day`` (one row read)."""
    row = db.session.execute(sa.select(Attendance.checked_in_at, Attendance.left_at).where(
        Attendance.course_id == course.id, Attendance.day == day.value,
        Attendance.citizen_id == citizen.id)).first()
    return Presence(citizen, *(row or (None, None)))


def presence_count(course: Course, day: Day) -> tuple[int, int]:
    """How many active participants are present on ``day``, and how many there are: one row,
    whatever the room's size."""
    present = sa.func.count(Attendance.id).filter(Attendance.left_at.is_(None))
    return tuple(db.session.execute(
        sa.select(present, sa.func.count(Citizen.id))
        .select_from(Citizen)
        .outerjoin(Attendance, (Attendance.citizen_id == Citizen.id)
                   & (Attendance.course_id == course.id) & (Attendance.day == day.value))
        .where(Citizen.course_id == course.id, Citizen.active)).one())


def attendance(course: Course, day: Day) -> list[Presence]:
    """Every active participant of the course with their presence on ``day``."""
    rows = {row.citizen_id: row for row in db.session.scalars(sa.select(Attendance).where(
        Attendance.course_id == course.id, Attendance.day == day.value))}
    citizens = db.session.scalars(sa.select(Citizen).where(
        Citizen.course_id == course.id, Citizen.active).order_by(Citizen.name))
    return [Presence(c, rows[c.id].checked_in_at if c.id in rows else None,
                     rows[c.id].left_at if c.id in rows else None) for c in citizens]
