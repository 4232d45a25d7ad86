"""Forms for courses and their agenda.

Forms parse and check what can be checked on the text alone (required, lengths, a readable date
or time); the rules that need the course — dates in order, no overlap surprises, versions — are
in :mod:`course.schedule.services`.
"""

from __future__ import annotations

from datetime import datetime, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget, TimeInput

from course.markdown import MAX_LENGTH as DESCRIPTION_MAX
from course.schedule.labels import KIND_LABELS, QUESTION_MODE_LABELS, ROLE_LABELS
from course.schedule.models import ItemKind, SpeakerRole
from course.schedule.services import QUESTION_MODES
from course.web import MAX_ID

#: Dates as a date picker sends them, and as people type them without one.
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%y"]
CHOOSE = _l("Choose one of the options.")
TOO_LONG = _l("At most %(max)d characters.")
TIME_FORMATS = ["%H:%M", "%H.%M", "%H,%M", "%H%M", "%H:%M:%S"]


class CourseDateField(DateField):
    """A date picker that also understands ``24.11.2026``, with a translated error."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=DATE_FORMATS, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].strip()
        for fmt in DATE_FORMATS:
            try:
                self.data = datetime.strptime(raw, fmt).date()
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(_l("Write the date as dd.mm.yyyy, e.g. 24.11.2026."))


class ClockField(Field):
    """A time of day: ``09:15`` from a time picker, or ``9.15`` typed the Danish way."""

    widget = TimeInput()

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%H:%M") if isinstance(self.data, time) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].strip()
        for fmt in TIME_FORMATS:
            try:
                self.data = datetime.strptime(raw, fmt).time().replace(second=0)
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(_l("Write the time as hh.mm, e.g. 09.15."))


class WholeNumberField(IntegerField):
    """An integer field with a translated message for text that is not a number."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError as err:
            self.data = None
            raise ValueError(_l("Write a whole number.")) from err
        if abs(self.data) > MAX_ID:  # no count in a course is that large: a column cannot hold it
            self.data = None
            raise ValueError(_l("That number is too large."))


class CourseForm(FlaskForm):
    """A course's details. Facilitator choices are filled in by the route (the team's staff)."""

    name = StringField(_l("Name of the course"), validators=[
        DataRequired(_l("Write a name for the course.")), Length(max=120, message=TOO_LONG)])
    kickoff_on = CourseDateField(_l("Kickoff meeting"), validators=[
        InputRequired(_l("Choose the date of the kickoff meeting."))])
    day1_on = CourseDateField(_l("Course day 1"), validators=[
        InputRequired(_l("Choose the date of course day 1."))])
    day2_on = CourseDateField(_l("Course day 2"), validators=[
        InputRequired(_l("Choose the date of course day 2."))])
    venue = StringField(_l("Venue"), validators=[Length(max=200, message=TOO_LONG)])
    capacity = WholeNumberField(_l("Capacity (places)"), default=24, validators=[
        InputRequired(_l("Write how many places the course has."))])
    facilitators = SelectMultipleField(
        _l("Facilitators"), coerce=int, validate_choice=False, invalid_value_message=CHOOSE,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    guest_facilitators = SelectMultipleField(
        _l("Facilitators from another team"), coerce=int, validate_choice=False,
        invalid_value_message=CHOOSE, widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput())
    question_mode = RadioField(_l("Questions to the speakers"), default="either",
                               invalid_choice_message=CHOOSE,
                               choices=[SelectChoice(m, QUESTION_MODE_LABELS[m])
                                        for m in QUESTION_MODES])
    hold_questions = BooleanField(_l("Questions wait for a facilitator before the others see "
                                     "them"))
    hold_comments = BooleanField(_l("Comments in feedback rounds wait for a facilitator before "
                                    "the owner and the projector see them"))

    def details_kwargs(self) -> dict[str, object]:
        """The parsed values, named as :class:`~course.schedule.services.CourseDetails` wants."""
        return {
            "name": self.name.data or "",
            "kickoff_on": self.kickoff_on.data,
            "day1_on": self.day1_on.data,
            "day2_on": self.day2_on.data,
            "venue": self.venue.data or "",
            "capacity": self.capacity.data,
            "question_mode": self.question_mode.data,
            "hold_questions": bool(self.hold_questions.data),
            "hold_comments": bool(self.hold_comments.data),
        }


class NewCourseForm(CourseForm):
    """A new course also chooses where its agenda comes from."""

    agenda_from = SelectField(_l("Agenda"), default="template", validate_choice=False)


def item_kind_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, str(label)) for kind, label in KIND_LABELS.items()]


def speaker_role_choices() -> list[SelectChoice]:
    return [SelectChoice("", str(_l("No speaker")))] + [
        SelectChoice(role.value, str(label)) for role, label in ROLE_LABELS.items()]


class AgendaItemForm(FlaskForm):
    """One agenda item. ``version`` is the version the editor saw (hidden)."""

    starts_at = ClockField(_l("Starts"), validators=[InputRequired(_l("Write a start time."))])
    ends_at = ClockField(_l("Ends"), validators=[InputRequired(_l("Write an end time."))])
    kind = SelectField(_l("Kind"), choices=item_kind_choices, default=ItemKind.PLENARY.value,
                       invalid_choice_message=CHOOSE)
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Write a title.")), Length(max=160, message=TOO_LONG)])
    speaker_name = StringField(_l("Speaker's name"), validators=[Length(max=120, message=TOO_LONG)])
    speaker_role = SelectField(_l("Speaker's role"), choices=speaker_role_choices, default="",
                               invalid_choice_message=CHOOSE)
    description = TextAreaField(_l("Description"), validators=[
        Length(max=DESCRIPTION_MAX, message=TOO_LONG)])
    version = WholeNumberField(widget=HiddenInput(), validators=[Optional()])

    def details_kwargs(self) -> dict[str, object]:
        """The parsed values, named as :class:`~course.schedule.services.ItemDetails` wants."""
        return {
            "starts_at": self.starts_at.data,
            "ends_at": self.ends_at.data,
            "kind": ItemKind(self.kind.data),
            "title": self.title.data or "",
            "speaker_name": self.speaker_name.data or "",
            "speaker_role": SpeakerRole(self.speaker_role.data) if self.speaker_role.data else None,
            "description": self.description.data or "",
        }


class MoveForm(FlaskForm):
    direction = SelectField(choices=[SelectChoice("up"), SelectChoice("down")])


class DeleteForm(FlaskForm):
    version = WholeNumberField(widget=HiddenInput(), validators=[Optional()])

