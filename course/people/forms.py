"""Forms for signing in and for managing staff accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

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
    ]


class StaffForm(FlaskForm):
    """The team lead creates a staff account in their own team."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Write the name.")),
                                               Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Write the e-mail.")),
                                                 Length(max=254), EMAIL])
    role = SelectField(_l("Role"), choices=role_choices, validate_choice=True)


class EnrolForm(FlaskForm):
    """Enrol a citizen: a name and their own job consultant. No CPR number, ever."""

    name = StringField(_l("The citizen's name"), validators=[
        DataRequired(_l("Write the citizen's name.")), Length(max=120)])
    job_consultant = SelectField(_l("Own job consultant"), coerce=int, validate_choice=True)
