"""What a refused change says, and what its states are called."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from course.approvals.labels import LINE_FIELD_LABELS
from course.budgets import labels as budget_labels
from course.changes.models import ChangeState
from course.changes.services import MAX_NEW_LINES, MAX_REASON, ChangeError
from course.i18n import message
from course.money import MAX_LINE_AMOUNT, format_amount

#: The codes of :class:`course.changes.services.ChangeError`.
ERRORS = {
    "not_yours": _l("That is not your plan."),
    "not_approved": _l("Only an approved plan can be changed."),
    "ended": _l("The course has ended: the plan cannot be changed."),
    "already_open": _l("You have already proposed a change. Wait for your job consultant's "
                       "answer, or take it back first."),
    "none_open": _l("There is no proposed change to take back."),
    "no_reason": _l("Write why you want the change."),
    "too_long": _l("That is too long: at most %(max)d characters."),
    "no_change": _l("Nothing is changed yet: change an amount, remove a line or add one."),
    "no_lines": _l("The plan must keep at least one budget line."),
    "too_many_new": _l("At most %(n)d new budget lines in one change."),
    "over_cap": _l("The plan would be %(total)s, over the cap of %(cap)s. Move money between "
                   "the lines instead."),
    "below_paid": _l("%(title)s: %(paid)s has already been paid on this line. The amount "
                     "cannot be less."),
    "paid_line_removed": _l("%(title)s has payouts: the line cannot be removed."),
    "amount_empty": _l("%(title)s: write the amount."),
    "amount_negative": _l("%(title)s: write the amount without a minus."),
    "amount_not_positive": _l("%(title)s: the amount must be more than 0 kr. To take the line "
                              "out, remove it."),
    "amount_ore": _l("%(title)s: write whole kroner without øre, e.g. 12.500."),
    "amount_not_a_number": _l("%(title)s: write the amount in digits, e.g. 12.500."),
    "amount_too_large": _l("%(title)s: that is too much for one budget line: at most %(max)s."),
    "new_no_title": _l("New budget line %(n)d: write what it is."),
    "new_choose": _l("%(title)s: choose the category and how it is paid."),
    "new_no_theory": _l("%(title)s: fill in the change theory — what will change, and how "
                        "that brings you closer to a job."),
    "not_your_case": _l("Only the citizen's own job consultant or the team lead can decide on "
                        "a change."),
    "unknown": _l("That change is not on this case."),
    "decided": _l("The change has been decided already."),
    "stale": _l("The plan has changed since this change was proposed. Refuse it, and the "
                "citizen can propose it again on the plan as it is now."),
    "no_refusal_reason": _l("Write why the change is refused."),
}
FALLBACK = _l("The change could not be saved. Check the fields.")


def error_message(err: ChangeError) -> str:
    """What a refused change says, in plain words."""
    params = dict(err.params)
    if err.code == "new_field":
        field = str(LINE_FIELD_LABELS.get(params.pop("field", ""), ""))
        code = params.pop("field_code", "")
        return f"{params.get('title', '')}: {field}: " + budget_labels.error_message(
            code, **params)
    for key in ("total", "cap", "paid"):
        if key in params:
            params[key] = format_amount(params[key])
    return message(ERRORS, err.code, FALLBACK, **{
        "max": MAX_REASON, "n": MAX_NEW_LINES, "title": "", **params,
        **({"max": format_amount(MAX_LINE_AMOUNT)} if err.code == "amount_too_large" else {})})


STATE_LABELS = {
    ChangeState.PROPOSED: _l("Waiting for your job consultant"),
    ChangeState.APPROVED: _l("The change is approved"),
    ChangeState.REFUSED: _l("The change is refused"),
    ChangeState.WITHDRAWN: _l("Taken back"),
}


def change_state_label(state: ChangeState | str) -> str:
    return str(STATE_LABELS[ChangeState(state)])


FILTERS: dict[str, Any] = {"change_state_label": change_state_label}
