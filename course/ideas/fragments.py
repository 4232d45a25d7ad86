"""The idea wall's fragments and their context builders, and its parts of the running day's
pages (the console, the projector and the phone: :data:`course.web.page_parts`).

Every screen but a phone's own answers is built from :func:`services.cloud`, which never holds
a hidden or held answer."""

from __future__ import annotations

from typing import Any

from course.ideas import labels, services
from course.ideas.models import IdeaWall
from course.people.models import Citizen
from course.schedule.models import Course

CONSOLE = "ideas/_console.html"
PROJECTOR = "ideas/_projector.html"
PHONE = "ideas/_phone.html"


def console_context(course: Course, **extra: Any) -> dict[str, Any]:
    """The console's walls: the form for a wall on the spot, and the walls of the item on now
    and of the spot, each with its groups, held answers, hidden groups and merges."""
    walls = []
    for wall in services.for_console(course):
        walls.append({"wall": wall, "cloud": services.cloud(wall),
                      "held": services.held_entries(wall),
                      "hidden": services.hidden_groups(wall),
                      "merges": services.merges(wall, undone=True)})
    return {"course": course, "walls": walls, "labels": labels, "services": services,
            "error": None, "typed": {}, **extra}


def projector_context(course_id: int) -> dict[str, Any]:
    """The wall on the projector, if any: its most common groups (never a hidden or held
    answer, never who sent it)."""
    wall = services.shown_wall(course_id)
    view = services.cloud(wall) if wall else None
    groups = view.top() if view else []
    # when even the floor does not fit the screen, the least common go first (app.js)
    order = sorted(groups, key=lambda g: (g.count, g.dots, -len(g.label)))
    return {"wall": wall, "groups": groups, "drop": {g.key: n for n, g in enumerate(order, 1)},
            "answers": view.answers if view else 0, "labels": labels}


def phone_context(course: Course, citizen: Citizen, **extra: Any) -> dict[str, Any]:
    """The wall open now: the citizen's own answers (held and hidden ones too: their own, read
    over HTTP) and, while dot-voting, the groups on the wall with their own dots."""
    wall: IdeaWall | None = services.active_wall(course.id)
    mine, groups, dots = [], [], {}
    if wall is not None:
        mine = services.my_answers(wall, citizen)
        if wall.voting == services.OPEN:
            view = services.cloud(wall)
            groups = view.groups
            dots = services.my_dots(wall, citizen, view)
    return {"course": course, "wall": wall, "mine": mine, "groups": groups, "dots": dots,
            "dots_left": (wall.dots - sum(dots.values())) if wall else 0,
            "labels": labels, "services": services, "error": None, "typed": "", **extra}


# -- the wall's parts of the running day's pages ---------------------------------------------


def agenda_part(_page: str, *, course: Course) -> dict[str, Any]:
    """The walls prepared on each item of the agenda (by item id), for the agenda editor."""
    return {"item_walls": services.by_item(course)}


def console_part(_page: str, *, course: Course) -> dict[str, Any]:
    return {"ideas_part": console_context(course)}


def projector_part(_page: str, *, course: Course, token: str) -> dict[str, Any]:
    return {"ideas_part": {**projector_context(course.id), "token": token}}


def phone_part(_page: str, *, citizen: Citizen) -> dict[str, Any]:
    return {"ideas_part": phone_context(citizen.course, citizen)}
