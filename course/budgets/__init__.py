"""The budget tool (budgetværktøj): the citizen's four-part budget plan, and the workshop."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The budget tool's routes, and its part of the participant page."""
    from course import web
    from course.budgets import fragments, labels, routes

    app.register_blueprint(routes.bp)
    app.jinja_env.filters.update(labels.FILTERS, **fragments.FILTERS)
    app.jinja_env.globals.update(labels.GLOBALS, **fragments.GLOBALS)
    web.page_parts.connect(fragments.citizen_page_part, sender="schedule.citizen")
