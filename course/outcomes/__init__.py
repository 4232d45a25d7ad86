"""Outcome figures for the team lead (issue 17, point 6): per course and period, enrolled to
approved, colour paths, days, amounts approved and paid, ending reasons; charts, print, and the
per-citizen rows for an evaluator. Sits above the payouts (it reads them)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from course.outcomes import routes

    app.register_blueprint(routes.bp)
