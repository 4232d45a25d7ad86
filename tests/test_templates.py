"""Templates receive their data: the guard that holds every test to it catches a helper that
queries, and the helpers the app registers do not."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import render_template_string

from course import create_app
from course.extensions import db
from tests import template_guard
from tests.conftest import base_config, create_schema


@pytest.fixture
def unguarded_app(tmp_path):
    """An app the suite's own guard does not watch (the guard is tried on it here)."""
    app = create_app(base_config(tmp_path))
    create_schema(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_the_guard_records_a_global_that_queries(unguarded_app):
    app = unguarded_app
    def roster_count() -> int:  # what a template global must never do
        return db.session.scalar(sa.select(sa.literal(1)))

    roster_count.__module__ = "course.example"
    app.jinja_env.globals["roster_count"] = roster_count
    violations = template_guard.guard(app)
    with app.test_request_context():
        assert render_template_string("{{ roster_count() }}") == "1"
    assert len(violations) == 1 and violations[0].startswith("roster_count: SELECT")


def test_the_guard_lets_a_pure_helper_be(unguarded_app):
    app = unguarded_app
    violations = template_guard.guard(app)
    with app.test_request_context():
        assert render_template_string("{{ 12500|kroner }}") == "12.500 kr."
    assert violations == []


def test_no_helper_the_app_registers_queries_the_database(app):
    """Every global and filter of ours, called as the templates call it, runs no SQL — the
    eleven that did (draft_comments, enrolment_roster, …) now come in their routes' context."""
    names = set(app.jinja_env.globals) | set(app.jinja_env.filters)
    gone = {"draft_comments", "enrolment_roster", "places_taken", "participation",
            "draft_feedback", "case_for_draft", "staff_names", "sparring_round", "round_board",
            "feedback_names", "unread_notices", "field_versions", "may_edit_attachments",
            "can_comment_on_draft"}
    assert names & gone == set()
