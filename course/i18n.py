"""Languages and Danish formats: Danish by default, English as the second locale."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import Flask, current_app, session
from flask_babel import format_date, format_datetime

from course.extensions import babel
from course.money import format_amount

LOCALES = ("da", "en")


def select_locale() -> str:
    """The person's chosen language (kept in their session), else the deployment default."""
    chosen = session.get("lang")
    return chosen if chosen in LOCALES else current_app.config["DEFAULT_LOCALE"]


def kroner(amount: int | None) -> str:
    """Whole kroner the Danish way: ``41.100 kr.`` (see :mod:`course.money`)."""
    return "" if amount is None else format_amount(amount)


def long_date(value: date | datetime | None) -> str:
    """``24. november 2026`` in Danish, ``24 November 2026`` in English."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "d. MMMM y") if select_locale() == "da" else format_datetime(
            value, "d MMMM y")
    return format_date(value, "d. MMMM y") if select_locale() == "da" else format_date(
        value, "d MMMM y")


def clock(value: datetime | time | None) -> str:
    """``14.05`` in Danish, ``14:05`` in English; timestamps in Copenhagen time.

    A bare ``time`` (an agenda item's start) is already local and is shown as it is.
    """
    if value is None:
        return ""
    pattern = "HH.mm" if select_locale() == "da" else "HH:mm"
    if isinstance(value, time):
        return value.strftime(pattern.replace("HH", "%H").replace("mm", "%M"))
    return format_datetime(value, pattern)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="translations")
    app.jinja_env.filters["kroner"] = kroner
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.globals["current_locale"] = select_locale
