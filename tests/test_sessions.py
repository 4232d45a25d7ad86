"""Sessions really end: server-side, revocable, fixation-proof, and kind to phones."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from course.extensions import db
from course.people.models import LoginSession
from course.types import utcnow
from tests.conftest import join_citizen, login_staff

COOKIE = "teten_session"


def _cookie(client) -> str:
    cookie = client.get_cookie(COOKIE, domain="teten.test")
    assert cookie is not None
    return cookie.value


def test_copied_cookie_stops_working_after_logout(app, client, make_world):
    make_world()
    login_staff(client, "fac@teama.dk")
    stolen = _cookie(client)
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie(COOKIE, stolen, domain="teten.test")
    response = thief.get("/office")
    assert response.status_code == 302 and "next=" in response.headers["Location"]


def test_session_id_changes_at_sign_in(client, make_world):
    make_world()
    client.get("/")
    client.csrf_token()  # the anonymous session now exists server-side
    before = _cookie(client)
    login_staff(client, "fac@teama.dk")
    assert _cookie(client) != before


def test_planted_session_id_is_not_adopted(app, make_world):
    """Fixation: a victim signing in with an attacker's session id gets a new one."""
    make_world()
    attacker = app.test_client()
    attacker.get("/")
    attacker.csrf_token()
    planted = _cookie(attacker)
    victim = app.test_client()
    victim.set_cookie(COOKIE, planted, domain="teten.test")
    login_staff(victim, "fac@teama.dk")
    assert _cookie(victim) != planted
    assert attacker.get("/office").status_code == 302  # the attacker is not signed in


def test_cookie_flags(app, make_world, tmp_path):
    make_world()
    client = app.test_client()
    response = client.post("/login", data={"email": "fac@teama.dk",
                                           "password": "correct horse battery"})
    header = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE)][0]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Secure" not in header  # plain http in development


def test_secure_cookie_flag_when_configured(make_app):
    app = make_app(SECURE_COOKIES=True)
    response = app.test_client().get("/", base_url="https://teten.test")
    header = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("teten_device")]
    assert header and "Secure" in header[0]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_phone_switching_network_stays_signed_in(client, make_world):
    world = make_world()
    join_citizen(client, world.course_code, world.citizens[0][1],)
    assert client.get("/me", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 200
    assert client.get("/me", environ_base={"REMOTE_ADDR": "100.64.3.9"}).status_code == 200


def test_deactivation_ends_every_session(app, make_world):
    make_world()
    desk, laptop, lead = app.test_client(), app.test_client(), app.test_client()
    login_staff(desk, "con@teama.dk")
    login_staff(laptop, "con@teama.dk")
    login_staff(lead, "lead@teama.dk")
    with app.app_context():
        consultant_id = db.session.scalar(
            sa.text("select id from staff where email='con@teama.dk'"))
    assert lead.post(f"/staff/{consultant_id}/deactivate").status_code == 302
    assert desk.get("/office").status_code == 302
    assert laptop.get("/office").status_code == 302
    response = app.test_client().post("/login", data={"email": "con@teama.dk",
                                                      "password": "correct horse battery"})
    assert response.status_code == 422  # cannot sign in again either


def test_password_reset_shows_a_temporary_password_once_and_ends_sessions(app, make_world):
    world = make_world()
    consultant, lead = app.test_client(), app.test_client()
    login_staff(consultant, "con@teama.dk")
    login_staff(lead, "lead@teama.dk")
    page = lead.post(f"/staff/{world.consultant_id}/reset").get_data(as_text=True)
    assert consultant.get("/office").status_code == 302
    import re

    temporary = re.search(r'class="secret">([A-Z0-9-]+)<', page).group(1)
    fresh = app.test_client()
    response = login_staff(fresh, "con@teama.dk", temporary)
    assert response.headers["Location"] == "/password"  # must choose their own first


def test_reissued_code_kills_the_old_code_and_its_sessions(app, make_world):
    world = make_world()
    citizen_id, old_code = world.citizens[0]
    phone, staff = app.test_client(), app.test_client()
    join_citizen(phone, world.course_code, old_code)
    login_staff(staff, "con@teama.dk")
    card = staff.post(f"/courses/{world.course_id}/citizens/{citizen_id}/code")
    assert card.status_code == 200
    assert phone.get("/me").status_code == 302
    again = app.test_client().post("/join", data={"course_code": world.course_code,
                                                  "personal_code": old_code})
    assert again.status_code == 422
    import re

    new_code = re.search(r'data-testid="personal-code">([A-Z0-9-]+)<',
                         card.get_data(as_text=True)).group(1)
    join_citizen(app.test_client(), world.course_code, new_code.lower())  # typed casually


def test_idle_session_ends_on_the_server(app, client, make_world):
    make_world()
    login_staff(client, "fac@teama.dk")
    with app.app_context():
        db.session.execute(sa.update(LoginSession).values(
            last_seen_at=utcnow() - timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"] + 1)))
        db.session.commit()
    assert client.get("/office").status_code == 302
    with app.app_context():
        row = db.session.scalars(sa.select(LoginSession)).one()
        assert row.ended_at is not None and row.end_reason == "idle"


def test_pages_announce_the_idle_timeout(client, make_world):
    make_world()
    login_staff(client, "fac@teama.dk")
    page = client.get("/office").get_data(as_text=True)
    assert 'data-idle-seconds="7200"' in page and 'id="idle-dialog"' in page


def test_keepalive_extends_the_session(app, client, make_world):
    make_world()
    login_staff(client, "fac@teama.dk")
    with app.app_context():
        db.session.execute(sa.update(LoginSession).values(
            last_seen_at=utcnow() - timedelta(minutes=100)))
        db.session.commit()
    assert client.post("/keepalive").status_code == 204
    with app.app_context():
        row = db.session.scalars(sa.select(LoginSession)).one()
        assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_codes_are_stored_only_as_keyed_hashes(app, make_world):
    world = make_world()
    with app.app_context():
        hashes = db.session.scalars(sa.text("select code_hash from citizens")).all()
        dump = " ".join(hashes)
    for _, code in world.citizens:
        assert code not in dump
    assert all(len(h) == 64 for h in hashes)

