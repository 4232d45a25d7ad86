"""What the people feature tells the realtime core: a sign-in admits a connection, and every
signed-in person has a room of their own (their notices, a citizen's own feedback)."""

from __future__ import annotations

from collections.abc import Iterable

from flask import g
from flask_login import current_user

from course import realtime
from course.extensions import db
from course.people.models import Citizen, LoginSession, Staff

#: The holder kind of a connection opened by a signed-in person.
SIGN_IN = "sign-in"


def person_room(person: Staff | Citizen) -> str:
    """One person's own room."""
    if isinstance(person, Citizen):
        return realtime.citizen_room(person.id)
    return realtime.staff_room(person.id)


def own_room(person: Staff | Citizen) -> Iterable[str]:
    return [person_room(person)]


def admit_signed_in(auth: object) -> realtime.Admission | None:
    """A connection from a signed-in browser joins the rooms the person is entitled to."""
    if not current_user.is_authenticated:
        return None
    login = g.get("login_session")  # read with the person (people.services.load_session)
    if login is None:
        return None
    return realtime.Admission(SIGN_IN, login.id, realtime.rooms_for(current_user))


def sign_in_alive(login_session_id: int) -> bool:
    """Is the sign-in a socket was opened with still live (not signed out, person active)?"""
    row = db.session.get(LoginSession, login_session_id)
    if row is None or row.ended_at is not None:
        return False
    person = row.staff or row.citizen
    return person is not None and person.active


def disconnect_sign_ins(login_session_ids: list[int]) -> None:
    """Close every socket opened under these (ended) sign-ins, in whichever process."""
    realtime.disconnect(SIGN_IN, login_session_ids)
