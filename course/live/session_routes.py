"""Running a course day: start the day, move through the agenda, the countdown, attendance,
and questions to the speaker. Every change is committed, then pushed to the room."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from course import access, realtime
from course.access import CITIZEN, DISPLAY, STAFF, allow
from course.budgets import workshop
from course.errors import error_response
from course.extensions import db
from course.live import bp, questions, services, session
from course.people.models import Citizen
from course.schedule.models import AgendaItem, Course, Day, ItemKind

NOW_TEMPLATE = "live/_now.html"
QUESTIONS_TEMPLATE = "live/_questions.html"
SPOTLIGHT_TEMPLATE = "live/_spotlight.html"
ATTENDANCE_TEMPLATE = "live/_attendance.html"
ATTENDANCE_COUNT_TEMPLATE = "live/_attendance_count.html"
ATTENDANCE_ROWS_TEMPLATE = "live/_attendance_rows.html"

QUESTION_ERRORS = {
    "no_talk": lambda: _("Questions can be sent during a talk."),
    "empty": lambda: _("Write your question first."),
    "too_long": lambda: _("At most %(n)d characters.", n=questions.MAX_LENGTH),
    "rate_limited": lambda: _("You have sent several questions just now. Wait a minute."),
    "not_in_course": lambda: _("You do not have access to this."),
    "not_found": lambda: _("We could not find that page."),
    "hidden": lambda: _("A hidden question cannot be shown."),
}
SESSION_ERRORS = {
    "empty_day": lambda: _("This day has no agenda items yet."),
    "no_more_items": lambda: _("There are no more items in that direction."),
    "no_item": lambda: _("Choose an agenda item first."),
    "not_in_day": lambda: _("That item belongs to another day."),
    "not_started": lambda: _("Start the day first."),
    "not_workshop": lambda: _("The item on now is not a workshop."),
    "no_more_steps": lambda: _("There are no more steps in that direction."),
}


# -- rendering and pushing --------------------------------------------------------------------


def now_context(course: Course) -> dict[str, Any]:
    view = session.now_view(course)
    return {"course": course, "view": view, "workshop": workshop_context(course, view),
            "shown_question": questions.shown(course.id) if view.session else None}


def workshop_context(course: Course, view: session.NowView) -> dict[str, Any] | None:
    """During a workshop item: the guided step, the worked examples, and the room's progress
    (counts only — the console never shows anyone's text)."""
    if view.current is None or view.current.kind != ItemKind.WORKSHOP:
        return None
    day = Day(view.session.day)
    presence = session.attendance(course, day)
    present = [p.citizen.id for p in presence if p.present] or [p.citizen.id for p in presence]
    index = view.session.workshop_step
    return {"index": index, "step": workshop.step(index), "steps": workshop.STEPS,
            "examples": workshop.EXAMPLES, "progress": workshop.progress(present)}


def questions_context(course: Course, audience: str) -> dict[str, Any]:
    talk = questions.current_talk(course)
    include_hidden = audience == realtime.FACILITATORS
    return {"course": course, "talk": talk[1] if talk else None,
            "questions": questions.for_item(talk[1].id, include_hidden=include_hidden)
            if talk else []}


def push_now(course: Course) -> None:
    """Queue the now/next region (and what follows from it) for every audience."""
    everyone = {realtime.PARTICIPANTS: {}, realtime.FACILITATORS: {}, realtime.PROJECTOR: {}}
    realtime.claim_course(course.id)  # numbered before it is read (see realtime.claim)
    realtime.render_for(course.id, "now", NOW_TEMPLATE, everyone, **now_context(course))
    push_questions(course)


def push_questions(course: Course) -> None:
    """Queue the question list (phones, console) and the projector's spotlight."""
    for audience in (realtime.PARTICIPANTS, realtime.FACILITATORS):
        realtime.render_for(course.id, "questions", QUESTIONS_TEMPLATE, {audience: {}},
                          **questions_context(course, audience))
    realtime.render_for(course.id, "spotlight", SPOTLIGHT_TEMPLATE, {realtime.PROJECTOR: {}},
                      course=course, shown_question=questions.shown(course.id))


def push_presence(course: Course, day: Day, citizen: Citizen) -> None:
    """Queue what one person's check-in or leaving changed on the consoles: the count and
    their row (swapped whole), not the list — a morning's arrivals in a big room would
    otherwise push the whole list once per person. Nothing when ``day`` is not the day the
    consoles show (:func:`day_of_session`): a sign-in checks in for today's meeting, which may
    not be the session running."""
    if day != day_of_session(course):
        return
    audiences = {realtime.FACILITATORS: {}}
    # Numbered before the count is read: two arrivals at the same moment push one after the
    # other, the later with both counted.
    # (claimed already in a round)
    realtime.claim([realtime.room(course.id, realtime.FACILITATORS)])
    realtime.render_for(course.id, "attendance-count", ATTENDANCE_COUNT_TEMPLATE, audiences,
                      counts=session.presence_count(course, day))
    realtime.render_for(course.id, f"attendance-{citizen.id}", ATTENDANCE_ROWS_TEMPLATE,
                      audiences, swap="outerHTML", fallback="attendance", course=course,
                      presence=[session.presence_of(course, day, citizen)])


def _now_fragment(course: Course, status: int = 200, notice: str | None = None):
    return render_template(NOW_TEMPLATE, audience=realtime.FACILITATORS, notice=notice,
                           **now_context(course)), status


def _facilitated(course_id: int) -> Course:
    return access.course_or_404(course_id, access.can_facilitate)


def _run(course: Course, change: Callable[[], object]):
    """Apply a change to the running day, commit, push; 409 if another facilitator was faster."""
    try:
        change()
        push_now(course)
        realtime.commit_and_push()
    except session.SessionError as err:
        db.session.rollback()
        realtime.discard_pushes()
        return _answer(course, 422, SESSION_ERRORS.get(err.code, SESSION_ERRORS["no_item"])())
    except StaleDataError:
        db.session.rollback()
        realtime.discard_pushes()
        return _answer(course, 409, _("Another facilitator changed the session at the same "
                                      "time. This is how it stands now."))
    if not request.headers.get("HX-Request"):
        return redirect(url_for("live.console", course_id=course.id))
    return _now_fragment(course)


def _answer(course: Course, status: int, notice: str):
    """A refused change: the current state, with why (the console swaps it in)."""
    if not request.headers.get("HX-Request"):
        return error_response(status, notice)
    return _now_fragment(course, status, notice)


def _running(course: Course):
    running = session.current_session(course.id)
    if running is None:
        raise session.SessionError("not_started")
    return running


# -- the day ----------------------------------------------------------------------------------


@bp.post("/courses/<int:course_id>/session/start")
@allow(STAFF)
def start_day(course_id: int):
    """Start the session of the kickoff or a course day: phones and projector follow it."""
    course = _facilitated(course_id)
    try:
        day = Day(request.form.get("day", ""))
    except ValueError:
        return error_response(400)
    return _run(course, lambda: session.start_session(course, day))


@bp.post("/courses/<int:course_id>/session/end")
@allow(STAFF)
def end_day(course_id: int):
    """End the day: screens go back to the join code."""
    course = _facilitated(course_id)
    return _run(course, lambda: session.end_session(_running(course)))


@bp.post("/courses/<int:course_id>/session/next")
@allow(STAFF)
def next_item(course_id: int):
    """Go to the next agenda item (keyboard: → or n)."""
    course = _facilitated(course_id)
    return _run(course, lambda: session.move(_running(course), +1))


@bp.post("/courses/<int:course_id>/session/previous")
@allow(STAFF)
def previous_item(course_id: int):
    """Go back one agenda item (keyboard: ← or p)."""
    course = _facilitated(course_id)
    return _run(course, lambda: session.move(_running(course), -1))


@bp.post("/courses/<int:course_id>/session/items/<int:item_id>")
@allow(STAFF)
def go_to_item(course_id: int, item_id: int):
    """Jump to one agenda item of the running day."""
    course = _facilitated(course_id)
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.course_id != course.id:
        abort(404)
    return _run(course, lambda: session.go_to(_running(course), item))


@bp.post("/courses/<int:course_id>/session/workshop/next")
@allow(STAFF)
def next_workshop_step(course_id: int):
    """The workshop's next guided step, on the projector and every phone."""
    course = _facilitated(course_id)
    return _run(course, lambda: session.move_workshop_step(
        _running(course), +1, len(workshop.STEPS)))


@bp.post("/courses/<int:course_id>/session/workshop/previous")
@allow(STAFF)
def previous_workshop_step(course_id: int):
    """Back one guided step of the workshop."""
    course = _facilitated(course_id)
    return _run(course, lambda: session.move_workshop_step(
        _running(course), -1, len(workshop.STEPS)))


@bp.post("/courses/<int:course_id>/session/timer/start")
@allow(STAFF)
def start_timer(course_id: int):
    """Run the countdown of the current item."""
    course = _facilitated(course_id)
    return _run(course, lambda: session.start_timer(_running(course)))


@bp.post("/courses/<int:course_id>/session/timer/pause")
@allow(STAFF)
def pause_timer(course_id: int):
    """Pause the countdown (keyboard: space or k toggles)."""
    course = _facilitated(course_id)
    return _run(course, lambda: session.pause_timer(_running(course)))


@bp.post("/courses/<int:course_id>/session/timer/extend")
@allow(STAFF)
def extend_timer(course_id: int):
    """Five more minutes for the current item."""
    course = _facilitated(course_id)
    return _run(course, lambda: session.extend_timer(_running(course)))


@bp.get("/courses/<int:course_id>/now")
@allow(STAFF, CITIZEN)
def now_region(course_id: int):
    """The now/next region as the caller's audience sees it (re-fetched after a gap)."""
    course = access.course_or_404(course_id)
    audience = realtime.PARTICIPANTS if isinstance(current_user, Citizen) else realtime.FACILITATORS
    return render_template(NOW_TEMPLATE, audience=audience, **now_context(course))


@bp.get("/projector/<token>/now")
@allow(DISPLAY)
def projector_now(token: str):
    """The projector's now/next region."""
    course = _display_course(token)
    return render_template(NOW_TEMPLATE, audience=realtime.PROJECTOR, **now_context(course))


@bp.get("/projector/<token>/spotlight")
@allow(DISPLAY)
def projector_spotlight(token: str):
    """The question the facilitator put on the projector, if any."""
    course = _display_course(token)
    return render_template(SPOTLIGHT_TEMPLATE, audience=realtime.PROJECTOR, course=course,
                           shown_question=questions.shown(course.id))


def _display_course(token: str) -> Course:
    link = services.display_link_for_token(token)
    if link is None:
        abort(404)
    return db.session.get(Course, link.course_id)


# -- attendance -------------------------------------------------------------------------------


def day_of_session(course: Course) -> Day:
    """The day attendance is about: the running session's, else today's, else the kickoff."""
    running = session.current_session(course.id)
    if running is not None:
        return Day(running.day)
    return course.day_on(session.local_today()) or Day.KICKOFF


@bp.get("/courses/<int:course_id>/attendance")
@allow(STAFF)
def attendance_region(course_id: int):
    """Who is in the room today (facilitators)."""
    course = _facilitated(course_id)
    day = day_of_session(course)
    return render_template(ATTENDANCE_TEMPLATE, audience=realtime.FACILITATORS, course=course,
                           day=day, presence=session.attendance(course, day))


@bp.post("/courses/<int:course_id>/attendance/<int:citizen_id>")
@allow(STAFF)
def set_attendance(course_id: int, citizen_id: int):
    """Check a citizen in, or mark them as having left (``present`` = 1 or 0)."""
    course = _facilitated(course_id)
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None or citizen.course_id != course.id:
        abort(404)
    day = day_of_session(course)
    if request.form.get("present") == "1":
        session.check_in(course, day, citizen, by=current_user)
    else:
        session.mark_left(course, day, citizen)
    push_presence(course, day, citizen)
    realtime.commit_and_push()
    if not request.headers.get("HX-Request"):
        return redirect(url_for("live.console", course_id=course.id))
    return render_template(ATTENDANCE_TEMPLATE, audience=realtime.FACILITATORS, course=course,
                           day=day, presence=session.attendance(course, day))


# -- questions to the speaker -----------------------------------------------------------------


def _questions_fragment(course: Course, audience: str, *, error: str | None = None,
                        text: str = "", status: int = 200):
    return render_template(QUESTIONS_TEMPLATE, audience=audience, error=error, typed=text,
                           **questions_context(course, audience)), status


@bp.get("/courses/<int:course_id>/questions")
@allow(STAFF, CITIZEN)
def questions_region(course_id: int):
    """The questions of the talk on now, as the caller's audience sees them."""
    course = access.course_or_404(course_id)
    audience = realtime.PARTICIPANTS if isinstance(current_user, Citizen) else realtime.FACILITATORS
    if audience == realtime.FACILITATORS and not access.can_facilitate(course):
        abort(404)
    return _questions_fragment(course, audience)[0]


@bp.post("/courses/<int:course_id>/questions")
@allow(CITIZEN)
def ask(course_id: int):
    """A citizen sends a question to the speaker (named or anonymous, as the course allows)."""
    course = access.course_or_404(course_id)
    text = request.form.get("text", "")
    try:
        questions.ask(course, current_user, text, anonymous=request.form.get("anonymous") == "1")
    except questions.QuestionError as err:
        return _questions_fragment(course, realtime.PARTICIPANTS, error=QUESTION_ERRORS[err.code](),
                                   text=text[:2000], status=422)
    push_questions(course)
    realtime.commit_and_push()
    if not request.headers.get("HX-Request"):
        return redirect(url_for("live.phone"))
    return _questions_fragment(course, realtime.PARTICIPANTS, error=None)


@bp.post("/courses/<int:course_id>/questions/<int:question_id>/upvote")
@allow(CITIZEN)
def upvote(course_id: int, question_id: int):
    """Second someone else's question (once)."""
    course = access.course_or_404(course_id)
    question = _question_or_404(course, question_id)
    if questions.upvote(question, current_user):
        push_questions(course)
        realtime.commit_and_push()
    if not request.headers.get("HX-Request"):
        return redirect(url_for("live.phone"))
    return _questions_fragment(course, realtime.PARTICIPANTS)


def _question_or_404(course: Course, question_id: int):
    try:
        return questions.question_in_course(course, question_id)
    except questions.QuestionError:
        abort(404)


def _moderate(course_id: int, question_id: int, change: Callable[[Any], object]):
    course = _facilitated(course_id)
    question = _question_or_404(course, question_id)
    try:
        change(question)
    except questions.QuestionError as err:
        db.session.rollback()
        return _questions_fragment(course, realtime.FACILITATORS,
                                   error=QUESTION_ERRORS[err.code](), status=409)
    push_questions(course)
    realtime.commit_and_push()
    if not request.headers.get("HX-Request"):
        return redirect(url_for("live.console", course_id=course.id))
    return _questions_fragment(course, realtime.FACILITATORS)


@bp.post("/courses/<int:course_id>/questions/<int:question_id>/show")
@allow(STAFF)
def show_question(course_id: int, question_id: int):
    """Put a question on the projector."""
    return _moderate(course_id, question_id, questions.show)


@bp.post("/courses/<int:course_id>/questions/<int:question_id>/unshow")
@allow(STAFF)
def unshow_question(course_id: int, question_id: int):
    """Take the question off the projector."""
    return _moderate(course_id, question_id, lambda q: questions.unshow(q.course_id))


@bp.post("/courses/<int:course_id>/questions/<int:question_id>/hide")
@allow(STAFF)
def hide_question(course_id: int, question_id: int):
    """Hide a question from phones and projector (the record stays)."""
    return _moderate(course_id, question_id, lambda q: questions.hide(q, current_user))


@bp.post("/courses/<int:course_id>/questions/<int:question_id>/unhide")
@allow(STAFF)
def unhide_question(course_id: int, question_id: int):
    """Show a hidden question to the phones again."""
    return _moderate(course_id, question_id, questions.unhide)
