"""Column types and time helpers shared by the course models."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

#: The job centre's time zone: meeting days and deadlines are Danish calendar days.
LOCAL_ZONE = ZoneInfo("Europe/Copenhagen")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def local_today(now: datetime | None = None) -> date:
    """Today's date in Denmark (a UTC clock would still show yesterday until 01:00)."""
    return (now or utcnow()).astimezone(LOCAL_ZONE).date()


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always returned timezone-aware.

    SQLite has no time zones; PostgreSQL has. Storing naive UTC on both keeps comparisons
    between values read back and :func:`utcnow` correct everywhere.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def str_enum(enum_class: type[enum.StrEnum]) -> sa.Enum:
    """Store a string enum by value, with a CHECK constraint, portable to SQLite."""
    return sa.Enum(enum_class, native_enum=False, length=30, create_constraint=True,
                   validate_strings=True,
                   values_callable=lambda members: [m.value for m in members],
                   name=f"{enum_class.__name__.lower()}_value")


def append_only_sql(table: str, unique: tuple[tuple[str, ...], ...] = (("id",),)
                    ) -> dict[str, list[str]]:
    """The statements that make ``table`` append-only, per dialect: triggers refuse UPDATE and
    DELETE (and TRUNCATE on PostgreSQL). Migrations keep their own copies, as the statements
    were when the revision was written.

    SQLite also needs a guard on INSERT: ``INSERT OR REPLACE`` / ``REPLACE INTO`` resolve a
    conflict by deleting the old row, and SQLite fires no DELETE trigger for that unless
    recursive triggers are on. So an insert whose key (``unique``: the primary key and each
    unique column set) is already taken is refused before it can replace anything — which
    also covers an UPSERT (its DO UPDATE is refused by the UPDATE trigger anyway). PostgreSQL
    has no REPLACE, and its ``ON CONFLICT DO UPDATE`` fires the UPDATE trigger.
    """
    refused = f"'{table} is append-only'"
    taken = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} WHERE "
        + " AND ".join(f"{column} = NEW.{column}" for column in columns) + ")"
        for columns in unique)
    return {
        "sqlite": [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, {refused}); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, {refused}); END",
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {taken} "
            f"BEGIN SELECT RAISE(ABORT, {refused}); END",
        ],
        "postgresql": [
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION {refused}; END; $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()",
        ],
    }


def unique_keys(table: sa.Table) -> tuple[tuple[str, ...], ...]:
    """The column sets of ``table`` whose values a row holds alone: its primary key and each
    unique constraint or unique column."""
    keys = [tuple(c.name for c in table.primary_key.columns)]
    keys += [tuple(c.name for c in constraint.columns) for constraint in table.constraints
             if isinstance(constraint, sa.UniqueConstraint)]
    keys += [(c.name,) for c in table.columns if c.unique]
    return tuple(dict.fromkeys(keys))


def append_only(table: sa.Table) -> dict[str, list[str]]:
    """Make ``table`` append-only wherever metadata creates it (tests, a new database) and return
    its statements, for the migration that adds it."""
    statements = append_only_sql(table.name, unique_keys(table))

    def create_triggers(target: sa.Table, connection: sa.Connection, **_: Any) -> None:
        for statement in statements.get(connection.dialect.name, []):
            connection.exec_driver_sql(statement)

    sa.event.listen(table, "after_create", create_triggers)
    return statements

