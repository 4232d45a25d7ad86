"""Domain operations on people: accounts, personal codes, sign-in sessions and throttling.

Services ``flush()``; the request that called them commits once.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from course.extensions import db
from course.people import codes
from course.people.models import Citizen, LoginSession, Role, Staff, Team, ThrottleBucket
from course.types import UTCDateTime, local_today, utcnow

if TYPE_CHECKING:
    from course.schedule.models import Course


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


def enrol_citizen(course: Course, name: str, job_consultant: Staff | None, *,
                  enrolled_by: Staff | None = None, phone: str = "", email: str = "",
                  eligibility: Collection[str] = (), info_meeting_on: date | None = None,
                  ) -> tuple[Citizen, str]:
    """Create a citizen in ``course``; returns the citizen and the personal code (shown once).

    This only creates the record (the demo seed and test fixtures use it directly). Staff enrol
    through :func:`enrol`, which checks the enrolment rules first.
    """
    code, digest = _unused_code_hash()
    citizen = Citizen(course=course, name=_tidy(name), job_consultant=job_consultant,
                      code_hash=digest, enrolled_by=enrolled_by, phone=phone.strip(),
                      email=email.strip(), eligibility=sorted(set(eligibility)),
                      info_meeting_on=info_meeting_on)
    db.session.add(citizen)
    db.session.flush()
    return citizen, code


def reissue_code(citizen: Citizen) -> tuple[str, list[int]]:
    """Give a citizen a new personal code. The old one stops working and open sessions end.

    Refused (``PeopleError("inactive")``) for a citizen who said no or opted out: they may not
    sign in, so a card would be of no use.
    """
    if not citizen.active:
        raise PeopleError("inactive")
    code, digest = _unused_code_hash()
    citizen.code_hash = digest
    citizen.code_issued_at = utcnow()
    ended = end_sessions(citizen=citizen, reason="code_reissued")
    return code, ended


# -- enrolment and voluntary participation ----------------------------------------------------

#: The seed's five objective criteria (method.md §1, "objektive kriterier"): all must be confirmed.
REQUIRED_ELIGIBILITY = ("age_30", "unemployed_12_months", "cash_benefit", "job_ready",
                        "available")
#: The job consultant's own assessment inside the target group: recorded when ticked, optional.
ASSESSMENT = ("can_benefit", "motivated", "not_soon_employed", "can_self_direct", "informed")
#: "en uges betænkningstid" after the information meeting.
DECISION_DAYS = 7
#: "højst 4 uger til at udarbejde sit personlige budget" after the yes.
PLAN_DAYS = 28

# A CPR number is ddmmyy-xxxx; written with a dash, a space or nothing between the halves. The day
# and month must be plausible, so phone numbers such as +4512345678 are not mistaken for one.
_CPR_SHAPED = re.compile(r"(?<!\d)(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d\d[-\s]?\d{4}(?!\d)")


class EnrolmentError(PeopleError):
    """A refused enrolment or participation change; ``field`` names the form field at fault."""

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(code)
        self.field = field


@dataclass(frozen=True)
class Enrolment:
    """What staff type to enrol a citizen. No CPR number, ever."""

    name: str
    job_consultant: Staff | None
    info_meeting_on: date | None
    eligibility: Collection[str]
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Participation:
    """Where a citizen stands in the voluntary part of the method, for screens and rules.

    ``status`` is ``pending``, ``yes``, ``no`` or ``opted_out``.
    """

    status: str
    decision_deadline: date | None
    budget_deadline: date | None
    decided_on: date | None
    #: Still pending after the decision deadline.
    overdue: bool
    #: Days left until the deadline that matters now (decision or budget plan); may be negative.
    days_left: int | None
    can_decide: bool
    can_opt_out: bool


def cpr_shaped(text: str | None) -> bool:
    """True when ``text`` contains something shaped like a CPR number (ddmmyy-xxxx)."""
    return bool(text) and _CPR_SHAPED.search(text) is not None


def without_cpr(text: str) -> str:
    """``text`` with every CPR-shaped number removed, so it is not even sent back to the browser."""
    return _tidy(_CPR_SHAPED.sub("", text))


def _tidy(text: str) -> str:
    return " ".join(text.split())


def name_key(name: str) -> str:
    """A name as duplicates are compared: case and spacing do not matter."""
    return "".join(name.split()).casefold()


def places_taken(course: Course) -> int:
    """Places in use: active citizens who have not said no (a "no" or an opt-out frees one)."""
    return sum(1 for c in course.citizens if c.active and c.decision != "no")


def decision_deadline(citizen: Citizen) -> date | None:
    """The last day of the week to decide (betænkningstid): information meeting + 7 days."""
    if citizen.info_meeting_on is None:
        return None
    return citizen.info_meeting_on + timedelta(days=DECISION_DAYS)


def budget_deadline(citizen: Citizen) -> date | None:
    """The day the budget plan must be finished: the date of the yes + 28 days."""
    return budget_deadline_of(citizen.decision, citizen.decided_on)


def budget_deadline_of(decision: str, decided_on: date | None) -> date | None:
    """:func:`budget_deadline` from the two columns it rests on (a list reads just those)."""
    if decision != "yes" or decided_on is None:
        return None
    return decided_on + timedelta(days=PLAN_DAYS)


def participation(citizen: Citizen, today: date | None = None) -> Participation:
    """The citizen's decision, deadlines and what staff may still record."""
    today = today or local_today()
    decide_by = decision_deadline(citizen)
    plan_by = budget_deadline(citizen)
    if citizen.opted_out_at is not None:
        status = "opted_out"
    else:
        status = citizen.decision
    pending = status == "pending" and citizen.active
    focus = decide_by if pending else plan_by if status == "yes" else None
    return Participation(
        status=status, decision_deadline=decide_by, budget_deadline=plan_by,
        decided_on=citizen.decided_on,
        overdue=pending and decide_by is not None and today > decide_by,
        days_left=(focus - today).days if focus is not None else None,
        can_decide=pending,
        can_opt_out=citizen.active and status == "yes",
    )


def roster(course: Course) -> list[tuple[Citizen, Participation]]:
    """The course's citizens with their participation: active ones first, then by name."""
    today = local_today()
    people = sorted(course.citizens, key=lambda c: (not c.active, name_key(c.name)))
    return [(c, participation(c, today)) for c in people]


def enrol(course: Course, details: Enrolment, *, enrolled_by: Staff) -> tuple[Citizen, str]:
    """Enrol a citizen after checking every rule; returns the citizen and the personal code.

    Refuses with :class:`EnrolmentError` before writing anything: a CPR-shaped string in a free
    text (``cpr``), an unconfirmed objective criterion (``eligibility``), an information meeting
    in the future (``info_meeting_future``) or missing (``info_meeting_missing``), a job
    consultant who is not an active job consultant of the course's team (``consultant``), a
    full course (``full``), or a citizen of the same name already active in it (``duplicate``).
    """
    for field in ("name", "phone", "email"):
        if cpr_shaped(getattr(details, field)):
            raise EnrolmentError("cpr", field)
    if not _tidy(details.name):
        raise EnrolmentError("name_missing", "name")
    if not set(REQUIRED_ELIGIBILITY) <= set(details.eligibility):
        raise EnrolmentError("eligibility", "criteria")
    if details.info_meeting_on is None:
        raise EnrolmentError("info_meeting_missing", "info_meeting_on")
    if details.info_meeting_on > local_today():
        raise EnrolmentError("info_meeting_future", "info_meeting_on")
    consultant = details.job_consultant
    if consultant is None or not (consultant.team_id == course.team_id and consultant.active
                                  and consultant.role == Role.JOB_CONSULTANT):
        raise EnrolmentError("consultant", "job_consultant")
    key = name_key(details.name)
    if any(c.active and name_key(c.name) == key for c in course.citizens):
        raise EnrolmentError("duplicate", "name")
    if places_taken(course) >= course.capacity:
        raise EnrolmentError("full")
    known = set(REQUIRED_ELIGIBILITY) | set(ASSESSMENT)
    return enrol_citizen(course, details.name, consultant, enrolled_by=enrolled_by,
                         phone=details.phone, email=details.email,
                         eligibility=[k for k in details.eligibility if k in known],
                         info_meeting_on=details.info_meeting_on)


def record_decision(citizen: Citizen, decision: str, decided_on: date | None = None) -> list[int]:
    """Record the citizen's yes or no; returns the login sessions ended (to disconnect).

    Participation is voluntary. A yes must come within the week to decide (``after_deadline``
    otherwise) and starts the four weeks for the budget plan. A no makes the citizen inactive:
    they can no longer sign in, their sessions end and their place is freed. Only a pending,
    active citizen can decide (``already_decided``); the date of the answer can be neither in
    the future (``decided_in_future``) nor before the information meeting
    (``decided_before_meeting``).
    """
    today = local_today()
    decided_on = decided_on or today
    if decision not in ("yes", "no"):
        raise EnrolmentError("bad_decision", "decision")
    if not citizen.active or citizen.decision != "pending":
        raise EnrolmentError("already_decided", "decision")
    if decided_on > today:
        raise EnrolmentError("decided_in_future", "decided_on")
    if citizen.info_meeting_on is not None and decided_on < citizen.info_meeting_on:
        raise EnrolmentError("decided_before_meeting", "decided_on")
    deadline = decision_deadline(citizen)
    if decision == "yes" and deadline is not None and decided_on > deadline:
        raise EnrolmentError("after_deadline", "decision")
    citizen.decision, citizen.decided_on = decision, decided_on
    if decision == "yes":
        db.session.flush()
        return []
    citizen.active = False
    return end_sessions(citizen=citizen, reason="declined")


def opt_out(citizen: Citizen) -> list[int]:
    """Record that a participating citizen opts out; returns the login sessions ended.

    The citizen becomes inactive (cannot sign in, frees the place) and ``opted_out_at`` is set;
    the yes stays on record. Only an active citizen who said yes can opt out (``cannot_opt_out``):
    a pending citizen says no instead.
    """
    if not citizen.active or citizen.decision != "yes" or citizen.opted_out_at is not None:
        raise EnrolmentError("cannot_opt_out")
    citizen.active = False
    citizen.opted_out_at = utcnow()
    return end_sessions(citizen=citizen, reason="opted_out")


def set_citizen_code(citizen: Citizen, code: str) -> None:
    """Set a known personal code (the demo seed only: real codes come from :func:`reissue_code`)."""
    citizen.code_hash = codes.keyed_hash(code_key(), codes.normalise(code))
    db.session.flush()


def course_id_by_code(raw: str) -> int | None:
    """The id of the course whose join code this is (case and spacing forgiven), found through
    its citizens: a course nobody is enrolled in has nobody to sign in."""
    code = codes.normalise(raw)
    if not codes.is_well_formed(code, codes.COURSE_CODE_LENGTH):
        return None
    return db.session.scalar(
        sa.select(Citizen.course_id).where(Citizen.course.has(code=code)).limit(1))


def authenticate_citizen(course_id: int, raw_code: str) -> Citizen | None:
    """The citizen of the course with this personal code, or ``None``. Only an active one may
    sign in; one who said no or opted out is found, to be told so (their code is right)."""
    code = codes.normalise(raw_code)
    if not codes.is_well_formed(code):
        return None
    digest = codes.keyed_hash(code_key(), code)
    return db.session.scalar(
        sa.select(Citizen).where(Citizen.code_hash == digest, Citizen.course_id == course_id))


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


def _with_person() -> tuple[Any, ...]:
    """A sign-in is read with its person (staff or citizen), in the same statement. (Options
    made on use: made at import, they would configure the mappers before every model is.)"""
    return joinedload(LoginSession.staff), joinedload(LoginSession.citizen)


def read_sign_in_with_session(app: Flask) -> None:
    """Where sessions live in the database (PostgreSQL), the sign-in a session holds and its
    person are read in the session's own statement (:func:`course.sessions.read_alongside`):
    :func:`load_session` then finds them read, and checks them as it would its own reading —
    the same token, live, the person active, not idle."""
    from course.sessions import read_alongside

    read_alongside(app, LoginSession, lambda key: LoginSession.token_hash == key, *_with_person())


def load_session(token: str) -> LoadedSession | None:
    """The live login session for ``token``, touching its last-seen time; ``None`` if ended.

    A session idle for longer than the timeout is ended here, on the server.
    """
    key = codes.token_hash(token)
    row = g.pop("read_with_session", None)  # read with the web session (see below)
    if row is None or row.token_hash != key:
        # The person comes in the same statement: this runs before every signed-in request.
        row = db.session.scalar(sa.select(LoginSession).where(LoginSession.token_hash == key)
                                .options(*_with_person()))
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
    rows = db.session.scalars(sa.select(ThrottleBucket).where(ThrottleBucket.key.in_(keys))
                              .execution_options(populate_existing=True))
    waits = [int((r.locked_until - now).total_seconds()) + 1
             for r in rows if r.locked_until and r.locked_until > now]
    return max(waits) if waits else None


def record_failure(limits: dict[str, int]) -> None:
    """Count a failed attempt against each key; a key at its limit locks for one window.

    Counted in the database, atomically: the row is created if missing (ON CONFLICT DO
    NOTHING), then one UPDATE increments it, restarting an expired window and setting the lock
    from the values it read — two requests at once cannot both read the same count.
    """
    window = timedelta(minutes=int(current_app.config["LOGIN_WINDOW_MINUTES"]))
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    bucket = ThrottleBucket
    for key, limit in limits.items():
        db.session.execute(insert(bucket).values(key=key, failures=0, window_started_at=now)
                           .on_conflict_do_nothing(index_elements=[bucket.key]))
        expired = bucket.window_started_at < sa.literal(now - window, UTCDateTime())
        failures = sa.case((expired, 1), else_=bucket.failures + 1)
        db.session.execute(
            sa.update(bucket).where(bucket.key == key)
            .values(failures=failures,
                    window_started_at=sa.case((expired, sa.literal(now, UTCDateTime())),
                                              else_=bucket.window_started_at),
                    locked_until=sa.case(
                        (failures >= limit, sa.literal(now + window, UTCDateTime())),
                        else_=bucket.locked_until))
            .execution_options(synchronize_session=False))
    db.session.flush()


def course_throttle_key(course_id: int) -> str:
    """The throttling key of a course code (a whole room shares it)."""
    return f"course:{course_id}"


def clear_throttle(keys: list[str]) -> None:
    """Forget failures for ``keys`` (after a success, or when a facilitator lifts a lockout)."""
    db.session.execute(sa.delete(ThrottleBucket).where(ThrottleBucket.key.in_(keys)))
    db.session.flush()
