"""Sparring on a draft in progress: the citizen's own job consultant comments, the citizen reads.

During the four weeks of writing, the job consultant may open the draft (``access.
can_see_draft_in_progress``) and leave comments on the whole plan or on one budget line. Only
*their own* job consultant writes; the course's facilitators and the team lead read along.
Comments are plain text: shown escaped, never rendered as markdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import joinedload

from course.budgets.models import BudgetLine, Draft, DraftComment
from course.extensions import db
from course.people.models import Staff

#: Characters a comment may have (after surrounding white space is removed).
MAX_COMMENT = 2000


class CommentError(Exception):
    """A comment was refused: ``code`` is ``empty`` or ``too_long``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CommentView:
    """A comment as the partial shows it: who, when, on which line (if any), what."""

    id: int
    author_name: str
    created_at: datetime
    text: str
    line_id: int | None
    line_title: str | None  # None: on the whole plan
    line_number: int | None  # 1-based place of the line in the draft, for untitled lines


def can_comment_on_draft(draft: Draft) -> bool:
    """Only the citizen's own job consultant, on their team's course, comments on a draft."""
    return (isinstance(current_user, Staff)
            and draft.course.team_id == current_user.team_id
            and draft.citizen.job_consultant_id == current_user.id)


def add_comment(draft: Draft, author: Staff, text: str, line: BudgetLine | None) -> DraftComment:
    """Add ``author``'s comment on ``draft`` (on ``line`` when given); flushed, not committed.

    :raises CommentError: the text is empty, or longer than :data:`MAX_COMMENT` characters,
        once white space around it is removed.
    :raises ValueError: ``line`` belongs to another draft (routes answer 404 before this).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise CommentError("empty")
    if len(text) > MAX_COMMENT:
        raise CommentError("too_long")
    if line is not None and line.draft_id != draft.id:
        raise ValueError("the line belongs to another draft")
    comment = DraftComment(draft_id=draft.id, line_id=line.id if line else None,
                           author_id=author.id, text=text)
    db.session.add(comment)
    db.session.flush()
    return comment


def comments_of(draft: Draft) -> list[CommentView]:
    """The comments on ``draft``, newest first, each with its line's title when anchored."""
    lines = {line.id: (number, line) for number, line in enumerate(draft.lines, start=1)}
    comments = db.session.scalars(
        sa.select(DraftComment).where(DraftComment.draft_id == draft.id)
        .options(joinedload(DraftComment.author))
        .order_by(DraftComment.created_at.desc(), DraftComment.id.desc()))
    views = []
    for comment in comments:
        number, line = lines.get(comment.line_id, (None, None))
        views.append(CommentView(
            id=comment.id, author_name=comment.author.name, created_at=comment.created_at,
            text=comment.text, line_id=line.id if line else None,
            line_title=line.title if line else None, line_number=number))
    return views
