"""Commands: the first team lead, the SQLite backup, the demo seed."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

from course.extensions import db
from course.people.models import Citizen, Role, Staff


def test_create_team_lead(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-team-lead", "--email", "Boss@Jobcenter.dk", "--name",
                                 "Boss", "--team", "Team Syd", "--password", "a long secret"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        boss = db.session.scalars(sa.select(Staff)).one()
        assert boss.email == "boss@jobcenter.dk" and boss.role == Role.TEAM_LEAD
        assert boss.password_hash != "a long secret"
    again = runner.invoke(args=["create-team-lead", "--email", "boss@jobcenter.dk", "--name",
                                "Boss", "--team", "Team Syd", "--password", "a long secret"])
    assert again.exit_code != 0 and "email_taken" in again.output


def test_create_team_lead_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(args=[
        "create-team-lead", "--email", "a@b.dk", "--name", "A", "--team", "T",
        "--password", "short"])
    assert result.exit_code != 0


def test_demo_seed_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert first.output == second.output
    assert "TETEN2" in first.output and "DEMA2345" in first.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Staff.id))) == 4
        assert db.session.scalar(sa.select(sa.func.count(Citizen.id))) == 6


def test_demo_logins_work(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    from tests.conftest import join_citizen, login_staff

    login_staff(client, "facilitator@demo.teten.dk", "teten-demo-2026")
    join_citizen(app.test_client(), "teten2", "dema-2345")


def test_backup_writes_a_checked_consistent_copy(app, make_world, tmp_path):
    make_world()
    target = tmp_path / "backup.sqlite3"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("select count(*) from citizens").fetchone()[0] == 3
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        copy.close()


def test_backup_never_overwrites(app, tmp_path):
    target = tmp_path / "exists.sqlite3"
    target.write_text("keep me")
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and target.read_text() == "keep me"
