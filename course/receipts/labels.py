"""What the receipts' refusals say, and what their states are called."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from course.budgets import labels as budget_labels
from course.i18n import message
from course.money import MAX_LINE_AMOUNT, format_amount
from course.receipts.services import MAX_DAYS, MAX_REASON, MIN_DAYS, ReceiptError

#: The codes of :class:`course.receipts.services.ReceiptError`.
ERRORS = {
    "not_approved": _l("Only an approved plan has receipts."),
    "ended": _l("The course has ended: receipts are no longer handed in here."),
    "unknown_receipt": _l("That receipt is not on this case."),
    "cancelled": _l("The payout was reversed: its receipt is no longer due."),
    "already_accepted": _l("The receipt has already been accepted."),
    "not_allowed": _l("Only the citizen's job consultants and the finance office can do that."),
    "bad_verdict": _l("Accept the receipt or ask for it again."),
    "nothing_to_review": _l("There is no receipt waiting for a decision."),
    "not_latest": _l("A new receipt was handed in meanwhile. Look at it before you decide."),
    "no_reason": _l("Write why the receipt must be handed in again."),
    "no_claim_reason": _l("Write why the money is claimed back."),
    "too_long": _l("That is too long: at most %(max)d characters."),
    "already_claimed": _l("A repayment claim is already recorded for this payout."),
    "not_claimable": _l("Only a missing (overdue) or refused receipt can be claimed back."),
    "amount_empty": _l("Write the amount to claim back."),
    "amount_negative": _l("Write the amount without a minus: only positive, whole kroner."),
    "amount_not_positive": _l("The amount must be more than 0 kr."),
    "amount_ore": _l("Write whole kroner without øre, e.g. 1.234."),
    "amount_not_a_number": _l("Write the amount in digits, e.g. 1.234 kr."),
    "amount_too_large": _l("That is more than was paid (%(paid)s)."),
    "over_paid": _l("That is more than was paid (%(paid)s)."),
    "not_lead": _l("Only the team lead can change the settings."),
    "days_not_a_number": _l("Write the number of days in digits."),
    "days_out_of_range": _l("Choose between %(min)d and %(max_days)d days."),
}
FALLBACK = _l("That could not be done. Check the fields.")


def error_message(err: ReceiptError) -> str:
    """What a refused step says, in plain words."""
    return message(ERRORS, err.code, FALLBACK, max=MAX_REASON, min=MIN_DAYS, max_days=MAX_DAYS,
                   paid=format_amount(err.params.get("paid", MAX_LINE_AMOUNT)))


def upload_message(code: str) -> str:
    """What a refused file says: the budget tool's words for its upload path."""
    return budget_labels.attachment_message(code)


#: A receipt's state as the staff and the citizen read it.
STATE_LABELS = {
    "due": _l("Not handed in"),
    "handed_in": _l("Handed in, waiting for a decision"),
    "accepted": _l("Accepted"),
    "asked_again": _l("Asked for again"),
    "cancelled": _l("No longer due (the payout was reversed)"),
}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


FILTERS: dict[str, Any] = {"receipt_state_label": state_label}
