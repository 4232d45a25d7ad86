"""What the UI calls the schedule's codes: meetings, item kinds, speaker roles, question modes.

Registered as app-wide Jinja filters (``item.kind|kind_label``, ``item.day|day_label``,
``item.speaker_role|role_label``, ``item.starts_at|time_of_day``) so the console, the projector
and the phones name things exactly as the agenda does.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from course.i18n import clock
from course.schedule.models import Day, ItemKind, SpeakerRole

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

QUESTION_MODE_LABELS = {
    "either": _l("Each participant chooses: with name or anonymously"),
    "named": _l("With name"),
    "anonymous": _l("Anonymously"),
}


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
