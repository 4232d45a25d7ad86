"""The demo's earlier course's cases decided as ``seed_decisions.py`` does (Hassan Omar's plan
approved with two follow-up dates, which become meetings), and two more meetings on his case:
one held three days ago still without a note, one in two days at 10:00. Hassan signs in with
a known code. For the follow-up's e2e.

Run as a script with the server's ``COURSE_*`` environment. Prints one JSON line: the cases
(as ``seed_decisions.py``), Hassan's job consultant's e-mail and his codes.
"""

from __future__ import annotations

import json
from datetime import time, timedelta

from seed_decisions import seed

from course import create_app, demo
from course.approvals.models import Case
from course.extensions import db
from course.followup.models import Meeting
from course.people import services
from course.types import local_today

#: Hassan Omar's personal code (the earlier course's codes are random in the demo).
HASSAN_CODE = "DEMH2345"


def main() -> None:
    app = create_app()
    with app.app_context():
        cases = seed()
        case = db.session.get(Case, cases["approved"])
        today = local_today()
        for days, at in ((-3, None), (2, time(10))):
            db.session.add(Meeting(case_id=case.id, on=today + timedelta(days=days), at=at,
                                   origin="added", created_by_id=case.consultant_id))
        services.set_citizen_code(case.citizen, HASSAN_CODE)
        db.session.commit()
        print(json.dumps({**cases, "consultant": case.consultant.email,
                          "citizen_code": HASSAN_CODE,
                          "course_code": demo.EARLIER_COURSE_CODE}))


if __name__ == "__main__":
    main()
