"""Staff's second factor: TOTP codes from an authenticator app, and one-time recovery codes.

A code is checked against the time steps just before, at and just after now (pyotp's
``valid_window=1``: a phone's clock may be half a minute off), and is good once: the step it
matched is remembered, and a code of that step or an earlier one is refused (a code read over
a shoulder or replayed from a proxy log admits no one). Recovery codes are stored as keyed
hashes, like personal codes, and each is used up when used.

The secret is stored as it is (base32): Teten has no encryption library installed, and a key
derived from the app's secret would sit beside the database on the same server. It is kept out
of logs, exports and every page but the enrolment page that shows it once.

Services ``flush()``; the request that called them commits once.
"""

from __future__ import annotations

import hmac
import time

import pyotp
import sqlalchemy as sa
from flask import current_app

from course.extensions import db
from course.people import codes
from course.people.models import RecoveryCode, SecondFactor, Staff
from course.people.services import code_key, end_sessions
from course.types import utcnow

#: How long the state between the password and the code lasts.
PENDING_MINUTES = 5
#: How long someone may take to set up the app after the password (install, scan, type).
ENROL_MINUTES = 15
RECOVERY_CODES = 10
RECOVERY_CODE_LENGTH = 10
ISSUER = "Teten"
STEP_SECONDS = 30
#: Seconds since the epoch (a test sets the clock).
clock = time.time


def required() -> bool:
    """Must staff sign in with a second factor (the ``STAFF_TWO_FACTOR`` setting)?"""
    return bool(current_app.config["STAFF_TWO_FACTOR"])


def factor_of(staff: Staff) -> SecondFactor | None:
    return db.session.get(SecondFactor, staff.id)


def is_enrolled(staff: Staff) -> bool:
    factor = factor_of(staff)
    return factor is not None and factor.secret is not None and factor.confirmed_at is not None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(staff: Staff, secret: str) -> str:
    """The ``otpauth://`` address the enrolment QR code carries."""
    return pyotp.TOTP(secret).provisioning_uri(name=staff.email, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _digits(raw: str) -> str:
    return "".join(ch for ch in raw if ch not in " -\t")


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step (of now-1, now, now+1) whose code ``code`` is, or ``None``."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    step = int(clock() if now is None else now) // STEP_SECONDS
    for candidate in (step - 1, step, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _recovery_hash(staff: Staff, code: str) -> str:
    return codes.keyed_hash(code_key(), f"recovery:{staff.id}:{code}")


def display_recovery(code: str) -> str:
    half = RECOVERY_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def new_recovery_codes(staff: Staff) -> list[str]:
    """Replace ``staff``'s recovery codes with fresh ones; returns them (shown once)."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.staff_id == staff.id))
    fresh = [codes.new_code(RECOVERY_CODE_LENGTH) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(staff_id=staff.id, code_hash=_recovery_hash(staff, code))
                       for code in fresh)
    db.session.flush()
    return [display_recovery(code) for code in fresh]


def recovery_codes_left(staff: Staff) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.staff_id == staff.id, RecoveryCode.used_at.is_(None))) or 0


def confirm_enrolment(staff: Staff, secret: str, raw_code: str) -> list[str] | None:
    """Set up ``secret`` for ``staff`` if ``raw_code`` is its current code: returns the new
    recovery codes (shown once), or ``None`` (nothing is written)."""
    step = _matching_step(secret, _digits(raw_code))
    if step is None:
        return None
    factor = factor_of(staff)
    if factor is None:
        factor = SecondFactor(staff_id=staff.id)
        db.session.add(factor)
    factor.secret, factor.confirmed_at, factor.last_step = secret, utcnow(), step
    db.session.flush()
    return new_recovery_codes(staff)


def check_code(staff: Staff, raw_code: str) -> str | None:
    """Use a code of ``staff``'s app (``"app"``) or one of their recovery codes
    (``"recovery"``); ``None`` if it is wrong, or used already.

    Using is one conditional UPDATE each: two requests with the same code cannot both win.
    """
    factor = factor_of(staff)
    if factor is None or factor.secret is None:
        return None
    digits = _digits(raw_code)
    step = _matching_step(factor.secret, digits)
    if step is not None:
        taken = db.session.execute(
            sa.update(SecondFactor)
            .where(SecondFactor.staff_id == staff.id,
                   sa.or_(SecondFactor.last_step.is_(None), SecondFactor.last_step < step))
            .values(last_step=step).execution_options(synchronize_session=False))
        db.session.flush()
        return "app" if taken.rowcount == 1 else None
    code = codes.normalise(raw_code)
    if len(code) != RECOVERY_CODE_LENGTH or not all(ch in codes.ALPHABET for ch in code):
        return None
    used = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.staff_id == staff.id,
               RecoveryCode.code_hash == _recovery_hash(staff, code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    db.session.flush()
    return "recovery" if used.rowcount == 1 else None


def reset(staff: Staff, *, by: Staff) -> list[int]:
    """A team lead's reset of ``staff``'s second factor: the app and the recovery codes stop
    working, ``staff`` sets them up again at the next sign-in, and their sessions end (their
    ids are returned, to disconnect)."""
    factor = factor_of(staff)
    if factor is None:
        factor = SecondFactor(staff_id=staff.id)
        db.session.add(factor)
    factor.secret = factor.confirmed_at = factor.last_step = None
    factor.reset_at, factor.reset_by_id = utcnow(), by.id
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.staff_id == staff.id))
    db.session.flush()
    current_app.logger.info("second factor of staff %s reset by staff %s", staff.id, by.id)
    return end_sessions(staff=staff, reason="two_factor_reset")


def factors_of(staff_ids: list[int]) -> dict[int, SecondFactor]:
    """The second factors of several staff (the team lead's list)."""
    if not staff_ids:
        return {}
    rows = db.session.scalars(sa.select(SecondFactor)
                              .where(SecondFactor.staff_id.in_(staff_ids))).all()
    return {row.staff_id: row for row in rows}
