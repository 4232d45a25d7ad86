"""Domain operations of sparring rounds, by concern: :mod:`.rounds` (a round and who sits in
it), :mod:`.feedback` (who reviews what, comments, moderation, marks) and :mod:`.queries`
(reading progress, tallies and feedback); :mod:`.common` holds what they share.

Every function takes a :class:`~sqlalchemy.orm.Session` first, works inside the caller's
transaction and ``flush()``-es, never ``commit()``-s: the web route commits once, and only then
pushes what changed (``course/rounds/pushes.py``). Refusals raise a
:class:`~peerreview.errors.PeerReviewError` with a stable ``code``; nothing is written when one is
raised (all checks run before the first change).

Authorisation by role (who is a facilitator of which course) is the web side's job; these
functions enforce what the round itself knows: membership, assignments, ownership and state.
Ids are always looked up *within the round*, so a forged or foreign id is simply "not found".

``now`` parameters exist for tests; they must be timezone-aware.
"""

from __future__ import annotations

from peerreview.services.common import (
    DEFAULT_RATE_LIMIT,
    DEFAULT_RATE_WINDOW_SECONDS,
    SnapshotInput,
    get_round,
    has_snapshot,
)
from peerreview.services.feedback import (
    add_feedback,
    hide_feedback,
    mark_addressed,
    mark_helpful,
    next_assignment,
    next_assignment_with_progress,
    pin_feedback,
    release_feedback,
    skip_assignment,
    snapshot_for_reviewer,
    unhide_feedback,
    unpin_feedback,
)
from peerreview.services.queries import (
    CriterionFeedback,
    DraftProgress,
    FeedbackView,
    GivenFeedback,
    Place,
    ReviewerProgress,
    RoundProgress,
    Tally,
    feedback_by_reviewer,
    feedback_for_draft,
    feedback_for_owner,
    feedback_to_moderate,
    list_feedback,
    pinned_feedback,
    place_on_board,
    progress,
    reviewer_progress,
    tally,
)
from peerreview.services.rounds import (
    begin_closing,
    close_round,
    create_round,
    join_round,
    leave_round,
    mark_present,
    open_round,
    reopen_round,
)

__all__ = [
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_RATE_WINDOW_SECONDS",
    "CriterionFeedback",
    "DraftProgress",
    "FeedbackView",
    "GivenFeedback",
    "Place",
    "ReviewerProgress",
    "RoundProgress",
    "SnapshotInput",
    "Tally",
    "add_feedback",
    "begin_closing",
    "close_round",
    "create_round",
    "feedback_by_reviewer",
    "feedback_for_draft",
    "feedback_for_owner",
    "feedback_to_moderate",
    "get_round",
    "has_snapshot",
    "hide_feedback",
    "join_round",
    "leave_round",
    "list_feedback",
    "mark_addressed",
    "mark_helpful",
    "mark_present",
    "next_assignment",
    "next_assignment_with_progress",
    "open_round",
    "pin_feedback",
    "pinned_feedback",
    "place_on_board",
    "progress",
    "release_feedback",
    "reopen_round",
    "reviewer_progress",
    "skip_assignment",
    "snapshot_for_reviewer",
    "tally",
    "unhide_feedback",
    "unpin_feedback",
]
