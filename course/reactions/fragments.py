"""The reactions' fragments and their context builders, and their parts of the running day's
projector and phone and of the course's settings (:data:`course.web.page_parts`)."""

from __future__ import annotations

from typing import Any

from course.people.models import Citizen
from course.reactions import labels, services
from course.schedule.models import Course
from course.types import utcnow

PHONE = "reactions/_phone.html"
PROJECTOR = "reactions/_projector.html"
SETTINGS = "reactions/_settings.html"


def projector_context(course_id: int) -> dict[str, Any]:
    """The burst: counts per reaction of the last seconds (never who sent them); ``stamp``
    makes each push a new element, so its fade starts again."""
    return {"burst": services.burst(course_id), "labels": labels,
            "stamp": int(utcnow().timestamp() * 1000)}


def phone_context(course: Course, **extra: Any) -> dict[str, Any]:
    """The course's reaction buttons, and the answer to the last one sent."""
    return {"course": course, "emojis": services.course_set(course.id), "labels": labels,
            "error": None, "sent": None, **extra}


def settings_context(course: Course, **extra: Any) -> dict[str, Any]:
    """The form choosing the course's set from the allowed list."""
    return {"course": course, "chosen": services.course_set(course.id),
            "allowed": services.ALLOWED, "set_max": services.SET_MAX, "labels": labels,
            "error": None, "saved": False, **extra}


# -- the reactions' parts of other features' pages ----------------------------------------------


def projector_part(_page: str, *, course: Course, token: str) -> dict[str, Any]:
    """The projector page opens with no burst (bursts only come pushed): nothing to count."""
    return {"reactions_part": {"burst": [], "labels": labels,
                               "stamp": int(utcnow().timestamp() * 1000), "token": token}}


def phone_part(_page: str, *, citizen: Citizen) -> dict[str, Any]:
    return {"reactions_part": phone_context(citizen.course)}


def course_form_part(_page: str, *, course: Course) -> dict[str, Any]:
    return {"reactions_part": settings_context(course)}
