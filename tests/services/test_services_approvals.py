"""The approval queue on PostgreSQL: the migrated audit trail refuses UPDATE, DELETE and
TRUNCATE, and two consultants deciding one case at once cannot both win (the case's version)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tests.approvals.test_approvals import complete_draft
from tests.conftest import Client, join_citizen
from tests.services.conftest import (
    DEMO_CITIZEN_CODE,
    DEMO_COURSE_CODE,
    DEMO_FACILITATOR,
    SECRET_KEY,
    query,
)

pytestmark = pytest.mark.services


def test_the_audit_trail_and_the_case_version_hold_on_postgresql(
        seeded_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("COURSE_")]:
        monkeypatch.delenv(name)
    from course import create_app
    from course.approvals.models import Case, CaseState
    from course.extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY, "STAFF_TWO_FACTOR": False,
                      "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SQLALCHEMY_DATABASE_URI": seeded_database})
    app.test_client_class = Client
    try:
        [(citizen_id, course_id)] = query(
            seeded_database, "SELECT citizens.id, course_id FROM citizens JOIN courses ON "
            "courses.id = course_id WHERE courses.code = %s ORDER BY citizens.id LIMIT 1",
            (DEMO_COURSE_CODE,))
        phone = app.test_client()
        join_citizen(phone, DEMO_COURSE_CODE, DEMO_CITIZEN_CODE)
        complete_draft(app, citizen_id, course_id)
        assert phone.post("/me/plan/submit").status_code == 303
        # (the demo's earlier course has cases of its own: this citizen's trail only)
        assert query(seeded_database, "SELECT action FROM audit_events WHERE citizen_id = %s",
                     (citizen_id,)) == [("submitted",)]
        events = query(seeded_database, "SELECT count(*) FROM audit_events")

        for statement in ("UPDATE audit_events SET reason = 'rettet'",
                          "DELETE FROM audit_events", "TRUNCATE audit_events",
                          # PostgreSQL has no REPLACE; its UPSERT's update is refused.
                          "INSERT INTO audit_events SELECT * FROM audit_events "
                          "ON CONFLICT (id) DO UPDATE SET reason = 'rettet'"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                query(seeded_database, statement)
        assert query(seeded_database, "SELECT count(*) FROM audit_events") == events

        # Two sessions load the same case; the first to commit wins, the second's flush fails.
        with app.app_context():
            engine = db.engine
            with Session(engine) as first, Session(engine) as second:
                mine = first.scalars(sa.select(Case).where(Case.citizen_id == citizen_id)).one()
                theirs = second.scalars(sa.select(Case).where(
                    Case.citizen_id == citizen_id)).one()
                mine.state, mine.send_back_note = CaseState.SENT_BACK, "Ret prisen"
                first.commit()
                theirs.state = CaseState.REJECTED
                with pytest.raises(StaleDataError):
                    second.commit()
        assert query(seeded_database, "SELECT state, send_back_note FROM cases WHERE "
                     "citizen_id = %s", (citizen_id,)) == [("sent_back", "Ret prisen")]
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_wrong_guesses_at_once_are_all_counted_on_postgresql(
        seeded_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SECURITY.md, counters: 30 failed sign-ins recorded at once from 30 connections against
    one course key: the count is 30 and the key is locked (the limit holds under concurrency)."""
    for name in [k for k in os.environ if k.startswith("COURSE_")]:
        monkeypatch.delenv(name)
    from course import create_app
    from course.extensions import db
    from course.people import services as people

    app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY, "STAFF_TWO_FACTOR": False,
                      "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SQLALCHEMY_DATABASE_URI": seeded_database,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 30, "max_overflow": 0}})
    start = threading.Barrier(30)
    errors: list[BaseException] = []

    def guess() -> None:
        try:
            with app.app_context():
                start.wait()
                people.record_failure({"course:race": 30})
                db.session.commit()
        except BaseException as err:  # reported below
            errors.append(err)

    try:
        threads = [threading.Thread(target=guess) for _ in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        [(failures, locked)] = query(seeded_database, "SELECT failures, locked_until IS NOT NULL "
                                     "FROM throttle_buckets WHERE key = 'course:race'")
        assert (failures, locked) == (30, True)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_phones_reactions_at_once_hold_the_limit_on_postgresql(
        seeded_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SECURITY.md, counters: 25 reactions of one phone sent at once from 25 connections: the
    limit (10 a minute) holds — exactly 10 are recorded, the rest refused."""
    for name in [k for k in os.environ if k.startswith("COURSE_")]:
        monkeypatch.delenv(name)
    from course import create_app
    from course.extensions import db
    from course.people.models import Citizen
    from course.reactions import services as reactions
    from course.schedule.models import Course

    app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY, "STAFF_TWO_FACTOR": False,
                      "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SQLALCHEMY_DATABASE_URI": seeded_database,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 25, "max_overflow": 0}})
    [(course_id, citizen_id)] = query(
        seeded_database, "SELECT courses.id, citizens.id FROM citizens JOIN courses ON "
        "courses.id = citizens.course_id WHERE courses.code = %s ORDER BY citizens.id LIMIT 1",
        (DEMO_COURSE_CODE,))
    from course.types import utcnow

    now = utcnow()  # one minute for all 25 (a minute's turn would split the count)
    monkeypatch.setattr(reactions, "utcnow", lambda: now)
    start = threading.Barrier(25)
    outcomes: list[str] = []

    def react() -> None:
        with app.app_context():
            course, citizen = db.session.get(Course, course_id), db.session.get(Citizen,
                                                                                 citizen_id)
            start.wait()
            try:
                reactions.react(course, citizen, "👍")
                db.session.commit()
                outcomes.append("sent")
            except reactions.ReactionError as err:
                db.session.rollback()
                outcomes.append(err.code)

    try:
        threads = [threading.Thread(target=react) for _ in range(25)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["limit"] * 15 + ["sent"] * 10
        assert query(seeded_database, "SELECT count(*) FROM reactions") == [(10,)]
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_double_tap_on_a_vote_counts_once_on_postgresql(
        seeded_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One phone's vote sent ten times at once (a double tap, a flaky network resending): one
    vote is stored and no request fails."""
    for name in [k for k in os.environ if k.startswith("COURSE_")]:
        monkeypatch.delenv(name)
    from course import create_app
    from course.extensions import db
    from course.people.models import Citizen, Staff
    from course.polls import services as polls
    from course.schedule.models import Course

    app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY, "STAFF_TWO_FACTOR": False,
                      "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SQLALCHEMY_DATABASE_URI": seeded_database,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": 0}})
    [(course_id, citizen_id)] = query(
        seeded_database, "SELECT courses.id, citizens.id FROM citizens JOIN courses ON "
        "courses.id = citizens.course_id WHERE courses.code = %s ORDER BY citizens.id LIMIT 1",
        (DEMO_COURSE_CODE,))
    with app.app_context():
        course = db.session.get(Course, course_id)
        staff = db.session.scalars(sa.select(Staff).where(Staff.email == DEMO_FACILITATOR[0])
                                   ).one()
        poll = polls.create(course, staff, "single", "Klar?", ["Ja", "Nej"])
        polls.open_voting(poll)
        db.session.commit()
        poll_id = poll.id
    start = threading.Barrier(10)
    errors: list[BaseException] = []

    def vote() -> None:
        try:
            with app.app_context():
                poll = db.session.get(polls.Poll, poll_id)
                citizen = db.session.get(Citizen, citizen_id)
                start.wait()
                polls.vote(poll, citizen, [0])
                db.session.commit()
        except BaseException as err:  # reported below
            errors.append(err)

    try:
        threads = [threading.Thread(target=vote) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert query(seeded_database, "SELECT count(*) FROM poll_votes WHERE poll_id = %s",
                     (poll_id,)) == [(1,)]
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
