"""What the polls say: the kinds, the check-in's answers and the refusals (translated when
shown)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from course.i18n import message
from course.polls import services

KINDS = {
    services.SINGLE: _l("Single choice"),
    services.MULTIPLE: _l("Multiple choice"),
    services.SCALE: _l("Scale 1–5"),
    services.CHECKIN: _l("Check-in"),
}
#: The check-in's answers, best first (``services.fixed_options(CHECKIN)``).
CHECKIN = {
    "very_good": _l("Very good"),
    "good": _l("Good"),
    "so_so": _l("So-so"),
    "not_so_good": _l("Not so good"),
    "bad": _l("Bad"),
}
#: The check-in's question unless the facilitator writes another.
CHECKIN_QUESTION = _l("How do you feel about your plan right now?")
STATES = {
    services.READY: _l("Not opened yet"),
    services.OPEN: _l("Voting is open"),
    services.CLOSED: _l("Voting is closed"),
}

ERRORS = {
    "kind": _l("Choose what kind of poll it is."),
    "empty": _l("Write the poll's question first."),
    "question_too_long": _l("The question can be at most %(n)d characters."),
    "too_few_options": _l("A poll needs at least two options, one per line."),
    "too_many_options": _l("A poll can have at most %(n)d options: more cannot be read from "
                           "the back of the room."),
    "option_too_long": _l("Each option can be at most %(n)d characters."),
    "duplicate_options": _l("The same option is there twice."),
    "closed": _l("Voting on this poll is closed."),
    "voting_started": _l("This poll can no longer be changed: voting has started. Make a new "
                         "poll, or delete this one."),
    "no_choice": _l("Choose an answer first."),
    "one_choice": _l("Choose one answer."),
    "not_found": _l("We could not find that page."),
}
FALLBACK = _l("We could not find that page.")


def error_message(code: str) -> str:
    params: dict[str, Any] = {}
    if code == "question_too_long":
        params = {"n": services.QUESTION_MAX}
    elif code == "too_many_options":
        params = {"n": services.OPTIONS_MAX}
    elif code == "option_too_long":
        params = {"n": services.OPTION_MAX}
    return message(ERRORS, code, FALLBACK, **params)


def option_label(kind: str, option: str) -> str:
    """An option as shown: a check-in's answer translated, any other as written."""
    if kind == services.CHECKIN:
        return str(CHECKIN.get(option, option))
    return option
