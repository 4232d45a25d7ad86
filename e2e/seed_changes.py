"""The demo's earlier course's cases decided as ``seed_decisions.py`` does (Hassan Omar's plan
approved: 14.500 kr. by invoice and 6.000 kr. to his own account); Hassan signs in with a known
code. For the minor changes' e2e.

Run as a script with the server's ``COURSE_*`` environment. Prints one JSON line: the cases
(as ``seed_decisions.py``), Hassan's code and the course's code.
"""

from __future__ import annotations

import json

from seed_decisions import seed

from course import create_app, demo
from course.approvals.models import Case
from course.extensions import db
from course.people import services

#: Hassan Omar's personal code (the earlier course's codes are random in the demo).
HASSAN_CODE = "DEMH2345"


def main() -> None:
    app = create_app()
    with app.app_context():
        cases = seed()
        services.set_citizen_code(db.session.get(Case, cases["approved"]).citizen, HASSAN_CODE)
        db.session.commit()
        print(json.dumps({**cases, "citizen_code": HASSAN_CODE,
                          "course_code": demo.EARLIER_COURSE_CODE}))


if __name__ == "__main__":
    main()
