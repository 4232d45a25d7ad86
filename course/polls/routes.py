"""The polls' routes: the console makes, opens, closes and shows polls; the phones vote; the
projector shows the results. Every change is committed, then pushed
(:mod:`course.polls.pushes`; votes coalesced)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from course import realtime, web
from course.access import CITIZEN, DISPLAY, STAFF, allow
from course.extensions import db
from course.live import services as live_services
from course.live.day import running_day
from course.polls import fragments, labels, pushes, services
from course.polls.models import Poll
from course.schedule.access import can_facilitate, course_or_404
from course.schedule.models import AgendaItem, Course

bp = Blueprint("polls", __name__)

def _facilitated(course_id: int) -> Course:
    return course_or_404(course_id, can_facilitate)


def _poll_or_404(course: Course, poll_id: int) -> Poll:
    try:
        return services.poll_in_course(course, poll_id)
    except services.PollError:
        abort(404)


def _console_fragment(course: Course, status: int = 200, **extra):
    return render_template(fragments.CONSOLE, **fragments.console_context(course, **extra)), status


@bp.get("/courses/<int:course_id>/polls")
@allow(STAFF)
def console_region(course_id: int):
    """The console's polls (re-fetched after a ping)."""
    course = _facilitated(course_id)
    return _console_fragment(course)[0]


def _make(course: Course, item: AgendaItem | None) -> tuple[str, dict[str, str]] | None:
    """Make the poll the form describes (a check-in without a question asks the default one);
    refused: the reason's code and what was typed (kind, question and options)."""
    kind = request.form.get("kind", "")
    question = request.form.get("question", "")
    options_text = request.form.get("options", "")[:20000]
    if kind == services.CHECKIN and not question.strip():
        question = str(labels.CHECKIN_QUESTION)
    try:
        services.create(course, current_user, kind, question,
                        services.parse_options(options_text), item=item)
    except services.PollError as err:
        return err.code, {"kind": kind, "question": question[:2000], "options": options_text}
    return None


@bp.post("/courses/<int:course_id>/polls")
@allow(STAFF)
def create(course_id: int):
    """Make a poll: on the spot, or on the item on now (``on_item`` = 1)."""
    course = _facilitated(course_id)
    item = None
    if request.form.get("on_item") == "1":
        session = running_day(course.id)
        item = db.session.get(AgendaItem, session.current_item_id) \
            if session and session.current_item_id else None
    refused = _make(course, item)
    if refused is not None:
        return _refused_form(course, *refused)
    pushes.push_polls(course)
    realtime.commit_and_push()
    return _after(course)


def _refused_form(course: Course, code: str, typed: dict[str, str]):
    """The console's polls again, the form with what was typed and the reason."""
    db.session.rollback()
    realtime.discard_pushes()
    if not web.wants_fragment():
        return web.render("polls/console_page.html", None, status=422,
                          **fragments.console_context(course, error=labels.error_message(code),
                                                      typed=typed))
    return _console_fragment(course, 422, error=labels.error_message(code), typed=typed)


def _after(course: Course):
    if not web.wants_fragment():
        return redirect(url_for("live.console", course_id=course.id))
    return _console_fragment(course)


def _change(course_id: int, poll_id: int, change: Callable[[Poll], object]):
    course = _facilitated(course_id)
    poll = _poll_or_404(course, poll_id)
    change(poll)
    pushes.push_polls(course)
    realtime.commit_and_push()
    return _after(course)


@bp.post("/courses/<int:course_id>/polls/<int:poll_id>/open")
@allow(STAFF)
def open_voting(course_id: int, poll_id: int):
    """Open the voting: every phone shows the poll (another open poll closes)."""
    return _change(course_id, poll_id, services.open_voting)


@bp.post("/courses/<int:course_id>/polls/<int:poll_id>/close")
@allow(STAFF)
def close_voting(course_id: int, poll_id: int):
    """Close the voting: the phones take the poll off; the results stay."""
    def close(poll: Poll) -> None:
        services.close_voting(poll)
        pushes.forget(poll.course_id, poll.id)
    return _change(course_id, poll_id, close)


@bp.post("/courses/<int:course_id>/polls/<int:poll_id>/show")
@allow(STAFF)
def show_results(course_id: int, poll_id: int):
    """Put the results on the projector (``shown`` = 1) or take them off (0)."""
    shown = request.form.get("shown") == "1"
    return _change(course_id, poll_id, lambda poll: services.show_results(poll, shown))


@bp.post("/courses/<int:course_id>/polls/<int:poll_id>/edit")
@allow(STAFF)
def edit(course_id: int, poll_id: int):
    """Change a poll's question and options while nobody has voted in it; refused beside the
    form (what was typed stays) once a vote is in, or for what a new poll is refused for."""
    course = _facilitated(course_id)
    poll = _poll_or_404(course, poll_id)
    question = request.form.get("question", "")
    options_text = request.form.get("options", "")[:20000]
    try:
        services.edit(poll, question, services.parse_options(options_text))
    except services.PollError as err:
        reason = labels.error_message(err.code)
        typed = {"question": question[:2000], "options": options_text}
        return web.refuse(
            reason, 409 if err.code == "voting_started" else 422,
            slot=f"poll-{poll_id}-message", page=lambda: web.render(
                "polls/console_page.html", None, **fragments.console_context(
                    course, edit_error=(poll_id, reason), edit_typed=typed)))
    pushes.push_polls(course)
    realtime.commit_and_push()
    return _after(course)


@bp.post("/courses/<int:course_id>/polls/<int:poll_id>/delete")
@allow(STAFF)
def delete(course_id: int, poll_id: int):
    """Delete a poll (asked first on the console) and its votes: it leaves the consoles, the
    phones and the projector with the push."""
    course = _facilitated(course_id)
    poll = _poll_or_404(course, poll_id)
    services.delete(poll)
    pushes.forget(course.id, poll_id)
    pushes.push_polls(course)
    realtime.commit_and_push()
    return _after(course)


# -- prepared in the agenda editor ----------------------------------------------------------------


def _item_or_404(course: Course, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.course_id != course.id:
        abort(404)
    return item


@bp.get("/courses/<int:course_id>/items/<int:item_id>/polls/new")
@allow(STAFF)
def new_for_item(course_id: int, item_id: int):
    """The form for a poll prepared on an agenda item (from the agenda editor)."""
    course = _facilitated(course_id)
    item = _item_or_404(course, item_id)
    return web.render("polls/item_poll.html", course=course, item=item, labels=labels,
                      kinds=services.KINDS, error=None, typed={})


@bp.post("/courses/<int:course_id>/items/<int:item_id>/polls")
@allow(STAFF)
def create_for_item(course_id: int, item_id: int):
    """Prepare a poll on an agenda item: the console offers it while the item is on."""
    course = _facilitated(course_id)
    item = _item_or_404(course, item_id)
    refused = _make(course, item)
    if refused is not None:
        code, typed = refused
        db.session.rollback()
        return web.render("polls/item_poll.html", status=422, course=course, item=item,
                          labels=labels, kinds=services.KINDS,
                          error=labels.error_message(code), typed=typed)
    pushes.push_polls(course)
    realtime.commit_and_push()
    return redirect(url_for("schedule.agenda", course_id=course.id,
                            _anchor=f"item-{item.id}"), 303)


# -- the phone ----------------------------------------------------------------------------------


def _phone_fragment(course: Course, status: int = 200, **extra):
    return render_template(fragments.PHONE,
                           **fragments.phone_context(course, current_user, **extra)), status


@bp.get("/courses/<int:course_id>/poll")
@allow(CITIZEN)
def phone_region(course_id: int):
    """The poll open now on this phone, with the citizen's own vote."""
    course = course_or_404(course_id)
    return _phone_fragment(course)[0]


@bp.post("/courses/<int:course_id>/polls/<int:poll_id>/vote")
@allow(CITIZEN)
def vote(course_id: int, poll_id: int):
    """Vote, or change one's vote, while the voting is open (``choice``, one or more)."""
    course = course_or_404(course_id)
    poll = _poll_or_404(course, poll_id)
    choices = [web.as_id(value) for value in request.form.getlist("choice")[:100]]
    chosen = sorted({c - 1 for c in choices if c is not None})
    try:
        changed = services.vote(poll, current_user, chosen)
    except services.PollError as err:
        reason = labels.error_message(err.code)
        if err.code == "closed":  # its form goes with the ping that closed it: the toast
            return web.refuse(reason, 409, page=lambda: web.render(
                "polls/phone_page.html", None,
                **fragments.phone_context(course, current_user, error=reason)))
        db.session.rollback()
        if not web.wants_fragment():
            return web.render("polls/phone_page.html", None, status=422,
                              **fragments.phone_context(course, current_user,
                                                        error=reason))
        return _phone_fragment(course, 422, error=reason)
    # The phone's answer shows the poll and the vote just written: kept loaded, not read again.
    realtime.commit_and_push(keep_loaded=True)
    if changed:
        pushes.after_vote(course.id, poll.id)
    if not web.wants_fragment():
        return redirect(url_for("live.phone"))
    return _phone_fragment(course, voted=(poll, chosen))  # (the poll is open: just checked)


# -- the projector ------------------------------------------------------------------------------


@bp.get("/projector/<token>/poll")
@allow(DISPLAY)
def projector_region(token: str):
    """The poll whose results are on the projector, if any (re-fetched after a gap)."""
    link = live_services.display_link_for_token(token)
    if link is None:
        abort(404)
    return render_template(fragments.PROJECTOR, audience=realtime.PROJECTOR,
                           **fragments.projector_context(link.course_id))
