"""Domain operations on people: accounts, personal codes, sign-in sessions and throttling.

Services ``flush()``; the request that called them commits once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from course.extensions import db
from course.people import codes
from course.people.models import Citizen, LoginSession, Role, Staff, Team, ThrottleBucket
from course.schedule.models import Course
from course.types import utcnow


class PeopleError(Exception):
    """A refused people operation; ``code`` names the reason for a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# -- staff accounts ---------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """Hash a password with the configured method (scrypt by default)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def temporary_password() -> str:
    """A readable one-time password for a new or reset account (changed at first sign-in)."""
    return "-".join(codes.new_code(4) for _ in range(3))


def create_staff(team: Team, name: str, email: str, role: Role, password: str,
                 *, must_change_password: bool = True) -> Staff:
    """Create a staff account in ``team``. E-mail addresses are unique, compared case-blind."""
    email = email.strip().lower()
    if db.session.scalar(sa.select(Staff.id).where(Staff.email == email)) is not None:
        raise PeopleError("email_taken")
    staff = Staff(team=team, name=name.strip(), email=email, role=role,
                  password_hash=hash_password(password),
                  must_change_password=must_change_password)
    db.session.add(staff)
    db.session.flush()
    return staff


def authenticate_staff(email: str, password: str) -> Staff | None:
    """The active staff account with this e-mail and password, or ``None``."""
    staff = db.session.scalar(sa.select(Staff).where(Staff.email == email.strip().lower()))
    if staff is None:
        # Same work as a real check, so response time does not reveal which e-mails exist.
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(staff.password_hash, password) or not staff.active:
        return None
    return staff


_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")


def set_password(staff: Staff, password: str, *, must_change: bool) -> None:
    """Replace a password. Callers end the account's other sessions (see :func:`end_sessions`)."""
    staff.password_hash = hash_password(password)
    staff.must_change_password = must_change
    db.session.flush()


def deactivate_staff(staff: Staff) -> list[int]:
    """Deactivate an account and end all its sessions; returns the ended session ids."""
    staff.active = False
    return end_sessions(staff=staff, reason="deactivated")


def reactivate_staff(staff: Staff) -> None:
    """Let a deactivated account sign in again."""
    staff.active = True
    db.session.flush()


# -- citizens and personal codes ---------------------------------------------------------------


def code_key() -> str:
    """The key personal codes are hashed under."""
    cfg = current_app.config
    return cfg["CODE_HASH_KEY"] or f"personal-code:{cfg['SECRET_KEY']}"


def _unused_code_hash() -> tuple[str, str]:
    while True:
        code = codes.new_code()
        digest = codes.keyed_hash(code_key(), code)
        if db.session.scalar(sa.select(Citizen.id).where(Citizen.code_hash == digest)) is None:
            return code, digest


def enrol_citizen(course: Course, name: str, job_consultant: Staff | None) -> tuple[Citizen, str]:
    """Enrol a citizen in ``course``; returns the citizen and the personal code (shown once)."""
    code, digest = _unused_code_hash()
    citizen = Citizen(course=course, name=name.strip(), job_consultant=job_consultant,
                      code_hash=digest)
    db.session.add(citizen)
    db.session.flush()
    return citizen, code


def reissue_code(citizen: Citizen) -> tuple[str, list[int]]:
    """Give a citizen a new personal code. The old one stops working and open sessions end."""
    code, digest = _unused_code_hash()
    citizen.code_hash = digest
    citizen.code_issued_at = utcnow()
    ended = end_sessions(citizen=citizen, reason="code_reissued")
    return code, ended


def set_citizen_code(citizen: Citizen, code: str) -> None:
    """Set a known personal code (the demo seed only: real codes come from :func:`reissue_code`)."""
    citizen.code_hash = codes.keyed_hash(code_key(), codes.normalise(code))
    db.session.flush()


def find_course_by_code(raw: str) -> Course | None:
    """The course whose join code this is (case and spacing forgiven)."""
    code = codes.normalise(raw)
    if not codes.is_well_formed(code, codes.COURSE_CODE_LENGTH):
        return None
    return db.session.scalar(sa.select(Course).where(Course.code == code))


def authenticate_citizen(course: Course, raw_code: str) -> Citizen | None:
    """The active citizen of ``course`` with this personal code, or ``None``."""
    code = codes.normalise(raw_code)
    if not codes.is_well_formed(code):
        return None
    digest = codes.keyed_hash(code_key(), code)
    return db.session.scalar(
        sa.select(Citizen).where(
            Citizen.code_hash == digest, Citizen.course_id == course.id, Citizen.active
        )
    )


def new_course_code() -> str:
    """An unused course join code."""
    while True:
        code = codes.new_code(codes.COURSE_CODE_LENGTH)
        if db.session.scalar(sa.select(Course.id).where(Course.code == code)) is None:
            return code


# -- login sessions -----------------------------------------------------------------------------


def start_session(person: Staff | Citizen) -> str:
    """Record a new sign-in of ``person``; returns the token the cookie session will carry."""
    token = secrets.token_urlsafe(32)
    row = LoginSession(token_hash=codes.token_hash(token))
    if isinstance(person, Staff):
        row.staff = person
    else:
        row.citizen = person
    db.session.add(row)
    db.session.flush()
    person.login_token = token
    return token


def idle_timeout(person: Staff | Citizen) -> timedelta:
    """How long a session may go unused before it ends (the same for staff and citizens)."""
    return timedelta(minutes=int(current_app.config["IDLE_TIMEOUT_MINUTES"]))


@dataclass
class LoadedSession:
    person: Staff | Citizen
    session: LoginSession


def load_session(token: str) -> LoadedSession | None:
    """The live login session for ``token``, touching its last-seen time; ``None`` if ended.

    A session idle for longer than the timeout is ended here, on the server.
    """
    row = db.session.scalar(
        sa.select(LoginSession).where(LoginSession.token_hash == codes.token_hash(token))
    )
    if row is None or row.ended_at is not None:
        return None
    person = row.staff or row.citizen
    if person is None or not person.active:
        return None
    now = utcnow()
    if now - row.last_seen_at > idle_timeout(person):
        row.ended_at, row.end_reason = now, "idle"
        db.session.commit()
        return None
    if now - row.last_seen_at > timedelta(seconds=30):
        # Touch at most twice a minute: a write per request would serialise SQLite.
        row.last_seen_at = now
        db.session.commit()
    person.login_token = token
    return LoadedSession(person, row)


def end_session_by_token(token: str, reason: str = "logout") -> int | None:
    """End one login session (logout); returns its id, or ``None`` if it was not live."""
    row = db.session.scalar(
        sa.select(LoginSession).where(LoginSession.token_hash == codes.token_hash(token))
    )
    if row is None or row.ended_at is not None:
        return None
    row.ended_at, row.end_reason = utcnow(), reason
    db.session.flush()
    return row.id


def end_sessions(*, staff: Staff | None = None, citizen: Citizen | None = None,
                 reason: str, keep: int | None = None) -> list[int]:
    """End every live session of one person but ``keep``; returns the ids (to disconnect)."""
    query = sa.select(LoginSession).where(LoginSession.ended_at.is_(None),
                                          LoginSession.id != (keep or 0))
    if staff is not None:
        query = query.where(LoginSession.staff_id == staff.id)
    elif citizen is not None:
        query = query.where(LoginSession.citizen_id == citizen.id)
    else:
        raise ValueError("name the person whose sessions end")
    rows = db.session.scalars(query).all()
    now = utcnow()
    for row in rows:
        row.ended_at, row.end_reason = now, reason
    db.session.flush()
    return [row.id for row in rows]


# -- throttling -------------------------------------------------------------------------------


def throttle_retry_after(keys: list[str]) -> int | None:
    """Seconds until the first locked key of ``keys`` unlocks, or ``None`` if none is locked."""
    now = utcnow()
    rows = db.session.scalars(sa.select(ThrottleBucket).where(ThrottleBucket.key.in_(keys)))
    waits = [int((r.locked_until - now).total_seconds()) + 1
             for r in rows if r.locked_until and r.locked_until > now]
    return max(waits) if waits else None


def record_failure(limits: dict[str, int]) -> None:
    """Count a failed attempt against each key; a key over its limit locks for one window."""
    window = timedelta(minutes=int(current_app.config["LOGIN_WINDOW_MINUTES"]))
    now = utcnow()
    for key, limit in limits.items():
        row = db.session.get(ThrottleBucket, key)
        if row is None:
            row = ThrottleBucket(key=key, failures=0, window_started_at=now)
            db.session.add(row)
        elif now - row.window_started_at > window:
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + window
    db.session.flush()


def clear_throttle(keys: list[str]) -> None:
    """Forget failures for ``keys`` (after a success, or when a facilitator lifts a lockout)."""
    db.session.execute(sa.delete(ThrottleBucket).where(ThrottleBucket.key.in_(keys)))
    db.session.flush()
