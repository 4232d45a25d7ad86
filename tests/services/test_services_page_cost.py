"""The slowest pages on PostgreSQL (issue 19): what no statement of theirs may grow with."""

from __future__ import annotations

import pytest

from tests.services.conftest import postgresql_app
from tests.test_query_counts import _editor_with_lines, _reading, _statements

pytestmark = pytest.mark.services


@pytest.fixture
def app(make_app, fresh_database):
    return postgresql_app(make_app, fresh_database)


def test_the_editor_reads_its_field_versions_in_one_statement_of_constant_text(app, make_world):
    """The draft editor reads every field's version (about a hundred keys with 15 lines) with
    the keys as one array: the statement's text is the same with 1 line and with 15, so
    psycopg parses it once per process instead of a 4 kB ``IN`` list on every request."""
    texts = []
    for lines in (1, 15):
        phone, _draft_id, _line_ids = _editor_with_lines(app, make_world, lines)
        versions = _reading(_statements(app, phone, "/me/budget"), "field_versions")
        assert len(versions) == 1, versions
        texts.append(versions[0])
    assert texts[0] == texts[1], texts
    assert "= ANY (" in texts[1] and len(texts[1]) < 200, texts[1]
