"""The idea wall's routes: the console makes, opens, closes, shows and moderates walls; the
phones answer and place dots; the projector shows the wall. Every change is committed, then
pushed (:mod:`course.ideas.pushes`; answers and dots coalesced)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from course import realtime, web
from course.access import CITIZEN, DISPLAY, STAFF, allow
from course.extensions import db
from course.ideas import fragments, labels, pushes, services
from course.ideas.models import IdeaWall
from course.live import services as live_services
from course.live.day import running_day
from course.schedule.access import can_facilitate, course_or_404
from course.schedule.models import AgendaItem, Course

bp = Blueprint("ideas", __name__)


def _facilitated(course_id: int) -> Course:
    return course_or_404(course_id, can_facilitate)


def _wall_or_404(course: Course, wall_id: int) -> IdeaWall:
    try:
        return services.wall_in_course(course, wall_id)
    except services.IdeaError:
        abort(404)


def _console_fragment(course: Course, status: int = 200, **extra):
    return render_template(fragments.CONSOLE, **fragments.console_context(course, **extra)), status


def _console_page(course: Course, status: int = 200, **extra):
    return web.render("ideas/console_page.html", None, status=status,
                      **fragments.console_context(course, **extra))


@bp.get("/courses/<int:course_id>/ideas")
@allow(STAFF)
def console_region(course_id: int):
    """The console's idea walls (re-fetched after a ping)."""
    course = _facilitated(course_id)
    return _console_fragment(course)[0]


@bp.post("/courses/<int:course_id>/ideas")
@allow(STAFF)
def create(course_id: int):
    """Make a wall: on the spot, or on the item on now (``on_item`` = 1)."""
    course = _facilitated(course_id)
    prompt = request.form.get("prompt", "")[:2000]
    item = None
    if request.form.get("on_item") == "1":
        session = running_day(course.id)
        item = db.session.get(AgendaItem, session.current_item_id) \
            if session and session.current_item_id else None
    try:
        services.create(course, current_user, prompt, item=item)
    except services.IdeaError as err:
        db.session.rollback()
        realtime.discard_pushes()
        error = labels.error_message(err.code)
        if not web.wants_fragment():
            return _console_page(course, 422, error=error, typed={"prompt": prompt})
        return _console_fragment(course, 422, error=error, typed={"prompt": prompt})
    pushes.push_wall(course)
    realtime.commit_and_push()
    return _after(course)


def _after(course: Course):
    if not web.wants_fragment():
        return redirect(url_for("live.console", course_id=course.id))
    return _console_fragment(course)


def _change(course_id: int, wall_id: int, change: Callable[[IdeaWall], object]):
    """A facilitator's change to one wall; a refusal is said in the toast (the console's
    buttons keep their place), or on the console page without JavaScript."""
    course = _facilitated(course_id)
    wall = _wall_or_404(course, wall_id)
    try:
        change(wall)
    except services.IdeaError as err:
        if err.code == "not_found":
            abort(404)
        reason = labels.error_message(err.code)
        return web.refuse(reason, 409 if err.code == "not_now" else 422,
                          page=lambda: _console_page(course, error=reason))
    pushes.push_wall(course)
    realtime.commit_and_push()
    return _after(course)


@bp.post("/courses/<int:course_id>/ideas/<int:wall_id>/open")
@allow(STAFF)
def open_answers(course_id: int, wall_id: int):
    """Open the wall for answers: every phone shows its prompt (another open wall closes)."""
    return _change(course_id, wall_id, services.open_answers)


@bp.post("/courses/<int:course_id>/ideas/<int:wall_id>/close")
@allow(STAFF)
def close_answers(course_id: int, wall_id: int):
    """Close the wall for answers; what is on it stays."""
    return _change(course_id, wall_id, services.close_answers)


@bp.post("/courses/<int:course_id>/ideas/<int:wall_id>/voting")
@allow(STAFF)
def open_voting(course_id: int, wall_id: int):
    """Open dot-voting (``dots`` per phone, 3 unless set): answering closes."""
    dots = web.as_id(request.form.get("dots", str(services.DOTS_DEFAULT)))
    return _change(course_id, wall_id,
                   lambda wall: services.open_voting(wall, dots if dots is not None else 0))


@bp.post("/courses/<int:course_id>/ideas/<int:wall_id>/voting/close")
@allow(STAFF)
def close_voting(course_id: int, wall_id: int):
    """Close the dot-vote; the dots stay on the wall."""
    return _change(course_id, wall_id, services.close_voting)


@bp.post("/courses/<int:course_id>/ideas/<int:wall_id>/show")
@allow(STAFF)
def show(course_id: int, wall_id: int):
    """Put the wall on the projector (``shown`` = 1) or take it off (0)."""
    shown = request.form.get("shown") == "1"
    return _change(course_id, wall_id, lambda wall: services.show(wall, shown))


@bp.post("/courses/<int:course_id>/ideas/<int:wall_id>/hide")
@allow(STAFF)
def hide_group(course_id: int, wall_id: int):
    """Take a group (``key``) off the wall: none of its answers reaches any screen."""
    key = request.form.get("key", "")[:200]
    return _change(course_id, wall_id, lambda wall: services.hide_group(wall, key))


@bp.post("/courses/<int:course_id>/ideas/<int:wall_id>/unhide")
@allow(STAFF)
def unhide_group(course_id: int, wall_id: int):
    """Put a hidden group's answers (``key``) back on the wall."""
    key = request.form.get("key", "")[:200]
    return _change(course_id, wall_id, lambda wall: services.unhide_group(wall, key))


def _entry_change(change: Callable) -> Callable[[IdeaWall], object]:
    def apply(wall: IdeaWall) -> None:
        change(services.entry_in_wall(wall, web.as_id(request.form.get("entry")) or 0))
    return apply


@bp.post("/courses/<int:course_id>/ideas/<int:wall_id>/let-through")
@allow(STAFF)
def let_through(course_id: int, wall_id: int):
    """Let a held answer (``entry``) through to the wall."""
    return _change(course_id, wall_id, _entry_change(services.let_through))


@bp.post("/courses/<int:course_id>/ideas/<int:wall_id>/reject")
@allow(STAFF)
def reject(course_id: int, wall_id: int):
    """Hide a held answer (``entry``): it never reaches the wall."""
    return _change(course_id, wall_id, _entry_change(services.hide_entry))


@bp.post("/courses/<int:course_id>/ideas/<int:wall_id>/merge")
@allow(STAFF)
def merge(course_id: int, wall_id: int):
    """Merge the group ``from`` into the group ``into``: one on the wall, counts summed."""
    from_key = request.form.get("from", "")[:200]
    into_key = request.form.get("into", "")[:200]
    return _change(course_id, wall_id,
                   lambda wall: services.merge(wall, current_user, from_key, into_key))


@bp.post("/courses/<int:course_id>/ideas/<int:wall_id>/merges/<int:merge_id>/undo")
@allow(STAFF)
def undo_merge(course_id: int, wall_id: int, merge_id: int):
    """Split a merge again (kept on record as undone)."""
    return _change(course_id, wall_id, lambda wall: services.undo_merge(wall, merge_id))


# -- prepared in the agenda editor ----------------------------------------------------------------


def _item_or_404(course: Course, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.course_id != course.id:
        abort(404)
    return item


@bp.get("/courses/<int:course_id>/items/<int:item_id>/ideas/new")
@allow(STAFF)
def new_for_item(course_id: int, item_id: int):
    """The form for an idea wall prepared on an agenda item (from the agenda editor)."""
    course = _facilitated(course_id)
    item = _item_or_404(course, item_id)
    return web.render("ideas/item_wall.html", course=course, item=item, labels=labels,
                      error=None, typed=None)


@bp.post("/courses/<int:course_id>/items/<int:item_id>/ideas")
@allow(STAFF)
def create_for_item(course_id: int, item_id: int):
    """Prepare an idea wall on an agenda item: the console offers it while the item is on."""
    course = _facilitated(course_id)
    item = _item_or_404(course, item_id)
    prompt = request.form.get("prompt", "")[:2000]
    try:
        services.create(course, current_user, prompt, item=item)
    except services.IdeaError as err:
        db.session.rollback()
        return web.render("ideas/item_wall.html", status=422, course=course, item=item,
                          labels=labels, error=labels.error_message(err.code), typed=prompt)
    pushes.push_wall(course)
    realtime.commit_and_push()
    return redirect(url_for("schedule.agenda", course_id=course.id,
                            _anchor=f"item-{item.id}"), 303)


# -- the phone ----------------------------------------------------------------------------------


def _phone_fragment(course: Course, status: int = 200, **extra):
    return render_template(fragments.PHONE,
                           **fragments.phone_context(course, current_user, **extra)), status


def _phone_page(course: Course, **extra):
    return web.render("ideas/phone_page.html", None,
                      **fragments.phone_context(course, current_user, **extra))


@bp.get("/courses/<int:course_id>/idea-wall")
@allow(CITIZEN)
def phone_region(course_id: int):
    """The wall open now on this phone: its prompt, the citizen's own answers and dots."""
    course = course_or_404(course_id)
    return _phone_fragment(course)[0]


@bp.post("/courses/<int:course_id>/ideas/<int:wall_id>/answer")
@allow(CITIZEN)
def answer(course_id: int, wall_id: int):
    """Send an answer (``text``) while the wall is open; the field keeps it when refused."""
    course = course_or_404(course_id)
    wall = _wall_or_404(course, wall_id)
    text = request.form.get("text", "")
    try:
        services.answer(wall, current_user, text)
    except services.IdeaError as err:
        reason = labels.error_message(err.code)
        return web.refuse(reason, 409 if err.code == "closed" else 422, slot="idea-message",
                          page=lambda: _phone_page(course, error=reason, typed=text[:2000]))
    db.session.commit()
    pushes.after_answer(course.id)
    if not web.wants_fragment():
        return redirect(url_for("live.phone"))
    return _phone_fragment(course)


@bp.post("/courses/<int:course_id>/ideas/<int:wall_id>/dot")
@allow(CITIZEN)
def dot(course_id: int, wall_id: int):
    """Place a dot on a group (``key``, ``step`` 1) or take one back (``step`` -1)."""
    course = course_or_404(course_id)
    wall = _wall_or_404(course, wall_id)
    key = request.form.get("key", "")[:200]
    step = -1 if request.form.get("step") == "-1" else 1
    try:
        changed = services.place_dot(wall, current_user, key, step)
    except services.IdeaError as err:
        reason = labels.error_message(err.code)
        return web.refuse(reason, 409 if err.code == "voting_closed" else 422,
                          slot="idea-message",
                          page=lambda: _phone_page(course, error=reason))
    db.session.commit()
    if changed:
        pushes.after_answer(course.id)
    if not web.wants_fragment():
        return redirect(url_for("live.phone"))
    return _phone_fragment(course)


# -- the projector ------------------------------------------------------------------------------


@bp.get("/projector/<token>/idea-wall")
@allow(DISPLAY)
def projector_region(token: str):
    """The wall on the projector, if any (re-fetched after a gap)."""
    link = live_services.display_link_for_token(token)
    if link is None:
        abort(404)
    return render_template(fragments.PROJECTOR, audience=realtime.PROJECTOR,
                           **fragments.projector_context(link.course_id))
