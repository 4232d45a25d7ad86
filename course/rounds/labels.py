"""What the rounds' refusals say (the codes of :class:`peerreview.errors.PeerReviewError`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from course.i18n import message
from peerreview.errors import PeerReviewError

ERRORS = {
    "not_assigned": _l("You were not sent to this plan. Reload to see whose plan to review now."),
    "own_draft": _l("You cannot give feedback on your own plan."),
    "round_closed": _l("The round is closed. Thank you for your feedback."),
    "round_not_open": _l("The round has not started yet."),
    "invalid_transition": _l("The round cannot do that now."),
    "empty": _l("Write your feedback first."),
    "too_long": _l("At most %(n)d characters."),
    "invalid_text": _l("The text contains characters that cannot be saved."),
    "unknown_criterion": _l("Choose one of the criteria."),
    "unknown_stem": _l("Choose how to begin your sentence."),
    "line_not_found": _l("Choose one of the plan's budget lines, or none."),
    "rate_limited": _l("You have sent several comments just now. Wait %(n)d seconds."),
    "not_present": _l("You are marked as not present. Ask the facilitator to check you in."),
    "not_participant": _l("You are not part of this round. Ask the facilitator."),
    "minimum_not_reached": _l("Someone still has less feedback than the minimum. Give a reason "
                              "to close the round anyway."),
    "override_reason_required": _l("Give a reason to close the round anyway."),
    "feedback_hidden": _l("A hidden comment cannot be pinned."),
    "feedback_held": _l("Let the comment through first."),
    "feedback_hidden_release": _l("The comment was hidden meanwhile, so it is not let through."),
    "stale_round": _l("Someone else changed this at the same time."),
    "invalid_minimum": _l("The minimum must be between 1 and 10."),
    "invalid_grouping": _l("Choose groups or rotation."),
    "invalid_duration": _l("The round lasts between 1 and 240 minutes."),
    "invalid_prompt_set": _l("Write one to six criteria, one per line, each at most 200 "
                             "characters."),
    "not_owner": _l("Only the owner of the plan can mark its feedback."),
    "no_item": _l("Start a round during a sparring round on the agenda."),
    "too_few_plans": _l("Only %(plans)d of those present have a plan. A round needs at least "
                        "%(needed)d plans, so each can get feedback from the others: check "
                        "people in, or give a reason to start anyway."),
    "already_running": _l("A round is already running for this item."),
}
FALLBACK = _l("That is not possible right now.")


def error_message(err: PeerReviewError) -> str:
    """The citizen-facing (Danish) text of a domain refusal."""
    n = (err.params.get("retry_after", 60) if err.code == "rate_limited"
         else err.params.get("max_length", 1000))
    return message(ERRORS, err.code, FALLBACK, n=n, plans=err.params.get("plans", 0),
                   needed=err.params.get("needed", 0))
