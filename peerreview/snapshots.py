"""Frozen draft content and the peer view of it.

A round never reads a live budget draft. When the round opens (or a late joiner arrives) the web
side hands over the draft as a plain dict; :func:`freeze_content` keeps only the fields below,
checks their types and deep-copies them through JSON, so later edits of the draft cannot reach the
round and nothing outside this list (attachments, notes, documentation, consultant data) is ever
stored here::

    {"goal": str,
     "lines": [{"id": int, "title": str, "category": str | None, "amount": int,
                "need_date": str | None, "change_theory": str | dict | None, "private": bool}],
     "strategy": str | {"continue": str, "stop": str, "start": str},
     "motivation": str,
     "motivation_shared": bool}

:func:`peer_view` is the only way content leaves for co-participants: private lines and an
unshared motivation are removed, and the ``private``/``motivation_shared`` flags themselves stay
behind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import InvalidInput

LINE_FIELDS = ("id", "title", "category", "amount", "need_date", "change_theory")
STRATEGY_FIELDS = ("continue", "stop", "start")


def _bad(message: str) -> InvalidInput:
    return InvalidInput("invalid_snapshot", message)


def _text(value: Any, field: str, *, optional: bool = False) -> str | None:
    if value is None:
        return None if optional else ""
    if not isinstance(value, str):
        raise _bad(f"{field} must be text")
    return value


def _line(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise _bad("a budget line must be an object")
    line_id, amount = raw.get("id"), raw.get("amount", 0)
    if not isinstance(line_id, int) or isinstance(line_id, bool):
        raise _bad("a budget line needs an integer id")
    # Money is whole kroner everywhere in Teten; a float here means the caller skipped its checks.
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise _bad(f"line {line_id}: amount must be whole, non-negative kroner")
    theory = raw.get("change_theory")
    if theory is not None and not isinstance(theory, str | Mapping):
        raise _bad(f"line {line_id}: change_theory must be text or an object")
    return {
        "id": line_id,
        "title": _text(raw.get("title"), "title"),
        "category": _text(raw.get("category"), "category", optional=True),
        "amount": amount,
        "need_date": _text(raw.get("need_date"), "need_date", optional=True),
        "change_theory": dict(theory) if isinstance(theory, Mapping) else theory,
        "private": bool(raw.get("private", False)),
    }


def _strategy(raw: Any) -> str | dict[str, str]:
    if raw is None or isinstance(raw, str):
        return raw or ""
    if not isinstance(raw, Mapping):
        raise _bad("strategy must be text or an object")
    return {k: _text(raw.get(k), f"strategy.{k}") or "" for k in STRATEGY_FIELDS}


def freeze_content(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Return the storable, whitelisted deep copy of a draft's content.

    :raises InvalidInput: code ``invalid_snapshot`` for a wrong type, a repeated line id or a value
        JSON cannot hold.
    """
    if not isinstance(raw, Mapping):
        raise _bad("draft content must be an object")
    lines_raw = raw.get("lines") or []
    if not isinstance(lines_raw, list | tuple):
        raise _bad("lines must be a list")
    lines = [_line(line) for line in lines_raw]
    if len({line["id"] for line in lines}) != len(lines):
        raise _bad("budget line ids must be unique")
    content = {
        "goal": _text(raw.get("goal"), "goal"),
        "lines": lines,
        "strategy": _strategy(raw.get("strategy")),
        "motivation": _text(raw.get("motivation"), "motivation"),
        "motivation_shared": bool(raw.get("motivation_shared", False)),
    }
    try:
        # The round trip both proves the value is storable and cuts every link to caller objects.
        return json.loads(json.dumps(content, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise _bad(f"content is not plain JSON: {exc}") from exc


def peer_view(content: Mapping[str, Any]) -> dict[str, Any]:
    """What co-participants may see of frozen content: a new dict, safe to hand to templates.

    Private lines and an unshared motivation are removed; so are the ``private`` and
    ``motivation_shared`` flags (a peer need not learn that something was withheld).
    """
    view: dict[str, Any] = {
        "goal": content.get("goal", ""),
        "lines": [
            {field: line.get(field) for field in LINE_FIELDS}
            for line in content.get("lines", [])
            if not line.get("private", False)
        ],
        "strategy": content.get("strategy", ""),
    }
    if content.get("motivation_shared", False):
        view["motivation"] = content.get("motivation", "")
    return json.loads(json.dumps(view))


def public_line_titles(content: Mapping[str, Any]) -> dict[int, str]:
    """Titles of the lines a peer may see and anchor a comment to (the non-private ones), by id."""
    return {
        line["id"]: line.get("title") or ""
        for line in content.get("lines", [])
        if not line.get("private", False)
    }


def public_line_ids(content: Mapping[str, Any]) -> set[int]:
    """Ids of the lines a peer may anchor a comment to (the non-private ones)."""
    return set(public_line_titles(content))
