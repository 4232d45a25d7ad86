"""The known set of tests/outcomes (two courses with known outcome figures) in the demo's team,
for the outcome figures' e2e.

Run as a script with the server's ``COURSE_*`` environment. Prints one JSON line: the spring
course's id and name.
"""

from __future__ import annotations

import json

from course import create_app, demo
from course.extensions import db
from course.people.models import Role, Staff
from tests.outcomes import known_set


def main() -> None:
    app = create_app()
    with app.app_context():
        lead = db.session.scalars(db.select(Staff).where(Staff.email == demo.STAFF[3][1])).one()
        consultant = db.session.scalars(db.select(Staff).where(
            Staff.team_id == lead.team_id, Staff.role == Role.JOB_CONSULTANT)).first()
        known = known_set.build(lead.team, consultant)
        db.session.commit()
        print(json.dumps({"spring": known.spring_id, "spring_name": known_set.SPRING_NAME}))


if __name__ == "__main__":
    main()
