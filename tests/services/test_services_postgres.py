"""Teten on PostgreSQL: the migrations, the demo seed and a signed-in flow on a fresh database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Client, join_citizen, login_staff
from tests.services.conftest import (
    DEMO_CITIZEN_CODE,
    DEMO_COURSE_CODE,
    DEMO_FACILITATOR,
    ROOT,
    SECRET_KEY,
    app_env,
    flask_cli,
    query,
)

pytestmark = pytest.mark.services

SEEDED_TABLES = ["teams", "staff", "courses", "course_facilitators", "citizens", "cases"]


def _snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of the tables the demo seeds, in a stable order."""
    return {table: sorted(query(url, f"SELECT * FROM {table}"), key=repr)
            for table in SEEDED_TABLES}


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(ROOT / "migrations")).get_current_head()


def _seq(url: str, room: str) -> int:
    rows = query(url, "SELECT seq FROM live_streams WHERE room = %s", (room,))
    return rows[0][0] if rows else 0


def test_migrations_seed_and_a_signed_in_flow_on_postgresql(
        fresh_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = app_env(fresh_database, tmp_path / "cli")

    # Migrations run to head on an empty database, and the models match them (no drift).
    flask_cli(env, "db", "upgrade")
    assert query(fresh_database, "SELECT version_num FROM alembic_version") == [
        (_head_revision(),)]
    check = flask_cli(env, "db", "check")
    assert "No new upgrade operations detected" in check.stdout + check.stderr

    # The demo seeds once, and a second run changes nothing and prints the same logins.
    first = flask_cli(env, "demo")
    seeded = _snapshot(fresh_database)
    assert {t: len(rows) for t, rows in seeded.items()} == {
        "teams": 1, "staff": 5, "courses": 2, "course_facilitators": 1, "citizens": 10,
        "cases": 4}  # (an earlier course's plans in the approval queue, one approved)
    second = flask_cli(env, "demo")
    assert second.stdout == first.stdout
    assert _snapshot(fresh_database) == seeded
    assert "DEMA2345" in first.stdout and DEMO_FACILITATOR[0] in first.stdout

    # A signed-in flow through the app on this database, in process (no COURSE_* leaks in).
    for name in [k for k in os.environ if k.startswith("COURSE_")]:
        monkeypatch.delenv(name)
    from course import create_app, realtime
    from course.extensions import db, socketio

    app = create_app({
        "TESTING": True,
        "SECRET_KEY": SECRET_KEY,  # the seed's personal codes are keyed with it
        "STAFF_TWO_FACTOR": False,  # (tests/people/test_two_factor.py signs in with it)
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": fresh_database,
    })
    app.test_client_class = Client
    try:
        with app.app_context():
            assert db.engine.dialect.name == "postgresql"
            assert db.engine.driver == "psycopg"
        [(course_id,)] = query(fresh_database, "SELECT id FROM courses WHERE code = %s",
                               (DEMO_COURSE_CODE,))
        rooms = [realtime.room(course_id, audience) for audience in realtime.AUDIENCES]
        assert [_seq(fresh_database, name) for name in rooms] == [0, 0, 0]

        phone, facilitator = app.test_client(), app.test_client()
        join_citizen(phone, DEMO_COURSE_CODE, DEMO_CITIZEN_CODE)
        login_staff(facilitator, *DEMO_FACILITATOR)
        sock = socketio.test_client(app, flask_test_client=phone)
        try:
            assert sock.is_connected()
            [hello] = [e["args"][0] for e in sock.get_received() if e["name"] == "live:hello"]
            assert hello["streams"][rooms[0]] == 0

            # Signing in on the kickoff day (the demo's is today) checked the citizen in, which
            # pushed the attendance to the facilitators' room and the join count to the wall's,
            # and nothing to the phones.
            before = [_seq(fresh_database, name) for name in rooms]
            assert before == [0, 1, 1]
            # Twice: the first push inserts the participants' and projector's rows, the second
            # takes the ON CONFLICT DO UPDATE branch of the upsert.
            for n, text in enumerate(["Kaffe i kantinen kl. 10", "Frokost kl. 12"], start=1):
                response = facilitator.post(f"/courses/{course_id}/announcements",
                                            data={"text": text}, headers={"HX-Request": "true"})
                assert response.status_code == 200, response.get_data(as_text=True)[:500]
                region = phone.get(f"/courses/{course_id}/announcement")
                assert region.status_code == 200
                assert text in region.get_data(as_text=True)
                assert [_seq(fresh_database, name) for name in rooms] == [b + n for b in before]
                [push] = [e["args"][0] for e in sock.get_received()
                          if e["name"] == "live:fragments"]
                assert push["stream"] == rooms[0] and push["seq"] == n
                assert push["fragments"][0]["html"] == region.get_data(as_text=True)
        finally:
            if sock.is_connected():
                sock.disconnect()
        assert phone.post("/logout").status_code == 302
        assert phone.get("/me").status_code == 302  # the session ended on the server
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
