"""What the UI calls the schedule's codes (meetings, item kinds, speaker roles, question modes)
and what its refusals say.

Registered as app-wide Jinja filters (``item.kind|kind_label``, ``item.day|day_label``,
``item.speaker_role|role_label``, ``item.starts_at|time_of_day``) so the console, the projector
and the phones name things exactly as the agenda does.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from course.i18n import clock, message
from course.schedule.models import Day, ItemKind, SpeakerRole
from course.schedule.services import CAPACITY_MAX, CAPACITY_MIN

DAY_LABELS = {
    Day.KICKOFF: _l("Kickoff meeting"),
    Day.DAY1: _l("Course day 1"),
    Day.DAY2: _l("Course day 2"),
}

KIND_LABELS = {
    ItemKind.TALK: _l("Talk"),
    ItemKind.WORKSHOP: _l("Workshop"),
    ItemKind.SPARRING_ROUND: _l("Sparring round"),
    ItemKind.BREAK: _l("Break"),
    ItemKind.PLENARY: _l("Plenary"),
}

ROLE_LABELS = {
    SpeakerRole.FORMER_PARTICIPANT: _l("Former participant"),
    SpeakerRole.EMPLOYER: _l("Employer"),
    SpeakerRole.ENTREPRENEUR: _l("Self-employed entrepreneur"),
    SpeakerRole.FACILITATOR: _l("Facilitator"),
}

#: What each question mode promises, said as it is: "anonymous" is anonymous to the other
#: participants, not to the facilitators; only "nameless" keeps no name at all.
QUESTION_MODE_LABELS = {
    "either": _l("Each participant chooses: with name, or anonymous to the other participants "
                 "(the facilitators see the name)"),
    "named": _l("With name"),
    "anonymous": _l("Anonymous to the other participants (the facilitators see the name)"),
    "nameless": _l("Fully anonymous: no name is kept, not even for the facilitators"),
}


#: The codes of :class:`course.schedule.services.ScheduleError`.
ERRORS = {
    "name_missing": _l("Write a name for the course."),
    "date_missing": _l("Choose a date."),
    "past_date": _l("The date has passed. Choose today or a later date."),
    "day1_not_after_kickoff": _l("Course day 1 must come after the kickoff meeting."),
    "day2_not_after_day1": _l("Course day 2 must come after course day 1."),
    "capacity_missing": _l("Write how many places the course has."),
    "capacity_range": _l("The capacity must be from %(min)d to %(max)d places."),
    "capacity_below_enrolled": _l("More participants are enrolled already; the capacity cannot "
                                  "be lower than that."),
    "question_mode": _l("Choose how participants may ask questions."),
    "no_facilitator": _l("Choose at least one facilitator."),
    "foreign_facilitator": _l("Choose facilitators among your team's active facilitators and "
                              "team leads."),
    "foreign_source": _l("Choose an agenda from one of your team's courses."),
    "guests_by_lead": _l("Only the team lead adds facilitators from other teams."),
    "foreign_guest": _l("Choose guests among the other teams' active facilitators."),
    "title_missing": _l("Write a title."),
    "end_not_after_start": _l("The end must be after the start."),
    "agenda_not_empty": _l("The course already has an agenda."),
}
FALLBACK = _l("That could not be saved. Check the form.")


def error_message(code: str) -> str:
    """What a refused course or agenda change says."""
    return message(ERRORS, code, FALLBACK, min=CAPACITY_MIN, max=CAPACITY_MAX)


def day_label(day: Day | str | None) -> str:
    return str(DAY_LABELS[Day(day)]) if day else ""


def kind_label(kind: ItemKind | str | None) -> str:
    return str(KIND_LABELS[ItemKind(kind)]) if kind else ""


def role_label(role: SpeakerRole | str | None) -> str:
    return str(ROLE_LABELS[SpeakerRole(role)]) if role else ""


def question_mode_label(mode: str | None) -> str:
    return str(QUESTION_MODE_LABELS.get(mode or "", ""))


FILTERS = {
    "day_label": day_label,
    "kind_label": kind_label,
    "role_label": role_label,
    "question_mode_label": question_mode_label,
    "time_of_day": clock,  # one formatter for wall-clock times: course.i18n.clock
}
