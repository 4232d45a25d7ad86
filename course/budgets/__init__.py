"""The budget tool (budgetværktøj): the citizen's four-part budget plan, and the workshop."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("budgets", __name__)


def init_app(app: Flask) -> None:
    """The budget tool's routes, and its part of the participant page."""
    from course import web
    from course.budgets import attachments, comments, fragments, labels, routes  # noqa: F401

    app.register_blueprint(bp)
    for name, label in labels.FILTERS.items():
        app.add_template_filter(label, name)
    app.jinja_env.globals.update(labels.GLOBALS)
    web.page_parts.connect(fragments.citizen_page_part, sender="schedule.citizen")
