"""Services: assignments, feedback and its validation, moderation, the owner's marks, reading."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peerreview import InvalidInput, NotAllowed, NotFound, RateLimited, RoundStateError, services
from peerreview.models import Assignment, Feedback


def count_feedback(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Feedback))


def owner_of(round_, snapshot_id: int) -> int:
    return next(s.owner_ref for s in round_.snapshots if s.id == snapshot_id)


def snapshot_of(round_, owner_ref: int):
    return next(s for s in round_.snapshots if s.owner_ref == owner_ref)


@pytest.fixture
def assigned(session: Session, open_room, clock):
    """An open round of four; person 1 has been sent to a draft. Returns (round, assignment)."""
    round_ = open_room(4)
    return round_, services.next_assignment(session, round_.id, 1, now=clock.now)


def post(session, round_, assignment, clock, **overrides):
    values = {"criterion": "effect", "stem": "like", "text": "Godt valg af kursus"}
    values.update(overrides)
    return services.add_feedback(
        session,
        round_.id,
        assignment.reviewer_ref,
        assignment.snapshot_id,
        now=clock.tick(),
        **values,
    )


# ----------------------------------------------------------------------------- assignments


def test_next_assignment_is_stable_until_the_reviewer_comments(session, assigned, clock):
    round_, first = assigned
    assert owner_of(round_, first.snapshot_id) != 1
    assert services.next_assignment(session, round_.id, 1) is first
    post(session, round_, first, clock)
    assert first.completed_at == clock.now
    second = services.next_assignment(session, round_.id, 1)
    assert second.snapshot_id not in {first.snapshot_id, snapshot_of(round_, 1).id}



def test_assignment_to_a_draft_whose_owner_left_is_replaced(session, assigned, clock):
    round_, first = assigned
    services.leave_round(session, round_.id, owner_of(round_, first.snapshot_id), now=clock.now)
    replacement = services.next_assignment(session, round_.id, 1, now=clock.now)
    assert first.abandoned_at == clock.now
    assert replacement.snapshot_id != first.snapshot_id


def test_one_open_assignment_per_reviewer_is_enforced_by_the_database(session, assigned):
    round_, first = assigned
    other = next(s for s in round_.snapshots if s.id != first.snapshot_id and s.owner_ref != 1)
    session.add(Assignment(round_id=round_.id, reviewer_ref=1, snapshot_id=other.id))
    with pytest.raises(IntegrityError, match="UNIQUE"):
        session.flush()


def test_skip_assignment(session, assigned, clock):
    round_, first = assigned
    assert services.skip_assignment(session, round_.id, 1, now=clock.now) is first
    assert first.abandoned_at == clock.now
    assert services.next_assignment(session, round_.id, 1).snapshot_id != first.snapshot_id
    services.skip_assignment(session, round_.id, 1)
    assert services.skip_assignment(session, round_.id, 1) is None


def test_nothing_left_to_review(session, open_room, review):
    round_ = open_room(2, min_feedback=1)
    assert review(round_.id, 1) is not None
    assert review(round_.id, 2) is not None
    assert services.next_assignment(session, round_.id, 1) is None


def test_a_closing_round_only_hands_out_drafts_below_the_minimum(session, open_room, assign, clock):
    round_ = open_room(3, min_feedback=1)
    for reviewer, owner in [(3, 1), (1, 2)]:
        assignment = assign(round_, reviewer, owner)
        post(session, round_, assignment, clock)
    services.begin_closing(session, round_.id)
    assert services.progress(session, round_.id).waiting == [3]
    assert services.next_assignment(session, round_.id, 3) is None  # only their own is short
    got = services.next_assignment(session, round_.id, 2)
    assert got.snapshot_id == snapshot_of(round_, 3).id


def test_next_assignment_for_a_stranger(session, open_room):
    round_ = open_room(3)
    with pytest.raises(NotFound) as err:
        services.next_assignment(session, round_.id, 99)
    assert err.value.code == "not_participant"


def test_no_assignments_before_opening_or_after_closing(session, make_round, open_room):
    planned = make_round()
    services.join_round(session, planned.id, 1)
    with pytest.raises(RoundStateError) as err:
        services.next_assignment(session, planned.id, 1)
    assert err.value.code == "round_not_open"
    round_ = open_room(3)
    services.begin_closing(session, round_.id)
    services.close_round(session, round_.id, override_by_ref=5, override_reason="slut")
    with pytest.raises(RoundStateError) as err:
        services.next_assignment(session, round_.id, 1)
    assert err.value.code == "round_closed"


def test_snapshot_for_reviewer_is_the_peer_view(session, assigned):
    round_, first = assigned
    view = services.snapshot_for_reviewer(session, round_.id, 1, first.snapshot_id)
    assert set(view) == {"goal", "lines", "strategy"}
    assert [line["title"] for line in view["lines"]] == ["Truckcertifikat", "Sikkerhedssko"]
    not_sent = next(s for s in round_.snapshots if s.id != first.snapshot_id and s.owner_ref != 1)
    with pytest.raises(NotAllowed) as err:
        services.snapshot_for_reviewer(session, round_.id, 1, not_sent.id)
    assert err.value.code == "not_assigned"
    with pytest.raises(NotFound) as err:
        services.snapshot_for_reviewer(session, round_.id, 1, 9999)
    assert err.value.code == "snapshot_not_found"


# ----------------------------------------------------------------------------- feedback


def test_add_feedback_stores_a_comment(session, assigned, clock):
    round_, first = assigned
    line = owner_of(round_, first.snapshot_id) * 10 + 1
    feedback = post(
        session,
        round_,
        first,
        clock,
        criterion="coherence",
        stem="whatif",
        text="  Hvad nu hvis du tog certifikatet først?\r\n ",
        line_ref=line,
    )
    assert feedback.id is not None
    assert (feedback.criterion, feedback.stem, feedback.line_ref) == ("coherence", "whatif", line)
    assert feedback.text == "Hvad nu hvis du tog certifikatet først?"
    assert (feedback.hidden, feedback.pinned, feedback.helpful, feedback.addressed) == (
        False,
        False,
        False,
        False,
    )
    assert feedback.created_at == clock.now
    # Flushed, not committed: the row is queryable in the caller's transaction already.
    assert session.get(Feedback, feedback.id) is feedback
    assert (feedback.snapshot_id, feedback.reviewer_ref) == (first.snapshot_id, 1)


def test_exactly_1000_characters_are_accepted(session, assigned, clock):
    round_, first = assigned
    assert len(post(session, round_, first, clock, text=" " + "ø" * 1000 + "\n").text) == 1000


def test_more_comments_on_a_draft_once_sent_there(session, assigned, clock):
    round_, first = assigned
    post(session, round_, first, clock)
    services.next_assignment(session, round_.id, 1)
    post(session, round_, first, clock, stem="wish", text="Et ønske mere")
    assert count_feedback(session) == 2


def test_comments_in_a_closing_round_are_accepted(session, assigned, clock):
    round_, first = assigned
    services.begin_closing(session, round_.id)
    assert post(session, round_, first, clock).id


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"text": ""}, "empty"),
        ({"text": "  \n\t "}, "empty"),
        ({"text": None}, "empty"),
        ({"text": "x" * 1001}, "too_long"),
        ({"text": "nul\x00byte"}, "invalid_text"),
        ({"criterion": "money"}, "unknown_criterion"),
        ({"stem": "hate"}, "unknown_stem"),
        ({"line_ref": 424242}, "line_not_found"),
        ({"line_ref": "1"}, "line_not_found"),
    ],
)
def test_bad_feedback_is_refused_and_nothing_stored(session, assigned, clock, overrides, code):
    round_, first = assigned
    with pytest.raises(InvalidInput) as err:
        post(session, round_, first, clock, **overrides)
    assert err.value.code == code
    assert count_feedback(session) == 0
    assert first.completed_at is None


def test_too_long_says_how_long(session, assigned, clock):
    round_, first = assigned
    with pytest.raises(InvalidInput) as err:
        post(session, round_, first, clock, text="x" * 1200)
    assert err.value.params == {"max_length": 1000, "length": 1200}


def test_a_private_line_is_not_found(session, assigned, clock):
    """Anchoring to a private line gets the same answer as a line that does not exist, so a
    peer cannot probe for private lines."""
    round_, first = assigned
    private_line = owner_of(round_, first.snapshot_id) * 10 + 3
    with pytest.raises(InvalidInput) as err:
        post(session, round_, first, clock, line_ref=private_line)
    assert err.value.code == "line_not_found"
    assert count_feedback(session) == 0


def test_a_draft_the_reviewer_was_not_sent_to(session, assigned, clock):
    round_, first = assigned
    other = next(s for s in round_.snapshots if s.id != first.snapshot_id and s.owner_ref != 1)
    with pytest.raises(NotAllowed) as err:
        services.add_feedback(
            session, round_.id, 1, other.id, criterion="effect", stem="like", text="hej"
        )
    assert err.value.code == "not_assigned"
    assert count_feedback(session) == 0


def test_own_draft(session, assigned):
    round_, _ = assigned
    with pytest.raises(NotAllowed) as err:
        services.add_feedback(
            session,
            round_.id,
            1,
            snapshot_of(round_, 1).id,
            criterion="effect",
            stem="like",
            text="hej",
        )
    assert err.value.code == "own_draft"


def test_forged_ids(session, assigned, open_room):
    round_, first = assigned
    elsewhere = open_room(3, course_ref=8)
    foreign_snapshot = elsewhere.snapshots[0].id
    cases = [
        ((999, 1, first.snapshot_id), "round_not_found"),
        ((round_.id, 1, 99999), "snapshot_not_found"),
        ((round_.id, 1, foreign_snapshot), "snapshot_not_found"),
        ((elsewhere.id, 1, first.snapshot_id), "snapshot_not_found"),
        ((round_.id, 55, first.snapshot_id), "not_participant"),
    ]
    for (round_id, reviewer, snapshot_id), code in cases:
        with pytest.raises(NotFound) as err:
            services.add_feedback(
                session, round_id, reviewer, snapshot_id, criterion="effect", stem="like", text="x"
            )
        assert err.value.code == code
    assert count_feedback(session) == 0


def test_no_comments_after_the_round_closed(session, assigned, clock):
    round_, first = assigned
    services.begin_closing(session, round_.id)
    services.close_round(session, round_.id, override_by_ref=9, override_reason="tiden er gået")
    with pytest.raises(RoundStateError) as err:
        post(session, round_, first, clock)
    assert err.value.code == "round_closed"
    assert count_feedback(session) == 0


def test_a_comment_typed_before_leaving_is_kept(session, assigned, clock):
    round_, first = assigned
    services.leave_round(session, round_.id, 1)
    assert post(session, round_, first, clock).id


def test_rate_limit(session, assigned, clock):
    round_, first = assigned
    start = clock.now
    for n in range(3):
        services.add_feedback(
            session,
            round_.id,
            1,
            first.snapshot_id,
            criterion="effect",
            stem="like",
            text=f"kommentar {n}",
            rate_limit=3,
            rate_window_seconds=60,
            now=start + timedelta(seconds=10 * n),
        )
    with pytest.raises(RateLimited) as err:
        services.add_feedback(
            session,
            round_.id,
            1,
            first.snapshot_id,
            criterion="effect",
            stem="like",
            text="en for meget",
            rate_limit=3,
            rate_window_seconds=60,
            now=start + timedelta(seconds=25),
        )
    assert err.value.code == "rate_limited"
    assert err.value.params == {"retry_after": 35}  # the first comment ages out at +60 s
    assert count_feedback(session) == 3
    later = services.add_feedback(
        session,
        round_.id,
        1,
        first.snapshot_id,
        criterion="effect",
        stem="like",
        text="nu igen",
        rate_limit=3,
        rate_window_seconds=60,
        now=start + timedelta(seconds=61),
    )
    assert later.id


def test_rate_limit_is_per_person(session, open_room, assign, clock):
    round_ = open_room(4)
    for reviewer in (1, 2, 3):
        assignment = assign(round_, reviewer, 4)
        services.add_feedback(
            session,
            round_.id,
            reviewer,
            assignment.snapshot_id,
            criterion="effect",
            stem="like",
            text="samtidig",
            rate_limit=1,
            now=clock.now,
        )
    with pytest.raises(RateLimited):
        services.add_feedback(
            session,
            round_.id,
            1,
            assignment.snapshot_id,
            criterion="effect",
            stem="like",
            text="igen",
            rate_limit=1,
            now=clock.now,
        )
    assert count_feedback(session) == 3


# ----------------------------------------------------------------------------- moderation


def test_hide_removes_a_comment_from_everything_but_the_record(session, assigned, clock):
    round_, first = assigned
    owner = owner_of(round_, first.snapshot_id)
    feedback = post(session, round_, first, clock)
    services.pin_feedback(session, round_.id, feedback.id)
    hidden = services.hide_feedback(session, round_.id, feedback.id, by_ref=90, now=clock.now)
    assert (hidden.hidden, hidden.hidden_by_ref, hidden.hidden_at, hidden.pinned) == (
        True,
        90,
        clock.now,
        False,
    )
    assert all(not g.items for g in services.feedback_for_owner(session, round_.id, owner))
    assert services.pinned_feedback(session, round_.id) == []
    assert services.list_feedback(session, round_.id) == []
    assert services.list_feedback(session, round_.id, include_hidden=True) == [feedback]
    board = {d.owner_ref: d.feedback_count for d in services.progress(session, round_.id).drafts}
    assert board[owner] == 0
    services.hide_feedback(session, round_.id, feedback.id, by_ref=91)  # idempotent
    assert (hidden.hidden_by_ref, hidden.hidden_at) == (90, clock.now)


def test_unhide(session, assigned, clock):
    round_, first = assigned
    feedback = post(session, round_, first, clock)
    services.hide_feedback(session, round_.id, feedback.id, by_ref=90)
    services.unhide_feedback(session, round_.id, feedback.id)
    assert (feedback.hidden, feedback.hidden_by_ref, feedback.hidden_at) == (False, None, None)


def test_pin_and_unpin(session, assigned, clock):
    round_, first = assigned
    feedback = post(session, round_, first, clock)
    services.pin_feedback(session, round_.id, feedback.id)
    (pinned,) = services.pinned_feedback(session, round_.id)
    assert (pinned.id, pinned.text, pinned.pinned, pinned.reviewer_ref) == (
        feedback.id,
        "Godt valg af kursus",
        True,
        1,
    )
    assert (pinned.criterion_label, pinned.stem_label) == (
        "Planen kan ændre jobchancerne",
        "Jeg kan lide…",
    )
    services.unpin_feedback(session, round_.id, feedback.id)
    assert services.pinned_feedback(session, round_.id) == []


def test_a_hidden_comment_cannot_be_pinned(session, assigned, clock):
    round_, first = assigned
    feedback = post(session, round_, first, clock)
    services.hide_feedback(session, round_.id, feedback.id, by_ref=90)
    with pytest.raises(NotAllowed) as err:
        services.pin_feedback(session, round_.id, feedback.id)
    assert err.value.code == "feedback_hidden"
    assert feedback.pinned is False


def test_moderation_of_a_comment_from_another_round(session, assigned, clock, open_room):
    round_, first = assigned
    feedback = post(session, round_, first, clock)
    elsewhere = open_room(3)
    for call in (
        lambda: services.hide_feedback(session, elsewhere.id, feedback.id, by_ref=1),
        lambda: services.pin_feedback(session, elsewhere.id, feedback.id),
        lambda: services.unpin_feedback(session, round_.id, 4242),
    ):
        with pytest.raises(NotFound) as err:
            call()
        assert err.value.code == "feedback_not_found"
    assert feedback.hidden is False and feedback.pinned is False


# ----------------------------------------------------------------------------- owner's marks


def test_owner_marks_helpful_and_addressed(session, assigned, clock):
    round_, first = assigned
    owner = owner_of(round_, first.snapshot_id)
    feedback = post(session, round_, first, clock)
    services.mark_helpful(session, round_.id, feedback.id, owner)
    services.mark_addressed(session, round_.id, feedback.id, owner)
    assert (feedback.helpful, feedback.addressed) == (True, True)
    services.mark_helpful(session, round_.id, feedback.id, owner, helpful=False)
    assert (feedback.helpful, feedback.addressed) == (False, True)


def test_marks_after_the_round_closed(session, assigned, clock):
    round_, first = assigned
    feedback = post(session, round_, first, clock)
    services.begin_closing(session, round_.id)
    services.close_round(session, round_.id, override_by_ref=9, override_reason="slut")
    services.mark_addressed(session, round_.id, feedback.id, owner_of(round_, first.snapshot_id))
    assert feedback.addressed


def test_only_the_owner_marks(session, assigned, clock):
    round_, first = assigned
    feedback = post(session, round_, first, clock)
    for person in (1, 99):
        with pytest.raises(NotAllowed) as err:
            services.mark_helpful(session, round_.id, feedback.id, person)
        assert err.value.code == "not_owner"
    assert feedback.helpful is False


def test_a_hidden_comment_does_not_exist_for_the_owner(session, assigned, clock):
    round_, first = assigned
    feedback = post(session, round_, first, clock)
    services.hide_feedback(session, round_.id, feedback.id, by_ref=90)
    with pytest.raises(NotFound) as err:
        services.mark_addressed(
            session, round_.id, feedback.id, owner_of(round_, first.snapshot_id)
        )
    assert err.value.code == "feedback_not_found"


# ----------------------------------------------------------------------------- reading


def test_progress_shows_counts_against_the_minimum_and_who_waits(session, open_room, review):
    round_ = open_room(4, min_feedback=2)
    board = services.progress(session, round_.id)
    assert (board.minimum, board.state, board.total_feedback, board.complete) == (
        2,
        "open",
        0,
        False,
    )
    assert sorted(board.waiting) == [1, 2, 3, 4]
    for reviewer in (1, 2, 3, 4, 1, 2, 3, 4):
        review(round_.id, reviewer)
    services.leave_round(session, round_.id, 4)
    board = services.progress(session, round_.id)
    assert board.total_feedback == 8
    assert all(d.feedback_count == 2 and d.reached for d in board.drafts)
    assert board.complete and board.waiting == []
    absent = next(d for d in board.drafts if d.owner_ref == 4)
    assert absent.present is False and absent.waiting is False
    assert [d.seat_no for d in board.drafts] == sorted(d.seat_no for d in board.drafts)


def test_tally_agrees_with_progress_for_every_plan(session, open_room, review):
    """The one-row tally a comment's push reads says what the whole board says: after
    comments, a hidden one and an owner who left."""
    round_ = open_room(4, min_feedback=2)

    def agrees() -> None:
        board = services.progress(session, round_.id)
        for draft in board.drafts:
            tally = services.tally(session, round_.id, draft.snapshot_id)
            assert (tally.total_feedback, tally.waiting, tally.minimum) == (
                board.total_feedback, len(board.waiting), 2)
            assert (tally.feedback_count, tally.present, tally.plan_waiting) == (
                draft.feedback_count, draft.present, draft.waiting)
            assert tally.all_feedback == services.feedback_to_moderate(session, round_.id)[1]

    agrees()
    comments = [review(round_.id, reviewer) for reviewer in (1, 2, 3, 4, 1)]
    agrees()
    services.hide_feedback(session, round_.id, comments[0].id, by_ref=99)
    agrees()
    services.leave_round(session, round_.id, 4)
    agrees()
    assert services.tally(session, round_.id, snapshot_of(round_, 4).id).present is False


def test_a_plans_place_agrees_with_the_boards_order(session, open_room, snapshot_input):
    """Where a join puts a plan's tile (after the present plan before it, in seat order) is
    where the whole board shows it — for everyone, for someone who left (where coming back
    puts them) and for a late joiner (last: the newest seat)."""
    round_ = open_room(6)

    def agrees() -> None:
        everyone = services.progress(session, round_.id).drafts  # in the board's order
        for n, draft in enumerate(everyone):
            place = services.place_on_board(session, round_.id, draft.owner_ref)
            before = [d.owner_ref for d in everyone[:n] if d.present]
            assert place.snapshot_id == draft.snapshot_id
            assert place.before == (before[-1] if before else None), draft.owner_ref

    agrees()
    for person in (1, 4):
        services.leave_round(session, round_.id, person)
        agrees()
    services.join_round(session, round_.id, 4)
    agrees()
    last = [d.owner_ref for d in services.progress(session, round_.id).drafts if d.present][-1]
    services.join_round(session, round_.id, 9, snapshot=snapshot_input(9))
    agrees()
    assert services.place_on_board(session, round_.id, 9).before == last
    assert services.place_on_board(session, round_.id, 77) is None  # no plan in the round


def test_progress_counts_open_assignments_as_pending(session, open_room):
    round_ = open_room(3)
    got = services.next_assignment(session, round_.id, 1)
    pending = {d.snapshot_id: d.pending for d in services.progress(session, round_.id).drafts}
    assert pending[got.snapshot_id] == 1 and sum(pending.values()) == 1


def test_feedback_for_owner_is_grouped_by_criterion(session, open_room, assign, clock):
    round_ = open_room(3, anonymous=False, min_feedback=1)
    owner = 3
    target = snapshot_of(round_, owner).id
    assign(round_, 1, owner)
    assign(round_, 2, owner)
    for reviewer, criterion, stem in [
        (1, "coherence", "whatif"),
        (2, "effect", "like"),
        (1, "effect", "wish"),
    ]:
        services.add_feedback(
            session,
            round_.id,
            reviewer,
            target,
            criterion=criterion,
            stem=stem,
            text=f"{criterion}/{stem}",
            line_ref=31 if stem == "whatif" else None,
            now=clock.tick(),
        )
    groups = services.feedback_for_owner(session, round_.id, owner)
    assert [g.key for g in groups] == ["effect", "realistic", "coherence"]
    assert groups[0].label == "Planen kan ændre jobchancerne"
    assert [(f.text, f.stem_label, f.reviewer_ref) for f in groups[0].items] == [
        ("effect/like", "Jeg kan lide…", 2),
        ("effect/wish", "Jeg ønsker…", 1),
    ]
    assert groups[1].items == []
    (whatif,) = groups[2].items
    assert (whatif.line_ref, whatif.line_title, whatif.stem_label) == (
        31,
        "Truckcertifikat",
        "Hvad nu hvis…",
    )


def test_anonymous_rounds_hide_the_reviewer_from_owner_and_projector_not_facilitators(
    session, open_room, review
):
    round_ = open_room(3, anonymous=True)
    feedback = review(round_.id, 1)
    owner = owner_of(round_, feedback.snapshot_id)
    items = [f for g in services.feedback_for_owner(session, round_.id, owner) for f in g.items]
    assert [f.reviewer_ref for f in items] == [None]
    services.pin_feedback(session, round_.id, feedback.id)
    assert [f.reviewer_ref for f in services.pinned_feedback(session, round_.id)] == [None]
    assert [f.reviewer_ref for f in services.list_feedback(session, round_.id)] == [1]


def test_feedback_for_owner_without_a_draft(session, open_room):
    round_ = open_room(3, reviewers=(9,))
    with pytest.raises(NotFound) as err:
        services.feedback_for_owner(session, round_.id, 9)
    assert err.value.code == "snapshot_not_found"


def test_list_feedback_per_snapshot(session, open_room, review):
    round_ = open_room(3)
    first = review(round_.id, 1)
    review(round_.id, 2)
    assert services.list_feedback(session, round_.id, snapshot_id=first.snapshot_id) == [first]
    with pytest.raises(NotFound):
        services.list_feedback(session, round_.id, snapshot_id=123456)


def test_visible_feedback_travels_with_the_draft_once_the_round_is_closed(
    session, open_room, review
):
    round_ = open_room(3, min_feedback=1)
    kept, dropped = review(round_.id, 1), review(round_.id, 2)
    services.hide_feedback(session, round_.id, dropped.id, by_ref=90)
    draft_ref = next(s.draft_ref for s in round_.snapshots if s.id == kept.snapshot_id)
    assert services.feedback_for_draft(session, draft_ref) == [], "not final while running"
    services.begin_closing(session, round_.id)
    services.close_round(session, round_.id, override_by_ref=9, override_reason="slut")
    ((closed, groups),) = services.feedback_for_draft(session, draft_ref)
    assert closed is round_
    assert [f.id for g in groups for f in g.items] == [kept.id]
    assert services.feedback_for_draft(session, 987654) == []


@pytest.mark.parametrize("grouping", ["groups", "rotation"])
def test_the_progress_counted_from_the_choices_rows_equals_the_one_counted_in_sql(
        session, open_room, review, clock, grouping):
    """"Plan 2 of 3" comes with the next plan from the rows its choice read (no statement of
    its own, issue 19): it equals :func:`reviewer_progress` at every step — comments made,
    a peer gone and back, in groups and in a whole-room rotation."""
    round_ = open_room(9, grouping=grouping, group_size=3, min_feedback=3)
    compared = []

    def check(reviewer: int) -> None:
        _assignment, progress = services.next_assignment_with_progress(
            session, round_.id, reviewer, now=clock.now)
        if progress is not None:
            assert progress == services.reviewer_progress(session, round_, reviewer), reviewer
            compared.append(progress)

    for step in range(3):
        for reviewer in range(1, 10):
            check(reviewer)
            review(round_.id, reviewer, text=f"Kommentar {step}")
        services.leave_round(session, round_.id, 2 + step, now=clock.now)
        for reviewer in range(1, 10):
            if reviewer != 2 + step:
                check(reviewer)
        services.join_round(session, round_.id, 2 + step, now=clock.now)
    assert len(compared) > 30 and len({p.done for p in compared}) > 1
