"""Languages and Danish formats: Danish by default, English as the second locale."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Any

from flask import Flask, current_app, g, session
from flask_babel import force_locale as _force_locale
from flask_babel import (
    format_date,
    format_datetime,
    get_locale,
    get_translations,
    to_user_timezone,
)
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

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
    """``24. november 2026`` in Danish, ``24 November 2026`` in English.

    Each date is formatted once per request and language: Babel's pattern formatting costs
    ≈ 20 µs, and a queue of 200 plans shows the same few deadlines over and over.
    """
    if value is None:
        return ""
    made = g.setdefault("teten_long_dates", {})
    key = (value, str(get_locale()))
    if key not in made:
        made[key] = _long_date(value)
    return made[key]


def _long_date(value: date | datetime) -> str:
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
    # strftime, not Babel's pattern formatting: a list of 500 check-in times calls this 500 times.
    pattern = "%H.%M" if select_locale() == "da" else "%H:%M"
    if isinstance(value, time):
        return value.strftime(pattern)
    return to_user_timezone(value).strftime(pattern)


def _translations():
    """The request's catalog, looked up once: a page with 15 budget lines calls gettext over a
    thousand times, and Flask-Babel's own lookup walks the context on every call."""
    cached = g.get("teten_translations")
    if cached is None:
        cached = g.teten_translations = get_translations()
    return cached


#: How many messages a catalog keeps translated for the templates (a bound, should a template
#: ever translate text that is not a literal of its own).
TEMPLATE_TEXTS_MAX = 4096


@pass_context
def template_gettext(context: Context, string: str, **variables: Any) -> str:
    """Jinja's newstyle ``gettext`` and ``_``, the same text, with each message without
    placeholders translated once per catalog and kept: a queue of 200 rows or an editor of 15
    lines asks for the same few messages hundreds of times, and each call through Jinja's
    wrappers (alias, context call, catalog lookup, Markup, ``%``) cost ≈ 10 µs."""
    catalog = _translations()
    autoescape = context.eval_ctx.autoescape
    if variables:
        text = catalog.ugettext(string)
        return (Markup(text) if autoescape else text) % variables
    kept = catalog.__dict__.setdefault("teten_template_texts", {})
    text = kept.get((string, autoescape))
    if text is None:
        # As Jinja does: always a format string ("100 %%" shows "100 %").
        text = catalog.ugettext(string)
        text = (Markup(text) if autoescape else text) % {}
        if len(kept) < TEMPLATE_TEXTS_MAX:
            kept[(string, autoescape)] = text
    return text


@contextmanager
def force_locale(locale: str) -> Iterator[None]:
    """Flask-Babel's ``force_locale``, also for templates rendered inside it."""
    saved = g.pop("teten_translations", None)
    try:
        with _force_locale(locale):
            yield
    finally:
        g.pop("teten_translations", None)
        if saved is not None:
            g.teten_translations = saved


def message(table: Mapping[str, Any], code: str, fallback: Any, **params: Any) -> str:
    """The translated text for a refusal's ``code`` from a feature's table of lazy strings
    (``labels.ERRORS``), with its ``params`` put in (``%(n)d``)."""
    return str(table.get(code, fallback)) % params


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="translations")
    app.jinja_env.install_gettext_callables(
        lambda string: _translations().ugettext(string),
        lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        newstyle=True)
    app.jinja_env.globals.update(gettext=template_gettext, _=template_gettext)
    app.jinja_env.filters["kroner"] = kroner
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.globals["current_locale"] = select_locale
