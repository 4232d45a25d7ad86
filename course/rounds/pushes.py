"""What a round pushes to which audience of its course: only what a change changed.

Pushes are rendered once per audience and carry no per-person content: a phone fetches its
own region (``/rounds/<id>/review``, ``/rounds/<id>/mine`` and ``/rounds/<id>/given``) over
HTTP when a ping arrives. A round starting or changing state pushes the whole now region
(:func:`course.live.pushes.push_clock`: the item stays); a comment, a join or a leave, and
moderation push their parts. The parts carry the round's id, so a screen showing another round
(the page of an earlier round's comments) is not touched; a screen that missed a push
refetches the whole board (the stream's numbers have a gap).
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context

from course import realtime
from course.extensions import db
from course.live.pushes import push_clock
from course.people.models import Citizen
from course.rounds import fragments, services
from course.schedule.models import Course
from peerreview import services as peerreview
from peerreview.errors import PeerReviewError
from peerreview.models import Feedback, Round

ON_SCREENS = (realtime.PROJECTOR, realtime.FACILITATORS)


def push_comment(course_id: int, round_: Round, feedback: Feedback) -> None:
    """Queue what one new comment changed, not the whole board: the board's headline and the
    commented plan's tile (swapped whole: waiting or reached) on the wall and the consoles; on
    the consoles the comment itself, put on top of their list, and its hint; the room's
    progress on every phone and a ping for the plan's owner.

    A comment held for review changes nothing but the consoles (the comment, with "let
    through", and the hint that counts what waits): it is in no push to the wall, the phones
    or the owner until a facilitator lets it through (:func:`push_moderation`).

    Nothing of it grows with the room or the round: one row of counts and two names.
    """
    if feedback.held:
        board = _comment_board(course_id, round_, feedback)
    else:
        board = _comment_parts(course_id, round_, feedback)
    on_consoles = {realtime.FACILITATORS: {"board": board}}
    prefix = f"round-{round_.id}"
    realtime.render_for(course_id, f"{prefix}-moderation-hint", fragments.BOARD_HINT,
                        on_consoles)
    realtime.render_for(course_id, f"{prefix}-moderation-list", fragments.BOARD_COMMENTS,
                        on_consoles, swap="afterbegin", comments=[board["comment"]])


def push_seat(course_id: int, round_: Round, person_ref: int) -> None:
    """Queue what someone joining or leaving the round changed, not the whole board: the
    headline, their plan's tile put in its place (after the plan before it in seat order) or
    taken off, and the room's progress on every phone. A screen without the plan before it
    (it missed a push) reads its live region afresh.
    """
    realtime.claim_course(course_id)  # before the place is read (see fragments.board_part)
    place = peerreview.place_on_board(db.session, round_.id, person_ref)
    board = fragments.board_part(course_id, round_, place.snapshot_id if place else 0,
                                 {person_ref}, person_ref)
    on_screens = {audience: {"board": board} for audience in ON_SCREENS}
    prefix = f"round-{round_.id}"
    realtime.render_for(course_id, f"{prefix}-total", fragments.BOARD_TOTAL, on_screens)
    if place is not None and board["tally"].present:
        if place.before is None:
            target, swap = f"{prefix}-drafts", "afterbegin"
        else:
            target, swap = f"{prefix}-draft-{place.before}", "afterend"
        realtime.render_for(course_id, target, fragments.BOARD_TILES, on_screens, swap=swap,
                            fallback="now")
    elif place is not None:
        realtime.remove_for(course_id, f"{prefix}-draft-{person_ref}", on_screens)
    realtime.render_for(course_id, "round-ping", fragments.PING, {realtime.PARTICIPANTS: {}},
                        board=board)


def push_moderation(course_id: int, round_: Round, feedback: Feedback, *,
                    decided: bool = False) -> None:
    """Queue what hiding, pinning, unpinning or letting through one comment changed, not the
    whole board: the headline and the plan's tile (a hidden comment no longer counts, one let
    through counts now), the pinned comments on the wall, the comment's own row and the hint
    on the consoles, the room's progress on every phone and a ping for the plan's owner.

    ``decided`` (let through or hidden): a ping for the comment's author too, whose phone
    reads their own comments afresh and tells them what became of it.
    """
    author = realtime.citizen_room(feedback.reviewer_ref)
    board = _comment_parts(course_id, round_, feedback, *([author] if decided else []))
    board["pinned"] = peerreview.pinned_feedback(db.session, round_.id)
    on_screens = {audience: {"board": board} for audience in ON_SCREENS}
    on_consoles = {realtime.FACILITATORS: {"board": board}}
    prefix = f"round-{round_.id}"
    realtime.render_for(course_id, f"{prefix}-pinned", fragments.BOARD_PINNED, on_screens)
    # (a console that no longer lists it among its newest has nothing to change)
    realtime.render_for(course_id, f"{prefix}-comment-{feedback.id}", fragments.BOARD_COMMENTS,
                        on_consoles, swap="outerHTML", comments=[board["comment"]])
    realtime.render_for(course_id, f"{prefix}-moderation-hint", fragments.BOARD_HINT,
                        on_consoles)
    if decided:
        realtime.refetch_to(author, "round-given")


def _comment_board(course_id: int, round_: Round, feedback: Feedback,
                   *rooms: str) -> dict[str, Any]:
    """The board as far as one comment shows it (:func:`fragments.board_part`), with the
    comment as the consoles list it (``comment``)."""
    owner = feedback.snapshot.owner_ref
    board = fragments.board_part(course_id, round_, feedback.snapshot_id,
                                 {owner, feedback.reviewer_ref}, owner, *rooms)
    board["comment"] = {"id": feedback.id, "reviewer_ref": feedback.reviewer_ref,
                        "owner_ref": owner, "text": feedback.text,
                        "hidden": bool(feedback.hidden), "pinned": bool(feedback.pinned),
                        "held": bool(feedback.held)}
    return board


def _comment_parts(course_id: int, round_: Round, feedback: Feedback,
                   *rooms: str) -> dict[str, Any]:
    """Queue what any change to one comment shows, and return the board it was read from
    (with the comment as the consoles list it, ``comment``): the headline and the plan's tile
    (swapped whole: waiting or reached) on the wall and the consoles, the room's progress on
    every phone and a ping for the plan's owner, whose phone refetches their feedback.
    ``rooms``: further rooms the caller pushes to, numbered with the others."""
    owner = feedback.snapshot.owner_ref
    board = _comment_board(course_id, round_, feedback, realtime.citizen_room(owner), *rooms)
    on_screens = {audience: {"board": board} for audience in ON_SCREENS}
    prefix = f"round-{round_.id}"
    realtime.render_for(course_id, f"{prefix}-total", fragments.BOARD_TOTAL, on_screens)
    if board["tally"].present:  # a plan whose owner left has no tile
        realtime.render_for(course_id, f"{prefix}-draft-{owner}", fragments.BOARD_TILES,
                            on_screens, swap="outerHTML")
    realtime.render_for(course_id, "round-ping", fragments.PING, {realtime.PARTICIPANTS: {}},
                        board=board)
    realtime.refetch_to(realtime.citizen_room(owner), "round-mine")
    return board


def follow_presence(course: Course, *, citizen: Citizen, present: bool) -> None:
    """A check-in or a "has left" during a running round changes who is in it: the board
    follows; before a sparring item's round starts, its start form's list of who is in the room
    follows (``live.signals.presence_changed``; the route that changed the presence commits
    and pushes)."""
    round_ = services.running_round(course.id)
    pushing = has_request_context()  # (a script changes the room; screens read it later)
    if round_ is None:
        if pushing and services.waiting_to_start(course):
            push_clock(course)
        return
    try:
        changed = services.follow_attendance(round_, citizen, present)
    except PeerReviewError:
        return  # the round closed meanwhile: attendance stands on its own
    if changed and pushing:
        push_seat(course.id, round_, citizen.id)
