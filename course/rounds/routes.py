"""Sparring rounds in the room: the facilitator starts and closes a round, phones review the
draft they are sent to, the owner reads their feedback, the board follows live.

Every change is committed before anything is pushed (:mod:`course.rounds.pushes`). A refused
change says why beside the form it came from (``round-message`` on the console,
``review-message`` on the phone) or in the toast, and leaves the rest of the screen as it was.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from course import realtime, web
from course.access import CITIZEN, STAFF, allow
from course.extensions import db
from course.live import day as live_day
from course.live import fragments as live_fragments
from course.live.pushes import push_clock
from course.people.models import Citizen
from course.rounds import fragments, labels, pushes, services
from course.schedule.access import can_facilitate, course_or_404
from course.schedule.models import AgendaItem, Course, Day, ItemKind
from peerreview import services as peerreview
from peerreview.errors import InvalidInput, NotFound, PeerReviewError
from peerreview.models import Round
from peerreview.state import Grouping, RoundState

bp = Blueprint("rounds", __name__)

#: The message slots beside the console's round forms and the phone's feedback form.
CONSOLE_SLOT = "round-message"
REVIEW_SLOT = "review-message"


def _refused(err: PeerReviewError, slot: str | None = None):
    """A refused step: 404 for what is not there (or not this person's), else why, in place."""
    if isinstance(err, NotFound) and err.code in {"round_not_found", "snapshot_not_found",
                                                  "feedback_not_found"}:
        db.session.rollback()
        abort(404)
    return web.refuse(labels.error_message(err), 422, slot=slot)

# -- the facilitator --------------------------------------------------------------------------


def _sparring_item(course: Course) -> tuple[AgendaItem, Day]:
    """The sparring item on now, and its day; refused (``no_item``) at any other item."""
    running = live_day.running_day(course.id)
    item = (db.session.get(AgendaItem, running.current_item_id)
            if running is not None and running.current_item_id else None)
    if item is None or item.kind != ItemKind.SPARRING_ROUND:
        raise InvalidInput("no_item", "not a sparring item")
    return item, Day(running.day)


def _console(course: Course):
    """The console's now region, with the round as it stands after the change."""
    return render_template(live_fragments.NOW, notice=None,
                           **live_fragments.now_context(course, realtime.FACILITATORS))


def _whole_number(name: str, default: int, code: str) -> int:
    text = request.form.get(name, "").strip()
    if not text:
        return default
    number = web.as_id(text)  # a count or minutes: never more than an id column holds
    if number is None and text != "0":
        raise InvalidInput(code, f"{name} is not a whole number in range")
    return number or 0


@bp.post("/courses/<int:course_id>/rounds")
@allow(STAFF)
def start(course_id: int):
    """Start a round for the sparring item on now, from the present participants' drafts."""
    course = course_or_404(course_id, can_facilitate)
    form = request.form
    try:
        item, day = _sparring_item(course)
        existing = services.round_for_item(course.id, item.id)
        if existing is not None and existing.state != RoundState.CLOSED:
            raise InvalidInput("already_running", "a round runs for this item")
        minimum = _whole_number("min_feedback", 2, "invalid_minimum")
        minutes = _whole_number("minutes", 15, "invalid_duration")
        if not 1 <= minutes <= services.MAX_ROUND_MINUTES:
            raise InvalidInput("invalid_duration", "1–240 minutes")
        prompts = services.prompt_set_from_text(
            form.get("criteria", services.DEFAULT_CRITERIA_TEXT))
        reason = form.get("start_reason", "").strip()
        services.start_round(course, item.id, day, title=item.title,
                             grouping=form.get("grouping", Grouping.GROUPS.value),
                             min_feedback=minimum, anonymous=form.get("anonymous") == "1",
                             duration_seconds=minutes * 60, prompt_set=prompts,
                             override_by_ref=current_user.id if reason else None,
                             override_reason=reason or None)
    except PeerReviewError as err:
        return _refused(err, CONSOLE_SLOT)
    push_clock(course)  # the now region carries the board and the phones' own round region
    realtime.commit_and_push()
    return _console(course)


def _change_state(course_id: int, round_id: int, change: Any):
    """Apply one state change asked for by a console that saw ``version`` of the round."""
    course = course_or_404(course_id, can_facilitate)
    round_ = services.round_in_course_or_404(course.id, round_id)
    seen = request.form.get("version", "")
    try:
        change(round_, int(seen) if seen.isdigit() else None)
    except PeerReviewError as err:
        return _refused(err, CONSOLE_SLOT)
    push_clock(course)  # the now region carries the board and the phones' own round region
    realtime.commit_and_push()
    return _console(course)


@bp.post("/courses/<int:course_id>/rounds/<int:round_id>/closing")
@allow(STAFF)
def begin_closing(course_id: int, round_id: int):
    """Last comments: no new plans are handed out, except to drafts below the minimum."""
    return _change_state(course_id, round_id, lambda r, seen: peerreview.begin_closing(
        db.session, r.id, expected_version=seen))


@bp.post("/courses/<int:course_id>/rounds/<int:round_id>/reopen")
@allow(STAFF)
def reopen(course_id: int, round_id: int):
    """The room needs more time: a closing round opens again, nothing is lost."""
    return _change_state(course_id, round_id, lambda r, seen: peerreview.reopen_round(
        db.session, r.id, expected_version=seen))


@bp.post("/courses/<int:course_id>/rounds/<int:round_id>/close")
@allow(STAFF)
def close(course_id: int, round_id: int):
    """Close the round; below the minimum only with a reason (the override is recorded)."""
    reason = request.form.get("override_reason", "").strip()

    def close_it(round_: Round, seen: int | None) -> None:
        if round_.state == RoundState.OPEN:
            peerreview.begin_closing(db.session, round_.id, expected_version=seen)
            seen = None  # the version moved on with our own step
        peerreview.close_round(db.session, round_.id, expected_version=seen,
                       override_by_ref=current_user.id if reason else None,
                       override_reason=reason or None)

    return _change_state(course_id, round_id, close_it)


def _moderate(course_id: int, round_id: int, feedback_id: int, action: str):
    course = course_or_404(course_id, can_facilitate)
    round_ = services.round_in_course_or_404(course.id, round_id)
    try:
        if action == "hide":
            feedback = peerreview.hide_feedback(db.session, round_.id, feedback_id,
                                        by_ref=current_user.id)
        elif action == "release":
            feedback = peerreview.release_feedback(db.session, round_.id, feedback_id,
                                                   by_ref=current_user.id)
        elif action == "pin":
            feedback = peerreview.pin_feedback(db.session, round_.id, feedback_id)
        else:
            feedback = peerreview.unpin_feedback(db.session, round_.id, feedback_id)
    except PeerReviewError as err:
        return _refused(err)
    pushes.push_moderation(course.id, round_, feedback,
                           decided=action in ("hide", "release"))
    realtime.commit_and_push()
    shown = None if request.form.get("all") else fragments.MODERATION_SHOWN  # all comments
    return render_template(fragments.BOARD, audience=realtime.FACILITATORS,
                           board=fragments.with_moderation(services.board_context(round_), shown))


@bp.get("/courses/<int:course_id>/rounds/<int:round_id>/comments")
@allow(STAFF)
def all_comments(course_id: int, round_id: int):
    """Every comment of a round, to moderate (the console shows the newest only)."""
    course = course_or_404(course_id, can_facilitate)
    round_ = services.round_in_course_or_404(course.id, round_id)
    return web.render("rounds/comments.html", course=course, audience=realtime.FACILITATORS,
                      board=fragments.with_moderation(services.board_context(round_),
                                                      shown=None))


@bp.post("/courses/<int:course_id>/rounds/<int:round_id>/feedback/<int:feedback_id>/hide")
@allow(STAFF)
def hide(course_id: int, round_id: int, feedback_id: int):
    """Hide a comment: the owner and the projector no longer see it; the record stays."""
    return _moderate(course_id, round_id, feedback_id, "hide")


@bp.post("/courses/<int:course_id>/rounds/<int:round_id>/feedback/<int:feedback_id>/release")
@allow(STAFF)
def release(course_id: int, round_id: int, feedback_id: int):
    """Let a comment held for review through: the owner and the board get it now, and it
    counts towards the minimum; its author's phone says it was delivered."""
    return _moderate(course_id, round_id, feedback_id, "release")


@bp.post("/courses/<int:course_id>/rounds/<int:round_id>/feedback/<int:feedback_id>/pin")
@allow(STAFF)
def pin(course_id: int, round_id: int, feedback_id: int):
    """Pin a comment to the projector for plenary discussion."""
    return _moderate(course_id, round_id, feedback_id, "pin")


@bp.post("/courses/<int:course_id>/rounds/<int:round_id>/feedback/<int:feedback_id>/unpin")
@allow(STAFF)
def unpin(course_id: int, round_id: int, feedback_id: int):
    """Take a comment off the projector."""
    return _moderate(course_id, round_id, feedback_id, "unpin")


# -- the phone --------------------------------------------------------------------------------


def _my_round(round_id: int) -> Round:
    return services.round_in_course_or_404(current_user.course_id, round_id)


def _review_page(round_: Round, notice: str | None = None, seated: bool = False,
                 typed: str = "", held: bool | None = None, plan_only: bool = False):
    """The reviewer's page: their current or next plan, how far they have come ("plan 2 of
    3"), the round's clock, and their own comments with what became of each. ``seated``: the
    reviewer is known to be in the round (they have just commented), so no late seat is looked
    for. ``held``: whether the course holds comments for review, when the caller has read it
    already. ``plan_only``: an htmx request for the plan part alone (the thanks for a comment
    asks for it)."""
    assignment = view = owner = progress = None
    try:
        if round_.state in (RoundState.OPEN, RoundState.CLOSING):
            if not seated and services.join_late(round_, current_user):
                pushes.push_seat(round_.course_ref, round_, current_user.id)  # a new plan
            assignment, progress = peerreview.next_assignment_with_progress(
                db.session, round_.id, current_user.id)
            if assignment is not None:  # this reviewer's own: no need to ask again
                view = assignment.snapshot.peer_view()
                owner = db.session.get(Citizen, assignment.snapshot.owner_ref)
                if progress is None:  # their open plan again (a reload): counted in SQL
                    progress = peerreview.reviewer_progress(db.session, round_, current_user.id)
            else:
                progress = None
        realtime.commit_and_push(keep_loaded=True)  # the page shows what was just read
    except PeerReviewError as err:
        db.session.rollback()
        realtime.discard_pushes()
        assignment = view = owner = progress = None
        notice = notice or labels.error_message(err)
    # the whole page is live (its list of the reviewer's own comments is pinged): numbered
    # before the regions are read (realtime.streams_for); a fragment needs no numbers
    plan = {"assignment": assignment, "view": view, "progress": progress,
            "owner": owner.name if owner is not None else None, "anonymous": round_.anonymous,
            "typed": typed, "held": _holds_comments(round_) if held is None else held}
    if plan_only and web.wants_fragment():  # the plan part alone, asked for after a comment
        return render_template("rounds/_review_plan.html", round=round_, **plan)
    live = {} if web.wants_fragment() else {"streams": realtime.streams_for(current_user)}
    return web.render("rounds/review.html", "rounds/_review.html",
                      **fragments.given_context(round_, current_user.id), **live, **plan,
                      notice=notice)


def _holds_comments(round_: Round) -> bool:
    """Does the round's course hold comments for review (the phone says so beside the form)?"""
    course = db.session.get(Course, round_.course_ref)
    return bool(course is not None and course.hold_comments)


@bp.get("/rounds/<int:round_id>/review")
@allow(CITIZEN)
def review(round_id: int):
    """Whose plan to review now, its peer view and the feedback form (``part=plan``: the plan
    part alone, for htmx after a comment)."""
    round_, _course = services.round_and_course_or_404(current_user.course_id, round_id)
    plan_only = request.args.get("part") == "plan"
    # The plan part is asked for by the thanks for a comment: its reviewer sits in the round
    # (if not, the choice says so), so no late seat is looked for.
    return _review_page(round_, plan_only=plan_only, seated=plan_only)  # (course read)


@bp.post("/rounds/<int:round_id>/review")
@allow(CITIZEN)
def give_feedback(round_id: int):
    """Add one comment on the plan the reviewer was sent to; then the board follows."""
    round_, course = services.round_and_course_or_404(current_user.course_id, round_id)
    form = request.form
    snapshot_id, line = web.as_id(form.get("snapshot_id")), form.get("line_ref", "")
    line_ref = web.as_id(line) if line else None
    if snapshot_id is None or (line and line_ref is None):
        abort(404)
    held = bool(course.hold_comments)  # read now: a facilitator may turn it on mid-round
    try:
        feedback = peerreview.add_feedback(
            db.session, round_.id, current_user.id, snapshot_id,
            criterion=form.get("criterion", ""), stem=form.get("stem", ""),
            text=form.get("text", ""), line_ref=line_ref, held=held)
    except PeerReviewError as err:
        if web.wants_fragment() or isinstance(err, NotFound):
            return _refused(err, REVIEW_SLOT)
        why = labels.error_message(err)  # without JavaScript: the page again, the text kept
        return web.refuse(why, page=lambda: _review_page(round_, notice=why,
                                                         typed=form.get("text", "")))
    pushes.push_comment(round_.course_ref, round_, feedback)
    realtime.commit_and_push(keep_loaded=True)  # the next plan is chosen from the same reading
    notice = (_("Thank you. Your feedback waits for a facilitator before the owner sees it.")
              if feedback.held else _("Thank you. Your feedback was sent."))
    if web.wants_fragment():
        # The thanks and the reviewer's own list now; the next plan (ranking the room's plans,
        # choosing one, reading it) with its own request, off the comment's hot path.
        return render_template(
            "rounds/_review.html", **fragments.given_context(round_, current_user.id),
            notice=notice, next_url=url_for("rounds.review", round_id=round_.id, part="plan"))
    return _review_page(round_, notice=notice, seated=True, held=held)


@bp.get("/rounds/<int:round_id>/mine")
@allow(CITIZEN)
def mine(round_id: int):
    """The owner's own feedback in this round, grouped by criterion."""
    round_ = _my_round(round_id)
    try:
        groups = peerreview.feedback_for_owner(db.session, round_.id, current_user.id)
    except NotFound:
        groups = None
    return render_template("rounds/_mine.html", round=round_, groups=groups,
                           names=services.names(round_.course_ref), markable=True)


@bp.get("/rounds/<int:round_id>/given")
@allow(CITIZEN)
def given(round_id: int):
    """The reviewer's own comments in this round, and what became of each: waiting for a
    facilitator, hidden by one, or delivered (read afresh when a facilitator decides one)."""
    round_ = _my_round(round_id)
    return render_template(fragments.GIVEN, **fragments.given_context(round_, current_user.id))


MARKS = {"helpful": peerreview.mark_helpful, "addressed": peerreview.mark_addressed}


@bp.post("/rounds/<int:round_id>/feedback/<int:feedback_id>/<mark>")
@allow(CITIZEN)
def mark(round_id: int, feedback_id: int, mark: str):
    """The owner marks a comment on their plan helpful or addressed (``value`` 1) or not (0)."""
    round_ = _my_round(round_id)
    if mark not in MARKS:
        abort(404)
    try:
        MARKS[mark](db.session, round_.id, feedback_id, current_user.id,
                    request.form.get("value") == "1")
        feedback = next(f for group in peerreview.feedback_for_owner(
            db.session, round_.id, current_user.id) for f in group.items if f.id == feedback_id)
    except PeerReviewError as err:
        return _refused(err)
    db.session.commit()
    if not web.wants_fragment():
        return redirect(url_for("budgets.my_draft", _anchor="part-feedback"))
    return render_template("rounds/_feedback_item.html", f=feedback, round=round_,
                           names=services.names(round_.course_ref), markable=True)
