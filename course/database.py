"""Database set-up: SQLite pragmas for safety, and the engine-level hooks.

A pooled connection is pinged before it is lent only when it has been idle: every checkout's
ping (SQLAlchemy's ``pool_pre_ping``) is a round trip to the server on every request of a busy
room, where the connections are never idle long enough to have died unnoticed. A connection
lost while in use (a failover, a restart) fails its request with the error page, and the
disconnect invalidates the whole pool, so the next request gets a fresh connection
(``tests/services/test_services_outage.py``); one that died while idle is found by the ping
and replaced before anyone uses it (``tests/services/test_services_pool.py``).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from sqlalchemy import event, exc

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
        else:
            idle = float(app.config["DB_PING_IDLE_SECONDS"])
            event.listen(engine, "checkin", _checked_in)
            event.listen(engine, "checkout", _ping_if_idle(engine.dialect, idle))


#: Where a pooled connection's record keeps when it was last given back (monotonic seconds).
_RETURNED = "teten_returned_at"


def _checked_in(_dbapi_connection: Any, record: Any) -> None:
    record.info[_RETURNED] = time.monotonic()


def _ping_if_idle(dialect: Any, idle: float) -> Any:
    """A checkout hook: ping a connection that has been idle longer than ``idle`` seconds; a
    dead one raises :class:`~sqlalchemy.exc.DisconnectionError`, on which the pool drops it and
    lends another (SQLAlchemy's documented pessimistic disconnect handling)."""

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED)
        if returned is None or time.monotonic() - returned <= idle:
            return  # new, or in use moments ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as err:
            raise exc.DisconnectionError(str(err)) from err

    return checkout


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL, foreign keys, a busy timeout and FULL sync (SECURITY.md: nothing written is lost)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()
