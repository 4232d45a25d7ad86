"""Domain operations of the live session: announcements and projector display links."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from course.extensions import db
from course.live.models import Announcement, DisplayLink
from course.people import codes
from course.people.models import Staff
from course.schedule.models import Course
from course.types import utcnow

ANNOUNCEMENT_MAX = 280


class LiveError(Exception):
    """A refused live operation; ``code`` names the reason for a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def current_announcement(course_id: int) -> Announcement | None:
    """The announcement on screen in the room now, if any (the newest not cleared)."""
    return db.session.scalar(
        sa.select(Announcement)
        .where(Announcement.course_id == course_id, Announcement.cleared_at.is_(None))
        .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        .limit(1)
    )


def post_announcement(course: Course, author: Staff, text: str) -> Announcement:
    """Put a new announcement on the projector and every phone of the course.

    Plain text, at most 280 characters: it is read from the back of a room. It replaces the
    previous one, which is kept (cleared) for the record.
    """
    text = " ".join(text.split())
    if not text:
        raise LiveError("empty")
    if len(text) > ANNOUNCEMENT_MAX:
        raise LiveError("too_long")
    clear_announcement(course)
    announcement = Announcement(course_id=course.id, author=author, text=text)
    db.session.add(announcement)
    db.session.flush()
    return announcement


def clear_announcement(course: Course) -> None:
    """Take the current announcement off the screens."""
    db.session.execute(
        sa.update(Announcement)
        .where(Announcement.course_id == course.id, Announcement.cleared_at.is_(None))
        .values(cleared_at=utcnow())
    )
    db.session.flush()


def create_display_link(course: Course, creator: Staff) -> tuple[DisplayLink, str]:
    """A new projector link for ``course``; returns the link and its token (shown in the URL)."""
    token = secrets.token_urlsafe(24)
    link = DisplayLink(course_id=course.id, token_hash=codes.token_hash(token), created_by=creator)
    db.session.add(link)
    db.session.flush()
    return link, token


def display_link_for_token(token: str) -> DisplayLink | None:
    """The live (not revoked) display link with this token."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        sa.select(DisplayLink).where(DisplayLink.token_hash == codes.token_hash(token),
                                     DisplayLink.revoked_at.is_(None))
    )


def display_course_for_token(token: str) -> Course | None:
    """The course a live (not revoked) display link with this token shows, read with the link
    in one statement (the projector page needs nothing else of the link)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        sa.select(Course).join(DisplayLink, DisplayLink.course_id == Course.id)
        .where(DisplayLink.token_hash == codes.token_hash(token),
               DisplayLink.revoked_at.is_(None))
    )


def revoke_display_link(link: DisplayLink) -> None:
    """Stop a projector link from working; its open screens are disconnected by the caller."""
    link.revoked_at = link.revoked_at or utcnow()
    db.session.flush()


def live_display_links(course: Course) -> list[DisplayLink]:
    return list(db.session.scalars(
        sa.select(DisplayLink)
        .where(DisplayLink.course_id == course.id, DisplayLink.revoked_at.is_(None))
        .order_by(DisplayLink.created_at)
    ))
