"""Database set-up: SQLite pragmas for safety, and the engine-level hooks."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event

from course.extensions import db


def init_app(app: Flask) -> None:
    """Bind Flask-SQLAlchemy and make every SQLite connection safe for concurrent writers."""
    db.init_app(app)
    # Import the models so metadata (and migrations) know every table.
    import peerreview.models  # noqa: F401
    from course import models  # noqa: F401

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL, foreign keys, a busy timeout and FULL sync (SECURITY.md: nothing written is lost)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()
