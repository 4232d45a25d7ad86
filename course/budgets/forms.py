"""Forms of the budget tool.

An autosave sends three things: which field (its version key), the typed value, and the version
the value was based on. Everything else in a request — ``draft_id``, ``citizen_id``, ``total``,
``status`` — is simply not read. The rules about values (money, dates, lengths) are in
:mod:`course.budgets.services`, because the same rules hold whichever screen saves.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired


class LenientIntegerField(Field):
    """A version number: anything unreadable counts as 0 (never saved), which is stale."""

    data: int

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = int(raw) if raw.isdigit() and len(raw) < 12 else 0


class FieldSaveForm(FlaskForm):
    """One autosaved field: ``field`` (e.g. ``line:12:amount``), ``value``, ``version``."""

    field = HiddenField(validators=[InputRequired()])
    value = StringField()
    version = LenientIntegerField(default=0)

    def typed(self) -> str:
        """The value exactly as sent ('' for an unticked switch, which sends nothing)."""
        return self.value.data or ""


class MoveForm(FlaskForm):
    """Move a budget line one place up or down."""

    direction = RadioField(choices=[SelectChoice("up", "up"), SelectChoice("down", "down")],
                           validators=[InputRequired()])


class StrategyItemForm(FlaskForm):
    """A new item for one of the three strategy lists."""

    text = StringField()


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token (add a line, remove a line or an item)."""
