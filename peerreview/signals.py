"""Signals of the round domain (blinker), for the web side's live pushes.

Every signal is sent with the **round id as sender** and keyword arguments that are ids and plain
values only — never ORM objects, never comment text — so a listener cannot leak what it did not
load itself with its own permission checks. ``course_ref`` is always included so the listener can
find the course's rooms (projector, facilitators) without a query.

**Timing contract.** The services send *after* ``session.flush()`` (so ids exist) and *before* the
caller commits. The transaction may still roll back, so a listener must **not** push, e-mail or
write elsewhere directly: it records what happened (e.g. appends to a per-request queue or to
``session.info``) and acts only after the commit succeeds (e.g. in an ``after_commit`` session
event or after the route's ``db.session.commit()``), dropping the queue on rollback. That is how
"a comment is persisted before anything is pushed" holds.

Subscribe with ``feedback_added.connect(receiver)`` (all rounds) or
``feedback_added.connect(receiver, sender=round_id)`` (one round).

===========================  =============================================================
signal                       keyword arguments
===========================  =============================================================
``round_opened``             ``course_ref``
``round_state_changed``      ``course_ref, old_state, new_state`` (every transition,
                             including the one to ``open``)
``participant_changed``      ``course_ref, person_ref, present`` (join, leave, marked
                             present or absent)
``assignment_made``          ``course_ref, assignment_id, reviewer_ref, snapshot_id``
``feedback_added``           ``course_ref, feedback_id, snapshot_id, owner_ref, reviewer_ref``
``feedback_moderated``       ``course_ref, feedback_id, snapshot_id, action`` — one of
                             ``"hidden"``, ``"shown"``, ``"pinned"``, ``"unpinned"``
``feedback_marked``          ``course_ref, feedback_id, snapshot_id, helpful, addressed``
                             (the owner's marks; only the owner's screens care)
===========================  =============================================================
"""

from __future__ import annotations

from blinker import Namespace

peerreview_signals = Namespace()

round_opened = peerreview_signals.signal(
    "round-opened", doc="A round went planned → open; snapshots and groups exist."
)
round_state_changed = peerreview_signals.signal(
    "round-state-changed", doc="A round changed state (``old_state`` → ``new_state``)."
)
participant_changed = peerreview_signals.signal(
    "participant-changed", doc="Someone joined, left, or was marked present/absent."
)
assignment_made = peerreview_signals.signal(
    "assignment-made", doc="A reviewer was sent to a snapshot."
)
feedback_added = peerreview_signals.signal(
    "feedback-added", doc="A comment was stored (visible, not pinned)."
)
feedback_moderated = peerreview_signals.signal(
    "feedback-moderated", doc="A facilitator hid, showed, pinned or unpinned a comment."
)
feedback_marked = peerreview_signals.signal(
    "feedback-marked", doc="The owner marked a comment helpful/addressed (or took it back)."
)

ALL_SIGNALS = (
    round_opened,
    round_state_changed,
    participant_changed,
    assignment_made,
    feedback_added,
    feedback_moderated,
    feedback_marked,
)
