"""Comments held for review: a held comment reaches no one but its author and the facilitators,
counts for nothing until a facilitator lets it through, and its author learns what became of it.

The fairness guarantee counts only comments that reached the owner: a plan whose comments wait
for review is still below the minimum (the board says so, the round does not close without a
reason), while the allocation expects those comments as it expects an open assignment's, so
reviewers are not piled onto that plan meanwhile.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from peerreview import NotAllowed, NotFound, RoundStateError, services
from peerreview.models import Assignment, Feedback
from peerreview.services.common import _loads

FACILITATOR = 900


def comment(session: Session, round_, assignment: Assignment, clock, *, held: bool = True,
            text: str = "Overvej et billigere kursus") -> Feedback:
    return services.add_feedback(session, round_.id, assignment.reviewer_ref,
                                 assignment.snapshot_id, criterion="effect", stem="wish",
                                 text=text, held=held, now=clock.tick())


def owner_of(round_, snapshot_id: int) -> int:
    return next(s.owner_ref for s in round_.snapshots if s.id == snapshot_id)


@pytest.fixture
def held(session, open_room, assign, clock):
    """An open round of three plans (minimum 1, whole-room rotation); person 2 has commented on
    person 1's plan, and the comment waits for a facilitator. Returns (round, comment)."""
    round_ = open_room(3, min_feedback=1, grouping="rotation")
    return round_, comment(session, round_, assign(round_, 2, 1), clock)


def test_a_held_comment_reaches_neither_the_owner_nor_the_board(session, held):
    round_, feedback = held
    assert feedback.held and not feedback.hidden
    mine = services.feedback_for_owner(session, round_.id, 1)
    assert all(group.items == [] for group in mine)
    plan = next(d for d in services.progress(session, round_.id).drafts if d.owner_ref == 1)
    assert plan.feedback_count == 0 and plan.waiting  # the owner still waits for feedback
    tally = services.tally(session, round_.id, feedback.snapshot_id)
    assert (tally.total_feedback, tally.feedback_count, tally.held) == (0, 0, 1)
    assert tally.all_feedback == 1  # the facilitators moderate it
    rows, total, waiting = services.feedback_to_moderate(session, round_.id)
    assert [(r.id, r.held) for r in rows] == [(feedback.id, True)]
    assert (total, waiting) == (1, 1)


def test_letting_it_through_delivers_it_and_it_counts(session, held, clock):
    round_, feedback = held
    services.release_feedback(session, round_.id, feedback.id, by_ref=FACILITATOR,
                              now=clock.tick())
    assert not feedback.held and feedback.released_by_ref == FACILITATOR
    assert feedback.released_at == clock.now
    [text] = [f.text for g in services.feedback_for_owner(session, round_.id, 1) for f in g.items]
    assert text == "Overvej et billigere kursus"
    tally = services.tally(session, round_.id, feedback.snapshot_id)
    assert (tally.total_feedback, tally.held) == (1, 0)
    # twice is once: the second facilitator finds it let through already
    services.release_feedback(session, round_.id, feedback.id, by_ref=FACILITATOR + 1)
    assert feedback.released_by_ref == FACILITATOR


def test_a_round_does_not_close_on_comments_that_wait(session, held, assign, clock):
    """Only delivered comments count towards the minimum: with every plan's one comment still
    waiting, the round is below the minimum; once they are let through, it closes."""
    round_, first = held
    second = comment(session, round_, assign(round_, 3, 2), clock)
    third = comment(session, round_, assign(round_, 1, 3), clock)
    services.begin_closing(session, round_.id)
    with pytest.raises(RoundStateError) as refused:
        services.close_round(session, round_.id)
    assert refused.value.code == "minimum_not_reached"
    for feedback in (first, second, third):
        services.release_feedback(session, round_.id, feedback.id, by_ref=FACILITATOR)
    assert services.close_round(session, round_.id).state == "closed"


def test_a_comment_never_let_through_does_not_travel_with_the_draft(session, held, clock):
    round_, feedback = held
    services.begin_closing(session, round_.id)
    services.close_round(session, round_.id, override_by_ref=FACILITATOR,
                         override_reason="Tiden løb ud", now=clock.tick())
    [(closed, groups)] = services.feedback_for_draft(session, 1001)
    assert closed.id == round_.id and all(group.items == [] for group in groups)


def test_the_allocation_expects_held_comments_and_spreads_reviewers(session, open_room, assign,
                                                                     clock):
    """The plan reviewer 5 would be sent to gets a held comment first: 5 is sent elsewhere,
    as with an open assignment (the plan is not piled onto while its comment waits)."""
    round_ = open_room([1, 2, 3], reviewers=(4, 5), min_feedback=1, grouping="rotation")
    with session.begin_nested() as trial:
        target = owner_of(round_, services.next_assignment(session, round_.id, 5).snapshot_id)
        trial.rollback()
    feedback = comment(session, round_, assign(round_, 4, target), clock)
    load = next(d for d in _loads(session, round_.id) if d.snapshot_id == feedback.snapshot_id)
    assert (load.feedback_count, load.pending) == (0, 1)  # expected, not received
    sent_to = services.next_assignment(session, round_.id, 5)
    assert owner_of(round_, sent_to.snapshot_id) != target


def test_a_held_comment_hidden_is_decided(session, held):
    round_, feedback = held
    services.hide_feedback(session, round_.id, feedback.id, by_ref=FACILITATOR)
    assert feedback.hidden and not feedback.held
    with pytest.raises(NotAllowed) as refused:
        services.release_feedback(session, round_.id, feedback.id, by_ref=FACILITATOR)
    assert refused.value.code == "feedback_hidden_release"
    assert services.tally(session, round_.id, feedback.snapshot_id).held == 0


def test_a_held_comment_is_neither_pinned_nor_marked(session, held):
    round_, feedback = held
    with pytest.raises(NotAllowed) as refused:
        services.pin_feedback(session, round_.id, feedback.id)
    assert refused.value.code == "feedback_held"
    assert services.pinned_feedback(session, round_.id) == []
    with pytest.raises(NotFound):  # the owner cannot see it: for them it is not there
        services.mark_helpful(session, round_.id, feedback.id, 1)


def test_the_author_learns_what_became_of_each_comment(session, open_room, assign, clock):
    round_ = open_room([1, 2, 3], reviewers=(4,), min_feedback=1, grouping="rotation")
    waiting = comment(session, round_, assign(round_, 4, 1), clock, text="Venter")
    hidden = comment(session, round_, assign(round_, 4, 2), clock, text="Skjult")
    delivered = comment(session, round_, assign(round_, 4, 3), clock, text="Leveret",
                        held=False)
    services.hide_feedback(session, round_.id, hidden.id, by_ref=FACILITATOR)
    given = services.feedback_by_reviewer(session, round_.id, 4)
    assert [(g.id, g.status, g.text) for g in given] == [
        (delivered.id, "delivered", "Leveret"), (hidden.id, "hidden", "Skjult"),
        (waiting.id, "waiting", "Venter")]  # newest first
    assert given[0].criterion_label and given[0].stem_label == "Jeg ønsker…"
    assert services.feedback_by_reviewer(session, round_.id, 1) == []  # only one's own
