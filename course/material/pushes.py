"""What the speaker material pushes: pings only (each screen reads its own region, see
:mod:`course.material.fragments`), and how it follows the running day. The speaker's screen
is admitted to the course's projector room by its link, and only while the link lives."""

from __future__ import annotations

from course import realtime
from course.extensions import db
from course.material import services
from course.material.models import SpeakerLink
from course.schedule.models import Course

#: The holder kind of a speaker's screen's connection, and its key in the ``auth`` payload.
SPEAKER = "speaker"


def admit_speaker(auth: dict) -> realtime.Admission | None:
    """A speaker's screen connects with its link's token: it joins the projector's room (it
    shows nothing the projector would not show)."""
    link = services.speaker_link_for_token(auth.get(SPEAKER))
    if link is None:
        return None
    return realtime.Admission(SPEAKER, link.id, [realtime.room(link.course_id,
                                                               realtime.PROJECTOR)])


def speaker_alive(link_id: int) -> bool:
    link = db.session.get(SpeakerLink, link_id)
    return link is not None and link.revoked_at is None


def disconnect_speaker(link: SpeakerLink) -> None:
    """Close every socket opened with a (revoked) speaker link."""
    realtime.disconnect(SPEAKER, [link.id])


def push_material(course: Course) -> None:
    """The page on the wall changed (put up, turned, taken down) or the item's materials did:
    every console, projector, speaker's screen and phone reads its material region afresh."""
    realtime.refetch_for(course.id, "material", [realtime.FACILITATORS, realtime.PROJECTOR])
    realtime.refetch_for(course.id, "speaker-material", [realtime.PROJECTOR])
    realtime.refetch_for(course.id, "phone-material", [realtime.PARTICIPANTS])


def follow_now(course: Course, *, item_changed: bool = True) -> None:
    """The now region was pushed (``live.signals.now_pushed``): the speaker's clock follows;
    when the item may have changed, the speaker's questions and the consoles' list of the
    item's material follow, and a material of the item before, if up, is taken down from every
    screen (the phones are pinged only then)."""
    realtime.refetch_for(course.id, "speaker-now", [realtime.PROJECTOR])
    if item_changed:
        realtime.refetch_for(course.id, "speaker-questions", [realtime.PROJECTOR])
        if services.follow_item(course.id):
            push_material(course)  # taken down: off every screen
        else:  # the consoles list the new item's material
            realtime.refetch_for(course.id, "material", [realtime.FACILITATORS])


def follow_questions(course: Course) -> None:
    """The questions changed (``live.signals.questions_pushed``): the speaker's list follows."""
    realtime.refetch_for(course.id, "speaker-questions", [realtime.PROJECTOR])
