"""Where sessions live in the database (PostgreSQL), the sign-in a session holds and its person
come in the session's own statement (course.sessions.read_alongside). Every way a sign-in ends
must still end it, and a session row must never lend a request somebody else's person."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from course.extensions import db
from course.people.models import LoginSession
from course.types import utcnow
from tests.conftest import login_staff
from tests.services.conftest import postgresql_app
from tests.test_sessions import _cookie

pytestmark = pytest.mark.services


@pytest.fixture
def app(make_app, fresh_database):
    return postgresql_app(make_app, fresh_database)


def _office(client) -> int:
    return client.get("/office").status_code


def test_the_sign_in_comes_in_the_session_statement(app, make_world):
    from tests.conftest import sql_statements

    with app.app_context():
        make_world()
    client = app.test_client()
    login_staff(client, "fac@teama.dk")
    assert _office(client) == 200  # (the session is written with its sign-in's key)
    with sql_statements(app) as statements:
        assert _office(client) == 200
    first = statements[0]
    assert first.startswith("SELECT web_sessions.data") and "JOIN login_sessions" in first
    assert "JOIN staff" in first  # ... and the person
    assert not [s for s in statements[1:] if "FROM login_sessions" in s], statements


def test_a_sign_in_ended_elsewhere_ends_with_the_session_read(app, make_world):
    """Signed out on another device (every session of the person ended), deactivated, or idle
    past the timeout: the sign-in read with the session loads nobody."""
    from course.people import services
    from course.people.models import Staff

    with app.app_context():
        make_world()
    clients = [app.test_client() for _ in range(3)]
    for client in clients:
        login_staff(client, "fac@teama.dk")
        assert _office(client) == 200

    with app.app_context():  # 1. every session of the person ended (as "sign out everywhere")
        staff = db.session.scalars(sa.select(Staff).where(Staff.email == "fac@teama.dk")).one()
        keep = db.session.scalars(sa.select(LoginSession.id).where(
            LoginSession.staff_id == staff.id).order_by(LoginSession.id.desc())).first()
        services.end_sessions(staff=staff, reason="logout_all", keep=keep)
        db.session.commit()
    assert [_office(c) for c in clients] == [302, 302, 200]

    with app.app_context():  # 2. idle past the timeout
        db.session.execute(sa.update(LoginSession).where(LoginSession.id == keep).values(
            last_seen_at=utcnow() - timedelta(hours=12)))
        db.session.commit()
    assert _office(clients[2]) == 302

    login_staff(clients[0], "fac@teama.dk")
    assert _office(clients[0]) == 200
    with app.app_context():  # 3. deactivated
        db.session.execute(sa.update(Staff).where(Staff.email == "fac@teama.dk").values(
            active=False))
        db.session.commit()
    assert _office(clients[0]) == 302


def test_a_session_row_keyed_to_another_sign_in_lends_nobody_its_person(app, make_world):
    """The key beside the session's data only says what to read with it: the sign-in used is
    the one the session's data holds. A row whose key names another person's sign-in (however
    it came to be) still loads its own person, and theirs stays theirs."""
    from course.sessions import WebSession

    with app.app_context():
        make_world()
    facilitator, consultant = app.test_client(), app.test_client()
    login_staff(facilitator, "fac@teama.dk")
    login_staff(consultant, "con@teama.dk")
    assert _office(facilitator) == 200 and _office(consultant) == 200
    with app.app_context():
        rows = list(db.session.scalars(sa.select(WebSession)))
        mine = next(r for r in rows if r.session_id.endswith(_cookie(facilitator)))
        theirs = next(r for r in rows if r.session_id.endswith(_cookie(consultant)))
        assert mine.login_key and theirs.login_key and mine.login_key != theirs.login_key
        mine.login_key = theirs.login_key
        db.session.commit()
    page = facilitator.get("/office").get_data(as_text=True)
    assert "Facilitator Team A" in page and "Consultant Team A" not in page
    assert "Consultant Team A" in consultant.get("/office").get_data(as_text=True)


def test_a_request_never_holds_two_connections(make_app, fresh_database, make_world):
    """A sign-in retires its session id and saves the new session: the store writes both at
    the end, after the request gave its connection back. On a pool of ONE connection every
    step still works — holding the request's connection while waiting for a second, sixteen
    sign-ins at once on a pool of fifteen waited on each other until the pool's timeout."""
    app = postgresql_app(make_app, fresh_database, SQLALCHEMY_ENGINE_OPTIONS={
        "pool_size": 1, "max_overflow": 0, "pool_timeout": 2})
    with app.app_context():
        make_world()
    client = app.test_client()
    assert client.get("/").status_code == 200
    client.csrf_token()  # an anonymous session, stored: the sign-in retires its id
    before = _cookie(client)
    login_staff(client, "fac@teama.dk")
    assert _cookie(client) != before
    assert _office(client) == 200
    assert client.post("/logout").status_code == 302
    assert _office(client) == 302
    with app.app_context():  # the retired id and the signed-out session are gone
        from course.sessions import WebSession
        ids = db.session.scalars(sa.select(WebSession.session_id)).all()
        assert not [i for i in ids if i.endswith(before)]
