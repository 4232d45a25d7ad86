"""Services: planning, opening, closing rounds; joining and leaving."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from peerreview import InvalidInput, NotAllowed, NotFound, RoundStateError, services
from peerreview.models import Assignment, Base, Round, RoundParticipant, Snapshot


def errcode(exc_info) -> str:
    return exc_info.value.code


# ----------------------------------------------------------------------------- create


def test_create_round_plans_a_round(session: Session):
    round_ = services.create_round(
        session,
        course_ref=3,
        agenda_item_ref=44,
        title="  Sparring på budgetter ",
        grouping="rotation",
        group_size=3,
        min_feedback=3,
        anonymous=True,
        duration_seconds=1200,
    )
    assert round_.id is not None
    assert (round_.state, round_.title, round_.agenda_item_ref) == (
        "planned",
        "Sparring på budgetter",
        44,
    )
    assert (round_.grouping, round_.group_size, round_.min_feedback) == ("rotation", 3, 3)
    assert round_.anonymous is True and round_.duration_seconds == 1200
    assert [c["key"] for c in round_.prompt_set["criteria"]] == ["effect", "realistic", "coherence"]


def test_create_round_with_an_own_prompt_set(session: Session, make_round):
    prompts = {
        "criteria": [{"key": "money", "label": "Pengene", "stems": [{"key": "q", "label": "?"}]}]
    }
    assert make_round(prompt_set=prompts).prompt_set == prompts


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"title": "   "}, "invalid_title"),
        ({"title": "x" * 201}, "invalid_title"),
        ({"title": None}, "invalid_title"),
        ({"grouping": "pairs"}, "invalid_grouping"),
        ({"group_size": 2}, "invalid_group_size"),
        ({"group_size": 5}, "invalid_group_size"),
        ({"min_feedback": 0}, "invalid_minimum"),
        ({"min_feedback": 11}, "invalid_minimum"),
        ({"min_feedback": True}, "invalid_minimum"),
        ({"duration_seconds": 30}, "invalid_duration"),
        ({"duration_seconds": 5 * 3600}, "invalid_duration"),
        ({"prompt_set": {"criteria": []}}, "invalid_prompt_set"),
    ],
)
def test_create_round_refuses_bad_settings(session: Session, make_round, overrides, code):
    with pytest.raises(InvalidInput) as err:
        make_round(**overrides)
    assert errcode(err) == code
    assert session.scalar(select(func.count()).select_from(Round)) == 0


def test_get_round_of_a_forged_id(session: Session):
    for forged in (999, "1", None):
        with pytest.raises(NotFound) as err:
            services.get_round(session, forged)
        assert errcode(err) == "round_not_found"


# ----------------------------------------------------------------------------- open


def test_open_round_freezes_drafts_and_makes_groups(
    session: Session, make_round, snapshot_input, clock
):
    round_ = make_round(group_size=3)
    services.join_round(session, round_.id, 50)  # pre-registered reviewer without a draft
    opened = services.open_round(
        session,
        round_.id,
        [snapshot_input(p) for p in range(1, 7)],
        participant_refs=[60],
        now=clock.now,
    )
    assert opened.state == "open" and opened.opened_at == clock.now
    assert len(opened.snapshots) == 6
    snapshot = opened.snapshots[0]
    assert (snapshot.draft_ref, snapshot.draft_version, snapshot.taken_at) == (1001, 3, clock.now)
    assert "attachments" not in snapshot.content
    people = {p.person_ref: p for p in opened.participants}
    assert set(people) == {1, 2, 3, 4, 5, 6, 50, 60}
    assert all(p.present for p in people.values())
    sizes = sorted(
        sum(1 for p in people.values() if p.group_no == g)
        for g in {p.group_no for p in people.values()}
    )
    assert sizes == [4, 4]  # 8 people, groups of about 3: two groups of four, none of two
    assert sorted(p.seat_no for p in people.values()) == list(range(8))


def test_open_round_grouping_is_reproducible_per_seed(session: Session, make_round, snapshot_input):
    def groups(seed):
        round_ = make_round()
        services.open_round(
            session, round_.id, [snapshot_input(p) for p in range(1, 12)], seed=seed
        )
        return sorted(
            sorted(p.person_ref for p in round_.participants if p.group_no == g) for g in (1, 2, 3)
        )

    assert groups(5) == groups(5)


def test_open_round_in_rotation_seats_everyone_in_one_group(session: Session, open_room):
    round_ = open_room(5, grouping="rotation")
    assert {p.group_no for p in round_.participants} == {1}
    assert sorted(p.seat_no for p in round_.participants) == [0, 1, 2, 3, 4]


def test_open_round_twice_is_refused(session: Session, open_room, snapshot_input):
    round_ = open_room(3)
    with pytest.raises(RoundStateError) as err:
        services.open_round(session, round_.id, [snapshot_input(9)])
    assert errcode(err) == "invalid_transition"


@pytest.mark.parametrize(
    "items",
    [
        [
            {"owner_ref": 1, "draft_ref": 1, "content": {}},
            {"owner_ref": 1, "draft_ref": 2, "content": {}},
        ],
        [{"owner_ref": "1", "draft_ref": 1, "content": {}}],
        [{"owner_ref": 1, "draft_ref": None, "content": {}}],
        [{"owner_ref": 1, "draft_ref": 1}],
        [
            {"owner_ref": 1, "draft_ref": 1, "content": {}},
            {"owner_ref": 2, "draft_ref": 2, "content": {"lines": [{"id": "x"}]}},
        ],
    ],
)
def test_open_round_refuses_bad_snapshots_and_stores_nothing(session: Session, make_round, items):
    round_ = make_round()
    with pytest.raises(InvalidInput) as err:
        services.open_round(session, round_.id, items)
    assert errcode(err) == "invalid_snapshot"
    session.flush()
    assert round_.state == "planned"
    assert session.scalar(select(func.count()).select_from(Snapshot)) == 0
    assert session.scalar(select(func.count()).select_from(RoundParticipant)) == 0


def test_stale_version_is_refused(session: Session, make_round, snapshot_input):
    round_ = make_round()
    with pytest.raises(RoundStateError) as err:
        services.open_round(
            session, round_.id, [snapshot_input(1)], expected_version=round_.version + 1
        )
    assert errcode(err) == "stale_round"
    services.open_round(session, round_.id, [snapshot_input(1)], expected_version=round_.version)
    assert round_.version == 2


def test_concurrent_state_change_is_reported_as_stale(tmp_path):
    """Two facilitator consoles: the second write to the round loses clearly, not silently."""
    engine = create_engine(f"sqlite:///{tmp_path / 'rounds.db'}")
    Base.metadata.create_all(engine)
    with Session(engine) as setup:
        round_id = services.create_round(setup, course_ref=1, title="Runde").id
        setup.commit()
    with Session(engine) as console_a, Session(engine) as console_b:
        seen_by_a = services.get_round(console_a, round_id)
        assert seen_by_a.state == "planned"
        services.open_round(console_b, round_id, [])
        console_b.commit()
        with pytest.raises(RoundStateError) as err:
            services.open_round(console_a, round_id, [])  # console A still sees "planned"
        assert errcode(err) == "stale_round"
    engine.dispose()


# ----------------------------------------------------------------------------- closing


def test_closing_and_reopening(session: Session, open_room, clock):
    round_ = open_room(3)
    services.begin_closing(session, round_.id, now=clock.tick(600))
    assert (round_.state, round_.closing_at) == ("closing", clock.now)
    services.reopen_round(session, round_.id, now=clock.tick(5))
    assert (round_.state, round_.closing_at) == ("open", None)


def test_close_is_refused_while_present_drafts_lack_the_minimum(
    session: Session, open_room, review
):
    round_ = open_room(3, min_feedback=1)
    review(round_.id, 1)
    services.begin_closing(session, round_.id)
    with pytest.raises(RoundStateError) as err:
        services.close_round(session, round_.id)
    assert errcode(err) == "minimum_not_reached"
    assert len(err.value.params["shortfall"]) == 2
    assert round_.state == "closing"


def test_close_with_override_is_recorded(session: Session, open_room, clock):
    round_ = open_room(3)
    services.next_assignment(session, round_.id, 1)
    services.begin_closing(session, round_.id)
    with pytest.raises(InvalidInput) as err:
        services.close_round(session, round_.id, override_by_ref=90, override_reason=" ")
    assert errcode(err) == "override_reason_required"
    closed = services.close_round(
        session, round_.id, override_by_ref=90, override_reason="Tiden løb ud", now=clock.now
    )
    assert (closed.state, closed.closed_at) == ("closed", clock.now)
    assert closed.completed_override_by_ref == 90
    assert closed.override_reason == "Tiden løb ud"
    assert closed.override_shortfall == sorted(s.id for s in round_.snapshots)
    assert all(not a.is_open for a in session.scalars(select(Assignment)))


def test_close_without_shortfall(session: Session, open_room, review):
    round_ = open_room(3, min_feedback=1)
    for reviewer in (1, 2, 3):
        review(round_.id, reviewer)
    services.begin_closing(session, round_.id)
    assert services.close_round(session, round_.id).completed_override_by_ref is None


def test_absent_owners_do_not_block_closing(session: Session, open_room, review):
    round_ = open_room(4, min_feedback=1)
    services.leave_round(session, round_.id, 4)
    for reviewer in (1, 2, 3):
        review(round_.id, reviewer)
    services.begin_closing(session, round_.id)
    assert services.close_round(session, round_.id).state == "closed"


@pytest.mark.parametrize("step", ["close_round", "reopen_round"])
def test_no_shortcut_from_open(session: Session, open_room, step):
    round_ = open_room(3)
    with pytest.raises(RoundStateError) as err:
        getattr(services, step)(session, round_.id)
    assert errcode(err) == "invalid_transition"


def test_closed_is_final(session: Session, open_room):
    round_ = open_room(3)
    services.begin_closing(session, round_.id)
    services.close_round(session, round_.id, override_by_ref=1, override_reason="slut")
    for step in (services.reopen_round, services.begin_closing, services.close_round):
        with pytest.raises(RoundStateError) as err:
            step(session, round_.id)
        assert errcode(err) == "invalid_transition"


# ----------------------------------------------------------------------------- people


def test_late_joiner_goes_to_the_smallest_group_and_brings_a_draft(
    session: Session, open_room, snapshot_input, clock
):
    round_ = open_room(7, group_size=4)  # groups of 4 and 3
    sizes = {g: sum(p.group_no == g for p in round_.participants) for g in (1, 2)}
    smallest = min(sizes, key=sizes.get)
    joiner = services.join_round(
        session, round_.id, 8, snapshot=snapshot_input(8), now=clock.tick(300)
    )
    assert (joiner.present, joiner.group_no, joiner.seat_no) == (True, smallest, 7)
    assert joiner.joined_at == clock.now
    snapshot = next(s for s in round_.snapshots if s.owner_ref == 8)
    assert snapshot.taken_at == clock.now


def test_late_joiner_never_lands_in_an_emptied_group(session: Session, open_room):
    round_ = open_room(6, group_size=3)
    emptied = round_.participants[0].group_no
    for p in [p for p in round_.participants if p.group_no == emptied]:
        services.leave_round(session, round_.id, p.person_ref)
    assert services.join_round(session, round_.id, 9).group_no != emptied


def test_joining_in_rotation(session: Session, open_room):
    round_ = open_room(3, grouping="rotation")
    assert services.join_round(session, round_.id, 4).group_no == 1


def test_pre_registration_cannot_bring_a_draft(session: Session, make_round, snapshot_input):
    round_ = make_round()
    with pytest.raises(RoundStateError) as err:
        services.join_round(session, round_.id, 1, snapshot=snapshot_input(1))
    assert errcode(err) == "round_not_open"
    participant = services.join_round(session, round_.id, 1)
    assert (participant.group_no, participant.seat_no) == (None, None)


def test_a_person_can_only_bring_their_own_draft(session: Session, open_room, snapshot_input):
    round_ = open_room(3)
    with pytest.raises(InvalidInput) as err:
        services.join_round(session, round_.id, 9, snapshot=snapshot_input(2))
    assert errcode(err) == "invalid_snapshot"
    assert len(services.progress(session, round_.id).drafts) == 3


def test_rejoining_keeps_the_frozen_snapshot(session: Session, open_room, snapshot_input, clock):
    round_ = open_room(3)
    services.leave_round(session, round_.id, 2, now=clock.tick(60))
    left = next(p for p in round_.participants if p.person_ref == 2)
    assert (left.present, left.left_at) == (False, clock.now)
    services.join_round(
        session, round_.id, 2, snapshot=snapshot_input(2, goal="ny"), now=clock.tick(60)
    )
    assert (left.present, left.left_at) == (True, None)
    snapshots = [s for s in round_.snapshots if s.owner_ref == 2]
    assert len(snapshots) == 1 and snapshots[0].content["goal"] != "ny"


def test_leaving_abandons_the_open_assignment(session: Session, open_room, clock):
    round_ = open_room(3)
    assignment = services.next_assignment(session, round_.id, 1)
    services.leave_round(session, round_.id, 1, now=clock.now)
    assert assignment.abandoned_at == clock.now
    with pytest.raises(NotAllowed) as err:
        services.next_assignment(session, round_.id, 1)
    assert errcode(err) == "not_present"


def test_mark_present_by_the_facilitator(session: Session, make_round, snapshot_input):
    round_ = make_round()
    services.join_round(session, round_.id, 5)
    services.mark_present(session, round_.id, 5, False)
    services.open_round(
        session, round_.id, [snapshot_input(1), snapshot_input(2), snapshot_input(3)]
    )
    late = next(p for p in round_.participants if p.person_ref == 5)
    assert (late.present, late.group_no) == (False, None), "absent at opening: not grouped"
    services.mark_present(session, round_.id, 5, True)
    assert late.present and late.group_no == 1 and late.seat_no == 3
    with pytest.raises(NotFound) as err:
        services.mark_present(session, round_.id, 77, True)
    assert errcode(err) == "not_participant"


def test_nobody_joins_or_leaves_a_closed_round(session: Session, open_room):
    round_ = open_room(3)
    services.begin_closing(session, round_.id)
    services.close_round(session, round_.id, override_by_ref=1, override_reason="slut")
    for call in (
        lambda: services.join_round(session, round_.id, 9),
        lambda: services.leave_round(session, round_.id, 1),
    ):
        with pytest.raises(RoundStateError) as err:
            call()
        assert errcode(err) == "round_closed"


def test_an_override_reason_may_be_1000_characters_but_not_1001(session: Session, open_room):
    round_ = open_room(3)
    services.begin_closing(session, round_.id)
    with pytest.raises(InvalidInput) as err:
        services.close_round(session, round_.id, override_by_ref=90, override_reason="x" * 1001)
    assert errcode(err) == "override_reason_required"
    assert round_.state == "closing"
    closed = services.close_round(session, round_.id, override_by_ref=90,
                                  override_reason="x" * 1000)
    assert closed.state == "closed" and closed.override_reason == "x" * 1000
