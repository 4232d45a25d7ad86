"""Minor changes on PostgreSQL: a change approved and a payout recorded at once cannot both
pass the paid ≤ approved check — the case's row is locked and read afresh by each."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from tests.services.conftest import SECRET_KEY

pytestmark = pytest.mark.services


def test_a_payout_waiting_on_a_change_is_checked_against_the_new_version(
        seeded_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("COURSE_")]:
        monkeypatch.delenv(name)
    from course import create_app, demo
    from course.approvals import services as approvals
    from course.approvals.models import Case
    from course.changes import services as changes
    from course.extensions import db
    from course.payouts import services as payouts
    from course.people import services as people
    from course.people.models import Citizen, Role
    from course.types import local_today

    app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY, "STAFF_TWO_FACTOR": False,
                      "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SQLALCHEMY_DATABASE_URI": seeded_database})
    try:
        with app.app_context():  # Hassan's plan approved, a change proposed: line 0 down to 5.000
            case = db.session.scalars(sa.select(Case).join(Citizen, Case.citizen_id == Citizen.id)
                                      .where(Citizen.name == demo.PLANS[1][0])).one()
            own = case.consultant
            for criterion in ("substantial_change", "realistic", "coherence"):
                approvals.rate(case, own, criterion, "yes", "")
            approvals.triage(case, own, "green")
            lines = case.current.content["lines"]
            approvals.approve(case, own, approvals.Approval(
                length_months=9, follow_up="Møde hver måned",
                payments={line["id"]: "invoice" for line in lines}))
            people.create_staff(case.course.team, "Olga Økonomi", "okonomi@x.dk", Role.FINANCE,
                                PASSWORD, must_change_password=False)
            first = lines[0]["id"]
            request = changes.propose(case, case.citizen, changes.Proposal(
                amounts={first: "5000"}, reason="Billigere"))
            approvals.pending_notices()
            db.session.commit()
            case_id, request_id, own_id = case.id, request.id, own.id

        loaded, outcome = threading.Event(), {}

        def pay() -> None:
            """Finance's page was loaded on version 1 (6.000 kr. fits); the payout waits on
            the change's lock, then reads the case afresh."""
            with app.app_context():
                from course.people.models import Staff

                case = db.session.get(Case, case_id)
                assert approvals.decided_version(case).number == 1
                finance = db.session.scalars(sa.select(Staff).where(
                    Staff.email == "okonomi@x.dk")).one()
                loaded.set()
                today = local_today().isoformat()
                try:
                    payouts.record(case, finance, first, payouts.Entry(
                        amount="6000", paid_on=today, received_on=today, supplier="AMU",
                        invoice_number="F-1"))
                    db.session.commit()
                    outcome["paid"] = True
                except payouts.PayoutError as err:
                    db.session.rollback()
                    outcome["refused"] = err.code

        with app.app_context():
            from course.people.models import Staff

            case = db.session.get(Case, case_id)
            changes.approve(case, db.session.get(Staff, own_id), request_id)  # holds the row
            payer = threading.Thread(target=pay)
            payer.start()
            assert loaded.wait(10)
            time.sleep(0.5)  # the payout is now waiting on the row
            assert payer.is_alive()
            approvals.pending_notices()
            db.session.commit()
            payer.join(10)
        assert outcome == {"refused": "over_line"}
        with app.app_context():
            line = payouts.figures(db.session.get(Case, case_id)).line(first)
            assert (line.approved, line.paid) == (5000, 0)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
