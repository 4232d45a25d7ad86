"""What the schedule feature tells the realtime core: who enters a course's rooms. A citizen is
one of the course's participants; its facilitators (and the team's team lead) run it."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from course import realtime
from course.extensions import db
from course.people.models import Citizen, Role, Staff
from course.schedule.models import Course


def course_rooms(person: Staff | Citizen) -> Iterable[str]:
    """The course rooms ``person`` may enter: what they could also GET over HTTP."""
    if isinstance(person, Citizen):
        return [realtime.room(person.course_id, realtime.PARTICIPANTS)]
    facilitated = Course.facilitators.any(Staff.id == person.id)  # a guest's too
    if person.role == Role.TEAM_LEAD:
        facilitated = facilitated | (Course.team_id == person.team_id)
    return [realtime.room(course_id, realtime.FACILITATORS)
            for course_id in db.session.scalars(sa.select(Course.id).where(facilitated))]
