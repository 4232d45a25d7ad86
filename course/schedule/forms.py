"""Forms for courses and enrolment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length


class EnrolForm(FlaskForm):
    """Enrol a citizen: a name and their own job consultant. No CPR number, ever."""

    name = StringField(_l("The citizen's name"), validators=[
        DataRequired(_l("Write the citizen's name.")), Length(max=120)])
    job_consultant = SelectField(_l("Own job consultant"), coerce=int, validate_choice=True)
