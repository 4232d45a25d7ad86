"""Domain errors of the round domain.

Every error carries a stable, machine-readable ``code`` (``"not_assigned"``, ``"too_long"``…) and
optional ``params`` (``retry_after``, ``minimum``…). The web side translates the code into a Danish
(or English) message and picks the HTTP status from the class:

==========================  =======  =========================================================
class                       status   codes
==========================  =======  =========================================================
:class:`NotFound`           404      ``round_not_found``, ``snapshot_not_found``,
                                     ``feedback_not_found``, ``not_participant``
:class:`InvalidInput`       400      ``empty``, ``too_long``, ``invalid_text``,
                                     ``unknown_criterion``, ``unknown_stem``, ``line_not_found``,
                                     ``invalid_title``, ``invalid_grouping``,
                                     ``invalid_group_size``, ``invalid_minimum``,
                                     ``invalid_duration``, ``invalid_prompt_set``,
                                     ``invalid_snapshot``, ``override_reason_required``
:class:`NotAllowed`         403      ``not_assigned``, ``own_draft``, ``not_owner``,
                                     ``not_present``, ``feedback_hidden``,
                                     ``feedback_held``, ``feedback_hidden_release``
:class:`RoundStateError`    409      ``invalid_transition``, ``round_not_open``,
                                     ``round_closed``, ``minimum_not_reached``, ``stale_round``
:class:`RateLimited`        429      ``rate_limited`` (``params["retry_after"]`` in seconds)
==========================  =======  =========================================================

Messages here are English and meant for logs and developers, never for citizens.
"""

from __future__ import annotations

from typing import Any


class PeerReviewError(Exception):
    """Base class of all domain errors; ``code`` is stable, ``params`` fill the message."""

    code: str = "peerreview_error"

    def __init__(self, code: str | None = None, message: str | None = None, **params: Any) -> None:
        if code is not None:
            self.code = code
        self.params: dict[str, Any] = params
        super().__init__(message or self.code)


class NotFound(PeerReviewError):
    """A round, snapshot, feedback or participant that does not exist *in this round*.

    A forged id and an id from another round get the same answer, so nothing leaks.
    """

    code = "not_found"


class InvalidInput(PeerReviewError):
    """Input that can never be accepted as given (empty text, unknown criterion…)."""

    code = "invalid_input"


class NotAllowed(PeerReviewError):
    """The person may not do this (not assigned that draft, not the owner…)."""

    code = "not_allowed"


class RoundStateError(PeerReviewError):
    """The round's state does not allow the operation, or the transition is refused."""

    code = "invalid_transition"


class RateLimited(PeerReviewError):
    """Too many comments in the rate window; ``params["retry_after"]`` says when to retry."""

    code = "rate_limited"
