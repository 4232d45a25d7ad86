"""The privacy pages' context builders, and their parts of other pages (see
:data:`course.web.page_parts`): the notice's card on the citizen's phone until they have read
it, and the notice's and the retention periods' cards on the settings page."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from flask import request
from flask_login import current_user

from course.i18n import long_date
from course.people.models import Role
from course.privacy import labels, services

#: The axe-core results the accessibility statement rests on (written by e2e/test_a11y.py).
A11Y_RESULTS = Path(__file__).resolve().parent.parent.parent / "docs" / "a11y-results.json"


def notice_context() -> dict[str, Any]:
    """The privacy notice: the municipality's texts (or the defaults), the periods."""
    filled = services.texts()
    return {"notice": {
        "texts": {name: filled[name] or str(labels.DEFAULTS[name]) for name in filled},
        "declined_months": services.months(services.DECLINED_MONTHS),
        "ended_months": services.months(services.ENDED_MONTHS),
        "changed": services.last_change(),
    }}


def settings_context(*, typed: dict[str, str] | None = None, error: str = "",
                     which: str = "") -> dict[str, Any]:
    """The notice's texts and the retention periods on the settings page, as typed after a
    refusal (``which``: ``"texts"`` or ``"periods"``, the form refused), else as saved."""
    filled = services.texts()
    periods = {name: str(services.months(name)) for name in services.PERIODS}
    if typed is not None:
        (filled if which == "texts" else periods).update(
            {k: v for k, v in typed.items() if k in (filled if which == "texts" else periods)})
    return {"privacy_part": {
        "texts": filled, "periods": periods, "limits": services.PERIODS,
        "longest": services.TEXTS, "labels": labels.FIELDS, "defaults": labels.DEFAULTS,
        "changed": services.last_change(),
        "texts_error": error if which == "texts" else "",
        "periods_error": error if which == "periods" else "",
    }}


@cache
def _a11y_results(path: Path = A11Y_RESULTS) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def accessibility_context() -> dict[str, Any]:
    """The statement's date is the day the axe results were taken."""
    results = _a11y_results()
    rows = [{**row, "page_label": str(labels.A11Y_PAGES.get(row["page"], row["page"])),
             "device_label": str(labels.A11Y_DEVICES.get(row["device"], row["device"]))}
            for row in results["pages"]]
    return {"a11y": {**results, "pages": rows, "any_other": any(r["other"] for r in rows),
                     "date": long_date(date.fromisoformat(results["date"]))}}


# -- parts of other features' pages ---------------------------------------------------------------


def layout_part(_page: str) -> dict[str, Any]:
    """Every page of a signed-in citizen shows the notice's card until they have read it (but
    the notice itself)."""
    if request.endpoint == "privacy.notice" or not current_user.is_authenticated:
        return {}
    if current_user.role == Role.CITIZEN and services.must_see_notice(
            current_user._get_current_object()):
        return {"privacy_prompt": True}
    return {}


def settings_part(_page: str) -> dict[str, Any]:
    return settings_context()
