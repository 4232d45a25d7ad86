"""Commands: ``flask create-team-lead``, ``flask backup``, ``flask demo``, ``flask remind`` and
``flask purge``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from course.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(create_team_lead)
    app.cli.add_command(backup)
    app.cli.add_command(demo)
    app.cli.add_command(remind)
    app.cli.add_command(purge)


@click.command("create-team-lead")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--team", "team_name", required=True, help="The team's name (created if new).")
@click.password_option(help="Asked for when not given.")
def create_team_lead(email: str, name: str, team_name: str, password: str) -> None:
    """Create the first team lead, who then creates the other staff accounts in the app."""
    from course.people import services
    from course.people.models import Role, Team

    if len(password) < 10:
        raise click.UsageError("The password must be at least 10 characters.")
    team = db.session.scalar(sa.select(Team).where(Team.name == team_name))
    if team is None:
        team = Team(name=team_name)
        db.session.add(team)
    try:
        services.create_staff(team, name, email, Role.TEAM_LEAD, password,
                              must_change_password=False)
    except services.PeopleError as err:
        raise click.ClickException(f"not created: {err.code}") from err
    db.session.commit()
    click.echo(f"Team lead {email} created in team {team_name}.")


@click.command("backup")
@with_appcontext
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup(target: Path) -> None:
    """Write a consistent copy of the SQLite database to TARGET (online backup API) and check it."""
    url = sa.engine.make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database:
        raise click.UsageError("flask backup is for SQLite; use pg_dump for PostgreSQL.")
    if target.exists():
        raise click.UsageError(f"{target} exists; choose a new file.")
    source = sqlite3.connect(url.database)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        tables = copy.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
    finally:
        copy.close()
        source.close()
    if check != "ok":
        raise click.ClickException(f"backup failed its integrity check: {check}")
    click.echo(f"Backup written to {target}: integrity ok, {tables} tables.")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Seed (idempotently) the demo course and print the URLs and logins."""
    from course import demo as demo_data

    logins = demo_data.seed()
    db.session.commit()
    click.echo(demo_data.describe(logins, "http://127.0.0.1:5000",
                                  two_factor=bool(current_app.config["STAFF_TWO_FACTOR"])))


@click.command("remind")
@with_appcontext
def remind() -> None:
    """Remind citizens and their job consultants of a near budget deadline and of an overdue
    receipt, once each (run daily)."""
    from course import realtime
    from course.approvals import pushes
    from course.approvals import services as approval_services
    from course.receipts import services as receipt_services

    # A request context for the links in the pushed fragments and the e-mails.
    with current_app.test_request_context(current_app.config.get("PUBLIC_URL") or "/"):
        made = approval_services.remind_deadlines() + receipt_services.remind_receipts()
        pushes.push_notices(approval_services.pending_notices())
        realtime.commit_and_push()
        sent = pushes.mail_notices(made)
    click.echo(f"{len(made)} reminder(s), {sent} e-mail(s).")


@click.command("purge")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="List what would be deleted; change nothing.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to purge as of (default: today in Denmark).")
def purge(dry_run: bool, today) -> None:
    """Delete the personal data that has passed its retention period (run daily): see
    course/privacy/services.py for what goes and what the law keeps."""
    from course.privacy import services

    found = services.purge(today.date() if today else None, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()  # the attachments' files are deleted after the commit
    verb = "would be purged" if dry_run else "purged"
    for item in found:
        click.echo(item.describe())
    click.echo(f"{len(found)} citizen(s) {verb}.")
