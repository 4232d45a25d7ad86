"""``flask purge`` on PostgreSQL, on the demo's data (citizens who have not answered, cases in
the queue, an approved and paid plan, which is ended here): a dry run changes no row of any
table; the purge pseudonymises exactly the citizens it names, empties the ended plan's texts,
keeps every audit event, payout and receipt (append-only: the database would refuse), and a
second run finds nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.services.conftest import app_env, flask_cli, query

pytestmark = pytest.mark.services

FAR = "2099-01-01"  # every period is over


def _everything(url: str) -> dict[str, list[tuple]]:
    tables = [name for (name,) in query(
        url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
    return {table: sorted(query(url, f'SELECT * FROM "{table}"'), key=repr) for table in tables}


def test_the_purge_on_postgresql(fresh_database: str, tmp_path: Path) -> None:
    env = app_env(fresh_database, tmp_path / "cli")
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "demo")
    [(case_id,)] = query(fresh_database, "SELECT case_id FROM payouts ORDER BY id LIMIT 1")
    query(fresh_database, "UPDATE cases SET state = 'rejected', ending_reason = 'job', "
                          "ended_on = '2026-01-05' WHERE id = %s RETURNING id", (case_id,))
    before = _everything(fresh_database)

    dry = flask_cli(env, "purge", "--dry-run", "--today", FAR)
    [would] = re.findall(r"^(\d+) citizen\(s\) would be purged\.$", dry.stdout, re.M)
    assert int(would) > 0
    assert _everything(fresh_database) == before

    done = flask_cli(env, "purge", "--today", FAR)
    [purged] = re.findall(r"^(\d+) citizen\(s\) purged\.$", done.stdout, re.M)
    assert purged == would
    named = query(fresh_database, "SELECT id, name FROM citizens WHERE purged_at IS NOT NULL")
    assert len(named) == int(purged)
    assert all(name == f"Slettet borger #{cid}" for cid, name in named)
    after = _everything(fresh_database)
    for kept in ("audit_events", "payouts", "receipts", "receipt_uploads"):
        assert after[kept] == before[kept], kept
    versions = query(fresh_database, "SELECT content FROM plan_versions WHERE case_id = %s",
                     (case_id,))
    assert versions and all(c["goal"] == "" and c["purged_on"] == FAR for (c,) in versions)
    assert all(line["amount"] > 0 for (c,) in versions for line in c["lines"])
    [(citizen,)] = query(fresh_database, "SELECT name FROM citizens WHERE id = "
                                         "(SELECT citizen_id FROM cases WHERE id = %s)",
                         (case_id,))
    assert citizen.startswith("Slettet borger #")
    assert flask_cli(env, "purge", "--today", FAR).stdout.splitlines()[-1] == (
        "0 citizen(s) purged.")
