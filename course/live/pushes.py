"""What the running day tells the realtime core: a projector's display link admits its screen
to the course's projector room, and only while the link is not revoked."""

from __future__ import annotations

from course import realtime
from course.extensions import db
from course.live import services
from course.live.models import DisplayLink

#: The holder kind of a projector's connection, and its key in the ``auth`` payload.
DISPLAY = "display"


def admit_display(auth: dict) -> realtime.Admission | None:
    """A projector connects with its display link's token (not the browser's sign-in)."""
    token = auth.get(DISPLAY)
    link = services.display_link_for_token(token) if isinstance(token, str) else None
    if link is None:
        return None
    return realtime.Admission(DISPLAY, link.id, [realtime.room(link.course_id,
                                                               realtime.PROJECTOR)])


def display_alive(link_id: int) -> bool:
    link = db.session.get(DisplayLink, link_id)
    return link is not None and link.revoked_at is None


def disconnect_display(link: DisplayLink) -> None:
    """Close every projector socket opened with a (revoked) display link."""
    realtime.disconnect(DISPLAY, [link.id])
