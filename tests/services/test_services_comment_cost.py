"""A comment's statements on PostgreSQL, where the server-side session is read and written in
the database too (course/sessions.py): the same at 3, 53 and 500 plans, and pinned; and the
session store's write of an unchanged session, at most twice a minute."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from course.extensions import db
from course.types import utcnow
from tests.conftest import login_staff
from tests.services.conftest import postgresql_app
from tests.test_query_counts import _comment_costs
from tests.test_sessions import _cookie

pytestmark = pytest.mark.services

# 9: the 9 statements of tests/test_query_counts.py::COMMENT_STATEMENTS, with the sign-in read
# in the session store's read at the request's start (course.sessions.read_alongside; 10 when
# they were two reads). An unchanged session is written again at most twice a minute, to slide
# its expiry: not after this comment.
COMMENT_STATEMENTS_POSTGRESQL = 9


@pytest.fixture
def app(make_app, fresh_database):
    return postgresql_app(make_app, fresh_database)


def test_a_comment_on_postgresql_costs_the_same_with_3_53_and_500_plans(app, make_world):
    costs = {size: _comment_costs(app, make_world, size) for size in (3, 53, 500)}
    print("\n".join([f"a comment on PostgreSQL: { {n: len(s) for n, s in costs.items()} }",
                     *(s[:160] for s in costs[3])]))
    assert len({len(s) for s in costs.values()}) == 1, costs
    assert len(costs[3]) == COMMENT_STATEMENTS_POSTGRESQL, costs[3]


def test_an_unchanged_session_slides_its_expiry_at_most_twice_a_minute(app, make_world):
    """The database session store (PostgreSQL's) writes a changed session at
    once, and an unchanged one only when its expiry is 30 s behind a fresh one's — not a write
    per request; the expiry still slides with use, and signing out still ends it at once."""
    from course.sessions import WebSession
    make_world()
    client = app.test_client()
    login_staff(client, "fac@teama.dk")

    def expiry():
        with app.app_context():
            return db.session.scalars(sa.select(WebSession.expiry).where(
                WebSession.session_id.like(f"%{_cookie(client)}"))).one()

    def age(seconds: int) -> None:
        with app.app_context():
            db.session.execute(sa.update(WebSession).values(
                expiry=WebSession.expiry - timedelta(seconds=seconds)))
            db.session.commit()

    assert client.get("/office").status_code == 200  # (the first page keeps a CSRF token)
    age(20)
    written = expiry()
    assert client.get("/office").status_code == 200
    assert expiry() == written  # unchanged and fresh enough: not written again
    age(20)  # now 40 s behind a fresh one
    assert client.get("/office").status_code == 200
    assert expiry() > written  # slid
    with app.app_context():
        lifetime = app.permanent_session_lifetime
    assert expiry() > utcnow().replace(tzinfo=None) + lifetime - timedelta(seconds=5)
    assert client.post("/logout").status_code == 302
    assert client.get("/office").status_code == 302  # signed out at once
