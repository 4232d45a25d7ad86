"""Backups that restore (SECURITY.md): PostgreSQL with ``pg_dump``/``pg_restore`` as the README
says — written, restored into a fresh database and compared table by table, row by row, with
the audit trail's triggers still refusing a change in the copy."""

from __future__ import annotations

import subprocess

import psycopg
import pytest

from tests.services.conftest import _plain, create_database, drop_database, query

pytestmark = pytest.mark.services


def _execute(url: str, sql: str) -> None:
    with psycopg.connect(_plain(url), autocommit=True) as conn:
        conn.execute(sql)


def _tables(url: str) -> list[str]:
    return [row[0] for row in query(url, "SELECT table_name FROM information_schema.tables "
                                    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' "
                                    "ORDER BY table_name")]


def _rows(url: str, table: str) -> list[tuple]:
    return sorted(query(url, f'SELECT * FROM "{table}"'), key=repr)


def test_a_pg_dump_restores_into_a_fresh_database_with_every_row(
        postgres_admin: str, seeded_database: str, tmp_path) -> None:
    # Data of every kind the demo writes (courses, citizens, plans, cases, the audit trail),
    # and one more audit row written now.
    _execute(seeded_database, "INSERT INTO audit_events (case_id, citizen_id, at, action, reason, "
          "details) SELECT case_id, citizen_id, now(), 'note', 'efter backup-test', '{}' "
          "FROM audit_events ORDER BY id LIMIT 1")
    dump = tmp_path / "teten.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}",
                    _plain(seeded_database)], check=True, capture_output=True, timeout=120)
    restored = create_database(postgres_admin)
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error",
                        f"--dbname={_plain(restored)}", str(dump)],
                       check=True, capture_output=True, timeout=120)
        tables = _tables(seeded_database)
        assert _tables(restored) == tables
        assert {"audit_events", "cases", "citizens", "plan_versions", "alembic_version"} <= set(
            tables)
        for table in tables:
            assert _rows(restored, table) == _rows(seeded_database, table), table
        assert any("efter backup-test" in repr(row) for row in _rows(restored, "audit_events"))
        # The copy's audit trail is as append-only as the original's.
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            _execute(restored, "UPDATE audit_events SET reason = 'rettet'")
        # New rows take ids after the restored ones (the sequences came along).
        _execute(restored, "INSERT INTO audit_events (case_id, citizen_id, at, action, reason, "
              "details) SELECT case_id, citizen_id, now(), 'note', 'ny', '{}' FROM audit_events "
              "ORDER BY id LIMIT 1")
    finally:
        drop_database(postgres_admin, restored)
