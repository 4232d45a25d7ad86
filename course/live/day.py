"""The running course day: the current agenda item, its countdown, and who is in the room.

All state lives in the database (``RunningDay``, ``Attendance``), so a reloaded projector or a
restarted server shows exactly the same thing. Services flush; the route commits and pushes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from course.extensions import db
from course.live.models import Attendance, Question, RunningDay
from course.live.signals import day_moved, presence_changed
from course.people.models import Citizen, Staff
from course.schedule.models import AgendaItem, Course, Day, ItemKind
from course.types import local_today, utcnow

EXTEND_SECONDS = 5 * 60

class DayError(Exception):
    """A refused change to the running day; ``code`` names the reason for a translated message."""

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


def running_day(course_id: int) -> RunningDay | None:
    """The course's running day (the most recently started one not ended), if any."""
    return db.session.scalar(
        sa.select(RunningDay)
        .where(RunningDay.course_id == course_id, RunningDay.ended_at.is_(None))
        .order_by(RunningDay.started_at.desc(), RunningDay.id.desc())
        .limit(1)
    )


def start_day(course: Course, day: Day) -> RunningDay:
    """Start (or resume) the day of one meeting; any other running day of the course ends.

    The first item of the day becomes current, its countdown not yet running.
    """
    now = utcnow()
    for other in db.session.scalars(sa.select(RunningDay).where(
            RunningDay.course_id == course.id, RunningDay.ended_at.is_(None),
            RunningDay.day != day.value)):
        other.ended_at = now
    running = db.session.scalar(sa.select(RunningDay).where(
        RunningDay.course_id == course.id, RunningDay.day == day.value))
    if running is None:
        items = day_items(course.id, day)
        running = RunningDay(course_id=course.id, day=day.value, started_at=now,
                              current_item_id=items[0].id if items else None)
        db.session.add(running)
    elif running.ended_at is not None:
        running.ended_at = None
        running.started_at = now
    db.session.flush()
    _moved(running)
    return running


def _moved(running: RunningDay) -> None:
    """Tell the features above that the day moved (another item, started or ended)."""
    course = db.session.get(Course, running.course_id)
    if course is not None:
        day_moved.send(course, running=running_day(running.course_id))


def end_day(running: RunningDay) -> None:
    """End the day: phones and the projector go back to the waiting screen, and nothing of the
    day stays on the wall (a question put there ends with it)."""
    _bank(running, utcnow())
    running.ended_at = utcnow()
    running.join_qr_shown = False
    _end_spotlight(running.course_id)
    db.session.flush()
    _moved(running)


def move(running: RunningDay, step: int) -> AgendaItem | None:
    """Go ``step`` items forward (1) or back (-1); the new item's countdown starts at once."""
    items = day_items(running.course_id, running.day)
    if not items:
        raise DayError("empty_day")
    ids = [item.id for item in items]
    index = ids.index(running.current_item_id) if running.current_item_id in ids else -1
    target = index + step
    if not 0 <= target < len(items):
        raise DayError("no_more_items")
    return go_to(running, items[target])


def go_to(running: RunningDay, item: AgendaItem) -> AgendaItem:
    """Make ``item`` current and run its countdown: from its planned length the first time,
    from where it stood when the day moved on from it otherwise (a "back" after pressing
    "next" too early loses nothing). What the item on the wall had there ends with it."""
    if item.course_id != running.course_id or item.day.value != running.day:
        raise DayError("not_in_day")
    now = utcnow()
    clocks = dict(running.item_clocks or {})
    if running.current_item_id is not None and running.current_item_id != item.id:
        _bank(running, now)
        clocks[str(running.current_item_id)] = [running.elapsed_seconds, running.extra_seconds,
                                                running.workshop_step]
        _end_spotlight(running.course_id)
    elapsed, extra, step = clocks.get(str(item.id), [0, 0, 0])
    running.item_clocks = clocks
    running.current_item_id = item.id
    running.elapsed_seconds, running.extra_seconds, running.workshop_step = elapsed, extra, step
    running.timer_started_at = now
    db.session.flush()
    _moved(running)
    return item


def show_join_qr(running: RunningDay, shown: bool) -> None:
    """Put the course's join QR on the whole wall (``shown``) or take it off again: for the
    latecomers, whatever item is on. It stays until taken off or the day ends; the join strip
    is on the wall all day in any case."""
    running.join_qr_shown = shown
    db.session.flush()


def _end_spotlight(course_id: int) -> None:
    """Take the question off the projector: it belongs to the talk that has ended."""
    db.session.execute(sa.update(Question).where(
        Question.course_id == course_id, Question.shown_at.is_not(None)).values(shown_at=None))


def move_workshop_step(running: RunningDay, step: int, steps: int) -> int:
    """Go ``step`` guided steps forward or back in the workshop on now (of ``steps`` steps)."""
    item = db.session.get(AgendaItem, running.current_item_id) if running.current_item_id else None
    if item is None or item.kind != ItemKind.WORKSHOP:
        raise DayError("not_workshop")
    target = running.workshop_step + step
    if not 0 <= target < steps:
        raise DayError("no_more_steps")
    running.workshop_step = target
    db.session.flush()
    return target


def _bank(running: RunningDay, now: datetime) -> None:
    if running.timer_started_at is not None:
        running.elapsed_seconds += int((now - running.timer_started_at).total_seconds())
        running.timer_started_at = None


def start_timer(running: RunningDay) -> None:
    """Run the countdown (again)."""
    if running.current_item_id is None:
        raise DayError("no_item")
    if running.timer_started_at is None:
        running.timer_started_at = utcnow()
    db.session.flush()


def pause_timer(running: RunningDay) -> None:
    """Stop the countdown, keeping the time used so far."""
    _bank(running, utcnow())
    db.session.flush()


def extend_timer(running: RunningDay, seconds: int = EXTEND_SECONDS) -> None:
    """Give the current item more time ("+5 min")."""
    if running.current_item_id is None:
        raise DayError("no_item")
    running.extra_seconds += seconds
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


def countdown(running: RunningDay, item: AgendaItem, now: datetime | None = None) -> Countdown:
    now = now or utcnow()
    used = running.elapsed_seconds
    if running.timer_started_at is not None:
        used += int((now - running.timer_started_at).total_seconds())
    remaining = item.minutes * 60 + running.extra_seconds - used
    now_ms = int(now.timestamp() * 1000)
    ends = now_ms + remaining * 1000 if running.timer_started_at is not None else None
    return Countdown(running.timer_started_at is not None, remaining, ends, now_ms)


@dataclass(frozen=True)
class NowView:
    """Everything the now/next regions show, computed once per push for every audience."""

    course: Course
    running: RunningDay | None
    day: Day | None
    current: AgendaItem | None
    next: AgendaItem | None
    items: list[AgendaItem]
    countdown: Countdown | None


def now_view(course: Course) -> NowView:
    """The state of the room now: current and next item, the countdown, the day's agenda."""
    running = running_day(course.id)
    if running is None:
        return NowView(course, None, None, None, None, [], None)
    items = day_items(course.id, running.day)
    current = next((i for i in items if i.id == running.current_item_id), None)
    following = None
    if current is not None:
        index = items.index(current)
        following = items[index + 1] if index + 1 < len(items) else None
    clock = countdown(running, current) if current is not None else None
    return NowView(course, running, Day(running.day), current, following, items, clock)


# -- attendance -------------------------------------------------------------------------------


def check_in(course: Course, day: Day, citizen: Citizen, by: Staff | None = None) -> Attendance:
    """Mark a citizen present on a course day (again, if they had been marked as left)."""
    return _check_in(course, day, citizen, by)[0]


def _check_in(course: Course, day: Day, citizen: Citizen,
              by: Staff | None = None) -> tuple[Attendance, bool]:
    """:func:`check_in`, and whether it changed anything (someone present stays as they are)."""
    if citizen.course_id != course.id:
        raise DayError("not_in_course")
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


def attendance_day(course: Course) -> Day:
    """The day attendance is about: the running day's, else today's, else the kickoff."""
    running = running_day(course.id)
    if running is not None:
        return Day(running.day)
    return course.day_on(local_today()) or Day.KICKOFF
