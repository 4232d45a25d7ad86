"""What the payouts' refusals say, and what its codes are called."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from course.i18n import message
from course.money import MAX_LINE_AMOUNT, format_amount
from course.payouts.services import MAX_INVOICE_NUMBER, MAX_REASON, PayoutError

#: The codes of :class:`course.payouts.services.PayoutError`.
ERRORS = {
    "not_approved": _l("Only an approved plan can be paid out."),
    "ended": _l("The course has ended: nothing more is paid out."),
    "unknown_line": _l("That budget line is not in the approved plan."),
    "unknown_payout": _l("That payout is not on this case."),
    "amount_empty": _l("Write the amount paid."),
    "amount_negative": _l("Write the amount without a minus: only positive, whole kroner."),
    "amount_not_positive": _l("The amount must be more than 0 kr."),
    "amount_ore": _l("Write whole kroner without øre, e.g. 1.234."),
    "amount_not_a_number": _l("Write the amount in digits, e.g. 1.234 kr."),
    "amount_too_large": _l("That is too much for one budget line: at most %(max)s."),
    "no_paid_on": _l("Write the date it was paid."),
    "bad_date": _l("Write a valid date."),
    "paid_in_future": _l("The date paid cannot be in the future."),
    "no_received_on": _l("Write the date the invoice was received."),
    "received_after_paid": _l("The invoice cannot be received after it was paid."),
    "no_supplier": _l("Write the supplier on the invoice."),
    "no_invoice_number": _l("Write the invoice number."),
    "too_long": _l("That is too long: at most %(max_invoice)d characters for an invoice "
                   "number and %(max_reason)d for a reason."),
    "over_line": _l("That is more than is left on the line (%(left)s)."),
    "over_total": _l("That is more than is left of the approved total (%(left)s)."),
    "no_reason": _l("Write why the payout is reversed."),
    "already_reversed": _l("That payout has already been reversed."),
    "reversal_of_reversal": _l("A reversal cannot be reversed. Record the right payout "
                               "instead."),
}
FALLBACK = _l("The payout could not be recorded. Check the fields.")


def error_message(err: PayoutError) -> str:
    """What a refused payout says, in plain words."""
    return message(ERRORS, err.code, FALLBACK, max=format_amount(MAX_LINE_AMOUNT),
                   max_invoice=MAX_INVOICE_NUMBER, max_reason=MAX_REASON,
                   left=format_amount(err.params.get("left", 0)))


#: How finance names the two payment methods (the citizen's editor says it in their words).
METHOD_LABELS = {
    "invoice": _l("Invoice to the municipality"),
    "own_account": _l("Transfer to the citizen's own account"),
}


def method_label(method: str) -> str:
    return str(METHOD_LABELS.get(method, method))


FILTERS: dict[str, Any] = {"payout_method_label": method_label}
