"""The running day's routes: the citizen's phone home, the facilitator console and the
projector; starting the day, moving through the agenda, the countdown, attendance and
questions to the speaker. Every change is committed, then pushed to the room
(:mod:`course.live.pushes`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from course import realtime, web
from course.access import CITIZEN, DISPLAY, STAFF, allow
from course.budgets import services as budget_services
from course.budgets import workshop as workshop_steps
from course.extensions import db
from course.live import day as live_day
from course.live import fragments, labels, pushes, questions, services
from course.live.forms import AnnouncementForm
from course.live.models import DisplayLink
from course.people import services as people_services
from course.people.models import Citizen
from course.schedule.access import can_facilitate, course_or_404
from course.schedule.models import AgendaItem, Course, Day

bp = Blueprint("live", __name__)

# -- pages --------------------------------------------------------------------------------------


@bp.get("/me")
@allow(CITIZEN)
def phone():
    """The citizen's phone: what happens in the course now, and announcements as they come."""
    course = current_user.course
    streams = realtime.streams_for(current_user)  # before the regions (see realtime.streams_for)
    context = {**fragments.announcement_context(course.id),
               **fragments.now_context(course, realtime.PARTICIPANTS),
               **fragments.questions_context(course, realtime.PARTICIPANTS,
                                             viewer=current_user, sort=_question_sort())}
    return web.render("live/phone.html", streams=streams,
                      participation=people_services.participation(current_user),
                      **web.parts_of("live.phone", citizen=current_user), **context)


@bp.get("/me/workshop")
@allow(CITIZEN)
def workshop():
    """During the change-theory workshop: the step on now, and the citizen's own lines to write
    a change theory for (autosaved, like the budget tool itself)."""
    course = current_user.course
    streams = realtime.streams_for(current_user)  # before the regions
    draft = budget_services.draft_of(current_user)
    versions = budget_services.field_versions(draft) if draft else {}
    return web.render("live/workshop.html", draft=draft, versions=versions, streams=streams,
                      **fragments.now_context(course, realtime.PARTICIPANTS))


@bp.get("/courses/<int:course_id>/announcement")
@allow(STAFF, CITIZEN)
def announcement_region(course_id: int):
    """The announcement region as the caller's audience sees it (re-fetched after a gap)."""
    course = course_or_404(course_id)
    audience = realtime.PARTICIPANTS if isinstance(current_user, Citizen) else realtime.FACILITATORS
    return render_template(fragments.ANNOUNCEMENT, audience=audience, course=course,
                           **fragments.announcement_context(course.id))


@bp.get("/courses/<int:course_id>/console")
@allow(STAFF)
def console(course_id: int):
    """The facilitator console: announcements and the projector's display links."""
    course = course_or_404(course_id, can_facilitate)
    return _console(course, AnnouncementForm(formdata=None))


def _console(course, form, *, new_link: tuple[DisplayLink, str] | None = None, status=200):
    """The console page, or only its announcement/projector panel for an htmx request (the
    day, questions and attendance regions of the page are not re-rendered then)."""
    panel = {
        "course": course, "form": form, "new_link": new_link,
        "announcement": services.current_announcement(course.id),
        "links": services.live_display_links(course),
        "join_locked_for": people_services.throttle_retry_after(
            [people_services.course_throttle_key(course.id)]),
    }
    if web.wants_fragment():
        return web.render(None, "live/_console_panel.html", status=status, **panel)
    streams = realtime.streams_for(current_user)  # before the regions
    realtime.route_to(course.id)  # the console's posts go to the course's owner (its pushes)
    page = {**panel, **fragments.now_context(course, realtime.FACILITATORS),
            **fragments.questions_context(course, realtime.FACILITATORS, sort=_question_sort()),
            **fragments.attendance_context(course), "streams": streams,
            **web.parts_of("live.console", course=course)}
    return web.render("live/console.html", status=status, **page)


@bp.post("/courses/<int:course_id>/announcements")
@allow(STAFF)
def announce(course_id: int):
    """Post an announcement: saved first, then pushed to the projector and every phone."""
    course = course_or_404(course_id, can_facilitate)
    form = AnnouncementForm()
    if not form.validate_on_submit():
        return _console(course, form, status=422)
    try:
        services.post_announcement(course, current_user, form.text.data)
    except services.LiveError:
        form.text.errors.append(_("Write the announcement first."))
        return _console(course, form, status=422)
    pushes.push_announcement(course)
    realtime.commit_and_push()
    return _after_change(course)


def _after_change(course: Course):
    """The console panel for htmx; a redirect for a plain form (a reload must not resubmit)."""
    if not web.wants_fragment():
        return redirect(url_for("live.console", course_id=course.id))
    return _console(course, AnnouncementForm(formdata=None))


@bp.post("/courses/<int:course_id>/announcements/clear")
@allow(STAFF)
def clear_announcement(course_id: int):
    """Take the announcement off every screen."""
    course = course_or_404(course_id, can_facilitate)
    services.clear_announcement(course)
    pushes.push_announcement(course)
    realtime.commit_and_push()
    return _after_change(course)


@bp.post("/courses/<int:course_id>/join-lock/lift")
@allow(STAFF)
def lift_join_lock(course_id: int):
    """Let the room sign in again after too many wrong codes locked the course code."""
    course = course_or_404(course_id, can_facilitate)
    people_services.clear_throttle([people_services.course_throttle_key(course.id)])
    db.session.commit()
    return _after_change(course)


@bp.post("/courses/<int:course_id>/display-links")
@allow(STAFF)
def create_display_link(course_id: int):
    """Make a projector link for this course (shown once, in the console)."""
    course = course_or_404(course_id, can_facilitate)
    link, token = services.create_display_link(course, current_user)
    db.session.commit()
    return _console(course, AnnouncementForm(formdata=None), new_link=(link, token))


@bp.post("/courses/<int:course_id>/display-links/<int:link_id>/revoke")
@allow(STAFF)
def revoke_display_link(course_id: int, link_id: int):
    """Stop a projector link at once: its screen is disconnected and shows nothing more."""
    course = course_or_404(course_id, can_facilitate)
    link = db.session.get(DisplayLink, link_id)
    if link is None or link.course_id != course.id:
        abort(404)
    services.revoke_display_link(link)
    db.session.commit()
    pushes.disconnect_display(link)
    return _after_change(course)


def _link_or_404(token: str) -> DisplayLink:
    link = services.display_link_for_token(token)
    if link is None:
        abort(404)
    return link


@bp.get("/projector/<token>")
@allow(DISPLAY)
def projector(token: str):
    """The projector view of one course, opened through a display link (no sign-in, no timeout)."""
    course = services.display_course_for_token(token)
    if course is None:
        abort(404)
    return web.render(
        "live/projector.html", token=token,
        streams=realtime.current_seqs([realtime.room(course.id, realtime.PROJECTOR)]),
        **fragments.announcement_context(course.id),
        **fragments.now_context(course, realtime.PROJECTOR),
        **web.parts_of("live.projector", course=course, token=token),
    )


@bp.get("/projector/<token>/announcement")
@allow(DISPLAY)
def projector_announcement(token: str):
    """The projector's announcement region (re-fetched after a reconnect or a gap)."""
    link = _link_or_404(token)
    return render_template(fragments.ANNOUNCEMENT, audience=realtime.PROJECTOR,
                           **fragments.announcement_context(link.course_id))


@bp.post("/courses/<int:course_id>/projector")
@allow(STAFF)
def open_projector(course_id: int):
    """Open the projector from the console: a fresh display link, in a new window."""
    course = course_or_404(course_id, can_facilitate)
    _, token = services.create_display_link(course, current_user)
    db.session.commit()
    return redirect(url_for("live.projector", token=token))


# -- the day ------------------------------------------------------------------------------------


#: The message slot beside the console's controls of the day.
DAY_SLOT = "day-message"


def _now_fragment(course: Course):
    return render_template(fragments.NOW,
                           **fragments.now_context(course, realtime.FACILITATORS))


def _facilitated(course_id: int) -> Course:
    return course_or_404(course_id, can_facilitate)


def _run(course: Course, change: Callable[[], object],
         push: Callable[[Course], None] = pushes.push_now):
    """Apply a change to the running day, commit, ``push`` what it changed (the now region);
    409 if another facilitator was faster."""
    try:
        change()
        push(course)
        realtime.commit_and_push()
    except live_day.DayError as err:
        return web.refuse(labels.error_message(err.code), 422, slot=DAY_SLOT)
    except StaleDataError:  # the other facilitator's change reaches this console as a push
        return web.refuse(labels.error_message("stale"), 409, slot=DAY_SLOT)
    if not web.wants_fragment():
        return redirect(url_for("live.console", course_id=course.id))
    return _now_fragment(course)


def _running(course: Course):
    running = live_day.running_day(course.id)
    if running is None:
        raise live_day.DayError("not_started")
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
        abort(400)  # (the form offers only the three meetings)
    return _run(course, lambda: live_day.start_day(course, day), pushes.push_day)


@bp.post("/courses/<int:course_id>/session/end")
@allow(STAFF)
def end_day(course_id: int):
    """End the day: screens go back to the join code."""
    course = _facilitated(course_id)
    return _run(course, lambda: live_day.end_day(_running(course)), pushes.push_day)


@bp.post("/courses/<int:course_id>/session/next")
@allow(STAFF)
def next_item(course_id: int):
    """Go to the next agenda item (keyboard: → or n)."""
    course = _facilitated(course_id)
    return _run(course, lambda: live_day.move(_running(course), +1))


@bp.post("/courses/<int:course_id>/session/previous")
@allow(STAFF)
def previous_item(course_id: int):
    """Go back one agenda item (keyboard: ← or p)."""
    course = _facilitated(course_id)
    return _run(course, lambda: live_day.move(_running(course), -1))


@bp.post("/courses/<int:course_id>/session/items/<int:item_id>")
@allow(STAFF)
def go_to_item(course_id: int, item_id: int):
    """Jump to one agenda item of the running day."""
    course = _facilitated(course_id)
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.course_id != course.id:
        abort(404)
    return _run(course, lambda: live_day.go_to(_running(course), item))


@bp.post("/courses/<int:course_id>/session/workshop/next")
@allow(STAFF)
def next_workshop_step(course_id: int):
    """The workshop's next guided step, on the projector and every phone."""
    course = _facilitated(course_id)
    return _run(course, lambda: live_day.move_workshop_step(
        _running(course), +1, len(workshop_steps.STEPS)), pushes.push_clock)


@bp.post("/courses/<int:course_id>/session/workshop/previous")
@allow(STAFF)
def previous_workshop_step(course_id: int):
    """Back one guided step of the workshop."""
    course = _facilitated(course_id)
    return _run(course, lambda: live_day.move_workshop_step(
        _running(course), -1, len(workshop_steps.STEPS)), pushes.push_clock)


@bp.post("/courses/<int:course_id>/session/timer/start")
@allow(STAFF)
def start_timer(course_id: int):
    """Run the countdown of the current item."""
    course = _facilitated(course_id)
    return _run(course, lambda: live_day.start_timer(_running(course)), pushes.push_clock)


@bp.post("/courses/<int:course_id>/session/timer/pause")
@allow(STAFF)
def pause_timer(course_id: int):
    """Pause the countdown (keyboard: space or k toggles)."""
    course = _facilitated(course_id)
    return _run(course, lambda: live_day.pause_timer(_running(course)), pushes.push_clock)


@bp.post("/courses/<int:course_id>/session/timer/extend")
@allow(STAFF)
def extend_timer(course_id: int):
    """Five more minutes for the current item."""
    course = _facilitated(course_id)
    return _run(course, lambda: live_day.extend_timer(_running(course)), pushes.push_clock)


@bp.post("/courses/<int:course_id>/session/join-qr")
@allow(STAFF)
def show_join_qr(course_id: int):
    """Put the join QR on the whole wall (``shown`` = 1) or take it off (0); keyboard: q."""
    course = _facilitated(course_id)
    shown = request.form.get("shown") == "1"
    return _run(course, lambda: live_day.show_join_qr(_running(course), shown))


@bp.get("/courses/<int:course_id>/now")
@allow(STAFF, CITIZEN)
def now_region(course_id: int):
    """The now/next region as the caller's audience sees it (re-fetched after a gap)."""
    course = course_or_404(course_id)
    audience = realtime.PARTICIPANTS if isinstance(current_user, Citizen) else realtime.FACILITATORS
    return render_template(fragments.NOW, **fragments.now_context(course, audience))


@bp.get("/projector/<token>/now")
@allow(DISPLAY)
def projector_now(token: str):
    """The projector's now/next region."""
    course = _display_course(token)
    return render_template(fragments.NOW, **fragments.now_context(course, realtime.PROJECTOR))


@bp.get("/projector/<token>/spotlight")
@allow(DISPLAY)
def projector_spotlight(token: str):
    """The question the facilitator put on the projector, if any."""
    course = _display_course(token)
    return render_template(fragments.SPOTLIGHT, audience=realtime.PROJECTOR,
                           **fragments.spotlight_context(course))


def _display_course(token: str) -> Course:
    link = services.display_link_for_token(token)
    if link is None:
        abort(404)
    return db.session.get(Course, link.course_id)


# -- attendance -------------------------------------------------------------------------------


@bp.get("/courses/<int:course_id>/attendance")
@allow(STAFF)
def attendance_region(course_id: int):
    """Who is in the room today (facilitators)."""
    course = _facilitated(course_id)
    return render_template(fragments.ATTENDANCE, audience=realtime.FACILITATORS,
                           **fragments.attendance_context(course))


@bp.post("/courses/<int:course_id>/attendance/<int:citizen_id>")
@allow(STAFF)
def set_attendance(course_id: int, citizen_id: int):
    """Check a citizen in, or mark them as having left (``present`` = 1 or 0)."""
    course = _facilitated(course_id)
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None or citizen.course_id != course.id:
        abort(404)
    day = live_day.attendance_day(course)
    if request.form.get("present") == "1":
        live_day.check_in(course, day, citizen, by=current_user)
    else:
        live_day.mark_left(course, day, citizen)
    pushes.push_presence(course, day, citizen)
    realtime.commit_and_push()
    if not web.wants_fragment():
        return redirect(url_for("live.console", course_id=course.id))
    return render_template(fragments.ATTENDANCE, audience=realtime.FACILITATORS,
                           **fragments.attendance_context(course))


# -- questions to the speaker -----------------------------------------------------------------


#: Question refusals about the text itself: the form comes back with the text and the reason.
TEXT_REFUSALS = {"empty", "too_long", "rate_limited"}
#: Where a screen's chosen order of the questions is kept (``?sort=`` chooses it).
QUESTION_SORT = "question_sort"


def _question_sort() -> str:
    """The order this screen lists the questions in: a sort link (``?sort=votes`` or
    ``?sort=new``, with or without JavaScript) chooses it, and the session keeps it, so the
    region read afresh after a ping keeps the order its reader chose."""
    chosen = request.args.get("sort")
    if chosen in questions.SORTS:
        session[QUESTION_SORT] = chosen
        return chosen
    kept = session.get(QUESTION_SORT)
    return kept if kept in questions.SORTS else questions.DEFAULT_SORT


def _audience() -> str:
    return realtime.PARTICIPANTS if isinstance(current_user, Citizen) else realtime.FACILITATORS


def _questions_fragment(course: Course, audience: str, *, error: str | None = None,
                        text: str = "", status: int = 200):
    viewer = current_user if audience == realtime.PARTICIPANTS else None
    return render_template(fragments.QUESTIONS, audience=audience, error=error, typed=text,
                           **fragments.questions_context(course, audience, viewer=viewer,
                                                         sort=_question_sort())), status


@bp.get("/courses/<int:course_id>/questions")
@allow(STAFF, CITIZEN)
def questions_region(course_id: int):
    """The questions of the talk on now, as the caller sees them (a phone: with its own votes
    and its own waiting or hidden questions), in the order the caller chose (``?sort=``)."""
    course = course_or_404(course_id)
    audience = _audience()
    if audience == realtime.FACILITATORS and not can_facilitate(course):
        abort(404)
    return _questions_fragment(course, audience)[0]


@bp.post("/courses/<int:course_id>/questions")
@allow(CITIZEN)
def ask(course_id: int):
    """A citizen sends a question to the speaker (as the course's question mode allows); in a
    course that holds questions, it waits for a facilitator and only its asker is told."""
    course = course_or_404(course_id)
    text = request.form.get("text", "")
    try:
        question = questions.ask(course, current_user, text,
                                 anonymous=request.form.get("anonymous") == "1")
    except questions.QuestionError as err:
        if err.code in TEXT_REFUSALS:  # the form again, the typed question in it
            return _questions_fragment(course, realtime.PARTICIPANTS,
                                       error=labels.error_message(err.code), text=text[:2000],
                                       status=422)
        # The talk has ended meanwhile (its form goes with the push that follows): the toast.
        return web.refuse(labels.error_message(err.code), 422)
    pushes.push_questions(course, phones=not question.held)
    realtime.commit_and_push()
    if not web.wants_fragment():
        return redirect(url_for("live.phone"))
    return _questions_fragment(course, realtime.PARTICIPANTS, error=None)


@bp.post("/courses/<int:course_id>/questions/<int:question_id>/upvote")
@allow(CITIZEN)
def upvote(course_id: int, question_id: int):
    """Second someone else's question (``value`` 1, the default), or take the vote back (0)."""
    course = course_or_404(course_id)
    question = _question_or_404(course, question_id)
    if questions.vote(question, current_user, on=request.form.get("value", "1") != "0"):
        pushes.push_questions(course)
        realtime.commit_and_push()
    if not web.wants_fragment():
        return redirect(url_for("live.phone"))
    return _questions_fragment(course, realtime.PARTICIPANTS)


def _question_or_404(course: Course, question_id: int):
    try:
        return questions.question_in_course(course, question_id)
    except questions.QuestionError:
        abort(404)


def _moderate(course_id: int, question_id: int, change: Callable[[Any], object]):
    """Apply one facilitator's change to a question; a refused one comes back as the console's
    list again, with the reason and the question as it stands now."""
    course = _facilitated(course_id)
    question = _question_or_404(course, question_id)
    try:
        change(question)
    except questions.QuestionError as err:
        db.session.rollback()
        realtime.discard_pushes()
        return _questions_fragment(course, realtime.FACILITATORS,
                                   error=labels.error_message(err.code), status=409)
    pushes.push_questions(course)
    realtime.commit_and_push()
    if not web.wants_fragment():
        return redirect(url_for("live.console", course_id=course.id))
    return _questions_fragment(course, realtime.FACILITATORS)


@bp.post("/courses/<int:course_id>/questions/<int:question_id>/release")
@allow(STAFF)
def release_question(course_id: int, question_id: int):
    """Let a question that waits for a facilitator through to the other phones."""
    return _moderate(course_id, question_id, lambda q: questions.release(q, current_user))


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


@bp.post("/courses/<int:course_id>/questions/<int:question_id>/answer")
@allow(STAFF)
def answer_question(course_id: int, question_id: int):
    """Mark a question answered: it leaves the projector; phones list it as answered."""
    return _moderate(course_id, question_id, lambda q: questions.answer(q, current_user))


@bp.post("/courses/<int:course_id>/questions/<int:question_id>/unanswer")
@allow(STAFF)
def unanswer_question(course_id: int, question_id: int):
    """Not answered after all: the question is open again."""
    return _moderate(course_id, question_id, questions.unanswer)


@bp.post("/courses/<int:course_id>/questions/<int:question_id>/hide")
@allow(STAFF)
def hide_question(course_id: int, question_id: int):
    """Hide a question from the other phones and the projector (the record stays; its asker's
    phone says it was hidden)."""
    return _moderate(course_id, question_id, lambda q: questions.hide(q, current_user))


@bp.post("/courses/<int:course_id>/questions/<int:question_id>/unhide")
@allow(STAFF)
def unhide_question(course_id: int, question_id: int):
    """Show a hidden question to the phones again."""
    return _moderate(course_id, question_id, questions.unhide)
