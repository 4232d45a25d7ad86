"""The rounds' fragments (the board and its parts, the phones' round region) and the context
builder of each, used by the routes and the pushes; and the rounds' parts of other features'
pages: the now region of the running day, the feedback beside a draft (see
:data:`course.web.page_parts`)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy.orm.attributes import set_committed_value

from course import realtime
from course.budgets.models import Draft
from course.extensions import db
from course.live.day import NowView
from course.rounds import services
from course.schedule.models import Course, ItemKind
from peerreview import services as peerreview
from peerreview.models import Round
from peerreview.state import RoundState

BOARD = "rounds/_board.html"
BOARD_TOTAL = "rounds/_board_total.html"
BOARD_TILES = "rounds/_board_tiles.html"
BOARD_HINT = "rounds/_board_moderation_hint.html"
BOARD_COMMENTS = "rounds/_board_comments.html"
BOARD_PINNED = "rounds/_board_pinned.html"
PING = "rounds/_ping.html"
GIVEN = "rounds/_given.html"
#: The console's board lists this many of the newest comments; the rest are a click away.
MODERATION_SHOWN = 40


def given_context(round_: Round, reviewer_ref: int) -> dict[str, Any]:
    """A reviewer's own comments in the round and what became of each (waiting for a
    facilitator, hidden by one, or delivered): their own, read over HTTP, never pushed."""
    return {"round": round_, "given": peerreview.feedback_by_reviewer(db.session, round_.id,
                                                                      reviewer_ref)}


def board_for(round_: Round, audience: str) -> dict[str, Any]:
    """The whole board as ``audience`` sees it (facilitators with the comments to moderate)."""
    board = services.board_context(round_)
    return with_moderation(board) if audience == realtime.FACILITATORS else board


def with_moderation(board: dict[str, Any],
                    shown: int | None = MODERATION_SHOWN) -> dict[str, Any]:
    """The board as facilitators see it: with the newest ``shown`` comments (hidden and held
    ones too) to moderate, or all of them (``shown=None``, the page of all comments)."""
    round_ = board["round"]
    feedback, total, held = peerreview.feedback_to_moderate(db.session, round_.id, shown)
    return {**board, "feedback": feedback, **moderation(round_, total, shown, held)}


def moderation(round_: Round, total: int, shown: int | None, held: int = 0) -> dict[str, Any]:
    """What the consoles' list of comments needs besides the comments (``held``: how many wait
    for a facilitator)."""
    # One URL built, not five per comment: …/feedback/<id>/hide|pin|unpin|release follow.
    base = url_for("rounds.hide", course_id=round_.course_ref, round_id=round_.id,
                   feedback_id=0).rsplit("/", 2)[0]
    return {"feedback_total": total, "feedback_shown": shown, "complete": shown is None,
            "feedback_held": held, "moderation_base": base}


def board_part(course_id: int, round_: Round, snapshot_id: int, people: set[int],
               owner: int, *rooms: str) -> dict[str, Any]:
    """The board as far as one plan's change shows it: the round's counts, the plan's tile
    (``owner``'s) and ``people``'s names, read after the course's rooms (and ``rooms``) are
    numbered, their rows locked until the commit: a change at the same moment is then either
    counted here or pushes after this, with its own counts."""
    realtime.claim_course(course_id, *rooms)
    tally = peerreview.tally(db.session, round_.id, snapshot_id)
    # The round's state as it is now (read with the counts): a console's "last comments" or
    # "close" committed since this request read the round is on the wall before this push,
    # which must not undo it.
    set_committed_value(round_, "state", tally.state)
    names = services.names_of(round_.course_ref, people)
    return {"round": round_, "minimum": tally.minimum, "total": tally.total_feedback,
            "waiting": tally.waiting, "names": names, "tally": tally,
            "tiles": [(owner, names.get(owner, "?"), tally.feedback_count, tally.plan_waiting)],
            **moderation(round_, tally.all_feedback, MODERATION_SHOWN, tally.held)}


# -- template helpers: pure, no database ------------------------------------------------------


def wall_name(name: str) -> str:
    """A name as the projector shows it: first names and the last name's initial ("Jens Peter
    R."). Readable across a room of 55, and no more of a person's name on the wall than needed."""
    parts = name.split()
    if len(parts) < 2:
        return name
    return " ".join(parts[:-1]) + f" {parts[-1][0]}."


FILTERS = {"wall_name": wall_name}
#: ``round_clock(round)``: the open round's countdown (``None`` otherwise).
GLOBALS = {"round_clock": services.round_countdown}


# -- the rounds' parts of other features' pages ------------------------------------------------


def now_part(_page: str, *, course: Course, audience: str, view: NowView) -> dict[str, Any]:
    """During a sparring item, the now region carries its round: the console's start form or
    the board with its controls, the wall's board, the phones' round region."""
    if view.current is None or view.current.kind != ItemKind.SPARRING_ROUND:
        return {}
    round_ = services.round_for_item(course.id, view.current.id)
    part: dict[str, Any] = {"sround": round_, "default_criteria": services.DEFAULT_CRITERIA_TEXT}
    if audience == realtime.FACILITATORS and (round_ is None
                                              or round_.state == RoundState.CLOSED):
        part["room"] = services.room_for_round(course, view.day)  # the start form shows it
        part["default_minutes"] = services.default_round_minutes(
            view.current.minutes, view.countdown.remaining if view.countdown else None)
    if round_ is not None and (round_.state != RoundState.CLOSED
                               or audience == realtime.PROJECTOR):
        part["board"] = board_for(round_, audience)
    return part


def draft_part(_page: str, *, draft: Draft) -> dict[str, Any]:
    """Beside a draft (the editor, the staff views, the case): the closed rounds' visible
    feedback on it, grouped by criterion, and the reviewers' names (read only where there is
    feedback to name: a plan before its first closed round shows none)."""
    rounds = peerreview.feedback_for_draft(db.session, draft.id)
    total = sum(len(group.items) for _round, groups in rounds for group in groups)
    return {"draft_feedback": {"rounds": rounds, "total": total},
            "feedback_names": services.names(draft.course_id) if rounds else {}}
