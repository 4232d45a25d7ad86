"""What the UI calls the budget tool's codes (categories, payment methods, the strategy's three
parts) and what its refusals say.

Registered as app-wide Jinja filters and globals (``line.category|category_label``), so the
editor, the staff views, the approval queue and the exports name things alike.
"""

from __future__ import annotations

import math
from typing import Any

from flask import current_app, g
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from course.budgets.models import Category, PaymentMethod, StrategyKind
from course.budgets.sparring import MAX_COMMENT
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


#: What a refused attachment says.
ATTACHMENT_ERRORS = {
    "missing": _l("Choose a file first."),
    "empty": _l("The file is empty. Choose another one."),
    "too_large": _l("The file is too large: at most %(size)s."),
    "type": _l("Only PDF, JPEG and PNG files can be attached, and this file is none of them "
               "— whatever its name says. Save it as a PDF or take a picture of it."),
    "unreadable_image": _l("The picture could not be read. Take it again, or save it as a PDF."),
    "too_many_pixels": _l("The picture has too many pixels. Take it at a lower resolution or "
                          "send a screenshot."),
}


def attachment_message(code: str) -> str:
    return message(ATTACHMENT_ERRORS, code, FALLBACK, size=max_attachment_size())


#: What a refused sparring comment says.
COMMENT_ERRORS = {
    "empty": _l("Write a comment before you send it."),
    "too_long": _l("The comment is too long: at most %(max)d characters."),
    "closed": _l("The sparring is closed while the plan is being assessed and after the "
                 "decision. You can write again if the plan is sent back."),
    "not_yours": _l("Only the citizen and their own job consultant write here. You can read "
                    "along."),
}


def comment_message(code: str) -> str:
    return message(COMMENT_ERRORS, code, FALLBACK, max=MAX_COMMENT)


def file_size(size: int) -> str:
    """``340 kB`` or ``2,4 MB`` (Danish decimals), as a person reads a file's size."""
    if size < 1024 * 1024:
        return _("%(n)s kB", n=format_decimal(max(1, math.ceil(size / 1024))))
    return _("%(n)s MB", n=format_decimal(round(size / 1024 / 1024, 1), format="#,##0.#"))


def max_attachment_size() -> str:
    """The upload limit (``ATTACHMENT_MAX_BYTES``) as a person reads it: ``10 MB``."""
    return file_size(current_app.config["ATTACHMENT_MAX_BYTES"])


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
    "file_size": file_size,
    "category_label": category_label,
    "payment_label": payment_label,
    "strategy_label": strategy_label,
}
GLOBALS = {
    "max_attachment_size": max_attachment_size,
    "category_options": category_options,
    "payment_options": payment_options,
    "strategy_kinds": strategy_kinds,
}
