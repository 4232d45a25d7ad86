"""Sparring rounds in the room: the facilitator starts and closes a round, phones review the
draft they are sent to, the owner reads their feedback, the board follows live.

Every change is committed before anything is pushed. Pushes are rendered once per audience and
carry no per-person content: a phone fetches its own region (``/rounds/<id>/review`` and
``/rounds/<id>/mine``) over HTTP when the ``round-changed`` event arrives.
"""

from __future__ import annotations

from typing import Any

from flask import abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.attributes import set_committed_value

from course import realtime
from course.access import CITIZEN, STAFF, allow
from course.errors import error_response
from course.extensions import db
from course.live import day as live_day
from course.live import fragments as live_fragments
from course.live.pushes import push_now
from course.live.signals import presence_changed
from course.people.models import Citizen
from course.rounds import bp
from course.rounds import services as glue
from course.schedule.access import can_facilitate, course_or_404
from course.schedule.models import AgendaItem, Course, Day, ItemKind
from course.web import render
from peerreview import services as pr
from peerreview.errors import InvalidInput, NotFound, PeerReviewError
from peerreview.models import Round
from peerreview.state import Grouping, RoundState

BOARD_TEMPLATE = "rounds/_board.html"
BOARD_TOTAL_TEMPLATE = "rounds/_board_total.html"
BOARD_TILES_TEMPLATE = "rounds/_board_tiles.html"
BOARD_HINT_TEMPLATE = "rounds/_board_moderation_hint.html"
BOARD_COMMENTS_TEMPLATE = "rounds/_board_comments.html"
BOARD_PINNED_TEMPLATE = "rounds/_board_pinned.html"
PING_TEMPLATE = "rounds/_ping.html"
MINE_PING_TEMPLATE = "rounds/_mine_ping.html"
#: The console's board lists this many of the newest comments; the rest are a click away.
MODERATION_SHOWN = 40

ERRORS = {
    "not_assigned": lambda p: _("You were not sent to this plan. Reload to see whose plan "
                                "to review now."),
    "own_draft": lambda p: _("You cannot give feedback on your own plan."),
    "round_closed": lambda p: _("The round is closed. Thank you for your feedback."),
    "round_not_open": lambda p: _("The round has not started yet."),
    "invalid_transition": lambda p: _("The round cannot do that now."),
    "empty": lambda p: _("Write your feedback first."),
    "too_long": lambda p: _("At most %(n)d characters.", n=1000),
    "invalid_text": lambda p: _("The text contains characters that cannot be saved."),
    "unknown_criterion": lambda p: _("Choose one of the criteria."),
    "unknown_stem": lambda p: _("Choose how to begin your sentence."),
    "line_not_found": lambda p: _("Choose one of the plan's budget lines, or none."),
    "rate_limited": lambda p: _("You have sent several comments just now. Wait %(n)d seconds.",
                                n=p.get("retry_after", 60)),
    "not_present": lambda p: _("You are marked as not present. Ask the facilitator to check "
                               "you in."),
    "not_participant": lambda p: _("You are not part of this round. Ask the facilitator."),
    "minimum_not_reached": lambda p: _("Someone still has less feedback than the minimum. "
                                       "Give a reason to close the round anyway."),
    "override_reason_required": lambda p: _("Give a reason to close the round anyway."),
    "feedback_hidden": lambda p: _("A hidden comment cannot be pinned."),
    "stale_round": lambda p: _("Someone else changed this at the same time."),
    "invalid_minimum": lambda p: _("The minimum must be between 1 and 10."),
    "invalid_grouping": lambda p: _("Choose groups or rotation."),
    "invalid_duration": lambda p: _("The round lasts between 1 and 240 minutes."),
    "invalid_prompt_set": lambda p: _("Write one to six criteria, one per line, each at most "
                                      "200 characters."),
    "not_owner": lambda p: _("Only the owner of the plan can mark its feedback."),
}


def message(err: PeerReviewError) -> str:
    """The citizen-facing (Danish) text of a domain refusal."""
    make = ERRORS.get(err.code)
    return make(err.params) if make else _("That is not possible right now.")


def _refused(err: PeerReviewError):
    db.session.rollback()
    realtime.discard_pushes()
    if isinstance(err, NotFound) and err.code in {"round_not_found", "snapshot_not_found",
                                                  "feedback_not_found"}:
        return error_response(404)
    return error_response(422, message(err))


def push_comment(course_id: int, round_: Round, feedback: Any) -> None:
    """Queue what one new comment changed, not the whole board: the board's headline and the
    commented plan's tile (swapped whole: waiting or reached) on the wall and the consoles; on
    the consoles the comment itself, put on top of their list, and its hint; the room's
    progress on every phone and a ping for the plan's owner.

    Nothing of it grows with the room or the round: one row of counts and two names. The
    parts carry the round's id, so a screen showing another round (the page of an earlier
    round's comments) is not touched; a screen that missed a push refetches the whole board
    (the stream's numbers have a gap).
    """
    board = _comment_parts(course_id, round_, feedback)
    on_consoles = {realtime.FACILITATORS: {"board": board}}
    prefix = f"round-{round_.id}"
    realtime.render_for(course_id, f"{prefix}-moderation-hint", BOARD_HINT_TEMPLATE, on_consoles)
    realtime.render_for(course_id, f"{prefix}-moderation-list", BOARD_COMMENTS_TEMPLATE,
                      on_consoles, swap="afterbegin", comments=[board["comment"]])


def push_seat(course_id: int, round_: Round, person_ref: int) -> None:
    """Queue what someone joining or leaving the round changed, not the whole board: the
    headline, their plan's tile put in its place (after the plan before it in seat order) or
    taken off, and the room's progress on every phone. A screen without the plan before it
    (it missed a push) reads its live region afresh.
    """
    realtime.claim_course(course_id)  # before the place is read (see _board_part)
    place = pr.place_on_board(db.session, round_.id, person_ref)
    board = _board_part(course_id, round_, place.snapshot_id if place else 0, {person_ref},
                        person_ref)
    on_screens = {realtime.PROJECTOR: {"board": board}, realtime.FACILITATORS: {"board": board}}
    prefix = f"round-{round_.id}"
    realtime.render_for(course_id, f"{prefix}-total", BOARD_TOTAL_TEMPLATE, on_screens)
    if place is not None and board["tally"].present:
        if place.before is None:
            target, swap = f"{prefix}-drafts", "afterbegin"
        else:
            target, swap = f"{prefix}-draft-{place.before}", "afterend"
        realtime.render_for(course_id, target, BOARD_TILES_TEMPLATE, on_screens, swap=swap,
                          fallback="now")
    elif place is not None:
        realtime.remove_for(course_id, f"{prefix}-draft-{person_ref}", on_screens)
    realtime.render_for(course_id, "round-ping", PING_TEMPLATE, {realtime.PARTICIPANTS: {}},
                      board=board)


def push_moderation(course_id: int, round_: Round, feedback: Any) -> None:
    """Queue what hiding, pinning or unpinning one comment changed, not the whole board: the
    headline and the plan's tile (a hidden comment no longer counts), the pinned comments on
    the wall, the comment's own row on the consoles, the room's progress on every phone and a
    ping for the plan's owner."""
    board = _comment_parts(course_id, round_, feedback)
    board["pinned"] = pr.pinned_feedback(db.session, round_.id)
    on_screens = {realtime.PROJECTOR: {"board": board}, realtime.FACILITATORS: {"board": board}}
    prefix = f"round-{round_.id}"
    realtime.render_for(course_id, f"{prefix}-pinned", BOARD_PINNED_TEMPLATE, on_screens)
    # (a console that no longer lists it among its newest has nothing to change)
    realtime.render_for(course_id, f"{prefix}-comment-{feedback.id}", BOARD_COMMENTS_TEMPLATE,
                      {realtime.FACILITATORS: {"board": board}}, swap="outerHTML",
                      comments=[board["comment"]])


def _comment_parts(course_id: int, round_: Round, feedback: Any) -> dict[str, Any]:
    """Queue what any change to one comment shows, and return the board it was read from
    (with the comment as the consoles list it, ``comment``): the headline and the plan's tile
    (swapped whole: waiting or reached) on the wall and the consoles, the room's progress on
    every phone and a ping for the plan's owner, whose phone refetches their feedback."""
    owner = feedback.snapshot.owner_ref
    board = _board_part(course_id, round_, feedback.snapshot_id, {owner, feedback.reviewer_ref},
                        owner, realtime.citizen_room(owner))
    board["comment"] = {"id": feedback.id, "reviewer_ref": feedback.reviewer_ref,
                        "owner_ref": owner, "text": feedback.text,
                        "hidden": bool(feedback.hidden), "pinned": bool(feedback.pinned)}
    on_screens = {realtime.PROJECTOR: {"board": board}, realtime.FACILITATORS: {"board": board}}
    prefix = f"round-{round_.id}"
    realtime.render_for(course_id, f"{prefix}-total", BOARD_TOTAL_TEMPLATE, on_screens)
    if board["tally"].present:  # a plan whose owner left has no tile
        realtime.render_for(course_id, f"{prefix}-draft-{owner}", BOARD_TILES_TEMPLATE, on_screens,
                          swap="outerHTML")
    realtime.render_for(course_id, "round-ping", PING_TEMPLATE, {realtime.PARTICIPANTS: {}},
                      board=board)
    realtime.render_to(realtime.citizen_room(owner), "round-mine-ping", MINE_PING_TEMPLATE,
                     round=round_)
    return board


def _board_part(course_id: int, round_: Round, snapshot_id: int, people: set[int],
                owner: int, *rooms: str) -> dict[str, Any]:
    """The board as far as one plan's change shows it: the round's counts, the plan's tile
    (``owner``'s) and ``people``'s names, read after the course's rooms (and ``rooms``) are
    numbered, their rows locked until the commit: a change at the same moment is then either
    counted here or pushes after this, with its own counts."""
    realtime.claim_course(course_id, *rooms)
    tally = pr.tally(db.session, round_.id, snapshot_id)
    # The round's state as it is now (read with the counts): a console's "last comments" or
    # "close" committed since this request read the round is on the wall before this push,
    # which must not undo it.
    set_committed_value(round_, "state", tally.state)
    names = glue.names_of(round_.course_ref, people)
    return {"round": round_, "minimum": tally.minimum, "total": tally.total_feedback,
            "waiting": tally.waiting, "names": names, "tally": tally,
            "tiles": [(owner, names.get(owner, "?"), tally.feedback_count, tally.plan_waiting)],
            **_moderation(round_, tally.all_feedback, MODERATION_SHOWN)}


def _moderation(round_: Round, total: int, shown: int | None) -> dict[str, Any]:
    """What the consoles' list of comments needs besides the comments."""
    # One URL built, not four per comment: …/feedback/<id>/hide|pin|unpin follow from it.
    base = url_for("rounds.hide", course_id=round_.course_ref, round_id=round_.id,
                   feedback_id=0).rsplit("/", 2)[0]
    return {"feedback_total": total, "feedback_shown": shown, "complete": shown is None,
            "moderation_base": base}


def _with_moderation(board: dict[str, Any],
                     shown: int | None = MODERATION_SHOWN) -> dict[str, Any]:
    """The board as facilitators see it: with the newest ``shown`` comments (hidden ones too)
    to moderate, or all of them (``shown=None``, the page of all comments)."""
    round_ = board["round"]
    feedback, total = pr.feedback_to_moderate(db.session, round_.id, shown)
    return {**board, "feedback": feedback, **_moderation(round_, total, shown)}


@bp.app_template_global()
def sparring_round(course_id: int, item_id: int) -> Round | None:
    """The round of the sparring item on now (for ``live/_now.html``)."""
    return glue.round_for_item(course_id, item_id)


@bp.app_template_filter("wall_name")
def wall_name(name: str) -> str:
    """A name as the projector shows it: first names and the last name's initial ("Jens Peter
    R."). Readable across a room of 55, and no more of a person's name on the wall than needed."""
    parts = name.split()
    if len(parts) < 2:
        return name
    return " ".join(parts[:-1]) + f" {parts[-1][0]}."


@bp.app_template_global()
def round_clock(round_: Round) -> Any:
    """The open round's countdown (``None`` otherwise), for the countdown macro."""
    return glue.round_countdown(round_)


@bp.app_template_global()
def default_criteria() -> str:
    """The start form's criteria: the three approval criteria, one per line."""
    return glue.DEFAULT_CRITERIA_TEXT


@bp.app_template_global()
def draft_feedback(draft_id: int) -> dict[str, Any]:
    """The closed rounds' visible feedback on a draft (for the editor and the staff views):
    ``rounds`` as (round, groups by criterion) and the ``total`` number of comments."""
    rounds = pr.feedback_for_draft(db.session, draft_id)
    total = sum(len(group.items) for _round, groups in rounds for group in groups)
    return {"rounds": rounds, "total": total}


@bp.app_template_global()
def feedback_names(course_id: int) -> dict[int, str]:
    """Participant names of a course by id (reviewers in a named round)."""
    return glue.names(course_id)


@bp.app_template_global()
def round_board(round_: Round, audience: str) -> dict[str, Any]:
    """The board's context for an include in the now region."""
    context = glue.board_context(round_)
    return _with_moderation(context) if audience == realtime.FACILITATORS else context


# -- the facilitator --------------------------------------------------------------------------


def _sparring_item(course: Course) -> tuple[AgendaItem, Day]:
    running = live_day.running_day(course.id)
    item = (db.session.get(AgendaItem, running.current_item_id)
            if running is not None and running.current_item_id else None)
    if item is None or item.kind != ItemKind.SPARRING_ROUND:
        abort(make_response(error_response(
            422, _("Start a round during a sparring round on the agenda."))))
    return item, Day(running.day)


def _console(course: Course, status: int = 200):
    return render_template(live_fragments.NOW, audience=realtime.FACILITATORS, notice=None,
                           **live_fragments.now_context(course)), status


def _whole_number(name: str, default: int, code: str) -> int:
    try:
        return int(request.form.get(name, "").strip() or default)
    except ValueError:
        raise InvalidInput(code, f"{name} is not a whole number") from None


@bp.post("/courses/<int:course_id>/rounds")
@allow(STAFF)
def start(course_id: int):
    """Start a round for the sparring item on now, from the present participants' drafts."""
    course = course_or_404(course_id, can_facilitate)
    item, day = _sparring_item(course)
    existing = glue.round_for_item(course.id, item.id)
    if existing is not None and existing.state != RoundState.CLOSED:
        return error_response(422, _("A round is already running for this item."))
    form = request.form
    try:
        minimum = _whole_number("min_feedback", 2, "invalid_minimum")
        minutes = _whole_number("minutes", 15, "invalid_duration")
        if not 1 <= minutes <= 240:
            raise InvalidInput("invalid_duration", "1–240 minutes")
        prompts = glue.prompt_set_from_text(form.get("criteria", glue.DEFAULT_CRITERIA_TEXT))
        glue.start_round(course, item.id, day, title=item.title,
                         grouping=form.get("grouping", Grouping.GROUPS.value),
                         min_feedback=minimum, anonymous=form.get("anonymous") == "1",
                         duration_seconds=minutes * 60, prompt_set=prompts)
    except PeerReviewError as err:
        return _refused(err)
    push_now(course)  # the now region carries the board and the phones' own round region
    realtime.commit_and_push()
    return _console(course)


def _change_state(course_id: int, round_id: int, change: Any):
    """Apply one state change asked for by a console that saw ``version`` of the round."""
    course = course_or_404(course_id, can_facilitate)
    round_ = glue.round_in_course_or_404(course.id, round_id)
    seen = request.form.get("version", "")
    try:
        change(round_, int(seen) if seen.isdigit() else None)
    except PeerReviewError as err:
        return _refused(err)
    push_now(course)  # the now region carries the board and the phones' own round region
    realtime.commit_and_push()
    return _console(course)


@bp.post("/courses/<int:course_id>/rounds/<int:round_id>/closing")
@allow(STAFF)
def begin_closing(course_id: int, round_id: int):
    """Last comments: no new plans are handed out, except to drafts below the minimum."""
    return _change_state(course_id, round_id, lambda r, seen: pr.begin_closing(
        db.session, r.id, expected_version=seen))


@bp.post("/courses/<int:course_id>/rounds/<int:round_id>/reopen")
@allow(STAFF)
def reopen(course_id: int, round_id: int):
    """The room needs more time: a closing round opens again, nothing is lost."""
    return _change_state(course_id, round_id, lambda r, seen: pr.reopen_round(
        db.session, r.id, expected_version=seen))


@bp.post("/courses/<int:course_id>/rounds/<int:round_id>/close")
@allow(STAFF)
def close(course_id: int, round_id: int):
    """Close the round; below the minimum only with a reason (the override is recorded)."""
    reason = request.form.get("override_reason", "").strip()

    def close_it(round_: Round, seen: int | None) -> None:
        if round_.state == RoundState.OPEN:
            pr.begin_closing(db.session, round_.id, expected_version=seen)
            seen = None  # the version moved on with our own step
        pr.close_round(db.session, round_.id, expected_version=seen,
                       override_by_ref=current_user.id if reason else None,
                       override_reason=reason or None)

    return _change_state(course_id, round_id, close_it)


@presence_changed.connect
def _follow_presence(course: Course, *, citizen: Any, present: bool) -> None:
    """A check-in or a "has left" during a running round changes who is in it: the board follows
    (the route that changed the presence commits and pushes)."""
    try:
        round_ = glue.follow_attendance(course, citizen, present)
    except PeerReviewError:
        return  # the round closed meanwhile: attendance stands on its own
    if round_ is not None:
        push_seat(course.id, round_, citizen.id)


def _moderate(course_id: int, round_id: int, feedback_id: int, action: str):
    course = course_or_404(course_id, can_facilitate)
    round_ = glue.round_in_course_or_404(course.id, round_id)
    try:
        if action == "hide":
            feedback = pr.hide_feedback(db.session, round_.id, feedback_id,
                                        by_ref=current_user.id)
        elif action == "pin":
            feedback = pr.pin_feedback(db.session, round_.id, feedback_id)
        else:
            feedback = pr.unpin_feedback(db.session, round_.id, feedback_id)
    except PeerReviewError as err:
        return _refused(err)
    push_moderation(course.id, round_, feedback)
    realtime.commit_and_push()
    shown = None if request.form.get("all") else MODERATION_SHOWN  # the all-comments page
    return render_template(BOARD_TEMPLATE, audience=realtime.FACILITATORS,
                           board=_with_moderation(glue.board_context(round_), shown))


@bp.get("/courses/<int:course_id>/rounds/<int:round_id>/comments")
@allow(STAFF)
def all_comments(course_id: int, round_id: int):
    """Every comment of a round, to moderate (the console shows the newest only)."""
    course = course_or_404(course_id, can_facilitate)
    round_ = glue.round_in_course_or_404(course.id, round_id)
    return render_template("rounds/comments.html", course=course, audience=realtime.FACILITATORS,
                           board=_with_moderation(glue.board_context(round_), shown=None))


@bp.post("/courses/<int:course_id>/rounds/<int:round_id>/feedback/<int:feedback_id>/hide")
@allow(STAFF)
def hide(course_id: int, round_id: int, feedback_id: int):
    """Hide a comment: the owner and the projector no longer see it; the record stays."""
    return _moderate(course_id, round_id, feedback_id, "hide")


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
    return glue.round_in_course_or_404(current_user.course_id, round_id)


def _review_page(round_: Round, status: int = 200, notice: str | None = None,
                 seated: bool = False):
    """The reviewer's page: their current or next plan. ``seated``: the reviewer is known to
    be in the round (they have just commented), so no late seat is looked for."""
    assignment = view = owner = None
    try:
        if round_.state in (RoundState.OPEN, RoundState.CLOSING):
            if not seated and glue.join_late(round_, current_user):
                push_seat(round_.course_ref, round_, current_user.id)  # a new plan on the board
            assignment = pr.next_assignment(db.session, round_.id, current_user.id)
            if assignment is not None:  # this reviewer's own: no need to ask again
                view = assignment.snapshot.peer_view()
                owner = db.session.get(Citizen, assignment.snapshot.owner_ref)
        realtime.commit_and_push(keep_loaded=True)  # the page shows what was just read
    except PeerReviewError as err:
        db.session.rollback()
        realtime.discard_pushes()
        assignment = view = owner = None
        notice = notice or message(err)
    response = render("rounds/review.html", "rounds/_review.html", round=round_,
                      assignment=assignment, view=view,
                      owner=owner.name if owner is not None else None, notice=notice,
                      anonymous=round_.anonymous)
    response.status_code = status
    return response


@bp.get("/rounds/<int:round_id>/review")
@allow(CITIZEN)
def review(round_id: int):
    """Whose plan to review now, its peer view and the feedback form."""
    return _review_page(_my_round(round_id))


@bp.post("/rounds/<int:round_id>/review")
@allow(CITIZEN)
def give_feedback(round_id: int):
    """Add one comment on the plan the reviewer was sent to; then the board follows."""
    round_ = _my_round(round_id)
    form = request.form
    try:
        snapshot_id = int(form.get("snapshot_id", ""))
        line = form.get("line_ref", "")
        line_ref = int(line) if line else None
    except ValueError:
        abort(404)
    try:
        feedback = pr.add_feedback(db.session, round_.id, current_user.id, snapshot_id,
                                   criterion=form.get("criterion", ""), stem=form.get("stem", ""),
                                   text=form.get("text", ""), line_ref=line_ref)
    except PeerReviewError as err:
        return _refused(err)
    push_comment(round_.course_ref, round_, feedback)
    realtime.commit_and_push(keep_loaded=True)  # the next plan is chosen from the same reading
    return _review_page(round_, notice=_("Thank you. Your feedback was sent."), seated=True)


@bp.get("/rounds/<int:round_id>/mine")
@allow(CITIZEN)
def mine(round_id: int):
    """The owner's own feedback in this round, grouped by criterion."""
    round_ = _my_round(round_id)
    try:
        groups = pr.feedback_for_owner(db.session, round_.id, current_user.id)
    except NotFound:
        groups = None
    return render_template("rounds/_mine.html", round=round_, groups=groups,
                           names=glue.names(round_.course_ref), markable=True)


MARKS = {"helpful": pr.mark_helpful, "addressed": pr.mark_addressed}


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
        feedback = next(f for group in pr.feedback_for_owner(db.session, round_.id,
                                                             current_user.id)
                        for f in group.items if f.id == feedback_id)
    except PeerReviewError as err:
        return _refused(err)
    db.session.commit()
    if not request.headers.get("HX-Request"):
        return redirect(url_for("budgets.my_draft", _anchor="part-feedback"))
    return render_template("rounds/_feedback_item.html", f=feedback, round=round_,
                           names=glue.names(round_.course_ref), markable=True)
