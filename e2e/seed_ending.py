"""Approve Anna Holm's plan in the demo course, as her job consultant would have seven months
ago (rated yes, green, six months, her declaration signed), so that the case page flags both
six months without a job and the approved length's end. Run after ``seed_room.py`` (which
completes her plan). For the ending's e2e (e2e/test_ending_in_the_browser.py).

Run as a script with the server's ``COURSE_*`` environment (its SQLite file is shared; WAL lets
both write). Prints one JSON line: the case's id and reference.
"""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from course import create_app, demo
from course.approvals import services
from course.budgets.models import Draft
from course.extensions import db
from course.people.models import Citizen
from course.types import utcnow


def seed() -> dict[str, object]:
    citizen = db.session.scalars(sa.select(Citizen).where(
        Citizen.name == demo.CITIZENS[0][0])).one()
    draft = db.session.scalars(sa.select(Draft).where(Draft.citizen_id == citizen.id)).one()
    case = services.submit(draft, citizen)
    own = case.consultant
    for criterion in ("substantial_change", "realistic", "coherence"):
        services.rate(case, own, criterion, "yes", "Truckcertifikatet åbner for lagerjob.")
    services.triage(case, own, "green")
    services.approve(case, own, services.Approval(
        length_months=6, follow_up="Opfølgningssamtale hver måned på jobcentret.",
        payments={line["id"]: "invoice" for line in case.current.content["lines"]}))
    services.sign_declaration(case, citizen)
    # as if handed in eight months ago and approved seven months ago
    case.current.submitted_at = case.submitted_at = utcnow() - timedelta(days=240)
    case.decided_at = utcnow() - timedelta(days=212)
    services.pending_notices()  # (in the app, mailed after the commit; this mails nobody)
    db.session.commit()
    return {"case": case.id, "reference": case.reference}


def main() -> None:
    app = create_app()
    with app.app_context():
        print(json.dumps(seed()))


if __name__ == "__main__":
    main()
