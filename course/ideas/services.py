"""The idea wall: made (on an agenda item or on the spot), opened for answers, closed, shown
on the projector; answers sent from the phones, grouped by their normalised words; moderated
as questions are (hidden, held for review, let through); two groups merged; dot-voting.

Anonymous by construction: an answer and a dot are stored under a mark (an HMAC of the
citizen's id under the server's secret and the wall's salt); the consoles and the projector
read only groups and counts (:func:`cloud`); a phone reads only its own answers and dots.
Hidden and held answers are never in :func:`cloud` (what every screen but the author's own
phone is built from).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from flask import current_app

from course.extensions import db
from course.ideas.models import IdeaDot, IdeaEntry, IdeaMerge, IdeaWall
from course.live.day import running_day
from course.people.codes import keyed_hash
from course.people.models import Citizen, Staff
from course.schedule.models import AgendaItem, Course, Day
from course.types import utcnow

READY, OPEN, CLOSED = "ready", "open", "closed"
PROMPT_MAX = 200
#: An answer is a few words: what can be read on the wall from the back of the room.
ANSWER_MAX = 60
#: Answers one phone may send to one wall.
ANSWERS_PER_PHONE = 5
DOTS_DEFAULT = 3
DOTS_MAX = 10
#: The most groups the projector shows (the most common first); the console shows them all.
WALL_MAX = 40
#: Font-size steps of the cloud, 1 (one answer) to STEPS (the most common).
STEPS = 6


class IdeaError(Exception):
    """A refused idea-wall operation; ``code`` names the reason for a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# -- normalising ---------------------------------------------------------------------------------


@cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("danish")


def tidy(text: str) -> str:
    """The text as shown: spaces collapsed, control characters dropped."""
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n")
    return " ".join(text.split())


def normalise(text: str) -> str:
    """The key answers are grouped by: case folded, punctuation and extra spaces dropped, each
    word stemmed by the Danish Snowball stemmer ("Drømme", "drømmen " and "drømmer!" are one
    group)."""
    words = re.findall(r"\w+", unicodedata.normalize("NFC", text).casefold())
    return " ".join(_stemmer().stemWords(words))


# -- making and running a wall -------------------------------------------------------------------


def create(course: Course, by: Staff, prompt: str, *, item: AgendaItem | None = None
           ) -> IdeaWall:
    """A new wall, ready to be opened: on ``item`` (prepared in the agenda) or on the spot."""
    if item is not None and item.course_id != course.id:
        raise IdeaError("not_found")
    prompt = tidy(prompt)
    if not prompt:
        raise IdeaError("empty_prompt")
    if len(prompt) > PROMPT_MAX:
        raise IdeaError("prompt_too_long")
    wall = IdeaWall(course_id=course.id, agenda_item_id=item.id if item else None,
                    prompt=prompt, state=READY, voting="", dots=DOTS_DEFAULT, shown=False,
                    salt=secrets.token_hex(16), created_by_id=by.id)
    db.session.add(wall)
    db.session.flush()
    return wall


def wall_in_course(course: Course, wall_id: int) -> IdeaWall:
    wall = db.session.get(IdeaWall, wall_id)
    if wall is None or wall.course_id != course.id:
        raise IdeaError("not_found")
    return wall


def _on_now(wall: IdeaWall) -> bool:
    """A wall prepared on an item runs only while its item is on; one made on the spot while
    a day runs."""
    session = running_day(wall.course_id)
    if session is None:
        return False
    return wall.agenda_item_id is None or session.current_item_id == wall.agenda_item_id


def open_answers(wall: IdeaWall) -> None:
    """Open the wall for answers (again, after a close); one wall is open in a course at a
    time (opening this one closes the others' answering and voting).

    :raises IdeaError: ``not_now`` (no day runs, or the wall's item is not on now).
    """
    if wall.state == OPEN:
        return
    if not _on_now(wall):
        raise IdeaError("not_now")
    _close_others(wall)
    wall.state = OPEN
    wall.voting = CLOSED if wall.voting == OPEN else wall.voting
    wall.opened_at = utcnow()
    wall.closed_at = None
    db.session.flush()


def close_answers(wall: IdeaWall) -> None:
    """Close the wall for answers: no answer comes in any more; the wall stays."""
    if wall.state != OPEN:
        return
    wall.state = CLOSED
    wall.closed_at = utcnow()
    db.session.flush()


def open_voting(wall: IdeaWall, dots: int = DOTS_DEFAULT) -> None:
    """Open dot-voting on the wall: answering closes, each phone gets ``dots`` dots (1 to
    :data:`DOTS_MAX`) to place on the groups, several on one group if it likes.

    :raises IdeaError: ``dots`` (out of range), ``not_now``.
    """
    if not 1 <= dots <= DOTS_MAX:
        raise IdeaError("dots")
    if not _on_now(wall):
        raise IdeaError("not_now")
    _close_others(wall)
    if wall.state == OPEN:
        wall.closed_at = utcnow()
    wall.state = CLOSED if wall.state != READY else READY
    wall.voting = OPEN
    wall.dots = dots
    db.session.flush()


def close_voting(wall: IdeaWall) -> None:
    """Close the dot-vote: the dots stay on the wall."""
    if wall.voting != OPEN:
        return
    wall.voting = CLOSED
    db.session.flush()


def _close_others(wall: IdeaWall) -> None:
    now = utcnow()
    db.session.execute(sa.update(IdeaWall).where(
        IdeaWall.course_id == wall.course_id, IdeaWall.id != wall.id, IdeaWall.state == OPEN)
        .values(state=CLOSED, closed_at=now))
    db.session.execute(sa.update(IdeaWall).where(
        IdeaWall.course_id == wall.course_id, IdeaWall.id != wall.id,
        IdeaWall.voting == OPEN).values(voting=CLOSED))


def show(wall: IdeaWall, shown: bool) -> None:
    """Put the wall on the projector (``shown``) or take it off; one wall is shown at a time."""
    if shown:
        db.session.execute(sa.update(IdeaWall).where(
            IdeaWall.course_id == wall.course_id, IdeaWall.id != wall.id)
            .values(shown=False))
    wall.shown = shown
    db.session.flush()


def follow_day(course: Course) -> list[IdeaWall]:
    """The day moved (another item, or the day ended): a wall prepared on an item that is no
    longer on, and a wall made on the spot when no day runs, stop answering and voting.
    Returns the walls closed."""
    session = running_day(course.id)
    item_id = session.current_item_id if session else None
    closed = []
    for wall in db.session.scalars(sa.select(IdeaWall).where(
            IdeaWall.course_id == course.id,
            sa.or_(IdeaWall.state == OPEN, IdeaWall.voting == OPEN))):
        stale = session is None if wall.agenda_item_id is None \
            else wall.agenda_item_id != item_id
        if stale:
            if wall.state == OPEN:
                wall.state = CLOSED
                wall.closed_at = utcnow()
            if wall.voting == OPEN:
                wall.voting = CLOSED
            closed.append(wall)
    db.session.flush()
    return closed


# -- the phones: answers and dots ----------------------------------------------------------------


def mark(wall: IdeaWall, citizen_id: int) -> str:
    """A citizen's mark on one wall (their answers' and dots' key): the same person has the
    same mark on a wall, different walls give different marks."""
    key = f"idea-wall:{current_app.config['SECRET_KEY']}:{wall.salt}"
    return keyed_hash(key, str(citizen_id))


def _hold_citizen(citizen: Citizen) -> None:
    # One phone's answers and dots are recorded one request at a time (a double tap sends
    # two): its citizen's row is held until the commit, so the second sees the first.
    db.session.execute(sa.select(Citizen.id).where(Citizen.id == citizen.id).with_for_update())


def answer(wall: IdeaWall, citizen: Citizen, text: str) -> IdeaEntry:
    """Put ``citizen``'s answer on the wall (held for review when the course holds questions).

    :raises IdeaError: ``closed``, ``empty``, ``too_long`` (over :data:`ANSWER_MAX`),
        ``too_many`` (:data:`ANSWERS_PER_PHONE` sent already).
    """
    if citizen.course_id != wall.course_id or not citizen.active:
        raise IdeaError("not_found")
    if wall.state != OPEN:
        raise IdeaError("closed")
    shown = tidy(text)
    if not shown or not normalise(shown):
        raise IdeaError("empty")
    if len(shown) > ANSWER_MAX:
        raise IdeaError("too_long")
    _hold_citizen(citizen)
    author = mark(wall, citizen.id)
    sent = db.session.scalar(sa.select(sa.func.count()).select_from(IdeaEntry).where(
        IdeaEntry.wall_id == wall.id, IdeaEntry.author_key == author))
    if sent >= ANSWERS_PER_PHONE:
        raise IdeaError("too_many")
    course = db.session.get(Course, wall.course_id)
    entry = IdeaEntry(wall_id=wall.id, author_key=author, text=shown, key=normalise(shown),
                      held=bool(course.hold_questions))
    db.session.add(entry)
    db.session.flush()
    return entry


def my_answers(wall: IdeaWall, citizen: Citizen) -> list[IdeaEntry]:
    """What ``citizen`` sent to ``wall``, oldest first (held and hidden ones too): for their
    own phone only."""
    return list(db.session.scalars(sa.select(IdeaEntry).where(
        IdeaEntry.wall_id == wall.id, IdeaEntry.author_key == mark(wall, citizen.id))
        .order_by(IdeaEntry.id)))


def place_dot(wall: IdeaWall, citizen: Citizen, key: str, step: int) -> bool:
    """Place a dot on the group ``key`` (``step`` 1) or take one back (-1); True when the
    counts changed. Dots on a group that is no longer on the wall (hidden) are given back.

    :raises IdeaError: ``voting_closed``, ``no_dots`` (all placed), ``not_found`` (no such
        group on the wall).
    """
    if citizen.course_id != wall.course_id or not citizen.active:
        raise IdeaError("not_found")
    if wall.voting != OPEN:
        raise IdeaError("voting_closed")
    view = cloud(wall)
    groups = {group.key for group in view.groups}
    if key not in groups:
        raise IdeaError("not_found")
    _hold_citizen(citizen)
    voter = mark(wall, citizen.id)
    mine = my_dots(wall, citizen, view)
    row = db.session.get(IdeaDot, (wall.id, voter, key))
    if step > 0:
        if sum(mine.values()) >= wall.dots:
            raise IdeaError("no_dots")
        if row is None:
            row = IdeaDot(wall_id=wall.id, voter_key=voter, key=key, dots=0)
            db.session.add(row)
        row.dots += 1
    else:
        if not mine.get(key):
            return False
        if row is None or row.dots <= 0:
            # the dots are on a group merged into this one: take one back from there
            resolve = _resolver(wall)
            row = next(r for r in db.session.scalars(sa.select(IdeaDot).where(
                IdeaDot.wall_id == wall.id, IdeaDot.voter_key == voter, IdeaDot.dots > 0))
                if resolve(r.key) == key)
        row.dots -= 1
    db.session.flush()
    return True


def my_dots(wall: IdeaWall, citizen: Citizen, view: Cloud | None = None) -> dict[str, int]:
    """``citizen``'s dots by group on the wall (only groups on the wall count)."""
    view = view or cloud(wall)
    groups = {group.key for group in view.groups}
    resolve = _resolver(wall)
    dots: Counter[str] = Counter()
    for row in db.session.scalars(sa.select(IdeaDot).where(
            IdeaDot.wall_id == wall.id, IdeaDot.voter_key == mark(wall, citizen.id),
            IdeaDot.dots > 0)):
        key = resolve(row.key)
        if key in groups:
            dots[key] += row.dots
    return dict(dots)


# -- moderation ----------------------------------------------------------------------------------


def entry_in_wall(wall: IdeaWall, entry_id: int) -> IdeaEntry:
    entry = db.session.get(IdeaEntry, entry_id)
    if entry is None or entry.wall_id != wall.id:
        raise IdeaError("not_found")
    return entry


def let_through(entry: IdeaEntry) -> None:
    """A held answer goes on the wall."""
    entry.held = False
    db.session.flush()


def hide_entry(entry: IdeaEntry) -> None:
    """A held answer is taken off for good (it never reaches the wall)."""
    if entry.hidden_at is None:
        entry.hidden_at = utcnow()
    entry.held = False
    db.session.flush()


def hide_group(wall: IdeaWall, key: str) -> int:
    """Take a group off the wall: every answer in it (and in the groups merged into it) is
    hidden. Returns how many answers were hidden."""
    resolve = _resolver(wall)
    hidden = 0
    now = utcnow()
    for entry in db.session.scalars(sa.select(IdeaEntry).where(
            IdeaEntry.wall_id == wall.id, IdeaEntry.hidden_at.is_(None),
            IdeaEntry.held.is_(False))):
        if resolve(entry.key) == key:
            entry.hidden_at = now
            hidden += 1
    db.session.flush()
    return hidden


def unhide_group(wall: IdeaWall, key: str) -> None:
    """Put the hidden answers of a group (by their own key) back on the wall."""
    db.session.execute(sa.update(IdeaEntry).where(
        IdeaEntry.wall_id == wall.id, IdeaEntry.key == key,
        IdeaEntry.hidden_at.is_not(None)).values(hidden_at=None))
    db.session.flush()


def merge(wall: IdeaWall, by: Staff, from_key: str, into_key: str) -> IdeaMerge:
    """Show the group ``from_key`` as part of ``into_key``: counts and dots summed.

    :raises IdeaError: ``merge_same`` (one group), ``not_found`` (not both on the wall).
    """
    view = cloud(wall)
    groups = {group.key: group.label for group in view.groups}
    if from_key == into_key:
        raise IdeaError("merge_same")
    if from_key not in groups or into_key not in groups:
        raise IdeaError("not_found")
    row = IdeaMerge(wall_id=wall.id, from_key=from_key, into_key=into_key, by_id=by.id,
                    from_label=groups[from_key], into_label=groups[into_key])
    db.session.add(row)
    db.session.flush()
    return row


def undo_merge(wall: IdeaWall, merge_id: int) -> None:
    """Split a merge again (the record stays, with when it was undone)."""
    row = db.session.get(IdeaMerge, merge_id)
    if row is None or row.wall_id != wall.id:
        raise IdeaError("not_found")
    if row.undone_at is None:
        row.undone_at = utcnow()
    db.session.flush()


def merges(wall: IdeaWall, *, undone: bool = False) -> list[IdeaMerge]:
    """The wall's merges in force (``undone``: all of them, the undone too), oldest first."""
    query = sa.select(IdeaMerge).where(IdeaMerge.wall_id == wall.id)
    if not undone:
        query = query.where(IdeaMerge.undone_at.is_(None))
    return list(db.session.scalars(query.order_by(IdeaMerge.id)))


def _resolver(wall: IdeaWall, rows: list[IdeaMerge] | None = None):
    """A key → the group it shows in (following merges, safe against a loop)."""
    into = {row.from_key: row.into_key for row in (rows if rows is not None else merges(wall))}

    def resolve(key: str) -> str:
        seen = {key}
        while key in into and into[key] not in seen:
            key = into[key]
            seen.add(key)
        return key
    return resolve


# -- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Group:
    """One word or phrase on the wall: its key, its most common spelling, how many answers
    (merged ones included), the dots on it, its font-size step and the spellings merged in."""

    key: str
    label: str
    count: int
    dots: int
    step: int
    merged: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Cloud:
    """What the wall shows: groups (no hidden or held answer, no author), alphabetical."""

    wall: IdeaWall
    groups: list[Group]
    answers: int

    def top(self, n: int = WALL_MAX) -> list[Group]:
        """The ``n`` most common groups, alphabetical (for the projector)."""
        keep = {g.key for g in sorted(self.groups, key=lambda g: (-g.count, -g.dots,
                                                                  g.label.casefold()))[:n]}
        return [g for g in self.groups if g.key in keep]


def _label(spellings: Counter[str]) -> str:
    """The most common spelling, the first sent among equals."""
    best = max(spellings.values())
    return next(text for text, n in spellings.items() if n == best)


def cloud(wall: IdeaWall) -> Cloud:
    """The wall's groups: visible answers only (never hidden, never held), grouped by their
    normalised key and the merges in force, with counts, dots and font-size steps."""
    rows = merges(wall)
    resolve = _resolver(wall, rows)
    own: dict[str, Counter[str]] = {}
    counts: Counter[str] = Counter()
    answers = 0
    for text, key in db.session.execute(sa.select(IdeaEntry.text, IdeaEntry.key).where(
            IdeaEntry.wall_id == wall.id, IdeaEntry.hidden_at.is_(None),
            IdeaEntry.held.is_(False)).order_by(IdeaEntry.id)):
        answers += 1
        own.setdefault(key, Counter())[text] += 1
        counts[resolve(key)] += 1
    dots: Counter[str] = Counter()
    for key, n in db.session.execute(sa.select(IdeaDot.key, sa.func.sum(IdeaDot.dots)).where(
            IdeaDot.wall_id == wall.id).group_by(IdeaDot.key)):
        dots[resolve(key)] += int(n or 0)
    top = max(counts.values(), default=1)
    groups = []
    for key, count in counts.items():
        merged_keys = [k for k in own if k != key and resolve(k) == key]
        label = _label(own[key]) if key in own else _label(own[merged_keys[0]])
        merged = tuple(_label(own[k]) for k in merged_keys if key in own)
        step = 1 if top <= 1 else 1 + round((STEPS - 1) * (count - 1) / (top - 1))
        groups.append(Group(key, label, count, dots[key] if key in counts else 0, step,
                            merged))
    groups.sort(key=lambda g: (g.label.casefold(), g.key))
    return Cloud(wall, groups, answers)


def held_entries(wall: IdeaWall) -> list[IdeaEntry]:
    """The answers waiting for a facilitator, oldest first (for the consoles only)."""
    return list(db.session.scalars(sa.select(IdeaEntry).where(
        IdeaEntry.wall_id == wall.id, IdeaEntry.held.is_(True),
        IdeaEntry.hidden_at.is_(None)).order_by(IdeaEntry.id)))


def hidden_groups(wall: IdeaWall) -> list[tuple[str, str, int]]:
    """The hidden answers by their own key: (key, a spelling, how many), for the consoles."""
    spellings: dict[str, Counter[str]] = {}
    for text, key in db.session.execute(sa.select(IdeaEntry.text, IdeaEntry.key).where(
            IdeaEntry.wall_id == wall.id, IdeaEntry.hidden_at.is_not(None))
            .order_by(IdeaEntry.id)):
        spellings.setdefault(key, Counter())[text] += 1
    return sorted(((key, _label(c), sum(c.values())) for key, c in spellings.items()),
                  key=lambda row: row[1].casefold())


def active_wall(course_id: int) -> IdeaWall | None:
    """The wall the phones answer or dot-vote on now, if any."""
    return db.session.scalar(sa.select(IdeaWall).where(
        IdeaWall.course_id == course_id,
        sa.or_(IdeaWall.state == OPEN, IdeaWall.voting == OPEN))
        .order_by(IdeaWall.id.desc()).limit(1))


def shown_wall(course_id: int) -> IdeaWall | None:
    """The wall on the projector, if any."""
    return db.session.scalar(sa.select(IdeaWall).where(
        IdeaWall.course_id == course_id, IdeaWall.shown.is_(True)).limit(1))


def for_console(course: Course) -> list[IdeaWall]:
    """The walls the console offers: those prepared on the item on now and those made on the
    spot, newest first; an open or shown wall of another item too."""
    session = running_day(course.id)
    item_id = session.current_item_id if session else None
    return list(db.session.scalars(sa.select(IdeaWall).where(
        IdeaWall.course_id == course.id,
        sa.or_(IdeaWall.agenda_item_id.is_(None), IdeaWall.agenda_item_id == item_id,
               IdeaWall.state == OPEN, IdeaWall.voting == OPEN, IdeaWall.shown.is_(True)))
        .order_by(IdeaWall.created_at.desc(), IdeaWall.id.desc())))


def by_item(course: Course) -> dict[int, list[IdeaWall]]:
    """The walls prepared on the course's agenda items, by item id, oldest first."""
    walls: dict[int, list[IdeaWall]] = {}
    for wall in db.session.scalars(sa.select(IdeaWall).where(
            IdeaWall.course_id == course.id, IdeaWall.agenda_item_id.is_not(None))
            .order_by(IdeaWall.created_at, IdeaWall.id)):
        walls.setdefault(wall.agenda_item_id, []).append(wall)
    return walls


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One wall of the report of the day: its prompt and its groups on the wall (hidden and
    held answers excluded), the most common first; the agenda item it was prepared on (its
    meeting and title) or none (made on the spot, at ``created_at``)."""

    wall_id: int
    prompt: str
    groups: list[Group]
    item_day: Day | None = None
    item_title: str = ""
    created_at: datetime | None = None


def report_rows(course: Course) -> list[ReportRow]:
    """Per wall of the course (oldest first) the prompt and each group on the wall with its
    count and dots; what a report of the day shows (never who sent or dotted what)."""
    rows = []
    for wall, item_day, item_title in db.session.execute(
            sa.select(IdeaWall, AgendaItem.day, AgendaItem.title)
            .outerjoin(AgendaItem, AgendaItem.id == IdeaWall.agenda_item_id)
            .where(IdeaWall.course_id == course.id)
            .order_by(IdeaWall.created_at, IdeaWall.id)):
        groups = sorted(cloud(wall).groups, key=lambda g: (-g.count, -g.dots,
                                                           g.label.casefold()))
        rows.append(ReportRow(wall.id, wall.prompt, groups, item_day, item_title or "",
                              wall.created_at))
    return rows
