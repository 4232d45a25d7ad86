"""The fairness rules, example by example (the properties are in the next file)."""

from __future__ import annotations

import pytest

from peerreview.allocation import (
    DraftLoad,
    Seat,
    choose_snapshot,
    group_sizes,
    make_groups,
    rank_snapshots,
    rotation_order,
    shortfall,
)


def seats(*groups: list[int]) -> list[Seat]:
    """Seats in group order: ``seats([1, 2, 3], [4, 5, 6])``."""
    out, seat = [], 0
    for group_no, members in enumerate(groups, start=1):
        for person in members:
            out.append(Seat(person, group_no, seat))
            seat += 1
    return out


def drafts(**counts: int) -> list[DraftLoad]:
    """``drafts(p1=0, p2=3)``: person 1's draft (snapshot 101) has 0 comments, …"""
    return [
        DraftLoad(snapshot_id=100 + int(k[1:]), owner_ref=int(k[1:]), feedback_count=v)
        for k, v in counts.items()
    ]


def choose(reviewer, room, loads, reviewed=(), minimum=2, **kw):
    return choose_snapshot(
        reviewer, seats=room, drafts=loads, reviewed=set(reviewed), minimum=minimum, **kw
    )


def test_never_the_reviewers_own_draft():
    room = seats([1, 2, 3])
    assert choose(1, room, drafts(p1=0, p2=5, p3=5)) in {102, 103}
    assert choose(1, seats([1]), drafts(p1=0)) is None


def test_the_draft_with_the_fewest_comments():
    room = seats([1, 2, 3, 4])
    assert choose(1, room, drafts(p2=1, p3=0, p4=1)) == 103


def test_drafts_of_absent_owners_are_skipped():
    room = seats([1, 2, 3])  # person 4 left
    assert choose(1, room, drafts(p2=3, p3=3, p4=0)) in {102, 103}
    assert shortfall(drafts(p2=3, p3=1, p4=0), room, 2) == [103]


def test_reviewer_must_be_present():
    with pytest.raises(ValueError, match="not present"):
        choose(9, seats([1, 2, 3]), drafts(p1=0))


def test_own_group_first():
    room = seats([1, 2, 3], [4, 5, 6])
    # Everyone has 0: person 1 stays in group 1 even though 4 is "just as needy".
    assert choose(1, room, drafts(p1=0, p2=0, p3=0, p4=0, p5=0, p6=0)) in {102, 103}
    # Below-minimum drafts elsewhere beat own-group drafts that have reached it.
    assert choose(1, room, drafts(p1=0, p2=2, p3=2, p4=0, p5=2, p6=2)) == 104


def test_across_groups_when_a_group_is_too_small_for_the_minimum():
    # Group 2 has only two present people: each can give the other one comment, not two, so
    # its drafts count as everyone's group. Group 3 can serve itself and stays "elsewhere".
    room = seats([1, 2, 3, 4], [5, 6], [7, 8, 9])
    loads = drafts(p1=1, p2=1, p3=1, p4=1, p5=0, p6=0, p7=0, p8=0, p9=0)
    assert choose(1, room, loads, minimum=2) in {105, 106}
    # Equal counts: the small group's drafts compete with the own group's, not behind them.
    even = drafts(p1=0, p2=0, p3=0, p4=0, p5=0, p6=0, p7=0, p8=0, p9=0)
    assert set(rank_snapshots(1, seats=room, drafts=even, reviewed=(), minimum=2)[:5]) == {
        102,
        103,
        104,
        105,
        106,
    }
    # With a minimum of 1 the pair suffices, so person 1 stays home.
    assert choose(1, room, even, minimum=1) in {102, 103, 104}


def test_no_repeats_while_other_drafts_still_need_feedback():
    room = seats([1, 2, 3, 4])
    loads = drafts(p2=0, p3=1, p4=1)
    assert choose(1, room, loads, reviewed={102}) in {103, 104}


def test_a_repeat_only_when_every_needy_draft_was_already_had():
    room = seats([1, 2])  # a tiny room: two people, minimum 2
    assert choose(1, room, drafts(p1=1, p2=1), reviewed={102}) == 102


def test_never_back_to_a_draft_that_reached_the_minimum():
    room = seats([1, 2, 3])
    assert choose(1, room, drafts(p2=2, p3=2), reviewed={102, 103}) is None
    # …but fresh drafts that reached the minimum are still offered while the round is open.
    assert choose(1, room, drafts(p2=2, p3=4), reviewed={102}) == 103


def test_a_closing_round_only_sends_reviewers_where_feedback_is_missing():
    room = seats([1, 2, 3])
    assert choose(1, room, drafts(p2=2, p3=5), only_needed=True) is None
    assert choose(1, room, drafts(p2=2, p3=1), only_needed=True) == 103


def test_open_assignments_spread_reviewers_who_ask_at_once():
    room = seats([1, 2, 3, 4])
    loads = [
        DraftLoad(102, 2, feedback_count=0, pending=2),
        DraftLoad(103, 3, feedback_count=0, pending=0),
        DraftLoad(104, 4, feedback_count=0, pending=1),
    ]
    assert choose(1, room, loads) == 103


def test_tie_break_longest_waiting_then_nearest_seat_then_id():
    room = seats([1, 2, 3, 4])
    waited = [
        DraftLoad(102, 2, waiting_since=50.0),
        DraftLoad(103, 3, waiting_since=10.0),
        DraftLoad(104, 4, waiting_since=50.0),
    ]
    assert choose(1, room, waited) == 103
    same = [DraftLoad(102, 2), DraftLoad(103, 3), DraftLoad(104, 4)]
    assert choose(1, room, same) == 102  # the next seat
    assert choose(3, room, [*same, DraftLoad(101, 1)]) == 104  # the ring wraps from seat 3
    assert choose(4, room, [*same, DraftLoad(101, 1)]) == 101


def test_ranking_is_deterministic_and_complete():
    room = seats([1, 2, 3], [4, 5, 6])
    loads = drafts(p1=0, p2=1, p3=2, p4=0, p5=1, p6=3)
    first = rank_snapshots(2, seats=room, drafts=loads, reviewed={101}, minimum=2)
    again = rank_snapshots(
        2, seats=list(reversed(room)), drafts=loads[::-1], reviewed={101}, minimum=2
    )
    assert first == again
    assert first == [104, 105, 101, 103, 106]


# ----------------------------------------------------------------------------- groups


@pytest.mark.parametrize(
    ("count", "size", "expected"),
    [
        (0, 4, []),
        (1, 4, [1]),
        (2, 3, [2]),
        (3, 4, [3]),
        (5, 4, [5]),
        (5, 3, [5]),
        (6, 4, [3, 3]),
        (7, 4, [4, 3]),
        (8, 3, [4, 4]),
        (10, 3, [4, 3, 3]),
        (10, 4, [4, 3, 3]),
        (11, 3, [4, 4, 3]),
        (20, 4, [4, 4, 4, 4, 4]),
        (20, 3, [4, 4, 3, 3, 3, 3]),
    ],
)
def test_group_sizes(count, size, expected):
    assert group_sizes(count, size) == expected


@pytest.mark.parametrize("size", [2, 5])
def test_group_size_must_be_three_or_four(size):
    with pytest.raises(ValueError):
        group_sizes(6, size)


def test_make_groups_keeps_everyone_once_and_is_reproducible():
    people = list(range(1, 12))
    groups = make_groups(people, 4, seed=7)
    assert sorted(p for g in groups for p in g) == people
    assert [len(g) for g in groups] == [4, 4, 3]
    assert make_groups(people, 4, seed=7) == groups
    assert make_groups(people, 4) == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11]]


def test_rotation_order():
    assert rotation_order([3, 1, 2]) == [3, 1, 2]
    assert sorted(rotation_order(range(10), seed=1)) == list(range(10))
    with pytest.raises(ValueError, match="twice"):
        rotation_order([1, 1])


# ----------------------------------------------------------------------------- rules, not ties


def test_the_last_seat_of_a_group_reviews_its_own_group_first():
    # The ring's next seat after person 3 is person 4 of group 2 (and after person 6 it wraps to
    # person 1 of group 1): only the own-group rule keeps them at their table.
    room = seats([1, 2, 3], [4, 5, 6])
    even = drafts(p1=0, p2=0, p3=0, p4=0, p5=0, p6=0)
    assert choose(3, room, even) == 101
    assert choose(6, room, even) == 104
    assert rank_snapshots(3, seats=room, drafts=even, reviewed=(), minimum=2) == [
        101, 102, 104, 105, 106,
    ]


def test_a_group_with_exactly_the_minimum_of_co_members_serves_itself():
    # Minimum 3: group 2 has four present people (three besides each owner), enough to serve
    # itself; group 3 has three (two besides each owner), so its drafts are everyone's group.
    room = seats([1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11])
    even = drafts(**{f"p{n}": 0 for n in range(1, 12)})
    ranked = rank_snapshots(4, seats=room, drafts=even, reviewed=(), minimum=3)
    assert ranked == [109, 110, 111, 101, 102, 103, 105, 106, 107, 108]


def test_a_short_draft_already_had_comes_before_a_fresh_one_that_has_its_comments():
    # Rule 2 before rule 3 (and before the own group): the only draft below the minimum is in
    # the other group and person 1 had it already; they go back to it rather than to their own
    # group's drafts, which have reached the minimum.
    room = seats([1, 2, 3], [4, 5, 6])
    loads = drafts(p2=2, p3=2, p4=1, p5=2, p6=2)
    assert choose(1, room, loads, reviewed={104}) == 104
    assert rank_snapshots(1, seats=room, drafts=loads, reviewed={104}, minimum=2)[0] == 104


def test_a_closing_rounds_ranking_lists_only_drafts_below_the_minimum():
    room = seats([1, 2, 3, 4])
    loads = drafts(p2=2, p3=1, p4=0)
    assert rank_snapshots(1, seats=room, drafts=loads, reviewed=(), minimum=2) == [104, 103, 102]
    assert rank_snapshots(
        1, seats=room, drafts=loads, reviewed=(), minimum=2, only_needed=True
    ) == [104, 103]


@pytest.mark.parametrize(
    ("count", "size", "expected"),
    [
        (12, 4, [4, 4, 4]),
        (13, 4, [4, 3, 3, 3]),
        (14, 4, [4, 4, 3, 3]),
        (15, 4, [4, 4, 4, 3]),
        (16, 4, [4, 4, 4, 4]),
        (17, 4, [4, 4, 3, 3, 3]),
        (19, 4, [4, 4, 4, 4, 3]),
        (15, 3, [3, 3, 3, 3, 3]),
        (4, 3, [4]),
        (4, 4, [4]),
    ],
)
def test_group_sizes_aim_at_the_size_asked_for(count, size, expected):
    # Fifteen people in groups of four are 4+4+4+3, not five groups of three: a group of three
    # is made only as the remainder, never instead of the size asked for.
    assert group_sizes(count, size) == expected


def test_seeded_groups_follow_the_seeded_rotation_order():
    people = list(range(1, 12))
    groups = make_groups(people, 4, seed=7)
    order = rotation_order(people, seed=7)
    assert order != people
    assert [p for g in groups for p in g] == order
