"""Courses and their agenda: the domain operations behind the office pages.

Every function here flushes and never commits: the route that calls it commits once, so a
request either saves everything it meant to or nothing. A rule that refuses an operation raises
:class:`ScheduleError` (or a subclass) with a ``code``; routes translate codes into text.

Agenda order. Within a meeting the items are numbered ``position`` 0, 1, 2… without gaps, and
that order follows the clock: a new item, or one whose start time changes, is placed where its
start time belongs, and "move up/down" swaps two neighbours' time slots. Renumbering other items
is bookkeeping, not an edit, so it is written past the ORM's version counter: a colleague editing
a neighbouring item is not told about a conflict that is not there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from course.extensions import db
from course.people import codes
from course.people.models import Citizen, Role, Staff, Team
from course.schedule.best_practice import BEST_PRACTICE, DAY_ENDS, DAY_STARTS
from course.schedule.models import AgendaItem, Course, Day, ItemKind, SpeakerRole
from course.types import local_today

#: The job centre's wall clock: "today" for date checks is Danish today.
CAPACITY_MIN, CAPACITY_MAX = 1, 200
QUESTION_MODES = ("either", "named", "anonymous", "nameless")
#: Staff roles that may run a course.
FACILITATING_ROLES = (Role.FACILITATOR, Role.TEAM_LEAD)


# -- errors -----------------------------------------------------------------------------------


class ScheduleError(Exception):
    """A schedule rule refused the operation.

    ``code`` names the rule (``"past_date"``, ``"end_not_after_start"``…); ``field`` names the
    form field it concerns, when there is one.
    """

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


class InvalidCourse(ScheduleError):
    """One or more course rules failed; ``errors`` lists every one, so a form shows them all."""

    def __init__(self, errors: Sequence[ScheduleError]) -> None:
        super().__init__("invalid_course")
        self.errors = list(errors)


class StaleItem(ScheduleError):
    """The agenda item changed since the editor loaded it (``item_id`` says which)."""

    def __init__(self, item_id: int) -> None:
        super().__init__("stale")
        self.item_id = item_id


# -- courses ----------------------------------------------------------------------------------


@dataclass
class CourseDetails:
    """What a person writes about a course (everything but facilitators and the agenda).

    ``None`` stands for a value that is missing or could not be read; it is refused.
    """

    name: str
    kickoff_on: date | None
    day1_on: date | None
    day2_on: date | None
    venue: str = ""
    capacity: int | None = 24
    question_mode: str = "either"
    hold_questions: bool = False
    hold_comments: bool = False


def eligible_guests(team_id: int) -> list[Staff]:
    """The facilitators of the other teams, whom a team lead may add to a course as guests
    (the method advises facilitators from another department)."""
    return list(db.session.scalars(
        sa.select(Staff).where(Staff.team_id != team_id, Staff.active,
                               Staff.role == Role.FACILITATOR).order_by(Staff.name)
    ))


def eligible_facilitators(team_id: int) -> list[Staff]:
    """The team's active staff who may facilitate: facilitators and team leads."""
    return list(db.session.scalars(
        sa.select(Staff).where(Staff.team_id == team_id, Staff.active,
                               Staff.role.in_(FACILITATING_ROLES)).order_by(Staff.name)
    ))


def earlier_courses(team_id: int, *, excluding: int | None = None) -> list[Course]:
    """The team's courses that have an agenda to copy, newest first."""
    has_items = sa.select(AgendaItem.id).where(AgendaItem.course_id == Course.id).exists()
    query = sa.select(Course).where(Course.team_id == team_id, has_items)
    if excluding is not None:
        query = query.where(Course.id != excluding)
    return list(db.session.scalars(query.order_by(Course.kickoff_on.desc(), Course.id.desc())))


def course_problems(team: Team, details: CourseDetails, facilitators: Iterable[Staff], *,
                    guests: Iterable[Staff] = (), guests_allowed: bool = False,
                    existing: Course | None = None, today: date | None = None
                    ) -> list[ScheduleError]:
    """Every course rule ``details`` break (empty when it breaks none); changes nothing.

    A missing value (``None``) is one problem (``date_missing``/``capacity_missing``) and the
    rules that need it are skipped, so a form can show every other problem at the same time.

    Dates: none in the past (on an edit, only a *changed* date is checked — a running course
    keeps its kickoff). The kickoff comes before course day 1 (the method kicks off with "et kort
    formøde" and *then* runs two days; a same-day kickoff would also make "which meeting is
    today" ambiguous for the live session), and day 2 comes after day 1.

    Facilitators come from the team (its facilitators and team leads); ``guests`` are active
    facilitators of other teams, added only where ``guests_allowed`` (by a team lead).
    """
    today = today or local_today()
    errors: list[ScheduleError] = []
    if not details.name.strip():
        errors.append(ScheduleError("name_missing", "name"))
    for name in ("kickoff_on", "day1_on", "day2_on"):
        value = getattr(details, name)
        unchanged = existing is not None and getattr(existing, name) == value
        if value is None:
            errors.append(ScheduleError("date_missing", name))
        elif value < today and not unchanged:
            errors.append(ScheduleError("past_date", name))
    kickoff, day1, day2 = details.kickoff_on, details.day1_on, details.day2_on
    if kickoff is not None and day1 is not None and day1 <= kickoff:
        errors.append(ScheduleError("day1_not_after_kickoff", "day1_on"))
    if day1 is not None and day2 is not None and day2 <= day1:
        errors.append(ScheduleError("day2_not_after_day1", "day2_on"))
    if details.capacity is None:
        errors.append(ScheduleError("capacity_missing", "capacity"))
    elif not CAPACITY_MIN <= details.capacity <= CAPACITY_MAX:
        errors.append(ScheduleError("capacity_range", "capacity"))
    elif existing is not None and details.capacity < enrolled_count(existing):
        errors.append(ScheduleError("capacity_below_enrolled", "capacity"))
    if details.question_mode not in QUESTION_MODES:
        errors.append(ScheduleError("question_mode", "question_mode"))
    chosen = list(facilitators)
    if not chosen:
        errors.append(ScheduleError("no_facilitator", "facilitators"))
    elif any(s.team_id != team.id or not s.active or s.role not in FACILITATING_ROLES
             for s in chosen):
        errors.append(ScheduleError("foreign_facilitator", "facilitators"))
    guests = list(guests)
    if guests and not guests_allowed:
        errors.append(ScheduleError("guests_by_lead"))  # (the field is not shown to them)
    elif any(s.team_id == team.id or not s.active or s.role != Role.FACILITATOR for s in guests):
        errors.append(ScheduleError("foreign_guest", "guest_facilitators"))
    return errors


def _check_course(team: Team, details: CourseDetails, facilitators: Iterable[Staff], *,
                  guests: Iterable[Staff], guests_allowed: bool, today: date | None,
                  existing: Course | None) -> None:
    errors = course_problems(team, details, facilitators, guests=guests,
                             guests_allowed=guests_allowed, existing=existing, today=today)
    if errors:
        raise InvalidCourse(errors)


def enrolled_count(course: Course) -> int:
    """Active participants, the number that counts against capacity."""
    return db.session.scalar(
        sa.select(sa.func.count(Citizen.id)).where(Citizen.course_id == course.id, Citizen.active)
    ) or 0


def _apply_details(course: Course, details: CourseDetails, facilitators: Iterable[Staff]) -> None:
    course.name = details.name.strip()
    course.venue = details.venue.strip()
    course.capacity = details.capacity
    course.question_mode = details.question_mode
    course.hold_questions = bool(details.hold_questions)
    course.hold_comments = bool(details.hold_comments)
    course.kickoff_on = details.kickoff_on
    course.day1_on = details.day1_on
    course.day2_on = details.day2_on
    course.facilitators = list(dict.fromkeys(facilitators))


def new_course_code() -> str:
    """An unused course join code."""
    while True:
        code = codes.new_code(codes.COURSE_CODE_LENGTH)
        if db.session.scalar(sa.select(Course.id).where(Course.code == code)) is None:
            return code


def create_course(team: Team, details: CourseDetails, facilitators: Iterable[Staff], *,
                  guests: Iterable[Staff] = (), guests_allowed: bool = False,
                  copy_from: Course | None = None, today: date | None = None) -> Course:
    """Create a course for ``team`` with a new join code and its first agenda.

    The agenda is the best-practice template, or a copy of ``copy_from`` (one of the team's own
    courses). Every rule is checked before anything is added to the session, so a refused
    course leaves nothing behind.

    :raises InvalidCourse: with every broken rule.
    :raises ScheduleError: ``foreign_source`` when ``copy_from`` is another team's course.
    """
    facilitators, guests = list(facilitators), list(guests)
    _check_course(team, details, facilitators, guests=guests, guests_allowed=guests_allowed,
                  today=today, existing=None)
    if copy_from is not None and copy_from.team_id != team.id:
        raise ScheduleError("foreign_source", "agenda_from")
    course = Course(team=team, code=new_course_code())
    _apply_details(course, details, [*facilitators, *guests])
    db.session.add(course)
    db.session.flush()
    if copy_from is not None:
        copy_agenda(copy_from, course)
    else:
        apply_template(course)
    return course


def update_course(course: Course, details: CourseDetails, facilitators: Iterable[Staff], *,
                  guests: Iterable[Staff] = (), guests_allowed: bool = False,
                  today: date | None = None) -> Course:
    """Change a course's details and facilitators; the agenda and the join code stay. Without
    ``guests_allowed`` the course keeps the guests it has (a facilitator cannot change them).

    :raises InvalidCourse: with every broken rule (nothing is changed then).
    """
    facilitators, chosen = list(facilitators), list(guests)
    _check_course(course.team, details, facilitators, guests=chosen,
                  guests_allowed=guests_allowed, today=today, existing=course)
    kept = [s for s in course.facilitators if s.team_id != course.team_id]
    _apply_details(course, details, [*facilitators, *(chosen if guests_allowed else kept)])
    db.session.flush()
    return course


# -- the agenda -------------------------------------------------------------------------------


@dataclass
class ItemDetails:
    """What a person writes about one agenda item."""

    starts_at: time
    ends_at: time
    kind: ItemKind
    title: str
    speaker_name: str = ""
    speaker_role: SpeakerRole | None = None
    description: str = ""


def day_items(course: Course, day: Day) -> list[AgendaItem]:
    """One meeting's items in agenda order."""
    return list(db.session.scalars(
        sa.select(AgendaItem).where(AgendaItem.course_id == course.id, AgendaItem.day == day)
        .order_by(AgendaItem.position, AgendaItem.id)
    ))


def agenda(course: Course) -> dict[Day, list[AgendaItem]]:
    """The whole agenda: every meeting (in order) with its items (in order)."""
    return {day: day_items(course, day) for day in Day}


def has_agenda(course: Course) -> bool:
    return db.session.scalar(
        sa.select(sa.func.count(AgendaItem.id)).where(AgendaItem.course_id == course.id)
    ) > 0


def apply_template(course: Course) -> list[AgendaItem]:
    """Fill an empty agenda from the best-practice template (docs/method.md §4).

    Speaker names are left empty for the facilitators to fill in; roles come from the template.

    :raises ScheduleError: ``agenda_not_empty`` — the template never mixes into a planned agenda.
    """
    if has_agenda(course):
        raise ScheduleError("agenda_not_empty")
    items = [
        AgendaItem(course_id=course.id, day=day, position=position, starts_at=t.starts_at,
                   ends_at=t.ends_at, kind=t.kind, title=t.title, speaker_name="",
                   speaker_role=t.speaker_role, description=t.description)
        for day, template_items in BEST_PRACTICE.items()
        for position, t in enumerate(template_items)
    ]
    db.session.add_all(items)
    db.session.flush()
    return items


def copy_agenda(source: Course, target: Course) -> list[AgendaItem]:
    """Copy every item of ``source``'s agenda, speakers included, into ``target``'s empty one.

    :raises ScheduleError: ``foreign_source`` when the courses belong to different teams;
        ``agenda_not_empty`` when ``target`` already has items.
    """
    if source.team_id != target.team_id:
        raise ScheduleError("foreign_source", "agenda_from")
    if has_agenda(target):
        raise ScheduleError("agenda_not_empty")
    items = [
        AgendaItem(course_id=target.id, day=item.day, position=position,
                   starts_at=item.starts_at, ends_at=item.ends_at, kind=item.kind,
                   title=item.title, speaker_name=item.speaker_name,
                   speaker_role=item.speaker_role, description=item.description)
        for day_list in agenda(source).values()
        for position, item in enumerate(day_list)
    ]
    db.session.add_all(items)
    db.session.flush()
    return items


def _check_item(details: ItemDetails) -> None:
    if not details.title.strip():
        raise ScheduleError("title_missing", "title")
    if details.ends_at <= details.starts_at:
        raise ScheduleError("end_not_after_start", "ends_at")


def _set_details(item: AgendaItem, details: ItemDetails) -> None:
    item.starts_at = details.starts_at
    item.ends_at = details.ends_at
    item.kind = details.kind
    item.title = details.title.strip()
    item.speaker_name = details.speaker_name.strip()
    item.speaker_role = details.speaker_role
    item.description = details.description.replace("\r\n", "\n").strip()


def _renumber(ordered: Sequence[AgendaItem]) -> None:
    """Give ``ordered`` the positions 0, 1, 2… without touching their version counters.

    Saved items get their new position with a plain UPDATE (their loaded state is kept in step);
    an item not yet saved simply takes it.
    """
    table = AgendaItem.__table__
    for position, item in enumerate(ordered):
        if item.position == position:
            continue
        if sa.inspect(item).persistent:
            db.session.execute(sa.update(table).where(table.c.id == item.id)
                               .values(position=position))
            set_committed_value(item, "position", position)
        else:
            item.position = position


def _place_by_time(item: AgendaItem, others: list[AgendaItem]) -> list[AgendaItem]:
    """``others`` (in agenda order) with ``item`` inserted where its start time belongs."""
    index = next((i for i, other in enumerate(others) if other.starts_at > item.starts_at),
                 len(others))
    return [*others[:index], item, *others[index:]]


def add_item(course: Course, day: Day, details: ItemDetails) -> AgendaItem:
    """Add an item to one meeting, placed by its start time.

    Overlaps and times outside the usual day are allowed (see :func:`day_problems`).

    :raises ScheduleError: ``title_missing`` or ``end_not_after_start``.
    """
    _check_item(details)
    others = day_items(course, day)
    item = AgendaItem(course_id=course.id, day=day, position=len(others))
    _set_details(item, details)
    _renumber(_place_by_time(item, others))  # before add(): a new item starts at version 1
    db.session.add(item)
    db.session.flush()
    return item


def _expect_version(item: AgendaItem, expected_version: int | None) -> None:
    if expected_version is not None and item.version != expected_version:
        raise StaleItem(item.id)


def _flush_or_stale(item: AgendaItem) -> None:
    """Flush; a concurrent write that won the race shows up as :class:`StaleItem`."""
    item_id = item.id
    try:
        db.session.flush()
    except StaleDataError as err:
        raise StaleItem(item_id) from err


def update_item(item: AgendaItem, details: ItemDetails, *,
                expected_version: int | None) -> AgendaItem:
    """Save an edit of ``item`` made on top of ``expected_version``.

    An edit based on an older version is refused rather than written over a colleague's
    (``None`` skips the check, for callers with no earlier read). A changed start time moves
    the item to its place in the day.

    :raises StaleItem: when the item changed since ``expected_version`` (the caller rolls back
        and shows both versions).
    :raises ScheduleError: ``title_missing`` or ``end_not_after_start``.
    """
    _expect_version(item, expected_version)
    _check_item(details)
    moved = details.starts_at != item.starts_at
    _set_details(item, details)
    _flush_or_stale(item)
    if moved:
        course = db.session.get(Course, item.course_id)
        others = [i for i in day_items(course, item.day) if i.id != item.id]
        _renumber(_place_by_time(item, others))
        db.session.flush()
    return item


def move_item(item: AgendaItem, direction: str) -> bool:
    """Swap ``item`` with its neighbour above (``"up"``) or below (``"down"``).

    The two swap their places *and* their time slots: the earlier one starts when the pair
    started, each keeps its length, and any gap between them stays. So the agenda stays in
    clock order. Returns ``False`` (changing nothing) at either end of the day.

    :raises ScheduleError: ``direction`` when it is neither ``"up"`` nor ``"down"``.
    """
    if direction not in ("up", "down"):
        raise ScheduleError("direction")
    course = db.session.get(Course, item.course_id)
    items = day_items(course, item.day)
    index = items.index(item)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(items):
        return False
    upper, lower = sorted((items[index], items[other_index]), key=items.index)
    gap = max(0, _minutes(lower.starts_at) - _minutes(upper.ends_at))
    start = _minutes(upper.starts_at)
    new_upper_end = start + lower.minutes
    new_lower_start = new_upper_end + gap
    upper_length = upper.minutes
    lower.starts_at, lower.ends_at = _clock(start), _clock(new_upper_end)
    upper.starts_at = _clock(new_lower_start)
    upper.ends_at = _clock(new_lower_start + upper_length)
    _flush_or_stale(item)
    items[index], items[other_index] = items[other_index], items[index]
    _renumber(items)
    db.session.flush()
    return True


def delete_item(item: AgendaItem, *, expected_version: int | None) -> None:
    """Delete ``item`` (seen at ``expected_version``) and close the gap in the numbering.

    :raises StaleItem: when the item changed since it was shown: the person confirms again.
    """
    _expect_version(item, expected_version)
    course = db.session.get(Course, item.course_id)
    day = item.day
    db.session.delete(item)
    _flush_or_stale(item)
    _renumber(day_items(course, day))
    db.session.flush()


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _clock(minutes: int) -> time:
    """A time of day from minutes after midnight, capped at 23:59 (moves never wrap days)."""
    minutes = max(0, min(minutes, 23 * 60 + 59))
    return time(minutes // 60, minutes % 60)


# -- flags ------------------------------------------------------------------------------------


@dataclass
class Flag:
    """Something about an agenda item worth a second look; saved anyway, shown as a warning.

    ``code``: ``"overlap"`` (with ``other``), ``"outside_hours"`` (before 08:00 or after
    17:00) or ``"speaker_missing"`` (a talk without a speaker's name).
    """

    code: str
    item: AgendaItem
    other: AgendaItem | None = None


@dataclass
class DayPlan:
    """One meeting as the agenda page shows it: its date, items and flags."""

    day: Day
    on: date
    items: list[AgendaItem]
    flags: list[Flag] = field(default_factory=list)

    def flags_for(self, item: AgendaItem) -> list[Flag]:
        return [f for f in self.flags if f.item.id == item.id]

    @property
    def flagged_items(self) -> int:
        return len({f.item.id for f in self.flags})


def day_problems(course: Course, day: Day,
                 items: Sequence[AgendaItem] | None = None) -> list[Flag]:
    """Flags for one meeting: overlapping items, items outside 08:00–17:00, nameless talks.

    These are warnings, not errors: a facilitator may deliberately run two things in parallel
    or start early, so the item is saved and the flag is shown beside it. An overlap is
    reported on both items.
    """
    items = list(items) if items is not None else day_items(course, day)
    flags: list[Flag] = []
    for item in items:
        for other in items:
            if other is not item and (item.starts_at < other.ends_at
                                      and other.starts_at < item.ends_at):
                flags.append(Flag("overlap", item, other))
        if item.starts_at < DAY_STARTS or item.ends_at > DAY_ENDS:
            flags.append(Flag("outside_hours", item))
        if item.kind == ItemKind.TALK and not item.speaker_name.strip():
            flags.append(Flag("speaker_missing", item))
    return flags


def day_plan(course: Course, day: Day) -> DayPlan:
    """One meeting's items and their flags, ready for the agenda page."""
    items = day_items(course, day)
    return DayPlan(day, course.date_of(day), items, day_problems(course, day, items))


def suggested_slot(course: Course, day: Day, minutes: int = 30) -> tuple[time, time]:
    """Where a new item most likely goes: right after the meeting's last item."""
    items = day_items(course, day)
    if not items:
        start = 13 * 60 if day == Day.KICKOFF else 9 * 60
    else:
        start = max(_minutes(i.ends_at) for i in items)
    return _clock(start), _clock(start + minutes)
