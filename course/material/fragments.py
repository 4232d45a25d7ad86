"""The speaker material's fragments and their context builders, and its parts of the running
day's pages (the console, the projector, the phone) and of the agenda editor
(:data:`course.web.page_parts`).

Every region here is read by its screen over HTTP when pinged
(:mod:`course.material.pushes`): a display's image addresses carry its own token, a console's
forms its own controls, so no push rendered once for a room could carry them.
"""

from __future__ import annotations

from typing import Any

from course.live import day as live_day
from course.live import questions
from course.material import services
from course.people.models import Citizen
from course.schedule.models import Course

CONSOLE = "material/_console.html"
PROJECTOR = "material/_projector.html"
PHONE = "material/_phone.html"
SPEAKER_NOW = "material/_speaker_now.html"
SPEAKER_QUESTIONS = "material/_speaker_questions.html"
SPEAKER_MATERIAL = "material/_speaker_material.html"

#: The questions the speaker's view lists (the most upvoted first).
TOP_QUESTIONS = 5


def console_context(course: Course, **extra: Any) -> dict[str, Any]:
    """The console's material: the materials of the item on now, the page on the wall, and
    the speaker's display links."""
    item_id = services.current_item_id(course.id)
    return {"course": course, "materials": services.for_item(item_id) if item_id else [],
            "shown": services.shown(course.id),
            "speaker_links": services.live_speaker_links(course), "new_speaker_link": None,
            **extra}


def projector_context(course_id: int, token: str) -> dict[str, Any]:
    return {"shown": services.shown(course_id), "token": token}


def phone_context(course: Course) -> dict[str, Any]:
    return {"course": course, "shown": services.shown(course.id)}


def speaker_now_context(course: Course) -> dict[str, Any]:
    """The clock of the item on now, its title and the next item (as the projector has them)."""
    return {"course": course, "view": live_day.now_view(course)}


def speaker_questions_context(course: Course) -> dict[str, Any]:
    """The top questions of the talk on now not yet answered: only open ones, those the
    projector may show (never one waiting for a facilitator, nor a hidden one), named only
    when asked with a name."""
    talk = questions.current_talk(course)
    listing = questions.for_console(talk[1].id, "votes").open if talk else []
    top = [{"id": q.id, "text": q.text, "votes": q.votes,
            "asker": None if q.anonymous else q.asker}
           for q in listing if q.state == questions.OPEN][:TOP_QUESTIONS]
    return {"talk": talk[1] if talk else None, "top_questions": top}


def speaker_material_context(course: Course, token: str) -> dict[str, Any]:
    return {"shown": services.shown(course.id), "token": token}


# -- the material's parts of the running day's pages ------------------------------------------


def agenda_part(_page: str, *, course: Course) -> dict[str, Any]:
    """The material of each agenda item (by item id), for the agenda editor."""
    return {"item_materials": services.by_item(course)}


def console_part(_page: str, *, course: Course) -> dict[str, Any]:
    return {"material_part": console_context(course)}


def projector_part(_page: str, *, course: Course, token: str) -> dict[str, Any]:
    return {"material_part": projector_context(course.id, token)}


def phone_part(_page: str, *, citizen: Citizen) -> dict[str, Any]:
    return {"material_part": phone_context(citizen.course)}
