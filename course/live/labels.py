"""What the running day's refusals say (translated when shown)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from course.i18n import message
from course.live import questions

#: The codes of ``DayError`` and ``QuestionError``.
ERRORS = {
    "empty_day": _l("This day has no agenda items yet."),
    "no_more_items": _l("There are no more items in that direction."),
    "no_item": _l("Choose an agenda item first."),
    "not_in_day": _l("That item belongs to another day."),
    "not_started": _l("Start the day first."),
    "not_workshop": _l("The item on now is not a workshop."),
    "no_more_steps": _l("There are no more steps in that direction."),
    "stale": _l("Another facilitator changed the session at the same time. This is how it "
                "stands now."),
    "no_talk": _l("Questions can be sent during a talk."),
    "empty": _l("Write your question first."),
    "too_long": _l("At most %(n)d characters."),
    "rate_limited": _l("You have sent several questions just now. Wait a minute."),
    "not_in_course": _l("You do not have access to this."),
    "not_found": _l("We could not find that page."),
    "hidden": _l("A hidden question cannot be shown."),
    "held": _l("Let the question through first."),
    "answered": _l("The question is marked answered. Mark it as not answered first."),
    "hidden_answer": _l("A hidden question cannot be marked answered."),
    "hidden_release": _l("The question was hidden meanwhile. Show it to the phones again if "
                         "it should be seen."),
}
FALLBACK = _l("Choose an agenda item first.")


def error_message(code: str, **params: Any) -> str:
    """What a refused change to the running day, or a refused question, says."""
    if code == "too_long":
        params = {"n": questions.MAX_LENGTH, **params}
    return message(ERRORS, code, FALLBACK, **params)
