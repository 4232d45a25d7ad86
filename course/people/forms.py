"""Forms for signing in, managing staff accounts, and enrolling citizens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    Field,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from course.people import services
from course.people.labels import CPR_WARNING, ELIGIBILITY_LABELS
from course.people.models import Role

EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Write a valid e-mail address."))


class JoinForm(FlaskForm):
    """A citizen signs in with the course code and their personal code."""

    course_code = StringField(_l("Course code"), validators=[
        DataRequired(_l("Write the course code from the screen.")), Length(max=20)])
    personal_code = StringField(_l("Your personal code"), validators=[
        DataRequired(_l("Write the personal code from your card.")), Length(max=20)])


class StaffLoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Write your e-mail.")),
                                                 Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Write your password.")), Length(max=200)])


class CodeForm(FlaskForm):
    """The second step of a staff sign-in, and the confirmation of a new authenticator app."""

    code = StringField(_l("Code"), validators=[
        DataRequired(_l("Write the code from your app.")), Length(max=40)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=10, max=200, message=_l("Use at least 10 characters."))])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two passwords differ."))])


def role_choices() -> list[tuple[str, str]]:
    return [
        (Role.FACILITATOR.value, str(_l("Facilitator (business consultant)"))),
        (Role.JOB_CONSULTANT.value, str(_l("Job consultant"))),
        (Role.TEAM_LEAD.value, str(_l("Team lead"))),
        (Role.FINANCE.value, str(_l("Finance (payouts)"))),
    ]


class StaffForm(FlaskForm):
    """The team lead creates a staff account in their own team."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Write the name.")),
                                               Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Write the e-mail.")),
                                                 Length(max=254), EMAIL])
    role = SelectField(_l("Role"), choices=role_choices, validate_choice=True)


class NoCPR:
    """Refuse a CPR-shaped number in free text, and drop it so it is not even sent back."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if services.cpr_shaped(field.data):
            field.data = services.without_cpr(field.data)
            raise StopValidation(str(CPR_WARNING))



def _tidy(value: str | None) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) else value


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


class DanishDateField(DateField):
    """A date from ``<input type="date">`` with a translated message for nonsense."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Write a valid date."))) from None


class NotInFuture:
    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data is not None and field.data > services.local_today():
            raise ValidationError(str(self.message))


class Checklist(SelectMultipleField):
    """Checkboxes, one per choice. Unknown values are dropped, not an error (see the service)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def eligibility_choices() -> list[SelectChoice]:
    return [SelectChoice(key, str(ELIGIBILITY_LABELS[key]))
            for key in services.REQUIRED_ELIGIBILITY]


def assessment_choices() -> list[SelectChoice]:
    return [SelectChoice(key, str(ELIGIBILITY_LABELS[key])) for key in services.ASSESSMENT]


def decision_choices() -> list[SelectChoice]:
    return [SelectChoice("yes", str(_l("Yes"))), SelectChoice("no", str(_l("No")))]


class EnrolForm(FlaskForm):
    """Enrol a citizen: who they are, their own job consultant, the information meeting and the
    confirmed eligibility checklist. No CPR number, ever.
    """

    name = StringField(_l("The citizen's name"), filters=[_tidy], validators=[
        NoCPR(), DataRequired(_l("Write the citizen's name.")),
        Length(max=120, message=_l("At most %(max)d characters."))])
    phone = TelField(_l("Phone (optional)"), filters=[_tidy], validators=[
        Optional(), NoCPR(), Length(max=40, message=_l("At most %(max)d characters.")),
        Regexp(r"^\+?[0-9][0-9 ()./-]{5,}$",
               message=_l("Write a phone number with digits, such as 12 34 56 78."))])
    email = EmailField(_l("E-mail (optional)"), filters=[_tidy], validators=[
        Optional(), NoCPR(), Length(max=254, message=_l("At most %(max)d characters.")), EMAIL])
    job_consultant = SelectField(_l("Own job consultant"), coerce=_int_or_none,
                                 validate_choice=False)
    info_meeting_on = DanishDateField(_l("Date of the information meeting"), validators=[
        InputRequired(_l("Write the date of the information meeting.")),
        NotInFuture(_l("The information meeting cannot be in the future."))])
    criteria = Checklist(_l("Objective criteria"), choices=eligibility_choices)
    assessment = Checklist(_l("Your assessment (optional)"), choices=assessment_choices)

    def validate_job_consultant(self, field: Field) -> None:
        allowed = {_int_or_none(choice.value) for choice in field.choices or []}
        if field.data is None or field.data not in allowed:
            raise ValidationError(str(_l("Choose the citizen's own job consultant from the "
                                         "course's team.")))

    def validate_criteria(self, field: Field) -> None:
        if not set(services.REQUIRED_ELIGIBILITY) <= set(field.data or []):
            raise ValidationError(str(_l("All five criteria must be met and confirmed before "
                                         "the citizen can be enrolled.")))


class DecisionForm(FlaskForm):
    """Staff record the citizen's yes or no, and the day the citizen gave it."""

    decision = RadioField(_l("The citizen's answer"), choices=decision_choices,
                          validate_choice=False,
                          validators=[InputRequired(_l("Choose yes or no."))])
    decided_on = DanishDateField(_l("The citizen answered on"), validators=[
        InputRequired(_l("Write the date the citizen answered.")),
        NotInFuture(_l("The date cannot be in the future."))])


class OptOutForm(FlaskForm):
    """Staff record that a participating citizen opts out (only the CSRF token)."""
