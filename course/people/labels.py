"""What the people feature's refusals and labels say (translated when shown)."""

from __future__ import annotations

from flask_babel import gettext as _

from course.i18n import long_date
from course.people.forms import CPR_WARNING
from course.people.services import EnrolmentError


def enrolment_message(error: EnrolmentError, **context: object) -> str:
    """The translated text for a refused enrolment or participation change."""
    code = error.code
    if code == "cpr":
        return str(CPR_WARNING)
    if code == "duplicate":
        return _("%(name)s is already enrolled in this course.", name=context["name"])
    if code == "full":
        return _("The course is full: all %(n)d places are taken. A place is freed when a "
                 "citizen says no or opts out.", n=context["capacity"])
    if code == "after_deadline":
        return _("The week to decide ended on %(date)s, so a yes can no longer be recorded.",
                 date=long_date(context["deadline"]))
    if code == "decided_before_meeting":
        return _("The answer cannot be dated before the information meeting (%(date)s).",
                 date=long_date(context["meeting"]))
    return {
        "name_missing": _("Write the citizen's name."),
        "eligibility": _("All five criteria must be met and confirmed before the citizen can "
                         "be enrolled."),
        "info_meeting_missing": _("Write the date of the information meeting."),
        "info_meeting_future": _("The information meeting cannot be in the future."),
        "consultant": _("Choose the citizen's own job consultant from the course's team."),
        "already_decided": _("The citizen's answer is already recorded."),
        "decided_in_future": _("The date cannot be in the future."),
        "bad_decision": _("Choose yes or no."),
        "cannot_opt_out": _("Only a citizen who has said yes and still takes part can opt out."),
    }.get(code, _("This could not be saved."))
