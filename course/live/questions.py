"""Questions to the speaker of a talk, sent from phones, upvoted, and moderated by facilitators.

A question is in one of four states (:func:`state_of`): *waiting* for a facilitator (the course
holds questions for review), *open*, *answered*, or *hidden*. Only open and answered questions
reach the other phones; a waiting or hidden one is seen by its asker (who is told so) and the
consoles. Nothing reaches the projector unless a facilitator puts it there, and only an open
question can be put there: letting through, answering and hiding all leave the wall as it is or
take the question off.

Names: a question's asker is named on the other phones and the projector only when it was
asked with a name; the consoles see the name of an anonymous question (the phone says so when
it is sent), except in a *nameless* course, where no name is stored at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from course.extensions import db
from course.live.day import running_day
from course.live.models import Question, QuestionVote, RunningDay
from course.people.codes import keyed_hash
from course.people.models import Citizen, Staff
from course.schedule.models import AgendaItem, Course, ItemKind
from course.types import utcnow

MAX_LENGTH = 280
RATE_LIMIT = 3  # questions per citizen per minute

#: The states of a question (:func:`state_of`).
WAITING, OPEN, ANSWERED, HIDDEN = "waiting", "open", "answered", "hidden"
#: How a list of questions is sorted: most votes first, or newest first.
SORTS = ("votes", "new")
DEFAULT_SORT = "votes"


class QuestionError(Exception):
    """A refused question operation; ``code`` names the reason for a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def current_talk(course: Course) -> tuple[RunningDay, AgendaItem] | None:
    """The talk on now, if the current item is a talk."""
    session = running_day(course.id)
    if session is None or session.current_item_id is None:
        return None
    item = db.session.get(AgendaItem, session.current_item_id)
    if item is None or item.kind != ItemKind.TALK:
        return None
    return session, item


def author_key(course_id: int, citizen_id: int) -> str:
    """The asker's mark on a question: a keyed hash of course and citizen.

    The server computes it from whoever is signed in, so their own phone knows their question
    (its state, their rate limit, no vote on their own); the way back, from a question to a
    person, needs the server's secret. A nameless question keeps only this.
    """
    key = f"question-author:{current_app.config['SECRET_KEY']}"
    return keyed_hash(key, f"{course_id}:{citizen_id}")


def _by(citizen: Citizen) -> sa.ColumnElement[bool]:
    """The questions ``citizen`` asked (named, anonymous or nameless)."""
    return sa.or_(Question.citizen_id == citizen.id,
                  Question.author_key == author_key(citizen.course_id, citizen.id))


def is_author(question: Question, citizen: Citizen) -> bool:
    """Did ``citizen`` ask ``question``?"""
    return (question.citizen_id == citizen.id
            or question.author_key == author_key(citizen.course_id, citizen.id))


def state_of(question: Question) -> str:
    """``hidden``, ``waiting`` (for a facilitator), ``answered`` or ``open``."""
    if question.hidden_at is not None:
        return HIDDEN
    if question.held:
        return WAITING
    if question.answered_at is not None:
        return ANSWERED
    return OPEN


def ask(course: Course, citizen: Citizen, text: str, *, anonymous: bool) -> Question:
    """Send a question to the speaker of the talk on now.

    The course's question mode decides: ``named`` forces the name on, ``anonymous`` forces it
    off (for the other participants), ``either`` lets the citizen choose, ``nameless`` stores no
    name at all (only :func:`author_key`). A course that holds questions for review keeps it
    *waiting* until a facilitator lets it through. At most three questions a minute per citizen.
    """
    if citizen.course_id != course.id or not citizen.active:
        raise QuestionError("not_in_course")
    talk = current_talk(course)
    if talk is None:
        raise QuestionError("no_talk")
    text = " ".join(text.split())
    if not text:
        raise QuestionError("empty")
    if len(text) > MAX_LENGTH:
        raise QuestionError("too_long")
    recent = db.session.scalar(sa.select(sa.func.count(Question.id)).where(
        _by(citizen), Question.created_at > utcnow() - timedelta(minutes=1)))
    if recent >= RATE_LIMIT:
        raise QuestionError("rate_limited")
    nameless = course.question_mode == "nameless"
    if course.question_mode == "named":
        anonymous = False
    elif course.question_mode in ("anonymous", "nameless"):
        anonymous = True
    question = Question(course_id=course.id, agenda_item_id=talk[1].id,
                        citizen_id=None if nameless else citizen.id,
                        author_key=author_key(course.id, citizen.id), anonymous=anonymous,
                        text=text, held=bool(course.hold_questions))
    db.session.add(question)
    db.session.flush()
    return question


def question_in_course(course: Course, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.course_id != course.id:
        raise QuestionError("not_found")
    return question


def vote(question: Question, citizen: Citizen, *, on: bool = True) -> bool:
    """Add a citizen's vote (``on``) or take it back; True when it changed the count.

    One vote each; none on one's own question, and only on an open question (a waiting,
    hidden or answered one keeps its count). Voting twice, or taking back a vote not given,
    changes nothing: a double tap on a slow network is harmless.
    """
    if citizen.course_id != question.course_id:
        raise QuestionError("not_found")
    if state_of(question) != OPEN or is_author(question, citizen):
        return False
    if on:
        try:
            with db.session.begin_nested():
                db.session.add(QuestionVote(question_id=question.id, citizen_id=citizen.id))
        except IntegrityError:
            return False
    else:
        gone = db.session.execute(sa.delete(QuestionVote).where(
            QuestionVote.question_id == question.id, QuestionVote.citizen_id == citizen.id))
        if not gone.rowcount:
            return False
    question.votes = db.session.scalar(sa.select(sa.func.count()).select_from(QuestionVote)
                                       .where(QuestionVote.question_id == question.id))
    db.session.flush()
    return True


def release(question: Question, by: Staff) -> bool:
    """Let a waiting question through to the other phones; True when it was waiting.

    :raises QuestionError: ``hidden_release`` when it was hidden meanwhile (a hide is a
        decision: showing it again is its own step).
    """
    if question.hidden_at is not None:
        raise QuestionError("hidden_release")
    if not question.held:
        return False  # another facilitator let it through already
    question.held = False
    question.released_at = utcnow()
    question.released_by_id = by.id
    db.session.flush()
    return True


def answer(question: Question, by: Staff) -> None:
    """Mark a question answered: it leaves the projector and the phones list it as answered.

    :raises QuestionError: ``held`` (let it through first), ``hidden_answer``.
    """
    if question.hidden_at is not None:
        raise QuestionError("hidden_answer")
    if question.held:
        raise QuestionError("held")
    if question.answered_at is None:
        question.answered_at = utcnow()
        question.answered_by_id = by.id
    question.shown_at = None
    db.session.flush()


def unanswer(question: Question) -> None:
    """Not answered after all: the question is open again."""
    question.answered_at = None
    question.answered_by_id = None
    db.session.flush()


def show(question: Question) -> None:
    """Put one question on the projector (taking any other off); only an open question.

    :raises QuestionError: ``hidden``, ``held``, ``answered``.
    """
    state = state_of(question)
    if state != OPEN:
        raise QuestionError({HIDDEN: "hidden", WAITING: "held", ANSWERED: "answered"}[state])
    unshow(question.course_id)
    question.shown_at = utcnow()
    db.session.flush()


def unshow(course_id: int) -> None:
    db.session.execute(sa.update(Question).where(
        Question.course_id == course_id, Question.shown_at.is_not(None)).values(shown_at=None))
    db.session.flush()


def hide(question: Question, by: Staff) -> None:
    """Hide a question from the other phones and the projector; the record stays, and its
    asker's phone says it was hidden. A waiting question hidden is decided: no longer waiting."""
    if question.hidden_at is None:
        question.hidden_at = utcnow()
        question.hidden_by_id = by.id
    question.held = False
    question.shown_at = None
    db.session.flush()


def unhide(question: Question) -> None:
    """Show a hidden question to the phones again (the hide was a mistake)."""
    question.hidden_at = None
    question.hidden_by_id = None
    db.session.flush()


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question as one audience (or one person) sees it: what a template shows, no more.

    ``asker`` is the name this audience may read, or ``None``; ``anonymous``: sent without a
    name for the other participants; ``nameless``: no name is kept at all. ``mine`` and
    ``voted`` are the viewing citizen's own (always false on the consoles and the wall).
    """

    id: int
    text: str
    votes: int
    created_at: datetime
    state: str
    shown: bool
    asker: str | None
    anonymous: bool
    nameless: bool
    mine: bool = False
    voted: bool = False


@dataclass(frozen=True, slots=True)
class QuestionList:
    """The questions of a talk, in the sections a screen shows them: ``waiting`` (on a phone:
    only the viewer's own), ``open`` (sorted as asked), ``answered`` and ``hidden`` (on a
    phone: only the viewer's own)."""

    sort: str
    waiting: list[QuestionView]
    open: list[QuestionView]
    answered: list[QuestionView]
    hidden: list[QuestionView]

    def __len__(self) -> int:
        return len(self.waiting) + len(self.open) + len(self.answered) + len(self.hidden)


def _order(sort: str) -> tuple[sa.ColumnElement, ...]:
    if sort == "new":
        return (Question.created_at.desc(), Question.id.desc())
    return (Question.votes.desc(), Question.created_at, Question.id)


def for_console(item_id: int, sort: str = DEFAULT_SORT) -> QuestionList:
    """The questions of one talk as the facilitators moderate them: every one, with the asker's
    name unless the question is nameless (an anonymous one says so beside the name)."""
    rows = db.session.execute(
        sa.select(Question, Citizen.name).outerjoin(Citizen, Citizen.id == Question.citizen_id)
        .where(Question.agenda_item_id == item_id).order_by(*_order(sort))).all()
    views = [_view(q, name) for q, name in rows]
    return _sections(views, sort, oldest_waiting=True)


def for_phone(item_id: int, citizen: Citizen, sort: str = DEFAULT_SORT) -> QuestionList:
    """The questions of one talk as ``citizen``'s phone shows them: the open and answered ones,
    named only when asked with a name; and the citizen's own waiting or hidden questions, which
    no one else's phone lists. ``voted`` marks the questions they voted for."""
    mine = _by(citizen)
    rows = db.session.execute(
        sa.select(Question, Citizen.name, mine.label("mine"))
        .outerjoin(Citizen, Citizen.id == Question.citizen_id)
        .where(Question.agenda_item_id == item_id,
               sa.or_(sa.and_(Question.held.is_(False), Question.hidden_at.is_(None)), mine))
        .order_by(*_order(sort))).all()
    voted = set(db.session.scalars(sa.select(QuestionVote.question_id).join(Question).where(
        Question.agenda_item_id == item_id, QuestionVote.citizen_id == citizen.id)))
    views = [_view(q, None if q.anonymous else name, mine=bool(is_mine),
                   voted=q.id in voted) for q, name, is_mine in rows]
    return _sections(views, sort)


def _view(question: Question, name: str | None, *, mine: bool = False,
          voted: bool = False) -> QuestionView:
    return QuestionView(id=question.id, text=question.text, votes=question.votes,
                        created_at=question.created_at, state=state_of(question),
                        shown=question.shown_at is not None, asker=name,
                        anonymous=question.anonymous, nameless=question.citizen_id is None,
                        mine=mine, voted=voted)


def _sections(views: list[QuestionView], sort: str, *, oldest_waiting: bool = False
              ) -> QuestionList:
    def of(state: str) -> list[QuestionView]:
        return [v for v in views if v.state == state]

    waiting = of(WAITING)
    if oldest_waiting:  # the consoles' queue: first come, first looked at
        waiting.sort(key=lambda v: (v.created_at, v.id))
    return QuestionList(sort, waiting, of(OPEN), of(ANSWERED), of(HIDDEN))


def spotlight(course_id: int) -> QuestionView | None:
    """The question on the projector now (only ever an open one), named only when it was
    asked with a name."""
    row = db.session.execute(
        sa.select(Question, Citizen.name).outerjoin(Citizen, Citizen.id == Question.citizen_id)
        .where(Question.course_id == course_id, Question.shown_at.is_not(None),
               Question.hidden_at.is_(None), Question.held.is_(False),
               Question.answered_at.is_(None))).first()
    if row is None:
        return None
    question, name = row
    return _view(question, None if question.anonymous else name)
