"""The budget tool (budgetværktøj): the citizen's four-part budget plan, and the workshop."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("budgets", __name__)


def init_app(app: Flask) -> None:
    """The budget tool's routes."""
    from course.budgets import attachments, comments, routes  # noqa: F401  (views attach to bp)

    app.register_blueprint(bp)
