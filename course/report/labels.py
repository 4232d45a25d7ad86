"""What the report calls its sections and columns (translated when shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TITLES = {
    "attendance": _l("Attendance"),
    "questions": _l("Questions to the speakers"),
    "polls": _l("Polls"),
    "rounds": _l("Feedback rounds"),
}

QUESTION_STATES = {
    "open": _l("Not answered"),
    "answered": _l("Answered"),
}

POLL_STATES = {
    "ready": _l("Not opened yet"),
    "open": _l("Voting is open"),
    "closed": _l("Voting is closed"),
}

#: The downloads' names: ``rapport-<course code>-<meeting or "forloeb">.csv``.
FILE = _l("report")
WHOLE_COURSE = _l("whole-course")
