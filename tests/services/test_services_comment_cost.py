"""A comment's statements on PostgreSQL, where the server-side session is read and written in
the database too (course/sessions.py): the same at 3, 53 and 500 plans, and pinned."""

from __future__ import annotations

import pytest

from tests.conftest import create_schema
from tests.test_query_counts import _comment_costs

pytestmark = pytest.mark.services

# 11: the 9 statements of tests/test_query_counts.py::COMMENT_STATEMENTS, plus the session
# store's read at the request's start and its write at the end.
COMMENT_STATEMENTS_POSTGRESQL = 11


@pytest.fixture
def app(make_app, fresh_database):
    app = make_app(SQLALCHEMY_DATABASE_URI=fresh_database.replace(
        "postgresql://", "postgresql+psycopg://", 1), SESSION_TYPE="database")
    create_schema(app)
    return app


def test_a_comment_on_postgresql_costs_the_same_with_3_53_and_500_plans(app, make_world):
    costs = {size: _comment_costs(app, make_world, size) for size in (3, 53, 500)}
    print("\n".join([f"a comment on PostgreSQL: { {n: len(s) for n, s in costs.items()} }",
                     *(s[:160] for s in costs[3])]))
    assert len({len(s) for s in costs.values()}) == 1, costs
    assert len(costs[3]) == COMMENT_STATEMENTS_POSTGRESQL, costs[3]
