"""What the reactions say: each reaction's name (read by screen readers) and the refusals
(translated when shown)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from course.i18n import message
from course.reactions import services

NAMES = {
    "👍": _l("Thumbs up"),
    "❤️": _l("Heart"),
    "💡": _l("Good idea"),
    "👏": _l("Applause"),
    "🙌": _l("Hooray"),
    "🎉": _l("Celebration"),
    "💪": _l("Strength"),
    "🙏": _l("Thank you"),
    "✅": _l("Agree"),
    "🤔": _l("Thinking about it"),
    "🌱": _l("Growth"),
    "⭐": _l("Star"),
}

ERRORS = {
    "laughing": _l("A laughing face can read as mockery in the room: choose another reaction."),
    "not_allowed": _l("Choose the reactions from the list."),
    "not_in_set": _l("This course does not use that reaction."),
    "empty": _l("Choose at least one reaction."),
    "too_many": _l("Choose at most %(n)d reactions: more do not fit on a phone."),
    "limit": _l("You have sent %(n)d reactions this minute. Wait a moment."),
    "not_found": _l("We could not find that page."),
}
FALLBACK = _l("We could not find that page.")


def error_message(code: str) -> str:
    params: dict[str, Any] = {}
    if code == "too_many":
        params = {"n": services.SET_MAX}
    elif code == "limit":
        params = {"n": services.LIMIT}
    return message(ERRORS, code, FALLBACK, **params)


def name(emoji: str) -> str:
    return str(NAMES.get(emoji, emoji))
