"""What the idea wall says: its states and the refusals (translated when shown)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from course.i18n import message
from course.ideas import services

#: The wall's prompt unless the facilitator writes another (the method's own question).
PROMPT = _l("What do you dream of working with?")
STATES = {
    services.READY: _l("Not opened yet"),
    services.OPEN: _l("Answers are open"),
    services.CLOSED: _l("Closed for answers"),
}

ERRORS = {
    "empty_prompt": _l("Write the wall's question first."),
    "prompt_too_long": _l("The question can be at most %(n)d characters."),
    "not_now": _l("The wall can be opened while its item is on (a wall made on the spot: "
                  "while the day runs)."),
    "dots": _l("Each phone can have from 1 to %(n)d dots."),
    "closed": _l("The wall is closed for answers."),
    "empty": _l("Write your answer first."),
    "too_long": _l("An answer can be at most %(n)d characters: a few words that can be read "
                   "on the wall."),
    "too_many": _l("You have sent %(n)d answers, as many as a phone can send to this wall."),
    "voting_closed": _l("The dot-vote on this wall is closed."),
    "no_dots": _l("You have placed all your dots. Take one back to place it elsewhere."),
    "merge_same": _l("Choose two different entries to merge."),
    "not_found": _l("We could not find that page."),
}
FALLBACK = _l("We could not find that page.")


def error_message(code: str) -> str:
    params: dict[str, Any] = {}
    if code == "prompt_too_long":
        params = {"n": services.PROMPT_MAX}
    elif code == "dots":
        params = {"n": services.DOTS_MAX}
    elif code == "too_long":
        params = {"n": services.ANSWER_MAX}
    elif code == "too_many":
        params = {"n": services.ANSWERS_PER_PHONE}
    return message(ERRORS, code, FALLBACK, **params)
