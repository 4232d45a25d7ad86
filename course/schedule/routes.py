"""The office side of courses: the staff start page and a course's page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user

from course import access
from course.access import STAFF, allow
from course.extensions import db
from course.people import enrolment
from course.people.models import Citizen
from course.schedule import bp
from course.schedule.models import Course


@bp.get("/office")
@allow(STAFF)
def office():
    """The staff start page: the team's courses, the staff member's own first."""
    courses = db.session.scalars(
        sa.select(Course).where(Course.team_id == current_user.team_id)
        .order_by(Course.kickoff_on.desc())
    ).all()
    counts = dict(db.session.execute(
        sa.select(Citizen.course_id, sa.func.count(Citizen.id))
        .where(Citizen.active).group_by(Citizen.course_id)
    ).all())
    return render_template("schedule/office.html", courses=courses, counts=counts,
                           can_facilitate=access.can_facilitate)


@bp.get("/courses/<int:course_id>")
@allow(STAFF)
def course_page(course_id: int):
    """One course: dates, venue, participants, and enrolment."""
    course = access.course_or_404(course_id)
    return render_template("schedule/course.html", course=course,
                           enrol_form=enrolment.enrol_form(course),
                           can_facilitate=access.can_facilitate(course))
