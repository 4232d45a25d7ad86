"""The connection pool on PostgreSQL: no ping per checkout, a ping after idleness (issue 19).

A busy room's requests borrow connections that were in use moments before: pinging each one
(SQLAlchemy's ``pool_pre_ping``) is a round trip per checkout for nothing. A connection that
has sat idle may have died unnoticed (the server restarted overnight): it is pinged, and a
dead one is replaced before a request uses it (``course/database.py``).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.services.conftest import DEMO_COURSE_CODE, DEMO_FACILITATOR, SECRET_KEY, query


def _app(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, idle: float):
    import os

    for name in [k for k in os.environ if k.startswith("COURSE_")]:
        monkeypatch.delenv(name)
    from course import create_app
    from tests.conftest import Client

    app = create_app({"TESTING": False, "SECRET_KEY": SECRET_KEY, "STAFF_TWO_FACTOR": False,
                      "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SQLALCHEMY_DATABASE_URI": database_url, "DB_PING_IDLE_SECONDS": idle})
    app.test_client_class = Client
    return app


def _terminate_all(database_url: str) -> None:
    query(database_url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
          "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def _console(app, database_url: str):
    from tests.conftest import login_staff

    [(course_id,)] = query(database_url, "SELECT id FROM courses WHERE code = %s",
                           (DEMO_COURSE_CODE,))
    facilitator = app.test_client()
    login_staff(facilitator, *DEMO_FACILITATOR)
    return facilitator, f"/courses/{course_id}/console"


def _dispose(app) -> None:
    from course.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _counting_pings(app, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from course.extensions import db

    pings: list[int] = []
    with app.app_context():
        dialect = db.engine.dialect
    real = dialect.do_ping

    def do_ping(dbapi_connection):
        pings.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", do_ping)
    return pings


def test_busy_requests_borrow_connections_without_a_ping(
        seeded_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app(seeded_database, tmp_path, monkeypatch, idle=30)
    pings = _counting_pings(app, monkeypatch)
    try:
        facilitator, console = _console(app, seeded_database)
        for _ in range(10):
            assert facilitator.get(console).status_code == 200
        assert pings == []  # ten requests, each with several checkouts: not one ping
    finally:
        _dispose(app)


def test_a_connection_that_died_while_idle_is_replaced_before_use(
        seeded_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app(seeded_database, tmp_path, monkeypatch, idle=0.2)
    pings = _counting_pings(app, monkeypatch)
    try:
        facilitator, console = _console(app, seeded_database)
        assert facilitator.get(console).status_code == 200
        _terminate_all(seeded_database)  # the server restarts while the pool sits idle
        time.sleep(0.3)
        again = facilitator.get(console)
        assert again.status_code == 200  # pinged, found dead, replaced: nobody saw it
        assert pings  # and it was the ping that found it
    finally:
        _dispose(app)


def test_without_the_idle_ping_the_dead_connection_would_fail_a_request(
        seeded_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The contrast that shows what the ping does: an hour's threshold, the same restart —
    the first request after it fails (the error page), and the one after that is served (the
    disconnect invalidated the whole pool)."""
    app = _app(seeded_database, tmp_path, monkeypatch, idle=3600)
    try:
        facilitator, console = _console(app, seeded_database)
        assert facilitator.get(console).status_code == 200
        _terminate_all(seeded_database)
        assert facilitator.get(console).status_code == 500
        assert facilitator.get(console).status_code == 200
    finally:
        _dispose(app)
