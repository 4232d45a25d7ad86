"""Templates receive their data (DESIGN.md §4): none of the app's Jinja globals or filters may
run a database query. Every test app's globals and filters are wrapped so that a statement run
while one of them is being called is recorded; the suite fails on any (conftest).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from course.extensions import db

_calling = threading.local()


def guard(app: Flask) -> list[str]:
    """Wrap the app's own template globals and filters; returns the list their SQL goes to."""
    violations: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        name = getattr(_calling, "name", None)
        if name is not None:
            violations.append(f"{name}: {' '.join(statement.split())[:120]}")

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", record)
    for table in (app.jinja_env.globals, app.jinja_env.filters):
        for name, helper in list(table.items()):
            if callable(helper) and _ours(helper):
                table[name] = _watched(name, helper)
    return violations


def _ours(helper: Callable[..., Any]) -> bool:
    return (getattr(helper, "__module__", "") or "").startswith("course")


def _watched(name: str, helper: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(helper)
    def watched(*args: Any, **kwargs: Any) -> Any:
        outer = getattr(_calling, "name", None)
        _calling.name = name
        try:
            return helper(*args, **kwargs)
        finally:
            _calling.name = outer

    return watched
