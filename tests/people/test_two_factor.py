"""Two-factor sign-in for staff: a password, then a code from an authenticator app (TOTP).

The test apps turn the second factor off (tests/conftest.py base_config); every test here
turns it on. The app's clock is set (``twofactor.clock``), so the codes are the test's to
compute with pyotp, a step (30 s) at a time.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from course.extensions import db
from course.people import twofactor
from course.people.models import (
    LoginSession,
    RecoveryCode,
    Role,
    SecondFactor,
    Staff,
    Team,
    ThrottleBucket,
)
from course.people.routes import PENDING_KEY
from course.people.services import create_staff
from course.types import utcnow
from tests.conftest import PASSWORD

START = 1_800_000_000.0  # a moment in 2027, at the start of a 30-second step


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def step(self, steps: int = 1) -> None:
        self.now += steps * twofactor.STEP_SECONDS


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(twofactor, "clock", fake)
    return fake


@pytest.fixture
def on(app, team_a, clock):
    """The second factor required, Team A built, the clock set."""
    app.config["STAFF_TWO_FACTOR"] = True
    return team_a


def code_at(secret: str, clock: Clock, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now + steps * twofactor.STEP_SECONDS)


def enrolled(app, email: str, clock: Clock) -> tuple[str, list[str]]:
    """Set up an app for ``email`` (as at an earlier sign-in): its secret and recovery codes.
    The clock moves on a step, so the next code is a fresh one."""
    secret = pyotp.random_base32()
    with app.app_context():
        staff = db.session.scalar(sa.select(Staff).where(Staff.email == email))
        recovery = twofactor.confirm_enrolment(staff, secret, code_at(secret, clock))
        db.session.commit()
    clock.step()
    return secret, recovery


def sessions_of(app, staff_id: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession).where(
            LoginSession.staff_id == staff_id, LoginSession.ended_at.is_(None)))


def secret_on(page: str) -> str:
    match = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page)
    assert match, "the key is not on the page"
    return match.group(1).replace(" ", "")


def recovery_on(page: str) -> list[str]:
    return re.findall(r'<li><code class="secret">([A-Z0-9-]+)</code></li>', page)


def signed_in(client) -> bool:
    return client.get("/office").status_code == 200


# -- enrolment ---------------------------------------------------------------------------------


def test_a_password_without_an_app_leads_to_setting_one_up_signed_in_as_nobody(app, client, on):
    response = client.post("/login", data={"email": "fac@teama.dk", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login/two-factor")
    assert sessions_of(app, on.facilitator_id) == 0
    assert client.get("/office").status_code == 302  # protected pages: sign in first
    assert client.get("/password").status_code == 302
    page = client.get("/login/two-factor").get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page
    secret = secret_on(page)
    assert len(secret) == 32
    # The QR code carries the otpauth address of that very secret (segno draws the SVG).
    with app.test_request_context():
        uri = twofactor.provisioning_uri(db.session.get(Staff, on.facilitator_id), secret)
    assert uri.startswith("otpauth://totp/Teten:fac%40teama.dk?secret=" + secret)


def test_a_wrong_confirmation_code_is_refused_in_place_and_sets_nothing_up(app, client, on,
                                                                            clock):
    client.post("/login", data={"email": "fac@teama.dk", "password": PASSWORD})
    secret = secret_on(client.get("/login/two-factor").get_data(as_text=True))
    wrong = f"{(int(code_at(secret, clock)) + 1) % 1_000_000:06d}"
    response = client.post("/login/two-factor", data={"code": wrong})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Koden er ikke rigtig" in page
    assert secret_on(page) == secret  # the same QR code and key: scanned once is enough
    assert 'name="code"' in page
    with app.app_context():
        assert db.session.get(SecondFactor, on.facilitator_id) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    assert sessions_of(app, on.facilitator_id) == 0
    assert not signed_in(client)


def test_the_right_code_sets_the_app_up_signs_in_and_shows_recovery_codes_once(app, client, on,
                                                                               clock):
    first = client.post("/login", data={"email": "fac@teama.dk", "password": PASSWORD})
    assert first.status_code == 302
    pending_cookie = client.get_cookie("teten_session", domain="teten.test").value
    secret = secret_on(client.get("/login/two-factor").get_data(as_text=True))
    response = client.post("/login/two-factor", data={"code": code_at(secret, clock)})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    codes = recovery_on(page)
    assert len(codes) == 10 and len(set(codes)) == 10
    # A new session id at the sign-in.
    assert client.get_cookie("teten_session", domain="teten.test").value != pending_cookie
    assert signed_in(client)
    assert sessions_of(app, on.facilitator_id) == 1
    with app.app_context():
        factor = db.session.get(SecondFactor, on.facilitator_id)
        assert factor.secret == secret and factor.confirmed_at is not None
        hashes = db.session.scalars(sa.select(RecoveryCode.code_hash)
                                    .where(RecoveryCode.staff_id == on.facilitator_id)).all()
    assert len(hashes) == 10
    stored = " ".join(hashes)
    for code in codes:  # kept hashed: no code, with or without its dash, is in the database
        assert code not in stored and code.replace("-", "") not in stored
    own = client.get("/two-factor").get_data(as_text=True)
    assert recovery_on(own) == [] and "10" in own  # shown once; the count stays


def test_setting_up_expires_and_asks_for_the_password_again(app, client, on):
    client.post("/login", data={"email": "fac@teama.dk", "password": PASSWORD})
    with client.session_transaction() as session:
        state = session[PENDING_KEY]
        state["since"] = (utcnow() - timedelta(minutes=twofactor.ENROL_MINUTES + 1)).timestamp()
        session[PENDING_KEY] = state
    response = client.get("/login/two-factor")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


# -- signing in with the code --------------------------------------------------------------------


def test_the_password_alone_no_longer_signs_in(app, client, on, clock):
    secret, _codes = enrolled(app, "con@teama.dk", clock)
    response = client.post("/login?next=/followup",
                           data={"email": "con@teama.dk", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    assert sessions_of(app, on.consultant_id) == 0
    assert client.get("/office").status_code == 302
    assert client.get("/followup").status_code == 302
    assert client.post("/keepalive").status_code == 401
    pending_cookie = client.get_cookie("teten_session", domain="teten.test").value
    page = client.get("/login/code").get_data(as_text=True)
    assert "Kode fra din app" in page
    response = client.post("/login/code", data={"code": code_at(secret, clock)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/followup")  # where they were going
    assert client.get_cookie("teten_session", domain="teten.test").value != pending_cookie
    assert sessions_of(app, on.consultant_id) == 1
    assert signed_in(client)


def test_a_code_of_the_step_before_or_after_is_accepted(app, on, clock):
    secret, _codes = enrolled(app, "con@teama.dk", clock)
    for steps in (-1, 1):
        client = app.test_client()
        client.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
        clock.step(3)
        response = client.post("/login/code", data={"code": code_at(secret, clock, steps)})
        assert response.status_code == 302, steps
    client = app.test_client()
    client.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
    clock.step(3)
    assert client.post("/login/code",
                       data={"code": code_at(secret, clock, 2)}).status_code == 422


def test_a_wrong_code_is_refused_and_counted_until_the_device_waits(app, client, on, clock):
    app.config["LOGIN_MAX_FAILURES_DEVICE"] = 3
    secret, _codes = enrolled(app, "con@teama.dk", clock)
    client.get("/login")  # the device cookie
    client.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
    wrong = f"{(int(code_at(secret, clock)) + 7) % 1_000_000:06d}"
    for _ in range(3):
        response = client.post("/login/code", data={"code": wrong})
        assert response.status_code == 422
        assert "Koden er ikke rigtig" in response.get_data(as_text=True)
    with app.app_context():
        buckets = {b.key: b.failures for b in db.session.scalars(sa.select(ThrottleBucket))}
    assert buckets[f"totp:{on.consultant_id}"] == 3
    assert any(k.startswith("device:") and n == 3 for k, n in buckets.items())
    # Locked: even the right code waits now, and nobody is signed in.
    response = client.post("/login/code", data={"code": code_at(secret, clock)})
    assert response.status_code == 429
    assert sessions_of(app, on.consultant_id) == 0


def test_a_locked_code_target_refuses_other_devices_too(app, on, clock):
    """Rotating device cookies do not escape the count against ``totp:<staff id>``."""
    app.config["LOGIN_MAX_FAILURES_DEVICE"] = 2
    secret, _codes = enrolled(app, "con@teama.dk", clock)
    wrong = f"{(int(code_at(secret, clock)) + 7) % 1_000_000:06d}"
    for _ in range(2):  # four wrong codes from two devices: the staff member's limit (2 × 2)
        device = app.test_client()
        device.get("/login")
        device.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
        for _ in range(2):
            device.post("/login/code", data={"code": wrong})
    fresh = app.test_client()
    fresh.get("/login")
    fresh.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
    assert fresh.post("/login/code", data={"code": code_at(secret, clock)}).status_code == 429


def test_a_locked_code_target_still_admits_the_person_on_their_own_device(app, on, clock):
    """Like the password: a device that signed in as this person before may go on, with
    the right code, while other devices' wrong codes hold ``totp:<staff id>`` locked."""
    app.config["LOGIN_MAX_FAILURES_DEVICE"] = 2
    secret, _codes = enrolled(app, "con@teama.dk", clock)
    own = app.test_client()
    own.get("/login")
    own.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
    assert own.post("/login/code", data={"code": code_at(secret, clock)}).status_code == 302
    assert own.post("/logout").status_code == 302
    clock.step()
    wrong = f"{(int(code_at(secret, clock)) + 7) % 1_000_000:06d}"
    for _ in range(2):
        device = app.test_client()
        device.get("/login")
        device.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
        for _ in range(2):
            device.post("/login/code", data={"code": wrong})
    own.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
    refused = own.post("/login/code", data={"code": wrong})  # a wrong guess: refused, counted
    assert refused.status_code == 429
    assert own.post("/login/code", data={"code": code_at(secret, clock)}).status_code == 302
    assert signed_in(own)


def test_a_code_is_good_once(app, on, clock):
    secret, _codes = enrolled(app, "con@teama.dk", clock)
    code = code_at(secret, clock)
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        client.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
    assert first.post("/login/code", data={"code": code}).status_code == 302
    replayed = second.post("/login/code", data={"code": code})
    assert replayed.status_code == 422
    assert not signed_in(second)
    # An older code (the step before) is no good after a newer one was used either.
    assert second.post("/login/code",
                       data={"code": code_at(secret, clock, -1)}).status_code == 422
    clock.step()
    assert second.post("/login/code", data={"code": code_at(secret, clock)}).status_code == 302


def test_a_recovery_code_signs_in_once(app, on, clock):
    _secret, codes = enrolled(app, "con@teama.dk", clock)
    first = app.test_client()
    first.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
    response = first.post("/login/code", data={"code": codes[3].lower().replace("-", " ")})
    assert response.status_code == 302
    assert "9" in first.get("/office").get_data(as_text=True)  # "… 9 are left"
    again = app.test_client()
    again.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
    assert again.post("/login/code", data={"code": codes[3]}).status_code == 422
    assert again.post("/login/code", data={"code": codes[4]}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
            RecoveryCode.used_at.is_not(None))) == 2


def test_another_persons_recovery_code_is_no_good(app, on, clock):
    _secret, lead_codes = enrolled(app, "lead@teama.dk", clock)
    enrolled(app, "con@teama.dk", clock)
    client = app.test_client()
    client.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
    assert client.post("/login/code", data={"code": lead_codes[0]}).status_code == 422


def test_the_code_step_expires_after_five_minutes(app, client, on, clock):
    secret, _codes = enrolled(app, "con@teama.dk", clock)
    client.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
    with client.session_transaction() as session:
        state = session[PENDING_KEY]
        state["since"] = (utcnow() - timedelta(minutes=5, seconds=5)).timestamp()
        session[PENDING_KEY] = state
    response = client.post("/login/code", data={"code": code_at(secret, clock)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert sessions_of(app, on.consultant_id) == 0
    assert "tog for lang tid" in client.get("/login").get_data(as_text=True)
    with client.session_transaction() as session:
        assert PENDING_KEY not in session
    # Without a sign-in started, the code page sends to the password without a word.
    stranger = app.test_client()
    response = stranger.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "tog for lang tid" not in stranger.get("/login").get_data(as_text=True)


def test_finance_needs_the_second_factor_too(app, on, clock):
    with app.app_context():
        create_staff(db.session.get(Team, on.team_id), "Fin", "fin@teama.dk", Role.FINANCE,
                     PASSWORD, must_change_password=False)
        db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"email": "fin@teama.dk", "password": PASSWORD})
    assert response.headers["Location"].endswith("/login/two-factor")
    assert client.get("/payouts").status_code == 302


def test_with_the_setting_off_the_password_alone_signs_in(app, client, on, clock):
    enrolled(app, "con@teama.dk", clock)
    app.config["STAFF_TWO_FACTOR"] = False
    response = client.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/office")
    assert signed_in(client)


def test_a_new_account_sets_up_the_app_then_changes_its_password(app, client, on, clock):
    with app.app_context():
        create_staff(db.session.get(Team, on.team_id), "Ny", "ny@teama.dk", Role.FACILITATOR,
                     "midlertidigt kodeord")
        db.session.commit()
    client.post("/login", data={"email": "ny@teama.dk", "password": "midlertidigt kodeord"})
    secret = secret_on(client.get("/login/two-factor").get_data(as_text=True))
    page = client.post("/login/two-factor",
                       data={"code": code_at(secret, clock)}).get_data(as_text=True)
    assert 'href="/password"' in page  # the recovery codes' "continue" leads on to it


# -- recovery codes anew, and the team lead's reset --------------------------------------------


def test_new_recovery_codes_replace_the_old(app, on, clock):
    secret, old = enrolled(app, "con@teama.dk", clock)
    client = app.test_client()
    client.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
    client.post("/login/code", data={"code": code_at(secret, clock)})
    page = client.post("/two-factor/recovery-codes").get_data(as_text=True)
    new = recovery_on(page)
    assert len(new) == 10 and not set(new) & set(old)
    other = app.test_client()
    other.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
    assert other.post("/login/code", data={"code": old[0]}).status_code == 422
    assert other.post("/login/code", data={"code": new[0]}).status_code == 302


def test_no_recovery_codes_without_an_app(app, consultant_client):
    assert consultant_client.post("/two-factor/recovery-codes").status_code == 404


def test_the_team_lead_resets_a_colleagues_second_factor(app, on, clock):
    secret, codes = enrolled(app, "con@teama.dk", clock)
    consultant = app.test_client()
    consultant.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
    consultant.post("/login/code", data={"code": code_at(secret, clock)})
    assert signed_in(consultant)
    enrolled(app, "lead@teama.dk", clock)
    lead = app.test_client()
    app.config["STAFF_TWO_FACTOR"] = False  # the lead signs in with the password (as tested)
    lead.post("/login", data={"email": "lead@teama.dk", "password": PASSWORD})
    app.config["STAFF_TWO_FACTOR"] = True
    staff_page = lead.get("/staff").get_data(as_text=True)
    assert f"/staff/{on.consultant_id}/reset-two-factor" in staff_page
    assert f"/staff/{on.facilitator_id}/reset-two-factor" not in staff_page  # nothing to reset
    response = lead.post(f"/staff/{on.consultant_id}/reset-two-factor")
    assert response.status_code == 302
    assert "Consultant Team A" in lead.get("/staff").get_data(as_text=True)
    assert not signed_in(consultant)  # their sessions ended
    assert sessions_of(app, on.consultant_id) == 0
    with app.app_context():
        factor = db.session.get(SecondFactor, on.consultant_id)
        assert factor.secret is None and factor.reset_by_id == on.lead_id
        assert factor.reset_at is not None
    # The old app and codes admit no one: the next sign-in sets up a new app.
    again = app.test_client()
    response = again.post("/login", data={"email": "con@teama.dk", "password": PASSWORD})
    assert response.headers["Location"].endswith("/login/two-factor")
    skipped = again.post("/login/code", data={"code": codes[0]})  # no code step to skip to
    assert skipped.status_code == 302 and skipped.headers["Location"].endswith("/login")
    assert not signed_in(again)


def test_only_a_team_lead_of_the_same_team_resets(app, make_world, on, clock):
    b = make_world("Team B")
    enrolled(app, "con@teama.dk", clock)
    app.config["STAFF_TWO_FACTOR"] = False
    other_lead, facilitator = app.test_client(), app.test_client()
    other_lead.post("/login", data={"email": "lead@teamb.dk", "password": PASSWORD})
    facilitator.post("/login", data={"email": "fac@teama.dk", "password": PASSWORD})
    own_lead = app.test_client()
    own_lead.post("/login", data={"email": "lead@teama.dk", "password": PASSWORD})
    assert other_lead.post(f"/staff/{on.consultant_id}/reset-two-factor").status_code == 404
    assert facilitator.post(f"/staff/{on.consultant_id}/reset-two-factor").status_code == 403
    own = own_lead.post(f"/staff/{on.lead_id}/reset-two-factor", follow_redirects=True)
    assert "Du kan ikke nulstille din egen" in own.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(SecondFactor, on.consultant_id).secret is not None
    assert b.lead_id
