"""What the UI calls the budget tool's codes (categories, payment methods, the strategy's three
parts) and what its refusals say.

Registered as app-wide Jinja filters and globals (``line.category|category_label``), so the
editor, the staff views, the approval queue and the exports name things alike.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import lazy_gettext as _l

from course.budgets.models import Category, PaymentMethod, StrategyKind
from course.i18n import message
from course.money import MAX_LINE_AMOUNT, format_amount

CATEGORY_LABELS = {
    Category.EDUCATION: _l("Education or course"),
    Category.DRIVING_LICENCE: _l("Driving licence"),
    Category.TOOLS: _l("Tools and equipment"),
    Category.HEALTH: _l("Health (e.g. dental care, therapy, dietitian)"),
    Category.CLOTHING: _l("Clothing"),
    Category.TRANSPORT: _l("Transport"),
    Category.OTHER: _l("Other"),
}
PAYMENT_LABELS = {
    PaymentMethod.INVOICE: _l("Invoice to the municipality"),
    PaymentMethod.OWN_ACCOUNT: _l("Paid to my own account (I keep the receipt)"),
}
STRATEGY_LABELS = {
    StrategyKind.CONTINUE: _l("What I will continue doing"),
    StrategyKind.STOP: _l("What I will stop doing"),
    StrategyKind.START: _l("What I will start doing"),
}

#: What a refused value of a draft's field says.
ERRORS = {
    "too_long": _l("That is too long: at most %(max)d characters."),
    "choice": _l("Choose one of the options."),
    "date": _l("Write a valid date, e.g. 24.11.2026."),
    "empty": _l("Write something first."),
    "negative": _l("Write the amount without a minus: only positive, whole kroner."),
    "not_positive": _l("The amount must be more than 0 kr."),
    "ore": _l("Write whole kroner without øre, e.g. 12.500."),
    "not_a_number": _l("Write the amount in digits, e.g. 12.500."),
    "too_large": _l("That is too much for one budget line: at most %(max)s."),
}
FALLBACK = _l("That could not be saved. Check the field.")


def error_message(code: str, **params: Any) -> str:
    """What a refused value says, in plain words."""
    if code == "too_large":
        params = {**params, "max": format_amount(MAX_LINE_AMOUNT)}
    return message(ERRORS, code, FALLBACK, **params)


def category_label(value: Category | str) -> str:
    return str(CATEGORY_LABELS.get(Category(value), value))


def payment_label(value: PaymentMethod | str) -> str:
    return str(PAYMENT_LABELS.get(PaymentMethod(value), value))


def strategy_label(kind: StrategyKind | str) -> str:
    return str(STRATEGY_LABELS[StrategyKind(kind)])


def _translated_once(key: str, labels: dict[Any, Any]) -> list[tuple[str, str]]:
    """``(code, label)`` pairs, translated once per request (the editor asks once per line)."""
    cache = g.setdefault("teten_options", {})
    if key not in cache:
        cache[key] = [(code.value, str(label)) for code, label in labels.items()]
    return cache[key]


def category_options() -> list[tuple[str, str]]:
    return _translated_once("categories", CATEGORY_LABELS)


def payment_options() -> list[tuple[str, str]]:
    return _translated_once("payments", PAYMENT_LABELS)


def strategy_kinds() -> list[tuple[str, str]]:
    return _translated_once("strategy", STRATEGY_LABELS)


FILTERS = {
    "category_label": category_label,
    "payment_label": payment_label,
    "strategy_label": strategy_label,
}
GLOBALS = {
    "category_options": category_options,
    "payment_options": payment_options,
    "strategy_kinds": strategy_kinds,
}
