"""Rooms: their names, and who is entitled to which.

A room is one audience's stream of pushes. Rooms are joined by the server after a database
check, never named by a client. This module knows no feature: the features tell it, when the
app is built, who may enter a room (:func:`entitle`) and what admits a connection
(:func:`admit_with`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

#: The three audiences of a course room.
PARTICIPANTS = "participants"
FACILITATORS = "facilitators"
PROJECTOR = "projector"
AUDIENCES = (PARTICIPANTS, FACILITATORS, PROJECTOR)
#: The audiences whose screens are all devices of that one course (its phones; its projector
#: and speaker's screen): with several processes each such room lives on its course's owner
#: (course.realtime.topology). The facilitators' room is not among them: a facilitator or team
#: lead of several courses holds one socket in all their courses' rooms.
PINNED = (PARTICIPANTS, PROJECTOR)

#: Prefixes of every room name below (what ``live:sync`` answers for).
ROOM_PREFIXES = ("course:", "team:", "staff:", "citizen:")


def room(course_id: int, audience: str) -> str:
    """The room of one audience of one course."""
    if audience not in AUDIENCES:
        raise ValueError(audience)
    return f"course:{course_id}:{audience}"


def pinned_course(name: str) -> int | None:
    """The course of a :data:`PINNED` room's name (``room(c, PARTICIPANTS)`` → ``c``), else
    ``None``: the one place that reads a course out of a room's name."""
    prefix, _, rest = name.partition(":")
    course_id, _, audience = rest.partition(":")
    if prefix != "course" or audience not in PINNED or not course_id.isdigit():
        return None
    return int(course_id)


def team_room(team_id: int) -> str:
    """The approval queue of one team: its job consultants and team lead."""
    return f"team:{team_id}:queue"


def citizen_room(citizen_id: int) -> str:
    """One citizen's own pushes (every device they are signed in on)."""
    return f"citizen:{citizen_id}"


def staff_room(staff_id: int) -> str:
    """One staff member's own pushes (their notices)."""
    return f"staff:{staff_id}"


@dataclass(frozen=True)
class Admission:
    """What let a connection in: its holder (a kind and an id, re-checked on every client
    event) and the rooms it joins."""

    holder: str
    holder_id: int
    rooms: list[str]


#: Reads a connection's ``auth`` payload and admits it, or returns ``None``.
Admit = Callable[[Any], Admission | None]
#: Is the holder with this id still live (not signed out, not revoked)?
Alive = Callable[[int], bool]
#: The rooms a signed-in person may enter, as far as one feature knows.
Entitlement = Callable[[Any], Iterable[str]]


@dataclass
class Registry:
    """What the features told the realtime core, per app."""

    #: Admission by a key of the ``auth`` payload (a projector's ``{"display": token}``),
    #: tried before the sign-in.
    by_key: dict[str, Admit] = field(default_factory=dict)
    #: Admission of a connection that names no key: the signed-in person.
    signed_in: Admit | None = None
    alive: dict[str, Alive] = field(default_factory=dict)
    entitlements: list[Entitlement] = field(default_factory=list)


EXTENSION = "teten.realtime"


def registry(app: Flask | None = None) -> Registry:
    return (app or current_app).extensions[EXTENSION]


def admit_with(app: Flask, holder: str, admit: Admit, alive: Alive, *,
               key: str | None = None) -> None:
    """Let ``admit`` decide on connections: those whose ``auth`` payload carries ``key``, or,
    without a key, those of a signed-in person. ``alive`` re-checks the holder on each event.
    """
    reg = registry(app)
    if key is None:
        reg.signed_in = admit
    else:
        reg.by_key[key] = admit
    reg.alive[holder] = alive


def entitle(app: Flask, rooms: Entitlement) -> None:
    """Add rooms a signed-in person may enter (``rooms(person)`` is asked on each connect
    and page load). A deactivated person enters none."""
    registry(app).entitlements.append(rooms)


def rooms_for(person: Any) -> list[str]:
    """The rooms the database entitles ``person`` to: what they could also GET over HTTP."""
    if not getattr(person, "active", False):
        return []
    return [name for rooms in registry().entitlements for name in rooms(person)]


def admit(auth: Any) -> Admission | None:
    """Admit a new connection by its ``auth`` payload, or refuse it (``None``)."""
    reg = registry()
    if isinstance(auth, dict):
        for key, admit_by_key in reg.by_key.items():
            if key in auth:
                return admit_by_key(auth)
    return reg.signed_in(auth) if reg.signed_in is not None else None


def still_alive(holder: str, holder_id: int) -> bool:
    """Is the holder a connection was admitted by still live?"""
    check = registry().alive.get(holder)
    return check is not None and check(holder_id)
