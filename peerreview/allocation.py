"""Who reviews what next: the fairness guarantee, as pure functions (no database, no clock).

The services read the round into the small value types below and ask :func:`choose_snapshot`;
the property tests drive the very same function through random rounds.

**The rule.** A reviewer is sent to the present draft that most needs them:

1. never their own draft, never a draft whose owner is not present;
2. drafts below the minimum before drafts that have reached it;
3. drafts the reviewer has not had before ahead of repeats: no repeats while other drafts still
   need feedback. A reviewer is sent back to a draft below the minimum only when every draft
   below the minimum is one they already had (a tiny room, or comments that were hidden); a
   draft that has reached the minimum is never repeated (``None``: "you have seen them all" —
   they may still add comments to drafts they had);
4. the reviewer's own group first — but a draft whose group is too small to give it the minimum
   with distinct reviewers (present members minus the owner < minimum) counts as everyone's
   group, so help crosses over exactly where it is needed. Group comes before the count on
   purpose: a group shares a table and talks the drafts through, so reviewers leave it only
   when their own group needs nothing more from them (rules 2–3) or another group cannot
   manage alone;
5. the fewest *expected* comments (visible feedback + open assignments of others, so reviewers
   asking at the same moment spread out instead of all landing on one draft), then the fewest
   visible comments;
6. deterministic tie-break: longest waiting (oldest ``waiting_since``), then the nearest seat
   after the reviewer's in the rotation ring (the rotation of a whole-room round, and a spread of
   first assignments in groups), then the snapshot id.

**Why it reaches the minimum.** Rule 2 beats every other rule, and a draft below the minimum
is never filtered out for anyone but its owner, so while any present draft is short, every
present reviewer who could review it is sent to *some* short draft, and each comment lowers the
total shortfall: reviewers who keep asking and posting drive it to zero. With at least
``minimum + 1`` present people each owner has ``minimum`` present co-participants, and rules 3–4
make those distinct reviewers the first choice (crossing groups where a group is too small).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

MIN_GROUP_SIZE = 3
MAX_GROUP_SIZE = 4


@dataclass(frozen=True, slots=True)
class Seat:
    """A present participant: who, which group, where in the rotation ring."""

    person_ref: int
    group_no: int
    seat_no: int


@dataclass(frozen=True, slots=True)
class DraftLoad:
    """A snapshot in the round and how much feedback it has and is about to get.

    :ivar feedback_count: visible comments so far (not hidden, not held for review): what the
        owner has received.
    :ivar pending: comments it is about to get: open assignments of *other* reviewers to it,
        and comments waiting for a facilitator to let them through.
    :ivar waiting_since: when it last got a visible comment (or was frozen); any number that
        sorts by time, e.g. a POSIX timestamp.
    """

    snapshot_id: int
    owner_ref: int
    feedback_count: int = 0
    pending: int = 0
    waiting_since: float = 0.0


def present_drafts(drafts: Iterable[DraftLoad], seats: Iterable[Seat]) -> list[DraftLoad]:
    """The drafts whose owner is present (the ones the guarantee is about)."""
    present = {s.person_ref for s in seats}
    return [d for d in drafts if d.owner_ref in present]


def shortfall(drafts: Iterable[DraftLoad], seats: Iterable[Seat], minimum: int) -> list[int]:
    """Snapshot ids of present drafts with fewer than ``minimum`` visible comments."""
    return sorted(
        d.snapshot_id for d in present_drafts(drafts, seats) if d.feedback_count < minimum
    )


def _candidates(
    reviewer_ref: int,
    *,
    seats: Sequence[Seat],
    drafts: Sequence[DraftLoad],
    reviewed: Collection[int],
    minimum: int,
    only_needed: bool,
) -> tuple[list[DraftLoad], Callable[[DraftLoad], tuple[int, int, int, int, float, int, int]]]:
    """The drafts the reviewer may be sent to, and the key that orders them best first (the
    rules of the module docstring)."""
    me = next((s for s in seats if s.person_ref == reviewer_ref), None)
    if me is None:
        raise ValueError(f"reviewer {reviewer_ref} is not present")
    by_person = {s.person_ref: s for s in seats}
    group_members = Counter(s.group_no for s in seats)
    ring = max(s.seat_no for s in seats) + 1

    def key(d: DraftLoad) -> tuple[int, int, int, int, float, int, int]:
        owner = by_person[d.owner_ref]
        below = d.feedback_count < minimum
        repeat = d.snapshot_id in reviewed
        tier = (0 if below else 2) + (1 if repeat else 0)
        group_too_small = group_members[owner.group_no] - 1 < minimum
        level = 0 if owner.group_no == me.group_no or group_too_small else 1
        return (
            tier,
            level,
            d.feedback_count + d.pending,
            d.feedback_count,
            d.waiting_since,
            (owner.seat_no - me.seat_no) % ring,
            d.snapshot_id,
        )

    candidates = [
        d
        for d in drafts
        if d.owner_ref in by_person
        and d.owner_ref != reviewer_ref
        and (d.feedback_count < minimum or not (only_needed or d.snapshot_id in reviewed))
    ]
    return candidates, key


def rank_snapshots(
    reviewer_ref: int,
    *,
    seats: Sequence[Seat],
    drafts: Sequence[DraftLoad],
    reviewed: Collection[int],
    minimum: int,
    only_needed: bool = False,
) -> list[int]:
    """All snapshot ids the reviewer may be sent to, best first (see the module docstring).

    :param seats: the *present* participants (the reviewer must be one of them).
    :param reviewed: snapshot ids this reviewer was assigned or commented on before.
    :param only_needed: only drafts below the minimum (a closing round).
    :raises ValueError: if the reviewer is not among ``seats``.
    """
    candidates, key = _candidates(reviewer_ref, seats=seats, drafts=drafts, reviewed=reviewed,
                                  minimum=minimum, only_needed=only_needed)
    return [d.snapshot_id for d in sorted(candidates, key=key)]


def choose_snapshot(
    reviewer_ref: int,
    *,
    seats: Sequence[Seat],
    drafts: Sequence[DraftLoad],
    reviewed: Collection[int],
    minimum: int,
    only_needed: bool = False,
) -> int | None:
    """The snapshot id the reviewer should review next, or ``None`` when there is nothing to do:
    the first of :func:`rank_snapshots` (same arguments), found without sorting the room."""
    candidates, key = _candidates(reviewer_ref, seats=seats, drafts=drafts, reviewed=reviewed,
                                  minimum=minimum, only_needed=only_needed)
    best = min(candidates, key=key, default=None)
    return best.snapshot_id if best is not None else None


def group_sizes(count: int, size: int = MAX_GROUP_SIZE) -> list[int]:
    """Balanced group sizes for ``count`` people aiming at ``size`` (3 or 4) per group.

    Sizes differ by at most one. A group of one or two is made only when there are fewer than
    three people; rather than that, groups grow one beyond ``size`` (five people → one group of
    five, not three and two: a pair cannot give each other two comments).
    """
    if not MIN_GROUP_SIZE <= size <= MAX_GROUP_SIZE:
        raise ValueError(f"group size must be {MIN_GROUP_SIZE}–{MAX_GROUP_SIZE}, not {size}")
    if count <= 0:
        return []
    groups = -(-count // size)  # ceil
    if count >= MIN_GROUP_SIZE and count // groups < MIN_GROUP_SIZE:
        groups = count // MIN_GROUP_SIZE
    base, extra = divmod(count, groups)
    return [base + 1] * extra + [base] * (groups - extra)


def rotation_order(person_refs: Iterable[int], *, seed: int | None = None) -> list[int]:
    """The people in seating/rotation order: as given, or shuffled reproducibly by ``seed``.

    :raises ValueError: for a repeated person.
    """
    order = list(person_refs)
    if len(set(order)) != len(order):
        raise ValueError("a person appears twice")
    if seed is not None:
        random.Random(seed).shuffle(order)
    return order


def make_groups(
    person_refs: Iterable[int], size: int = MAX_GROUP_SIZE, *, seed: int | None = None
) -> list[list[int]]:
    """Split people into balanced groups (see :func:`group_sizes`), in :func:`rotation_order`.

    Reading the groups one after the other gives the rotation order, so seat numbers follow
    the groups.
    """
    order = rotation_order(person_refs, seed=seed)
    groups: list[list[int]] = []
    start = 0
    for n in group_sizes(len(order), size):
        groups.append(order[start : start + n])
        start += n
    return groups
