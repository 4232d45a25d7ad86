"""What the follow-up's refusals say."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from course.followup.services import FollowUpError
from course.i18n import long_date, message

#: The codes of :class:`course.followup.services.FollowUpError`.
ERRORS = {
    "not_approved": _l("Follow-up meetings are planned once the plan is approved."),
    "ended": _l("The course has ended: no more meetings are planned."),
    "not_your_case": _l("Only the citizen's own job consultant or the team lead can do that."),
    "not_yours": _l("That is not your plan."),
    "unknown_meeting": _l("That meeting is not on this case."),
    "no_date": _l("Write the meeting's date as dd-mm-yyyy."),
    "bad_time": _l("Write the time as hh:mm, e.g. 10:30, or leave it empty."),
    "past_date": _l("The meeting cannot be in the past."),
    "too_far": _l("The meeting can be at most two years ahead."),
    "too_many": _l("A case can have at most %(n)d meetings."),
    "cancelled": _l("The meeting has been cancelled."),
    "noted": _l("The meeting has been held and has a note: it cannot be moved or cancelled."),
    "closed": _l("The meeting was after the course ended."),
    "before_meeting": _l("The note is written after the meeting: it is on %(date)s."),
    "empty_note": _l("Write the note first."),
    "note_too_long": _l("The note is too long: at most %(n)d characters."),
    "report_too_long": _l("That is too long: at most %(n)d characters."),
    "once_a_day": _l("You have already told your job consultant today. They will contact "
                     "you."),
}
FALLBACK = _l("That could not be done. Check the fields.")


def error_message(err: FollowUpError) -> str:
    """What a refused follow-up step says, in plain words."""
    params = {key: long_date(value) if isinstance(value, date) else value
              for key, value in err.params.items()}
    return message(ERRORS, err.code, FALLBACK, **{"n": 0, "date": "", **params})


def full_date(value: date | None) -> str:
    """``mandag den 7. december 2026`` / ``Monday, December 7, 2026``."""
    from flask_babel import format_date

    return format_date(value, "full") if value else ""


def week_number(value: date) -> int:
    return value.isocalendar().week


#: A meeting's status (followup.fragments.status).
STATUS_LABELS = {
    "planned": _l("Planned"),
    "due": _l("Waiting for a note"),
    "held": _l("Held"),
    "cancelled": _l("Cancelled"),
    "closed": _l("Cancelled: the course has ended"),
}


def meeting_status_label(code: str) -> str:
    return str(STATUS_LABELS.get(code, code))


FILTERS = {"full_date": full_date, "week_number": week_number,
           "meeting_status_label": meeting_status_label}
