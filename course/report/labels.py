"""What the report calls its sections and columns (translated when shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TITLES = {
    "attendance": _l("Attendance"),
    "questions": _l("Questions to the speakers"),
    "polls": _l("Polls"),
    "ideas": _l("Idea walls"),
    "rounds": _l("Feedback rounds"),
}

#: The downloads' names: ``rapport-<course code>-<meeting, or "hele-forloebet">.csv``.
FILE = _l("report")
WHOLE_COURSE = _l("whole-course")
