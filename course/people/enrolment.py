"""Enrolment: staff enrol citizens, record their voluntary yes or no, and print join cards."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from course import access
from course.access import STAFF, allow
from course.budgets import services as budget_services
from course.extensions import db
from course.i18n import long_date
from course.people import bp, codes, pushes, services
from course.people.forms import (
    CPR_WARNING,
    ELIGIBILITY_LABELS,
    DecisionForm,
    EnrolForm,
    OptOutForm,
)
from course.people.models import Citizen, Role, Staff
from course.schedule.models import Course

# The participant list and the phone's deadline partial read these from any page that includes
# them (the course page and the phone page belong to other packages).
bp.add_app_template_global(services.roster, "enrolment_roster")
bp.add_app_template_global(services.places_taken, "places_taken")
bp.add_app_template_global(services.participation, "participation")


def enrol_form(course: Course) -> EnrolForm:
    """The enrolment form for ``course``: the team's active job consultants to choose from."""
    form = EnrolForm()
    consultants = db.session.scalars(
        sa.select(Staff).where(Staff.team_id == course.team_id, Staff.active,
                               Staff.role == Role.JOB_CONSULTANT).order_by(Staff.name)
    ).all()
    form.job_consultant.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(str(s.id), s.name) for s in consultants]
    today = services.local_today()
    form.info_meeting_on.render_kw = {"max": today.isoformat()}
    if not form.is_submitted():
        form.info_meeting_on.data = today
        if current_user.role == Role.JOB_CONSULTANT:
            form.job_consultant.data = current_user.id
    return form


def _message(error: services.EnrolmentError, **context: object) -> str:
    """The translated text for a refused enrolment or participation change."""
    code = error.code
    if code == "cpr":
        return str(CPR_WARNING)
    if code == "duplicate":
        return _("%(name)s is already enrolled in this course.", name=context["name"])
    if code == "full":
        return _("The course is full: all %(n)d places are taken. A place is freed when a "
                 "citizen says no or opts out.", n=context["capacity"])
    if code == "after_deadline":
        return _("The week to decide ended on %(date)s, so a yes can no longer be recorded.",
                 date=long_date(context["deadline"]))
    if code == "decided_before_meeting":
        return _("The answer cannot be dated before the information meeting (%(date)s).",
                 date=long_date(context["meeting"]))
    return {
        "name_missing": _("Write the citizen's name."),
        "eligibility": _("All five criteria must be met and confirmed before the citizen can "
                         "be enrolled."),
        "info_meeting_missing": _("Write the date of the information meeting."),
        "info_meeting_future": _("The information meeting cannot be in the future."),
        "consultant": _("Choose the citizen's own job consultant from the course's team."),
        "already_decided": _("The citizen's answer is already recorded."),
        "decided_in_future": _("The date cannot be in the future."),
        "bad_decision": _("Choose yes or no."),
        "cannot_opt_out": _("Only a citizen who has said yes and still takes part can opt out."),
    }.get(code, _("This could not be saved."))


def _show_error(form: FlaskForm, error: services.EnrolmentError, message: str) -> None:
    """Put ``message`` on the field the error names, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def _course_page(course: Course, form: EnrolForm, *, status: int = 200):
    return render_template("schedule/course.html", course=course, enrol_form=form,
                           can_facilitate=access.can_facilitate(course)), status


def _citizen_or_404(course_id: int, citizen_id: int) -> tuple[Course, Citizen]:
    course = access.course_or_404(course_id, access.can_manage_participants)
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None or citizen.course_id != course.id:
        abort(404)
    return course, citizen


def _citizen_page(course: Course, citizen: Citizen, *, decision_form: DecisionForm | None = None,
                  opt_out_form: OptOutForm | None = None, status: int = 200):
    if decision_form is None:
        decision_form = DecisionForm(formdata=None, decided_on=services.local_today())
    decision_form.decided_on.render_kw = {"max": services.local_today().isoformat()}
    draft = budget_services.draft_of(citizen)
    return render_template(
        "people/citizen.html", course=course, citizen=citizen,
        draft=draft if draft and access.can_see_draft_in_progress(draft) else None,
        draft_started=draft is not None,
        participation=services.participation(citizen), labels=ELIGIBILITY_LABELS,
        required=services.REQUIRED_ELIGIBILITY, assessment=services.ASSESSMENT,
        decision_form=decision_form, opt_out_form=opt_out_form or OptOutForm(formdata=None),
    ), status


@bp.post("/courses/<int:course_id>/citizens")
@allow(STAFF)
def enrol(course_id: int):
    """Enrol a citizen; the personal code is shown once, on a printable join card."""
    course = access.course_or_404(course_id, access.can_manage_participants)
    form = enrol_form(course)
    if not form.validate_on_submit():
        return _course_page(course, form, status=422)
    details = services.Enrolment(
        name=form.name.data, job_consultant=db.session.get(Staff, form.job_consultant.data),
        info_meeting_on=form.info_meeting_on.data,
        eligibility=[*form.criteria.data, *form.assessment.data],
        phone=form.phone.data or "", email=form.email.data or "",
    )
    try:
        citizen, code = services.enrol(course, details,
                                      enrolled_by=current_user._get_current_object())
    except services.EnrolmentError as error:
        db.session.rollback()
        _show_error(form, error, _message(error, name=details.name, capacity=course.capacity))
        return _course_page(course, form, status=422)
    db.session.commit()
    return _join_card(course, citizen, code)


@bp.get("/courses/<int:course_id>/citizens/<int:citizen_id>")
@allow(STAFF)
def citizen(course_id: int, citizen_id: int):
    """One participant: contact, eligibility, the decision and its deadlines, and actions."""
    course, person = _citizen_or_404(course_id, citizen_id)
    return _citizen_page(course, person)


@bp.post("/courses/<int:course_id>/citizens/<int:citizen_id>/decision")
@allow(STAFF)
def record_decision(course_id: int, citizen_id: int):
    """Record the citizen's yes or no. A no ends their participation and their sessions."""
    course, person = _citizen_or_404(course_id, citizen_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            ended = services.record_decision(person, form.decision.data, form.decided_on.data)
        except services.EnrolmentError as error:
            db.session.rollback()
            _show_error(form, error, _message(error, deadline=services.decision_deadline(person),
                                              meeting=person.info_meeting_on))
        else:
            db.session.commit()
            pushes.disconnect_sign_ins(ended)
            if person.decision == "yes":
                flash(_("Yes recorded. The budget plan must be finished by %(date)s.",
                        date=long_date(services.budget_deadline(person))), "info")
            else:
                flash(_("No recorded. %(name)s can no longer sign in, and the place is free.",
                        name=person.name), "info")
            return redirect(url_for("people.citizen", course_id=course.id,
                                    citizen_id=person.id), 303)
    return _citizen_page(course, person, decision_form=form, status=422)


@bp.post("/courses/<int:course_id>/citizens/<int:citizen_id>/opt-out")
@allow(STAFF)
def opt_out(course_id: int, citizen_id: int):
    """Record that the citizen opts out: they are signed out everywhere and the place is freed."""
    course, person = _citizen_or_404(course_id, citizen_id)
    form = OptOutForm()
    if form.validate_on_submit():
        try:
            ended = services.opt_out(person)
        except services.EnrolmentError as error:
            db.session.rollback()
            form.form_errors.append(_message(error))
        else:
            db.session.commit()
            pushes.disconnect_sign_ins(ended)
            flash(_("%(name)s has opted out and is signed out everywhere. The place is free.",
                    name=person.name), "info")
            return redirect(url_for("people.citizen", course_id=course.id,
                                    citizen_id=person.id), 303)
    return _citizen_page(course, person, opt_out_form=form, status=422)


@bp.post("/courses/<int:course_id>/citizens/<int:citizen_id>/code")
@allow(STAFF)
def reissue_code(course_id: int, citizen_id: int):
    """Print a new join card: a new personal code; the old one stops working at once."""
    course, person = _citizen_or_404(course_id, citizen_id)
    try:
        code, ended = services.reissue_code(person)
    except services.PeopleError:
        flash(_("%(name)s no longer takes part, so no new code is issued.", name=person.name),
              "error")
        return redirect(url_for("people.citizen", course_id=course.id, citizen_id=person.id),
                        303)
    db.session.commit()
    pushes.disconnect_sign_ins(ended)
    return _join_card(course, person, code)


def _join_card(course: Course, citizen: Citizen, code: str):
    join_url = url_for("people.start", c=course.code, _external=True)
    return render_template("people/join_card.html", course=course, citizen=citizen,
                           code=codes.display(code), join_url=join_url)
