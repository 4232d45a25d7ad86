"""The receipts on PostgreSQL: the migration makes each of their tables append-only (UPDATE and
DELETE refused row by row, TRUNCATE refused outright)."""

from __future__ import annotations

import psycopg
import pytest

from tests.services.conftest import query

pytestmark = pytest.mark.services

TABLES = ("receipts", "receipt_uploads", "receipt_reviews", "receipt_reminders",
          "repayment_claims")


@pytest.mark.parametrize("table", TABLES)
def test_the_migrated_receipt_tables_are_append_only(seeded_database: str, table: str) -> None:
    triggers = {name for (name,) in query(
        seeded_database, "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
        "AND NOT tgisinternal", (table,))}
    assert triggers == {f"{table}_no_change", f"{table}_no_truncate"}
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        query(seeded_database, f"TRUNCATE {table} CASCADE")
