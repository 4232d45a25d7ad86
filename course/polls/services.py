"""Polls: made (on an agenda item or on the spot), opened, closed, results shown or hidden,
and voted on by the phones.

Anonymous by construction: a vote is stored as (poll, voter key, choices), the voter key an
HMAC of the citizen's id under the server's secret and the poll's salt (see
:class:`course.polls.models.PollVote` for what the rows do and do not tell). The consoles and
the projector read only counts (:func:`results`); a phone reads only its own vote.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from course.extensions import db
from course.live.day import running_day
from course.people.codes import keyed_hash
from course.people.models import Citizen, Staff
from course.polls.models import Poll, PollVote
from course.schedule.models import AgendaItem, Course
from course.types import utcnow

SINGLE, MULTIPLE, SCALE, CHECKIN = "single", "multiple", "scale", "checkin"
KINDS = (SINGLE, MULTIPLE, SCALE, CHECKIN)
#: Kinds whose options the facilitator writes; the others' are fixed (:func:`fixed_options`).
WRITTEN = (SINGLE, MULTIPLE)
READY, OPEN, CLOSED = "ready", "open", "closed"
QUESTION_MAX = 200
OPTION_MAX = 80
#: More options than this cannot be read from the back of the room (nor voted on a phone).
OPTIONS_MAX = 8


class PollError(Exception):
    """A refused poll operation; ``code`` names the reason for a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def fixed_options(kind: str) -> list[str]:
    """The options of a scale (1 to 5) and of a check-in (five answers, best first); the
    check-in's texts are translated when shown (:data:`course.polls.labels.CHECKIN`)."""
    if kind == SCALE:
        return ["1", "2", "3", "4", "5"]
    if kind == CHECKIN:
        return ["very_good", "good", "so_so", "not_so_good", "bad"]
    return []


def parse_options(text: str) -> list[str]:
    """The options typed one per line, blank lines dropped, spaces tidied."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _checked(kind: str, question: str, options: list[str]) -> tuple[str, list[str]]:
    """The question tidied and the options a poll of ``kind`` has; refused: no question, a
    question or an option too long, fewer than two options (a choice needs two), more than
    :data:`OPTIONS_MAX`, the same option twice."""
    question = " ".join(question.split())
    if not question:
        raise PollError("empty")
    if len(question) > QUESTION_MAX:
        raise PollError("question_too_long")
    if kind not in WRITTEN:
        return question, fixed_options(kind)
    if len(options) < 2:
        raise PollError("too_few_options")
    if len(options) > OPTIONS_MAX:
        raise PollError("too_many_options")
    if any(len(option) > OPTION_MAX for option in options):
        raise PollError("option_too_long")
    if len({option.casefold() for option in options}) != len(options):
        raise PollError("duplicate_options")
    return question, options


def create(course: Course, by: Staff, kind: str, question: str, options: list[str], *,
           item: AgendaItem | None = None) -> Poll:
    """A new poll, ready to be opened: on ``item`` (prepared in the agenda) or on the spot.

    Refused: an unknown kind, and what :func:`_checked` refuses.
    """
    if kind not in KINDS:
        raise PollError("kind")
    if item is not None and item.course_id != course.id:
        raise PollError("not_found")
    question, options = _checked(kind, question, options)
    poll = Poll(course_id=course.id, agenda_item_id=item.id if item else None, kind=kind,
                question=question, options=options, state=READY, salt=secrets.token_hex(16),
                created_by_id=by.id)
    db.session.add(poll)
    db.session.flush()
    return poll


def has_votes(poll: Poll) -> bool:
    """Has anyone voted in ``poll`` yet (one row read)?"""
    return db.session.scalar(sa.select(PollVote.poll_id).where(
        PollVote.poll_id == poll.id).limit(1)) is not None


def edit(poll: Poll, question: str, options: list[str]) -> None:
    """Change the question (and a choice's options) of a poll nobody has voted in yet: once a
    vote is in, its meaning would change under it (refused: ``voting_started``). Its kind
    stays; the rest is checked as a new poll's is."""
    if has_votes(poll):
        raise PollError("voting_started")
    poll.question, poll.options = _checked(poll.kind, question, options)
    db.session.flush()


def delete(poll: Poll) -> None:
    """Delete a poll and its votes: it leaves every screen with the push that follows."""
    db.session.execute(sa.delete(PollVote).where(PollVote.poll_id == poll.id))
    db.session.delete(poll)
    db.session.flush()


def close_when_item_ends(course_id: int, item_id: int) -> list[Poll]:
    """The running day moved on from ``item_id``: its polls' voting closes and their results
    leave the projector (the results stay on the console and in the report). Returns the
    polls it changed."""
    polls = list(db.session.scalars(sa.select(Poll).where(
        Poll.course_id == course_id, Poll.agenda_item_id == item_id,
        sa.or_(Poll.state == OPEN, Poll.results_shown.is_(True)))))
    _close(polls)
    return polls


def close_when_day_ends(course_id: int) -> list[Poll]:
    """The day ended: every open poll closes (those made on the spot too) and no results stay
    on the projector. Returns the polls it changed."""
    polls = list(db.session.scalars(sa.select(Poll).where(
        Poll.course_id == course_id,
        sa.or_(Poll.state == OPEN, Poll.results_shown.is_(True)))))
    _close(polls)
    return polls


def _close(polls: list[Poll]) -> None:
    now = utcnow()
    for poll in polls:
        if poll.state == OPEN:
            poll.state = CLOSED
            poll.closed_at = now
        poll.results_shown = False
    db.session.flush()


def poll_in_course(course: Course, poll_id: int) -> Poll:
    poll = db.session.get(Poll, poll_id)
    if poll is None or poll.course_id != course.id:
        raise PollError("not_found")
    return poll


def open_voting(poll: Poll) -> None:
    """Open the voting (again, after a close): the phones show the poll. One poll is open in
    a course at a time: opening this one closes any other."""
    if poll.state == OPEN:
        return
    now = utcnow()
    db.session.execute(sa.update(Poll).where(
        Poll.course_id == poll.course_id, Poll.state == OPEN, Poll.id != poll.id)
        .values(state=CLOSED, closed_at=now))
    poll.state = OPEN
    poll.opened_at = now
    poll.closed_at = None
    db.session.flush()


def close_voting(poll: Poll) -> None:
    """Close the voting: no vote comes in or changes any more; the results stay."""
    if poll.state != OPEN:
        return
    poll.state = CLOSED
    poll.closed_at = utcnow()
    db.session.flush()


def show_results(poll: Poll, shown: bool) -> None:
    """Put the poll's results on the projector (``shown``) or take them off. One poll's
    results are on the projector at a time."""
    if shown:
        db.session.execute(sa.update(Poll).where(
            Poll.course_id == poll.course_id, Poll.id != poll.id).values(results_shown=False))
    poll.results_shown = shown
    db.session.flush()


def voter_key(poll: Poll, citizen_id: int) -> str:
    """A voter's mark in one poll: HMAC of the citizen's id under the server's secret and the
    poll's salt. The same person has the same mark in a poll (one vote, which they can
    change); different polls give different marks."""
    key = f"poll-voter:{current_app.config['SECRET_KEY']}:{poll.salt}"
    return keyed_hash(key, str(citizen_id))


def vote(poll: Poll, citizen: Citizen, choices: list[int]) -> bool:
    """Record ``citizen``'s choice, or change it; True when it changed the counts.

    Only while the poll is open; one choice in a single-choice poll, a scale or a check-in,
    one or more (each once) in a multiple-choice poll. The same vote again changes nothing.
    """
    if citizen.course_id != poll.course_id or not citizen.active:
        raise PollError("not_found")
    if poll.state != OPEN:
        raise PollError("closed")
    chosen = sorted(set(choices))
    if not chosen:
        raise PollError("no_choice")
    if any(c < 0 or c >= len(poll.options) for c in chosen):
        raise PollError("no_choice")
    if poll.kind != MULTIPLE and len(chosen) != 1:
        raise PollError("one_choice")
    # One statement records the vote or changes it, and only if it differs: atomic, so a
    # double tap (two requests at once) cannot fail on the vote's key or count twice.
    table = PollVote.__table__
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(
        poll_id=poll.id, voter_key=voter_key(poll, citizen.id), choices=chosen)
    upsert = insert.on_conflict_do_update(
        index_elements=[table.c.poll_id, table.c.voter_key],
        set_={"choices": insert.excluded.choices, "changed_at": utcnow()},
        # (JSON has no equality in PostgreSQL; the same list is always the same text)
        where=sa.cast(table.c.choices, sa.Text) != sa.cast(insert.excluded.choices, sa.Text),
    ).returning(table.c.poll_id)
    return db.session.execute(upsert).first() is not None


def my_vote(poll: Poll, citizen: Citizen) -> list[int]:
    """What ``citizen`` chose in ``poll`` (empty: no vote): for their own phone only."""
    mine = db.session.get(PollVote, (poll.id, voter_key(poll, citizen.id)))
    return list(mine.choices) if mine else []


# -- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    """One option's result: its text (or the check-in's key), count and share of voters."""

    index: int
    option: str
    count: int
    percent: int


@dataclass(frozen=True, slots=True)
class Results:
    """A poll's counts: no names, no voter keys; ``voters``: how many voted."""

    poll: Poll
    voters: int
    bars: list[Bar]


def results(poll: Poll) -> Results:
    """The counts per option and the number of voters, read in one statement. The shares are
    of the voters (in a multiple-choice poll they may add up to more than 100)."""
    rows = db.session.scalars(sa.select(PollVote.choices).where(PollVote.poll_id == poll.id))
    counts = [0] * len(poll.options)
    voters = 0
    for choices in rows:
        voters += 1
        for choice in choices:
            if 0 <= choice < len(counts):
                counts[choice] += 1
    bars = [Bar(i, option, counts[i], round(100 * counts[i] / voters) if voters else 0)
            for i, option in enumerate(poll.options)]
    return Results(poll, voters, bars)


def just_closed(course_id: int) -> Poll | None:
    """The poll whose voting closed last during the running day, if none is open since: the
    phones say that it closed (and why) rather than just dropping it."""
    running = running_day(course_id)
    if running is None:
        return None
    return db.session.scalar(sa.select(Poll).where(
        Poll.course_id == course_id, Poll.state == CLOSED,
        Poll.closed_at >= running.started_at).order_by(Poll.closed_at.desc(), Poll.id.desc())
        .limit(1))


def moved_on(poll: Poll) -> bool:
    """Did the voting close because the day moved on from the poll's item (or ended)?"""
    running = running_day(poll.course_id)
    return poll.agenda_item_id is not None and (
        running is None or running.current_item_id != poll.agenda_item_id)


def open_poll(course_id: int) -> Poll | None:
    """The poll the phones vote on now, if any."""
    return db.session.scalar(sa.select(Poll).where(Poll.course_id == course_id,
                                                   Poll.state == OPEN).limit(1))


def shown_poll(course_id: int) -> Poll | None:
    """The poll whose results are on the projector, if any."""
    return db.session.scalar(sa.select(Poll).where(Poll.course_id == course_id,
                                                   Poll.results_shown.is_(True)).limit(1))


def for_console(course: Course) -> list[Poll]:
    """The polls the console offers: those prepared on the item on now, and those made on
    the spot, newest first; an open or shown poll of another item too."""
    session = running_day(course.id)
    item_id = session.current_item_id if session else None
    return list(db.session.scalars(sa.select(Poll).where(
        Poll.course_id == course.id,
        sa.or_(Poll.agenda_item_id.is_(None), Poll.agenda_item_id == item_id,
               Poll.state == OPEN, Poll.results_shown.is_(True)))
        .order_by(Poll.created_at.desc(), Poll.id.desc())))


def by_item(course: Course) -> dict[int, list[Poll]]:
    """The polls prepared on the course's agenda items, by item id, oldest first (one
    statement for the whole agenda)."""
    polls: dict[int, list[Poll]] = {}
    for poll in db.session.scalars(sa.select(Poll).where(
            Poll.course_id == course.id, Poll.agenda_item_id.is_not(None))
            .order_by(Poll.created_at, Poll.id)):
        polls.setdefault(poll.agenda_item_id, []).append(poll)
    return polls
