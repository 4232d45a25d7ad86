"""Questions to the speaker of a talk, sent from phones, upvoted, and moderated by facilitators.

Nothing hidden ever reaches the projector: the projector shows only the one question a
facilitator put there, and hiding a question takes it off at once.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from course.extensions import db
from course.live.day import running_day
from course.live.models import Question, QuestionVote, RunningDay
from course.people.models import Citizen, Staff
from course.schedule.models import AgendaItem, Course, ItemKind
from course.types import utcnow

MAX_LENGTH = 280
RATE_LIMIT = 3  # questions per citizen per minute


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


def ask(course: Course, citizen: Citizen, text: str, *, anonymous: bool) -> Question:
    """Send a question to the speaker of the talk on now.

    The course's question mode decides: ``named`` forces the name on, ``anonymous`` forces it
    off, ``either`` lets the citizen choose. At most three questions a minute per citizen.
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
        Question.citizen_id == citizen.id, Question.created_at > utcnow() - timedelta(minutes=1)))
    if recent >= RATE_LIMIT:
        raise QuestionError("rate_limited")
    if course.question_mode == "named":
        anonymous = False
    elif course.question_mode == "anonymous":
        anonymous = True
    question = Question(course_id=course.id, agenda_item_id=talk[1].id, citizen=citizen,
                        anonymous=anonymous, text=text)
    db.session.add(question)
    db.session.flush()
    return question


def question_in_course(course: Course, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.course_id != course.id:
        raise QuestionError("not_found")
    return question


def upvote(question: Question, citizen: Citizen) -> bool:
    """Add a citizen's vote (once; not on their own question). True when it counted."""
    if question.citizen_id == citizen.id or question.hidden_at is not None:
        return False
    if citizen.course_id != question.course_id:
        raise QuestionError("not_found")
    try:
        with db.session.begin_nested():
            db.session.add(QuestionVote(question_id=question.id, citizen_id=citizen.id))
    except IntegrityError:
        return False
    question.votes = db.session.scalar(sa.select(sa.func.count()).select_from(QuestionVote)
                                       .where(QuestionVote.question_id == question.id))
    db.session.flush()
    return True


def show(question: Question) -> None:
    """Put one question on the projector (taking any other off)."""
    if question.hidden_at is not None:
        raise QuestionError("hidden")
    unshow(question.course_id)
    question.shown_at = utcnow()
    db.session.flush()


def unshow(course_id: int) -> None:
    db.session.execute(sa.update(Question).where(
        Question.course_id == course_id, Question.shown_at.is_not(None)).values(shown_at=None))
    db.session.flush()


def hide(question: Question, by: Staff) -> None:
    """Hide a question from phones and the projector; the record stays."""
    question.hidden_at = utcnow()
    question.hidden_by_id = by.id
    question.shown_at = None
    db.session.flush()


def unhide(question: Question) -> None:
    question.hidden_at = None
    question.hidden_by_id = None
    db.session.flush()


def for_item(item_id: int, *, include_hidden: bool) -> list[Question]:
    """The questions of one talk, most upvoted first."""
    query = sa.select(Question).where(Question.agenda_item_id == item_id)
    if not include_hidden:
        query = query.where(Question.hidden_at.is_(None))
    return list(db.session.scalars(query.order_by(Question.votes.desc(), Question.created_at)))


def shown(course_id: int) -> Question | None:
    """The question on the projector now (never a hidden one)."""
    return db.session.scalar(sa.select(Question).where(
        Question.course_id == course_id, Question.shown_at.is_not(None),
        Question.hidden_at.is_(None)))
