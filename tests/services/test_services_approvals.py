"""The approval queue on PostgreSQL: the migrated audit trail refuses UPDATE, DELETE and
TRUNCATE, and two consultants deciding one case at once cannot both win (the case's version)."""

from __future__ import annotations

import os
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

    app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY,
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
