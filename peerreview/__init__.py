"""The round domain of Teten: live peer-feedback (sparring) rounds on citizens' budget drafts.

Plain SQLAlchemy, no Flask, no routes, and it never imports ``course`` (a test enforces it).
People, courses and drafts are integer references plus a frozen :class:`Snapshot`; the web side
(``course/rounds/``) wires rounds to courses and drafts, and after each operation it commits and
pushes what that operation changed.

Modules:

* :mod:`peerreview.models` — the ``pr_`` tables and their own declarative :class:`Base`;
* :mod:`peerreview.state` — the state machine (planned → open → closing → closed);
* :mod:`peerreview.allocation` — pure fairness rules: who reviews what next, groups;
* :mod:`peerreview.services` — the operations, taking a ``Session``, flushing, never committing:
  rounds and seats (:mod:`~peerreview.services.rounds`), assignments, feedback and moderation
  (:mod:`~peerreview.services.feedback`), reading progress and feedback
  (:mod:`~peerreview.services.queries`);
* :mod:`peerreview.errors` — domain errors with stable ``code`` values;
* :mod:`peerreview.prompts`, :mod:`peerreview.snapshots` — prompt sets, frozen content, peer view.
"""

from __future__ import annotations

from .errors import (
    InvalidInput,
    NotAllowed,
    NotFound,
    PeerReviewError,
    RateLimited,
    RoundStateError,
)
from .models import Assignment, Base, Feedback, Round, RoundParticipant, Snapshot
from .state import Grouping, RoundState

__all__ = [
    "Assignment",
    "Base",
    "Feedback",
    "Grouping",
    "InvalidInput",
    "NotAllowed",
    "NotFound",
    "PeerReviewError",
    "RateLimited",
    "Round",
    "RoundParticipant",
    "RoundState",
    "RoundStateError",
    "Snapshot",
]
