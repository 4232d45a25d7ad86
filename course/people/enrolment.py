"""Enrolment: staff enrol citizens in a course and hand out join cards with personal codes."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from course import access
from course.access import STAFF, allow
from course.extensions import db
from course.live import bridge
from course.people import bp, codes, services
from course.people.forms import EnrolForm
from course.people.models import Citizen, Role, Staff
from course.schedule.models import Course


def enrol_form(course: Course) -> EnrolForm:
    form = EnrolForm()
    consultants = db.session.scalars(
        sa.select(Staff).where(Staff.team_id == course.team_id, Staff.active,
                               Staff.role == Role.JOB_CONSULTANT).order_by(Staff.name)
    ).all()
    form.job_consultant.choices = [(s.id, s.name) for s in consultants]
    if current_user.role == Role.JOB_CONSULTANT and form.job_consultant.data is None:
        form.job_consultant.data = current_user.id
    return form


def _course_page(course: Course, form: EnrolForm, *, status: int = 200):
    return render_template("schedule/course.html", course=course, enrol_form=form,
                           can_facilitate=access.can_facilitate(course)), status


@bp.post("/courses/<int:course_id>/citizens")
@allow(STAFF)
def enrol(course_id: int):
    """Enrol a citizen; the personal code is shown once, on a printable join card."""
    course = access.course_or_404(course_id, access.can_manage_participants)
    form = enrol_form(course)
    if not form.validate_on_submit():
        return _course_page(course, form, status=422)
    if sum(1 for c in course.citizens if c.active) >= course.capacity:
        form.name.errors.append(_("The course is full (%(n)d places).", n=course.capacity))
        return _course_page(course, form, status=422)
    consultant = db.session.get(Staff, form.job_consultant.data)
    citizen, code = services.enrol_citizen(course, form.name.data, consultant)
    db.session.commit()
    return _join_card(course, citizen, code)


@bp.post("/courses/<int:course_id>/citizens/<int:citizen_id>/code")
@allow(STAFF)
def reissue_code(course_id: int, citizen_id: int):
    """Print a new join card: a new personal code; the old one stops working at once."""
    course = access.course_or_404(course_id, access.can_manage_participants)
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None or citizen.course_id != course.id:
        abort(404)
    code, ended = services.reissue_code(citizen)
    db.session.commit()
    bridge.disconnect_sessions(ended)
    return _join_card(course, citizen, code)


def _join_card(course: Course, citizen: Citizen, code: str):
    join_url = url_for("people.start", c=course.code, _external=True)
    return render_template("people/join_card.html", course=course, citizen=citizen,
                           code=codes.display(code), join_url=join_url)
