"""What the people feature's codes are called and what its refusals say (translated when
shown): the eligibility criteria, the CPR warning, and the refusals of enrolment and
participation."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from course.i18n import long_date, message
from course.people.services import EnrolmentError

CPR_WARNING = _l("This looks like a CPR number. CPR numbers must not be stored in Teten, so it "
                 "was removed: check the field and save again.")

#: Labels of the eligibility checklist; the Danish catalog holds the seed's exact sentences.
ELIGIBILITY_LABELS = {
    # The seed's five objective criteria, in the seed's order: all must be confirmed.
    "age_30": _l("The citizen is 30 or older"),
    "unemployed_12_months": _l("The citizen has been unemployed for more than 12 months"),
    "cash_benefit": _l("The citizen receives cash benefit (kontanthjælp)"),
    "job_ready": _l("The citizen is judged job-ready"),
    "available": _l("The citizen is available for the labour market"),
    # The job consultant's assessment inside the target group: optional.
    "can_benefit": _l("The citizen is judged able to benefit from the offer"),
    "motivated": _l("The citizen is motivated to take part"),
    "not_soon_employed": _l("The citizen is not expected to find work soon with the usual "
                            "efforts"),
    "can_self_direct": _l("The citizen is judged able to carry out a self-directed plan"),
    "informed": _l("The citizen has had the information material, knows the frame and knows "
                   "that taking part is not a prior approval of budget wishes"),
}

#: The codes of :class:`course.people.services.EnrolmentError`.
ERRORS = {
    "cpr": CPR_WARNING,
    "duplicate": _l("%(name)s is already enrolled in this course."),
    "full": _l("The course is full: all %(n)d places are taken. A place is freed when a "
               "citizen says no or opts out."),
    "after_deadline": _l("The week to decide ended on %(date)s, so a yes can no longer be "
                         "recorded."),
    "decided_before_meeting": _l("The answer cannot be dated before the information meeting "
                                 "(%(date)s)."),
    "name_missing": _l("Write the citizen's name."),
    "eligibility": _l("All five criteria must be met and confirmed before the citizen can be "
                      "enrolled."),
    "info_meeting_missing": _l("Write the date of the information meeting."),
    "info_meeting_future": _l("The information meeting cannot be in the future."),
    "consultant": _l("Choose the citizen's own job consultant from the course's team."),
    "already_decided": _l("The citizen's answer is already recorded."),
    "decided_in_future": _l("The date cannot be in the future."),
    "bad_decision": _l("Choose yes or no."),
    "cannot_opt_out": _l("Only a citizen who has said yes and still takes part can opt out."),
}
FALLBACK = _l("This could not be saved.")


def enrolment_message(error: EnrolmentError, *, name: str = "", capacity: int = 0,
                      deadline: date | None = None, meeting: date | None = None) -> str:
    """The translated text for a refused enrolment or participation change, with the
    citizen's ``name``, the course's ``capacity`` and the ``deadline`` or ``meeting`` date it
    speaks of."""
    when = deadline if error.code == "after_deadline" else meeting
    return message(ERRORS, error.code, FALLBACK, name=name, n=capacity, date=long_date(when))
