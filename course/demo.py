"""The demo course `make run` starts with: a team, four staff, six citizens, an agenda.

Seeding is idempotent: running it again changes nothing and prints the same logins. The demo
codes are fixed so the README can list them; real codes are always random.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from course.extensions import db
from course.people import services
from course.people.models import Citizen, Role, Staff, Team
from course.schedule import services as schedule_services
from course.schedule.models import Course

TEAM = "Jobcenter Demo, Team Nord"
COURSE_CODE = "TETEN2"
STAFF_PASSWORD = "teten-demo-2026"
STAFF = [
    ("Mette Facilitator", "facilitator@demo.teten.dk", Role.FACILITATOR),
    ("Jonas Jobkonsulent", "jobkonsulent1@demo.teten.dk", Role.JOB_CONSULTANT),
    ("Sara Jobkonsulent", "jobkonsulent2@demo.teten.dk", Role.JOB_CONSULTANT),
    ("Lene Afdelingsleder", "leder@demo.teten.dk", Role.TEAM_LEAD),
]
CITIZENS = [
    ("Anna Holm", "DEMA2345"),
    ("Bilal Khan", "DEMB2345"),
    ("Carsten Nielsen", "DEMC2345"),
    ("Dorte Jensen", "DEMD2345"),
    ("Emil Sørensen", "DEME2345"),
    ("Fatima Ali", "DEMF2345"),
]


@dataclass
class Logins:
    staff: list[tuple[str, str, str]]
    citizens: list[tuple[str, str]]
    course_code: str


def seed(today: date | None = None) -> Logins:
    """Create the demo team, staff, course and citizens where missing (flushes, no commit)."""
    today = today or date.today()
    team = db.session.scalar(sa.select(Team).where(Team.name == TEAM))
    if team is None:
        team = Team(name=TEAM)
        db.session.add(team)
        db.session.flush()
    people: dict[str, Staff] = {}
    for name, email, role in STAFF:
        staff = db.session.scalar(sa.select(Staff).where(Staff.email == email))
        if staff is None:
            staff = services.create_staff(team, name, email, role, STAFF_PASSWORD,
                                          must_change_password=False)
        people[email] = staff
    course = db.session.scalar(sa.select(Course).where(Course.code == COURSE_CODE))
    if course is None:
        course = Course(team=team, name="Kollektivt forløb, demo", code=COURSE_CODE,
                        venue="Jobcentret, mødelokale 2", capacity=20, kickoff_on=today,
                        day1_on=today + timedelta(days=7), day2_on=today + timedelta(days=8))
        course.facilitators.append(people["facilitator@demo.teten.dk"])
        db.session.add(course)
        db.session.flush()
    if not schedule_services.has_agenda(course):
        schedule_services.apply_template(course)
    consultants = [people["jobkonsulent1@demo.teten.dk"], people["jobkonsulent2@demo.teten.dk"]]
    for i, (name, code) in enumerate(CITIZENS):
        citizen = db.session.scalar(
            sa.select(Citizen).where(Citizen.course_id == course.id, Citizen.name == name))
        if citizen is None:
            citizen, _ = services.enrol_citizen(
                course, name, consultants[i % 2], enrolled_by=consultants[i % 2],
                eligibility=services.REQUIRED_ELIGIBILITY,
                info_meeting_on=today - timedelta(days=2))
        services.set_citizen_code(citizen, code)
    db.session.flush()
    return Logins(
        staff=[(email, STAFF_PASSWORD, role.value) for _, email, role in STAFF],
        citizens=[(name, code) for name, code in CITIZENS],
        course_code=COURSE_CODE,
    )


def describe(logins: Logins, base_url: str) -> str:
    """The text `make run` prints: where to go and how to sign in."""
    lines = [
        "",
        f"Teten demo is ready on {base_url}",
        "",
        f"  Staff sign-in:  {base_url}/login   (password for all: {STAFF_PASSWORD})",
    ]
    lines += [f"    {email:<32} {role}" for email, _, role in logins.staff]
    lines += [
        "",
        f"  Citizens join:  {base_url}/?c={logins.course_code}"
        f"   (course code {logins.course_code})",
    ]
    lines += [f"    {name:<20} personal code {code}" for name, code in logins.citizens]
    lines += [
        "",
        "  Projector: sign in as the facilitator, open the course console, 'Open the projector'.",
        "",
    ]
    return "\n".join(lines)
