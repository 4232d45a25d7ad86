"""The payouts' e2e world (``seed_payouts.py``: Hassan Omar's plan approved, its second line to
his own account, a finance account) with that line's transfer recorded three days ago, so a
receipt is due from him. For the receipts' e2e.

Run as a script with the server's ``COURSE_*`` environment. Prints one JSON line: the cases,
the finance account, Hassan's codes, his job consultant's e-mail and the receipt's id.

``seed_receipts.py overdue`` (after the first run): that transfer is reversed and recorded again
as paid 100 days ago, so its new receipt is overdue whatever the days set. Prints the new
receipt's id.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import sqlalchemy as sa
from seed_decisions import seed

from course import create_app, demo
from course.approvals.models import Case
from course.extensions import db
from course.payouts import services as payouts
from course.people import services
from course.people.models import Citizen, Staff
from course.receipts.models import Receipt
from course.types import local_today

FINANCE = "okonomi@demo.teten.dk"
HASSAN_CODE = "DEMH2345"


def overdue() -> None:
    app = create_app()
    with app.app_context():
        finance = db.session.scalars(sa.select(Staff).where(Staff.email == FINANCE)).one()
        hassan = demo.PLANS[1][0]  # (not the demo's own approved plan, which has a receipt too)
        first = db.session.scalars(
            sa.select(Receipt).join(Case, Case.id == Receipt.case_id)
            .join(Citizen, Citizen.id == Case.citizen_id).where(Citizen.name == hassan)
            .order_by(Receipt.id)).first()
        case = db.session.get(Case, first.case_id)
        payouts.reverse(case, finance, first.payout_id, "Forkert dato")
        payout = payouts.record(case, finance, first.payout.line_id, payouts.Entry(
            amount=str(first.payout.amount),
            paid_on=(local_today() - timedelta(days=100)).isoformat()))
        receipt = db.session.scalars(sa.select(Receipt).where(
            Receipt.payout_id == payout.id)).one()
        db.session.commit()
        print(json.dumps({"receipt": receipt.id}))


def main() -> None:
    app = create_app()
    with app.app_context():
        cases = seed()
        finance = db.session.scalars(db.select(Staff).where(Staff.email == FINANCE)).one()
        case = db.session.get(Case, cases["approved"])
        services.set_citizen_code(case.citizen, HASSAN_CODE)
        line = case.current.content["lines"][1]  # to his own account
        paid_on = local_today() - timedelta(days=3)
        payout = payouts.record(case, finance, line["id"], payouts.Entry(
            amount=str(line["amount"]), paid_on=paid_on.isoformat()))
        receipt = db.session.scalars(sa.select(Receipt).where(
            Receipt.payout_id == payout.id)).one()
        db.session.commit()
        print(json.dumps({**cases, "finance": FINANCE, "citizen_code": HASSAN_CODE,
                          "course_code": demo.EARLIER_COURSE_CODE,
                          "consultant": case.consultant.email, "receipt": receipt.id,
                          "line_title": line["title"]}))


if __name__ == "__main__":
    overdue() if sys.argv[1:] == ["overdue"] else main()
