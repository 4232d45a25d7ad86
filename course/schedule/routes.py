"""The office side of courses: the start page, creating and editing courses, and the agenda.

Agenda editing is htmx inline editing with a plain-HTML fallback. Every form has a real
``method``/``action``; htmx adds ``hx-post`` and a target:

* a row's edit form and a day's add form target themselves, so a refused save (422) or a
  conflict (409) comes back in place with the typed text kept;
* a successful change re-renders the whole day (``HX-Retarget``), because order, times and
  overlap flags of the other items may have changed with it;
* without JavaScript the same URLs answer with the full page, and a successful change
  redirects back to the agenda (post/redirect/get).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from course import realtime, web
from course.access import FACILITATOR, STAFF, TEAM_LEAD, allow
from course.extensions import db
from course.i18n import long_date
from course.people import codes
from course.people import pushes as people_pushes
from course.people import services as people_services
from course.people import signals as people_signals
from course.people.forms import DecisionForm, EnrolForm, OptOutForm
from course.people.labels import ELIGIBILITY_LABELS, enrolment_message
from course.people.models import Citizen, Role, Staff
from course.schedule import labels, services, signals
from course.schedule.access import (
    can_edit_course,
    can_facilitate,
    can_manage_participants,
    course_or_404,
)
from course.schedule.best_practice import DAY_ENDS, DAY_STARTS
from course.schedule.forms import (
    AgendaItemForm,
    CourseForm,
    DeleteForm,
    MoveForm,
    NewCourseForm,
)
from course.schedule.models import AgendaItem, Course, Day
from course.schedule.services import CourseDetails, ItemDetails, ScheduleError

bp = Blueprint("schedule", __name__)

AGENDA_PAGE = "schedule/agenda.html"
DAY_FRAGMENT = "schedule/_agenda_day.html"
ROW_FRAGMENT = "schedule/_agenda_item.html"
FORM_FRAGMENT = "schedule/_agenda_item_form.html"
DELETE_FRAGMENT = "schedule/_agenda_item_delete.html"
ADD_FRAGMENT = "schedule/_agenda_add.html"
DAYS = "any(kickoff,day1,day2)"


def _add_error(form: Any, error: ScheduleError) -> None:
    """Show a domain error on its field (once), or on the form as a whole."""
    message = labels.error_message(error.code)
    target = getattr(form, error.field, None) if error.field else None
    if target is None:
        form.form_errors.append(message)
    elif message not in target.errors:
        target.errors = [*target.errors, message]


# -- the start page and the course page ------------------------------------------------------


@bp.get("/office")
@allow(STAFF)
def office():
    """The staff start page: the team's courses, and the other teams' courses the staff
    member facilitates as a guest."""
    courses = db.session.scalars(
        sa.select(Course).where((Course.team_id == current_user.team_id)
                                | Course.facilitators.any(Staff.id == current_user.id))
        .order_by(Course.kickoff_on.desc())
    ).all()
    counts = dict(db.session.execute(
        sa.select(Citizen.course_id, sa.func.count(Citizen.id))
        .where(Citizen.active).group_by(Citizen.course_id)
    ).all())
    return web.render("schedule/office.html", courses=courses, counts=counts,
                      can_facilitate=can_facilitate,
                      can_create=current_user.role in services.FACILITATING_ROLES)


@bp.get("/courses/<int:course_id>")
@allow(STAFF)
def course_page(course_id: int):
    """One course: dates, venue, participants, and enrolment."""
    course = course_or_404(course_id)
    return _course_page(course, enrol_form(course) if can_manage_participants(course) else None)


# -- creating and editing a course -----------------------------------------------------------


def _facilitator_choices(form: CourseForm, course: Course | None) -> None:
    """The team's facilitators and team leads (plus any current ones no longer eligible); for
    a team lead also the other teams' facilitators, as guests (and the course's guests)."""
    eligible = services.eligible_facilitators(current_user.team_id)
    current = [s for s in (course.facilitators if course else [])
               if s not in eligible and s.team_id == current_user.team_id]
    form.facilitators.choices = [SelectChoice(str(s.id), s.name) for s in eligible] + [
        SelectChoice(str(s.id), _("%(name)s (no longer a facilitator)", name=s.name))
        for s in current]
    if current_user.role != Role.TEAM_LEAD:
        form.guest_facilitators.choices = []
        return
    guests = services.eligible_guests(current_user.team_id)
    former = [s for s in (course.facilitators if course else [])
              if s.team_id != current_user.team_id and s not in guests]
    form.guest_facilitators.choices = [
        SelectChoice(str(s.id), _("%(name)s (%(team)s)", name=s.name, team=s.team.name))
        for s in [*guests, *former]]


def _agenda_choices(form: NewCourseForm) -> None:
    form.agenda_from.choices = [
        SelectChoice("template", _("The best-practice template (recommended)"))] + [
        SelectChoice(str(c.id), _("A copy of %(name)s (kickoff %(date)s)", name=c.name,
                                  date=long_date(c.kickoff_on)))
        for c in services.earlier_courses(current_user.team_id)
    ]


def _chosen_staff(form: CourseForm, field: str = "facilitators") -> list[Staff]:
    """The staff a field of the form names; ids that name nobody become a form error."""
    ids = set(getattr(form, field).data or [])
    staff = list(db.session.scalars(sa.select(Staff).where(Staff.id.in_(ids)))) if ids else []
    if len(staff) != len(ids):
        code = "foreign_facilitator" if field == "facilitators" else "foreign_guest"
        _add_error(form, ScheduleError(code, field))
    return staff


def _validated_course(form: CourseForm, course: Course | None
                      ) -> tuple[CourseDetails, list[Staff], list[Staff]] | None:
    """Check the form and the course rules together, so every problem is shown at once.

    The course rules also run on a partly unreadable form (they skip what is missing).
    """
    valid = form.validate_on_submit()
    unreadable = {name for name, errors in form.errors.items() if errors}
    staff = _chosen_staff(form)
    guests = _chosen_staff(form, "guest_facilitators")
    details = CourseDetails(**form.details_kwargs())  # type: ignore[arg-type]
    problems = services.course_problems(current_user.team, details, staff, guests=guests,
                                        guests_allowed=_adds_guests(), existing=course)
    for problem in problems:
        if problem.field not in unreadable:  # one message per field: what the form said first
            _add_error(form, problem)
    if not valid or problems or form.facilitators.errors or form.guest_facilitators.errors:
        return None
    return details, staff, guests


def _adds_guests() -> bool:
    """Only a team lead adds facilitators from other teams to a course."""
    return current_user.role == Role.TEAM_LEAD


def _course_form_page(form: CourseForm, course: Course | None, status: int = 200):
    parts = web.parts_of("schedule.course_form", course=course) if course is not None else {}
    return web.render("schedule/course_form.html", status=status, form=form, course=course,
                      **parts)


@bp.get("/courses/new")
@allow(FACILITATOR, TEAM_LEAD)
def new_course():
    """The form for a new course; its agenda starts from the template or an earlier course."""
    form = NewCourseForm(formdata=None)
    if current_user.role.value == FACILITATOR:
        form.facilitators.data = [current_user.id]
    _facilitator_choices(form, None)
    _agenda_choices(form)
    return _course_form_page(form, None)


@bp.post("/courses/new")
@allow(FACILITATOR, TEAM_LEAD)
def create_course():
    """Create a course in the signer's team, with its first agenda; then show that agenda."""
    form = NewCourseForm()
    _facilitator_choices(form, None)
    _agenda_choices(form)
    checked = _validated_course(form, None)
    source = None
    if form.agenda_from.data not in (None, "", "template"):
        source = _own_course(form.agenda_from.data)
        if source is None:
            _add_error(form, ScheduleError("foreign_source", "agenda_from"))
    if checked is None or form.agenda_from.errors:
        return _course_form_page(form, None, 422)
    details, staff, guests = checked
    try:
        course = services.create_course(current_user.team, details, staff, guests=guests,
                                        guests_allowed=_adds_guests(), copy_from=source)
    except services.InvalidCourse as err:
        db.session.rollback()
        for problem in err.errors:
            _add_error(form, problem)
        return _course_form_page(form, None, 422)
    except ScheduleError as err:
        db.session.rollback()
        _add_error(form, err)
        return _course_form_page(form, None, 422)
    db.session.commit()
    if source is None:
        flash(_("The course is created with the best-practice agenda. Adjust it below."))
    else:
        flash(_("The course is created with a copy of the agenda of %(name)s.",
                name=source.name))
    return redirect(url_for("schedule.agenda", course_id=course.id), 303)


def _own_course(raw: str) -> Course | None:
    """One of the signer's team's courses, from a form value; ``None`` for anything else."""
    course_id = web.as_id(raw)
    course = db.session.get(Course, course_id) if course_id is not None else None
    return course if course is not None and course.team_id == current_user.team_id else None


@bp.get("/courses/<int:course_id>/edit")
@allow(STAFF)
def edit_course(course_id: int):
    """The course's details in a form (its facilitators from the team and the team lead)."""
    course = course_or_404(course_id, can_edit_course)
    form = CourseForm(formdata=None, obj=course)
    form.facilitators.data = [s.id for s in course.facilitators if s.team_id == course.team_id]
    form.guest_facilitators.data = [s.id for s in course.facilitators
                                    if s.team_id != course.team_id]
    _facilitator_choices(form, course)
    return _course_form_page(form, course)


@bp.post("/courses/<int:course_id>/edit")
@allow(STAFF)
def update_course(course_id: int):
    """Save the course's details; its agenda, participants and join code stay as they are."""
    course = course_or_404(course_id, can_edit_course)
    form = CourseForm()
    _facilitator_choices(form, course)
    checked = _validated_course(form, course)
    if checked is None:
        return _course_form_page(form, course, 422)
    details, staff, guests = checked
    try:
        services.update_course(course, details, staff, guests=guests,
                               guests_allowed=_adds_guests())
    except services.InvalidCourse as err:
        db.session.rollback()
        for problem in err.errors:
            _add_error(form, problem)
        return _course_form_page(form, course, 422)
    db.session.commit()
    flash(_("The course is saved."))
    return redirect(url_for("schedule.course_page", course_id=course.id), 303)


# -- the agenda ------------------------------------------------------------------------------


def _add_form(course: Course, day: Day) -> AgendaItemForm:
    """An empty add form for one meeting, its times suggested after the last item."""
    starts, ends = services.suggested_slot(course, day)
    return AgendaItemForm(formdata=None, prefix=f"new-{day.value}", starts_at=starts,
                          ends_at=ends)


def _edit_form(item: AgendaItem, *, submitted: bool = False) -> AgendaItemForm:
    prefix = f"item-{item.id}"
    if submitted:
        return AgendaItemForm(prefix=prefix)
    form = AgendaItemForm(formdata=None, prefix=prefix, obj=item)
    form.kind.data = item.kind.value
    form.speaker_role.data = item.speaker_role.value if item.speaker_role else ""
    return form


def _context(course: Course, **extra: Any) -> dict[str, Any]:
    """Everything the agenda page needs; ``extra`` sets the rows in edit/delete mode, etc."""
    context: dict[str, Any] = {
        "course": course,
        "plans": [services.day_plan(course, day) for day in Day],
        "can_edit": can_facilitate(course),
        "editing": {},
        "conflicts": set(),
        "deleting": {},
        "add_forms": {},
        "open_add": None,
        "status_message": {},
        "day_starts": DAY_STARTS,
        "day_ends": DAY_ENDS,
    }
    context.update(web.parts_of("schedule.agenda", course=course))
    context.update(extra)
    for day in Day:
        if day not in context["add_forms"]:
            context["add_forms"][day] = _add_form(course, day)
    context["plan_of"] = {plan.day: plan for plan in context["plans"]}
    return context


def _item_or_404(course: Course, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.course_id != course.id:
        abort(404)
    return item


def _commit_agenda_change(course: Course) -> None:
    """Commit an agenda edit; during a running day the console, projector and phones follow."""
    signals.agenda_changed.send(course)
    realtime.commit_and_push()


def _changed(course: Course, day: Day, message: str, anchor: str):
    """After a committed change: the re-rendered day for htmx, a redirect without it."""
    if not web.wants_fragment():
        flash(message)
        return redirect(url_for("schedule.agenda", course_id=course.id, _anchor=anchor), 303)
    context = _context(course, status_message={day: message})
    response = web.render(None, DAY_FRAGMENT, plan=context["plan_of"][day], **context)
    response.headers["HX-Retarget"] = f"#day-{day.value}"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


@bp.get("/courses/<int:course_id>/agenda")
@allow(STAFF)
def agenda(course_id: int):
    """The agenda of the kickoff and the two course days; editable by those who run it."""
    course = course_or_404(course_id)
    return web.render(AGENDA_PAGE, **_context(course))


@bp.post("/courses/<int:course_id>/agenda/template")
@allow(STAFF)
def apply_template(course_id: int):
    """Give a course without any agenda the best-practice template."""
    course = course_or_404(course_id, can_facilitate)
    try:
        services.apply_template(course)
    except ScheduleError:
        db.session.rollback()
        flash(_("The course already has an agenda."), "error")
        return redirect(url_for("schedule.agenda", course_id=course.id), 303)
    db.session.commit()
    flash(_("The agenda now follows the best-practice template."))
    return redirect(url_for("schedule.agenda", course_id=course.id), 303)


@bp.post(f"/courses/<int:course_id>/agenda/<{DAYS}:day>/items")
@allow(STAFF)
def add_item(course_id: int, day: str):
    """Add an item to one meeting (placed by its start time; overlaps are flagged, not refused)."""
    course = course_or_404(course_id, can_facilitate)
    meeting = Day(day)
    form = AgendaItemForm(prefix=f"new-{meeting.value}")
    context = {"add_forms": {meeting: form}, "open_add": meeting}
    if not form.validate_on_submit():
        return _add_refused(course, meeting, context)
    try:
        item = services.add_item(course, meeting, ItemDetails(**form.details_kwargs()))
    except ScheduleError as err:
        db.session.rollback()
        _add_error(form, err)
        return _add_refused(course, meeting, context)
    _commit_agenda_change(course)
    return _changed(course, meeting, _("Added: %(title)s", title=item.title), f"item-{item.id}")


def _add_refused(course: Course, day: Day, extra: dict[str, Any]):
    context = _context(course, **extra)
    return web.render(AGENDA_PAGE, ADD_FRAGMENT, status=422, plan=context["plan_of"][day],
                      **context)


@bp.get("/courses/<int:course_id>/agenda/items/<int:item_id>")
@allow(STAFF)
def agenda_item(course_id: int, item_id: int):
    """One agenda item as the agenda shows it (also what "Cancel" in an edit goes back to)."""
    course = course_or_404(course_id)
    item = _item_or_404(course, item_id)
    context = _context(course)
    return web.render(AGENDA_PAGE, ROW_FRAGMENT, item=item, plan=context["plan_of"][item.day],
                  **context)


@bp.get("/courses/<int:course_id>/agenda/items/<int:item_id>/edit")
@allow(STAFF)
def edit_item(course_id: int, item_id: int):
    """The item as a form, in its place in the agenda."""
    course = course_or_404(course_id, can_facilitate)
    item = _item_or_404(course, item_id)
    form = _edit_form(item)
    context = _context(course, editing={item.id: form})
    return web.render(AGENDA_PAGE, FORM_FRAGMENT, item=item, form=form,
                  plan=context["plan_of"][item.day], **context)


@bp.post("/courses/<int:course_id>/agenda/items/<int:item_id>")
@allow(STAFF)
def update_item(course_id: int, item_id: int):
    """Save an edited item. An edit of an older version is a 409 showing both versions."""
    course = course_or_404(course_id, can_facilitate)
    item = _item_or_404(course, item_id)
    form = _edit_form(item, submitted=True)
    if not form.validate_on_submit():
        return _edit_refused(course, item, form, 422)
    # A missing version cannot be trusted to be current: treat it as stale (versions start at 1).
    seen = form.version.data if form.version.data is not None else 0
    try:
        services.update_item(item, ItemDetails(**form.details_kwargs()), expected_version=seen)
    except services.StaleItem:
        db.session.rollback()
        item = _item_or_404(course, item_id)
        db.session.refresh(item)
        form.version.raw_data = None
        form.version.data = item.version  # saving again now knowingly replaces theirs
        return _edit_refused(course, item, form, 409, conflict=True)
    except ScheduleError as err:
        db.session.rollback()
        _add_error(form, err)
        return _edit_refused(course, item, form, 422)
    _commit_agenda_change(course)
    return _changed(course, item.day, _("Saved: %(title)s", title=item.title),
                    f"item-{item.id}")


def _edit_refused(course: Course, item: AgendaItem, form: AgendaItemForm, status: int, *,
                  conflict: bool = False):
    context = _context(course, editing={item.id: form},
                       conflicts={item.id} if conflict else set())
    return web.render(AGENDA_PAGE, FORM_FRAGMENT, status=status, item=item, form=form,
                      plan=context["plan_of"][item.day], **context)


@bp.post("/courses/<int:course_id>/agenda/items/<int:item_id>/move")
@allow(STAFF)
def move_item(course_id: int, item_id: int):
    """Move an item up or down; it swaps time slots with its neighbour."""
    course = course_or_404(course_id, can_facilitate)
    item = _item_or_404(course, item_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        moved = services.move_item(item, form.direction.data)
    except services.StaleItem:
        db.session.rollback()
        moved = False
    _commit_agenda_change(course)
    message = (_("Moved: %(title)s", title=item.title) if moved
               else _("%(title)s cannot move further.", title=item.title))
    return _changed(course, item.day, message, f"item-{item.id}")


@bp.get("/courses/<int:course_id>/agenda/items/<int:item_id>/delete")
@allow(STAFF)
def confirm_delete_item(course_id: int, item_id: int):
    """Ask before deleting: the row turns into a question with a second, real delete button."""
    course = course_or_404(course_id, can_facilitate)
    item = _item_or_404(course, item_id)
    context = _context(course, deleting={item.id: False})
    return web.render(AGENDA_PAGE, DELETE_FRAGMENT, item=item, stale=False,
                  plan=context["plan_of"][item.day], **context)


@bp.post("/courses/<int:course_id>/agenda/items/<int:item_id>/delete")
@allow(STAFF)
def delete_item(course_id: int, item_id: int):
    """Delete an item, if it is still the version the person confirmed; 409 otherwise."""
    course = course_or_404(course_id, can_facilitate)
    item = _item_or_404(course, item_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        abort(400)
    seen = form.version.data if form.version.data is not None else 0
    title, day = item.title, item.day
    try:
        services.delete_item(item, expected_version=seen)
    except services.StaleItem:
        db.session.rollback()
        item = _item_or_404(course, item_id)
        db.session.refresh(item)
        context = _context(course, deleting={item.id: True})
        return web.render(AGENDA_PAGE, DELETE_FRAGMENT, status=409, item=item, stale=True,
                          plan=context["plan_of"][item.day], **context)
    _commit_agenda_change(course)
    return _changed(course, day, _("Deleted: %(title)s", title=title), f"day-{day.value}")


# -- participants: enrolment, the voluntary yes or no, join cards ------------------------------


def enrol_form(course: Course) -> EnrolForm:
    """The enrolment form for ``course``: the team's active job consultants to choose from."""
    form = EnrolForm()
    consultants = db.session.scalars(
        sa.select(Staff).where(Staff.team_id == course.team_id, Staff.active,
                               Staff.role == Role.JOB_CONSULTANT).order_by(Staff.name)
    ).all()
    form.job_consultant.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(str(s.id), s.name) for s in consultants]
    today = people_services.local_today()
    form.info_meeting_on.render_kw = {"max": today.isoformat()}
    if not form.is_submitted():
        form.info_meeting_on.data = today
        if current_user.role == Role.JOB_CONSULTANT:
            form.job_consultant.data = current_user.id
    return form


def _show_error(form: FlaskForm, error: people_services.EnrolmentError, message: str) -> None:
    """Put ``message`` on the field the error names, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def _course_page(course: Course, form: EnrolForm, *, status: int = 200):
    """The course page: its details, its participants and the enrolment form."""
    if not can_manage_participants(course):  # a guest facilitator: the course, not its people
        return web.render("schedule/course.html", status=status, course=course,
                          can_facilitate=can_facilitate(course), can_edit=False, roster=None,
                          **web.parts_of("schedule.course", course=course))
    roster = people_services.roster(course)
    return web.render("schedule/course.html", status=status, course=course, enrol_form=form,
                      can_facilitate=can_facilitate(course),
                      can_edit=can_edit_course(course), roster=roster,
                      **web.parts_of("schedule.participants", course=course, roster=roster),
                      **web.parts_of("schedule.course", course=course),
                      places_taken=people_services.places_taken(course))


def _citizen_or_404(course_id: int, citizen_id: int) -> tuple[Course, Citizen]:
    course = course_or_404(course_id, can_manage_participants)
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None or citizen.course_id != course.id:
        abort(404)
    return course, citizen


def _citizen_page(course: Course, citizen: Citizen, *, decision_form: DecisionForm | None = None,
                  opt_out_form: OptOutForm | None = None, status: int = 200):
    if decision_form is None:
        decision_form = DecisionForm(formdata=None, decided_on=people_services.local_today())
    decision_form.decided_on.render_kw = {"max": people_services.local_today().isoformat()}
    return web.render(
        "schedule/citizen.html", status=status, course=course, citizen=citizen,
        **web.parts_of("schedule.citizen", citizen=citizen),
        participation=people_services.participation(citizen), labels=ELIGIBILITY_LABELS,
        required=people_services.REQUIRED_ELIGIBILITY, assessment=people_services.ASSESSMENT,
        decision_form=decision_form, opt_out_form=opt_out_form or OptOutForm(formdata=None),
    )


@bp.post("/courses/<int:course_id>/citizens")
@allow(STAFF)
def enrol(course_id: int):
    """Enrol a citizen; the personal code is shown once, on a printable join card."""
    course = course_or_404(course_id, can_manage_participants)
    form = enrol_form(course)
    if not form.validate_on_submit():
        return _course_page(course, form, status=422)
    details = people_services.Enrolment(
        name=form.name.data, job_consultant=db.session.get(Staff, form.job_consultant.data),
        info_meeting_on=form.info_meeting_on.data,
        eligibility=[*form.criteria.data, *form.assessment.data],
        phone=form.phone.data or "", email=form.email.data or "",
    )
    try:
        citizen, code = people_services.enrol(course, details,
                                      enrolled_by=current_user._get_current_object())
    except people_services.EnrolmentError as error:
        db.session.rollback()
        _show_error(form, error, enrolment_message(error, name=details.name,
                                                   capacity=course.capacity))
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
            ended = people_services.record_decision(person, form.decision.data,
                                                    form.decided_on.data)
        except people_services.EnrolmentError as error:
            db.session.rollback()
            _show_error(form, error, enrolment_message(
                error, deadline=people_services.decision_deadline(person),
                meeting=person.info_meeting_on))
        else:
            people_signals.participation_changed.send(person)
            realtime.commit_and_push()
            people_pushes.disconnect_sign_ins(ended)
            if person.decision == "yes":
                flash(_("Yes recorded. The budget plan must be finished by %(date)s.",
                        date=long_date(people_services.budget_deadline(person))), "info")
            else:
                flash(_("No recorded. %(name)s can no longer sign in, and the place is free.",
                        name=person.name), "info")
            return redirect(url_for("schedule.citizen", course_id=course.id,
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
            ended = people_services.opt_out(person)
        except people_services.EnrolmentError as error:
            db.session.rollback()
            form.form_errors.append(enrolment_message(error))
        else:
            db.session.commit()
            people_pushes.disconnect_sign_ins(ended)
            flash(_("%(name)s has opted out and is signed out everywhere. The place is free.",
                    name=person.name), "info")
            return redirect(url_for("schedule.citizen", course_id=course.id,
                                    citizen_id=person.id), 303)
    return _citizen_page(course, person, opt_out_form=form, status=422)


@bp.post("/courses/<int:course_id>/citizens/<int:citizen_id>/code")
@allow(STAFF)
def reissue_code(course_id: int, citizen_id: int):
    """Print a new join card: a new personal code; the old one stops working at once."""
    course, person = _citizen_or_404(course_id, citizen_id)
    try:
        code, ended = people_services.reissue_code(person)
    except people_services.PeopleError:
        flash(_("%(name)s no longer takes part, so no new code is issued.", name=person.name),
              "error")
        return redirect(url_for("schedule.citizen", course_id=course.id, citizen_id=person.id),
                        303)
    db.session.commit()
    people_pushes.disconnect_sign_ins(ended)
    return _join_card(course, person, code)


def _join_card(course: Course, citizen: Citizen, code: str):
    join_url = url_for("people.start", c=course.code, _external=True)
    return web.render("schedule/join_card.html", course=course, citizen=citizen,
                      code=codes.display(code), join_url=join_url)
