"""What the outcome figures call things, and what a refused filter says."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from course.i18n import message
from course.outcomes.services import PeriodError

#: The codes of :class:`course.outcomes.services.PeriodError`.
ERRORS = {
    "bad_from": _l("Write the first day of the period as a date."),
    "bad_to": _l("Write the last day of the period as a date."),
    "reversed": _l("The period's first day is after its last day. Swap the dates."),
}
FALLBACK = _l("The period could not be read. Check the dates.")


def error_message(err: PeriodError) -> str:
    return message(ERRORS, err.code, FALLBACK)


#: How the colour paths are named beside their figures.
PATH_LABELS = {
    "green": _l("Green – approved by the job consultant alone"),
    "yellow": _l("Yellow – approved after colleagues sparred"),
    "red": _l("Red – decided by the team"),
}

#: How the export names a citizen's decision.
DECISION_LABELS = {"pending": _l("Not decided"), "yes": _l("Yes"), "no": _l("No")}


def path_label(path: str | None) -> str:
    return str(PATH_LABELS[path]) if path in PATH_LABELS else ""


def decision_label(decision: str) -> str:
    return str(DECISION_LABELS.get(decision, decision))
