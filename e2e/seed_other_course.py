"""Seed a second course next to the demo course, so e2e can prove pushes stay in their course.

Run as a script with the same ``COURSE_*`` environment as the server (after ``flask demo``). It
prints one JSON line: the course's name and code, and one enrolled citizen's personal code.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import sqlalchemy as sa

from course import create_app, demo
from course.extensions import db
from course.people import services
from course.people.models import Role, Team
from course.schedule.models import Course
from course.schedule.services import new_course_code

FACILITATOR = ("Kim Facilitator", "facilitator2@demo.teten.dk")
COURSE_NAME = "Kollektivt forløb, hold 2"
CITIZEN = "Gustav Berg"


def seed() -> dict[str, str]:
    """Create the second course in the demo team, with its own facilitator and one citizen."""
    team = db.session.scalar(sa.select(Team).where(Team.name == demo.TEAM))
    if team is None:
        raise SystemExit("run `flask demo` first")
    name, email = FACILITATOR
    facilitator = services.create_staff(team, name, email, Role.FACILITATOR, demo.STAFF_PASSWORD,
                                        must_change_password=False)
    kickoff = date.today() + timedelta(days=21)
    course = Course(team=team, name=COURSE_NAME, code=new_course_code(),
                    venue="Jobcentret, mødelokale 5", capacity=12, kickoff_on=kickoff,
                    day1_on=kickoff + timedelta(days=7), day2_on=kickoff + timedelta(days=8))
    course.facilitators.append(facilitator)
    db.session.add(course)
    db.session.flush()
    _, personal_code = services.enrol_citizen(course, CITIZEN, None)
    return {"name": course.name, "code": course.code, "personal_code": personal_code,
            "facilitator": email}


def main() -> None:
    app = create_app()
    with app.app_context():
        seeded = seed()
        db.session.commit()
    print(json.dumps(seeded))


if __name__ == "__main__":
    main()
