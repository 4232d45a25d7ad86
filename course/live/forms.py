"""Forms of the facilitator console."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from course.live.services import ANNOUNCEMENT_MAX


class AnnouncementForm(FlaskForm):
    text = TextAreaField(_l("Announcement to the room"), validators=[
        DataRequired(_l("Write the announcement first.")),
        Length(max=ANNOUNCEMENT_MAX,
               message=_l("At most %(max)d characters: it is read from the back of the room.")),
    ])
