"""The report's sections, read for a course or one meeting of it, at any moment.

A section is one function ``(course, day) -> Section`` in :data:`SECTIONS` and one template
``report/_<key>.html`` that shows its ``data``; its ``header`` and ``rows`` are what the CSV
and Excel downloads carry. Each section reads in a fixed number of statements, whatever the
number of citizens, questions or votes (a poll's counts from all the polls' votes in one
statement; a round's coverage in :func:`peerreview.services.progress`'s two per round).

Only what a viewer of the course may see: no hidden question nor one held for review; polls
as counts, never a vote per person (the stored votes name no one anyway); questions without
their askers' names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from course.extensions import db
from course.i18n import clock
from course.ideas import services as idea_services
from course.live.models import Attendance, Question
from course.people.models import Citizen
from course.polls import labels as poll_labels
from course.polls.models import Poll, PollVote
from course.report import labels
from course.schedule.labels import day_label
from course.schedule.models import AgendaItem, Course, Day
from course.types import LOCAL_ZONE
from peerreview import services as peerreview
from peerreview.models import Round


@dataclass(frozen=True, slots=True)
class Section:
    """One part of the report: ``key`` names its template (``report/_<key>.html``), ``data``
    is what the template shows, ``header`` and ``rows`` what the downloads carry."""

    key: str
    title: str
    header: list[str]
    rows: list[list[Any]]
    data: Any = None


def meetings(day: Day | None) -> list[Day]:
    """The meetings a report covers: one, or the course's three in order."""
    return [day] if day is not None else list(Day)


def _local_day(course: Course, when: datetime | None) -> Day | None:
    return course.day_on(when.astimezone(LOCAL_ZONE).date()) if when else None


# -- attendance ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Presence:
    name: str
    checked_in_at: datetime | None
    left_at: datetime | None

    @property
    def status(self) -> str:
        if self.checked_in_at is None:
            return _("Not checked in")
        return _("Left the room") if self.left_at is not None else _("Present")


@dataclass(frozen=True, slots=True)
class Meeting:
    day: Day
    date: Any
    people: list[Presence]
    checked_in: int
    left: int
    enrolled: int


def attendance(course: Course, day: Day | None) -> Section:
    """Per meeting, every participant (the active ones, and any other who was checked in) and
    when they were checked in and left; two statements."""
    days = meetings(day)
    rows = db.session.execute(sa.select(
        Attendance.day, Attendance.citizen_id, Attendance.checked_in_at, Attendance.left_at)
        .where(Attendance.course_id == course.id,
               Attendance.day.in_([d.value for d in days]))).all()
    seen: dict[tuple[str, int], tuple[datetime, datetime | None]] = {
        (r.day, r.citizen_id): (r.checked_in_at, r.left_at) for r in rows}
    attended = {citizen_id for _day, citizen_id in seen}
    citizens = [c for c in db.session.execute(sa.select(Citizen.id, Citizen.name, Citizen.active)
                                              .where(Citizen.course_id == course.id)
                                              .order_by(Citizen.name, Citizen.id))
                if c.active or c.id in attended]
    result = []
    for d in days:
        people = [Presence(c.name, *seen.get((d.value, c.id), (None, None))) for c in citizens]
        result.append(Meeting(d, course.date_of(d), people,
                              sum(1 for p in people if p.checked_in_at is not None),
                              sum(1 for p in people if p.left_at is not None),
                              sum(1 for c in citizens if c.active)))
    header = [_("Meeting"), _("Participant"), _("Checked in"), _("Left at"), _("Status")]
    table = [[day_label(m.day), p.name, clock(p.checked_in_at), clock(p.left_at), p.status]
             for m in result for p in m.people]
    return Section("attendance", str(labels.TITLES["attendance"]), header, table, result)


# -- questions ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemQuestions:
    day: Day
    item: str
    speaker: str
    questions: list[tuple[str, bool, int]]  # text, answered, upvotes


def questions(course: Course, day: Day | None) -> Section:
    """The questions the room saw, per talk, most upvoted first: answered or not and their
    upvotes; hidden ones and those still held for review are left out. One statement."""
    query = (sa.select(Question.text, Question.answered_at, Question.votes, AgendaItem.id,
                       AgendaItem.day, AgendaItem.title, AgendaItem.speaker_name)
             .join(AgendaItem, AgendaItem.id == Question.agenda_item_id)
             .where(Question.course_id == course.id, Question.hidden_at.is_(None),
                    Question.held.is_(False))
             .order_by(AgendaItem.day, AgendaItem.position, AgendaItem.id,
                       Question.votes.desc(), Question.created_at, Question.id))
    if day is not None:
        query = query.where(AgendaItem.day == day)
    groups: dict[int, ItemQuestions] = {}
    for row in db.session.execute(query):
        group = groups.get(row.id)
        if group is None:
            group = groups[row.id] = ItemQuestions(row.day, row.title, row.speaker_name, [])
        group.questions.append((row.text, row.answered_at is not None, row.votes))
    items = sorted(groups.values(), key=lambda g: list(Day).index(g.day))
    header = [_("Meeting"), _("Item"), _("Question"), _("Answered"), _("Upvotes")]
    table = [[day_label(g.day), g.item, text, _("Yes") if answered else _("No"), votes]
             for g in items for text, answered, votes in g.questions]
    return Section("questions", str(labels.TITLES["questions"]), header, table, items)


# -- polls --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PollResult:
    day: Day | None
    item: str  # the agenda item's title; empty: made on the spot
    question: str
    kind: str
    state: str
    voters: int
    bars: list[tuple[str, int, int]]  # option as shown, count, percent of the voters


def polls(course: Course, day: Day | None) -> Section:
    """Every poll's counts and shares (of the voters), never a vote per person: the polls in
    one statement, all their votes' choices in another. A poll made on the spot belongs to the
    meeting of the day it was made."""
    found = db.session.execute(
        sa.select(Poll, AgendaItem.day, AgendaItem.title)
        .outerjoin(AgendaItem, AgendaItem.id == Poll.agenda_item_id)
        .where(Poll.course_id == course.id)
        .order_by(Poll.created_at, Poll.id)).all()
    chosen = []
    for poll, item_day, item_title in found:
        when = item_day if item_day is not None else _local_day(course, poll.created_at)
        if day is None or when == day:
            chosen.append((poll, when, item_title or ""))
    counts: dict[int, list[int]] = {p.id: [0] * len(p.options) for p, _d, _t in chosen}
    voters: dict[int, int] = defaultdict(int)
    if chosen:
        for poll_id, choices in db.session.execute(
                sa.select(PollVote.poll_id, PollVote.choices)
                .where(PollVote.poll_id.in_(list(counts)))):
            voters[poll_id] += 1
            for choice in choices:
                if 0 <= choice < len(counts[poll_id]):
                    counts[poll_id][choice] += 1
    results = []
    for poll, when, title in chosen:
        n = voters[poll.id]
        bars = [(poll_labels.option_label(poll.kind, option), count,
                 round(100 * count / n) if n else 0)
                for option, count in zip(poll.options, counts[poll.id], strict=True)]
        results.append(PollResult(when, title, poll.question, str(poll_labels.KINDS[poll.kind]),
                                  str(poll_labels.STATES.get(poll.state, poll.state)), n, bars))
    results.sort(key=lambda r: list(Day).index(r.day) if r.day else len(Day))
    header = [_("Meeting"), _("Item"), _("Poll"), _("Kind"), _("State"), _("Voters"),
              _("Option"), _("Votes"), _("Percent of the voters")]
    table = [[day_label(r.day), r.item or _("On the spot"), r.question, r.kind, r.state,
              r.voters, option, count, percent]
             for r in results for option, count, percent in r.bars]
    return Section("polls", str(labels.TITLES["polls"]), header, table, results)


# -- feedback rounds ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Coverage:
    day: Day | None
    title: str
    minimum: int
    plans: list[tuple[str, int, bool, bool]]  # owner's name, comments, reached, present
    comments: int

    @property
    def below(self) -> list[str]:
        """Who stayed below the minimum (whether they were still in the room or not)."""
        return [name for name, _count, reached, _present in self.plans if not reached]


def rounds(course: Course, day: Day | None) -> Section:
    """Each feedback round's coverage: visible comments per plan against the round's minimum,
    and who stayed below it. The rounds and the names in one statement each, a round's
    progress in two."""
    query = (sa.select(Round, AgendaItem.day)
             .outerjoin(AgendaItem, AgendaItem.id == Round.agenda_item_ref)
             .where(Round.course_ref == course.id)
             .order_by(Round.created_at, Round.id))
    found = [(r, d if d is not None else _local_day(course, r.opened_at or r.created_at))
             for r, d in db.session.execute(query).all()]
    found = [(r, d) for r, d in found if day is None or d == day]
    names = dict(db.session.execute(sa.select(Citizen.id, Citizen.name).where(
        Citizen.course_id == course.id)).all()) if found else {}
    result = []
    for round_, when in found:
        progress = peerreview.progress(db.session, round_.id)
        plans = sorted(((names.get(d.owner_ref, "?"), d.feedback_count, d.reached, d.present)
                        for d in progress.drafts), key=lambda p: (p[2], p[1], p[0]))
        result.append(Coverage(when, round_.title, progress.minimum, plans,
                               progress.total_feedback))
    header = [_("Meeting"), _("Round"), _("Minimum"), _("Plan of"), _("Comments"),
              _("Reached the minimum")]
    table = [[day_label(c.day), c.title, c.minimum, name, count, _("Yes") if reached else _("No")]
             for c in result for name, count, reached, _present in c.plans]
    return Section("rounds", str(labels.TITLES["rounds"]), header, table, result)


#: The report's sections in order. Another one is a function here and a template
#: ``report/_<key>.html``.
# -- the idea walls -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WallResult:
    day: Day | None
    item: str
    prompt: str
    groups: list[Any]  #: course.ideas.services.Group: label, count, dots, merged spellings


def ideas(course: Course, day: Day | None) -> Section:
    """Each idea wall's entries as the wall shows them (hidden and held answers left out),
    with their counts and dots, never who wrote or dotted what. A wall made on the spot
    belongs to the meeting of the day it was made."""
    results = []
    for row in idea_services.report_rows(course):
        when = (Day(row.item_day) if row.item_day is not None
                else _local_day(course, row.created_at))
        if day is None or when == day:
            results.append(WallResult(when, row.item_title, row.prompt, row.groups))
    results.sort(key=lambda r: list(Day).index(r.day) if r.day else len(Day))
    header = [_("Meeting"), _("Item"), _("Idea wall"), _("Entry"), _("Answers"), _("Dots"),
              _("Spellings merged in")]
    table = [[day_label(r.day), r.item or _("On the spot"), r.prompt, g.label, g.count, g.dots,
              ", ".join(g.merged)]
             for r in results for g in r.groups]
    return Section("ideas", str(labels.TITLES["ideas"]), header, table, results)


SECTIONS: list[Callable[[Course, Day | None], Section]] = [attendance, questions, polls, ideas,
                                                           rounds]


def report(course: Course, day: Day | None) -> list[Section]:
    return [section(course, day) for section in SECTIONS]

