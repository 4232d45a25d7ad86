"""Sparring on a draft: a thread per plan and per budget line between the citizen and their
own job consultant.

While the plan is written (the four weeks) and after it is sent back — while the draft is
open — the citizen and their own job consultant write in the thread on the whole plan or in
the thread on one budget line; each sees the other's messages live (``budgets.pushes``) and is
notified (the approval queue listens to :data:`course.budgets.signals.comment_added`). The
course's facilitators, the team lead and — once the plan is handed in — the team's job
consultants read along (``access.can_see_draft``); nobody else sees a thread: no other citizen,
no peer in a round. A thread is closed while the plan is with the job consultants and after
the decision (the draft is locked then). Messages are plain text: shown escaped, never
rendered as markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import joinedload

from course.budgets.models import BudgetLine, Draft, DraftComment
from course.extensions import db
from course.people.models import Citizen, Staff

#: Characters a message may have (after surrounding white space is removed).
MAX_COMMENT = 2000


class CommentError(Exception):
    """A message was refused: ``code`` is ``empty``, ``too_long``, ``closed`` (the draft is
    handed in or decided) or ``not_yours`` (a reader who is not one of the two sides)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CommentView:
    """A message as the thread shows it: who (and which side), when, what."""

    id: int
    author_name: str
    by_citizen: bool
    created_at: datetime
    text: str
    line_id: int | None


@dataclass
class Thread:
    """The messages on the whole plan (``line_id`` None) or on one budget line, oldest
    first."""

    line_id: int | None
    line_title: str | None
    line_number: int | None  # 1-based place of the line in the draft, for untitled lines
    messages: list[CommentView] = field(default_factory=list)

    @property
    def key(self) -> str:
        return "plan" if self.line_id is None else f"line-{self.line_id}"


def is_a_side(draft: Draft, person: object) -> bool:
    """The two sides of a draft's threads: the citizen whose draft it is, and their own job
    consultant (in the course's team)."""
    if isinstance(person, Citizen):
        return draft.citizen_id == person.id
    return (isinstance(person, Staff) and draft.course.team_id == person.team_id
            and draft.citizen.job_consultant_id == person.id)


def is_open(draft: Draft) -> bool:
    """A thread takes messages while the draft is open: written in the four weeks, or sent
    back — not while a version is with the job consultants, nor after the decision."""
    return draft.locked_at is None


def can_comment_on_draft(draft: Draft) -> bool:
    """The signed-in person may write in the draft's threads now."""
    return is_a_side(draft, current_user) and is_open(draft)


def add_comment(draft: Draft, author: Staff | Citizen, text: str,
                line: BudgetLine | None) -> DraftComment:
    """Add ``author``'s message to the thread on ``line`` (the whole plan when ``None``);
    flushed, not committed.

    :raises CommentError: ``not_yours`` (not one of the two sides), ``closed`` (the draft is
        locked), ``empty`` or ``too_long`` (more than :data:`MAX_COMMENT` characters once
        white space around it is removed).
    :raises ValueError: ``line`` belongs to another draft (routes answer 404 before this).
    """
    if not is_a_side(draft, author):
        raise CommentError("not_yours")
    if not is_open(draft):
        raise CommentError("closed")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise CommentError("empty")
    if len(text) > MAX_COMMENT:
        raise CommentError("too_long")
    if line is not None and line.draft_id != draft.id:
        raise ValueError("the line belongs to another draft")
    comment = DraftComment(draft_id=draft.id, line_id=line.id if line else None, text=text)
    if isinstance(author, Citizen):
        comment.citizen_author_id = author.id
    else:
        comment.author_id = author.id
    db.session.add(comment)
    db.session.flush()
    return comment


def threads_of(draft: Draft) -> list[Thread]:
    """The draft's threads that have messages: the whole plan's first, then the lines' in the
    plan's order; each thread oldest first. A message on a line deleted since is on the whole
    plan."""
    numbered = {line.id: (number, line) for number, line in enumerate(draft.lines, start=1)}
    comments = db.session.scalars(
        sa.select(DraftComment).where(DraftComment.draft_id == draft.id)
        .options(joinedload(DraftComment.author), joinedload(DraftComment.citizen_author))
        .order_by(DraftComment.created_at, DraftComment.id))
    threads: dict[int | None, Thread] = {}
    for comment in comments:
        number, line = numbered.get(comment.line_id, (None, None))
        key = line.id if line else None
        thread = threads.get(key)
        if thread is None:
            thread = threads[key] = Thread(key, line.title if line else None, number)
        by_citizen = comment.citizen_author_id is not None
        author = comment.citizen_author if by_citizen else comment.author
        thread.messages.append(CommentView(
            id=comment.id, author_name=author.name if author else "", by_citizen=by_citizen,
            created_at=comment.created_at, text=comment.text, line_id=key))
    return sorted(threads.values(),
                  key=lambda t: (t.line_number is not None, t.line_number or 0))


def comments_of(draft: Draft) -> list[CommentView]:
    """Every message on ``draft``, newest first (whichever thread)."""
    views = [m for thread in threads_of(draft) for m in thread.messages]
    return sorted(views, key=lambda m: (m.created_at, m.id), reverse=True)
