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
        assert db.session.scalar(sa.select(sa.func.count(Staff.id))) == 5
        # the six of the demo course, and four of an earlier course who handed in plans
        assert db.session.scalar(sa.select(sa.func.count(Citizen.id))) == 10


def test_demo_logins_work(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    from tests.conftest import join_citizen, login_staff

    login_staff(client, "facilitator@demo.teten.dk", "teten-demo-2026")
    join_citizen(app.test_client(), "teten2", "dema-2345")


def test_the_demo_queue_has_a_case_in_each_colour_to_pick_up(app, client):
    """`make run`'s job consultants find an earlier course's plans in their queue: one rated
    and green, one yellow, one not yet looked at — each openable, with its plan."""
    from tests.conftest import login_staff

    app.test_cli_runner().invoke(args=["demo"])
    login_staff(client, "leder@demo.teten.dk", "teten-demo-2026")
    page = client.get("/queue?view=team").get_data(as_text=True)
    for name in ("Gitte Hansen", "Hassan Omar", "Inge Larsen"):
        assert name in page
    assert "9 dage" in page and "3 dage" in page  # handed in over the weeks since
    with app.app_context():
        from course.approvals.models import Case

        cases = {case.citizen.name: case for case in db.session.scalars(sa.select(Case))}
        assert {name: (case.state.value, case.colour and case.colour.value)
                for name, case in cases.items()} == {
            "Gitte Hansen": ("in_assessment", "green"), "Hassan Omar": ("yellow", "yellow"),
            "Inge Larsen": ("submitted", None), "Jørgen Madsen": ("approved", "green")}
        from course.approvals.models import SparringRequest

        asked = db.session.scalars(sa.select(SparringRequest)).one()
        assert asked.case_id == cases["Hassan Omar"].id
        assert asked.staff_id != cases["Hassan Omar"].consultant_id
        case_id = cases["Gitte Hansen"].id
        consultant = cases["Gitte Hansen"].consultant.email
    login_staff(client, consultant, "teten-demo-2026")
    case = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Truckcertifikat B" in case and "Job som lagermedarbejder" in case


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


def test_a_backup_restores_every_row(app, make_world, tmp_path, make_app):
    """Restoring is putting the copy in the database file's place: an app on it reads every row
    of every table, and the audit trail's triggers came along."""
    make_world()
    target = tmp_path / "backup.sqlite3"
    assert app.test_cli_runner().invoke(args=["backup", str(target)]).exit_code == 0
    original = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    copy = sqlite3.connect(target)
    try:
        tables = [row[0] for row in original.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        assert tables == [row[0] for row in copy.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            assert sorted(copy.execute(f'SELECT * FROM "{table}"'), key=repr) == sorted(
                original.execute(f'SELECT * FROM "{table}"'), key=repr), table
        triggers = {row[0] for row in copy.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"audit_events_no_update", "audit_events_no_delete",
                "audit_events_no_replace"} <= triggers
    finally:
        original.close()
        copy.close()
    restored = tmp_path / "restored"
    restored.mkdir()
    (restored / "teten.sqlite3").write_bytes(target.read_bytes())
    again = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{restored / 'teten.sqlite3'}")
    from tests.conftest import login_staff

    client = again.test_client()
    login_staff(client, "lead@teama.dk")
    assert client.get("/staff").status_code == 200


def test_backup_never_overwrites(app, tmp_path):
    target = tmp_path / "exists.sqlite3"
    target.write_text("keep me")
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and target.read_text() == "keep me"


def test_flask_commands_work_as_typed_in_the_checkout(tmp_path):
    """`flask db upgrade` and the other commands, run from the checkout as the README shows
    them, find the app without FLASK_APP set (.flaskenv)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "COURSE_"))}
    env["COURSE_INSTANCE_PATH"] = str(tmp_path / "instance")
    env["COURSE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'typed.sqlite3'}"
    flask = [sys.executable, "-m", "flask"]
    upgraded = subprocess.run([*flask, "db", "upgrade"], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120)
    assert upgraded.returncode == 0, upgraded.stderr
    listed = subprocess.run([*flask, "--help"], cwd=root, env=env, capture_output=True,
                            text=True, timeout=60)
    assert all(f"  {name} " in listed.stdout for name in ("db", "demo", "remind", "backup"))


def test_the_demo_shows_a_case_after_approval(app, client):
    """`make run` has an approved plan with payouts, a receipt due and a follow-up meeting
    next week: finance sees the payouts, the job consultant the receipt and the meeting, the
    citizen signs in with the README's codes and sees all three on their plan page."""
    from datetime import date, timedelta

    from tests.conftest import join_citizen, login_staff

    app.test_cli_runner().invoke(args=["demo"])
    with app.app_context():
        from course.approvals.models import Case

        case = db.session.scalars(sa.select(Case).where(Case.state == "approved")).one()
        case_id, consultant = case.id, case.consultant.email
        assert date.today() - case.decided_at.date() == timedelta(days=21)
    finance = app.test_client()
    login_staff(finance, "okonomi@demo.teten.dk", "teten-demo-2026")
    page = finance.get(f"/payouts/cases/{case_id}").get_data(as_text=True)
    assert "Aarhus Trafikskole ApS" in page and "32.000 kr." in page and "1.900 kr." in page
    login_staff(client, consultant, "teten-demo-2026")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Kvittering" in page and "Opfølgning" in page
    phone = app.test_client()
    join_citizen(phone, "TETEN3", "DEMJ2345")
    page = phone.get("/me/plan").get_data(as_text=True)
    assert "1.900 kr." in page and "kvittering" in page.lower()
    assert (date.today() + timedelta(days=6)).strftime("%-d.") in page


def test_every_course_code_the_demo_makes_is_well_formed_and_its_citizens_said_yes(app):
    """A code with a letter outside the alphabet can never be typed in (its course could not
    be joined), and a plan in the queue was written after a yes."""
    from course.people import codes
    from course.schedule.models import Course

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        assert all(codes.is_well_formed(code, codes.COURSE_CODE_LENGTH)
                   for code in db.session.scalars(sa.select(Course.code)))
        from course.approvals.models import Case

        for case in db.session.scalars(sa.select(Case)):
            assert case.citizen.decision == "yes" and case.citizen.decided_on is not None
