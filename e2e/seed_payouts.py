"""The demo's earlier course's cases decided as ``seed_decisions.py`` does (Hassan Omar's plan
approved: its first line by invoice, its second to his own account), and a finance account in
the team (``okonomi@demo.teten.dk``, the demo's password); Hassan signs in with a known
code. For the payouts' e2e.

Run as a script with the server's ``COURSE_*`` environment. Prints one JSON line: the cases
(as ``seed_decisions.py``) and the finance account's e-mail.
"""

from __future__ import annotations

import json

from seed_decisions import seed

from course import create_app, demo
from course.approvals.models import Case
from course.extensions import db
from course.people import services

FINANCE = "okonomi@demo.teten.dk"
#: Hassan Omar's personal code (the earlier course's codes are random in the demo).
HASSAN_CODE = "DEMH2345"


def main() -> None:
    app = create_app()
    with app.app_context():
        cases = seed()
        # (the demo's finance account signs in)
        hassan = db.session.get(Case, cases["approved"]).citizen
        services.set_citizen_code(hassan, HASSAN_CODE)
        db.session.commit()
        print(json.dumps({**cases, "finance": FINANCE, "citizen_code": HASSAN_CODE,
                          "course_code": demo.EARLIER_COURSE_CODE}))


if __name__ == "__main__":
    main()
