"""The polls' fragments and their context builders, and the polls' parts of the running
day's pages (the console, the projector and the phone: :data:`course.web.page_parts`)."""

from __future__ import annotations

from typing import Any

from course.people.models import Citizen
from course.polls import labels, services
from course.polls.models import Poll
from course.schedule.models import Course

CONSOLE = "polls/_console.html"
RESULTS = "polls/_results.html"
PROJECTOR = "polls/_projector.html"
PHONE = "polls/_phone.html"


def results_context(poll: Poll) -> dict[str, Any]:
    """A poll's counts: what the consoles and the projector show (never who voted)."""
    return {"poll": poll, "results": services.results(poll), "labels": labels}


def console_context(course: Course, **extra: Any) -> dict[str, Any]:
    """The console's polls: the form for a poll on the spot, and the polls of the item on
    now and of the spot, each with its counts."""
    polls = services.for_console(course)
    return {"course": course, "polls": [(p, services.results(p)) for p in polls],
            "labels": labels, "kinds": services.KINDS, "written": services.WRITTEN,
            "error": None, "typed": {}, "edit_error": None, "edit_typed": {}, **extra}


def projector_context(course_id: int) -> dict[str, Any]:
    """The poll whose results are on the projector, if any, with its counts."""
    poll = services.shown_poll(course_id)
    return {"poll": poll, "results": services.results(poll) if poll else None,
            "labels": labels}


def phone_context(course: Course, citizen: Citizen, *, voted: tuple[Poll, list[int]] | None = None,
                  **extra: Any) -> dict[str, Any]:
    """The poll open now and the citizen's own vote in it (their own: read over HTTP); with
    none open, the one that closed last during the day, and whether it closed because the day
    moved on from its item. ``voted``: the poll they have just voted in and their choices
    (nothing to read again)."""
    poll, mine = voted if voted is not None else (services.open_poll(course.id), None)
    if mine is None:
        mine = services.my_vote(poll, citizen) if poll else []
    closed = services.just_closed(course.id) if poll is None else None
    return {"course": course, "poll": poll, "labels": labels, "multiple": services.MULTIPLE,
            "mine": mine, "error": None,
            "closed": closed, "moved_on": services.moved_on(closed) if closed else False,
            **extra}


# -- the polls' parts of the running day's pages ------------------------------------------------


def agenda_part(_page: str, *, course: Course) -> dict[str, Any]:
    """The polls prepared on each item of the agenda (by item id), for the agenda editor."""
    return {"item_polls": services.by_item(course), "poll_labels": labels}


def console_part(_page: str, *, course: Course) -> dict[str, Any]:
    return {"polls_part": console_context(course)}


def projector_part(_page: str, *, course: Course, token: str) -> dict[str, Any]:
    return {"polls_part": {**projector_context(course.id), "token": token}}


def phone_part(_page: str, *, citizen: Citizen) -> dict[str, Any]:
    return {"polls_part": phone_context(citizen.course, citizen)}
