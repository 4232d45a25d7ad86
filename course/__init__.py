"""Teten: the collective course of *personlige, borgerstyrede budgetter*, and its approval queue."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: settings, extensions, blueprints, security hooks and commands.

    ``config`` overrides every other source (tests pass theirs here). Nothing is read from the
    environment before this is called.
    """
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("COURSE_INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    from course import config as settings

    settings.load(app, config)
    from course.web import IdConverter

    # Before any blueprint adds a route: every ``<int:…>`` is an id-sized number.
    app.url_map.converters["int"] = IdConverter

    from course import (
        approvals,
        budgets,
        changes,
        cli,
        database,
        errors,
        followup,
        i18n,
        ideas,
        live,
        material,
        outcomes,
        payouts,
        people,
        polls,
        privacy,
        reactions,
        realtime,
        receipts,
        report,
        rounds,
        schedule,
        security,
        web,
    )
    from course.extensions import csrf, db, htmx, migrate, socketio

    database.init_app(app)
    migrate.init_app(app, db, directory=str(app.config.get("MIGRATIONS_DIR") or _migrations()),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    _init_sessions(app)
    i18n.init_app(app)
    security.init_app(app)
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        channel=app.config["SOCKETIO_CHANNEL"],
        manage_session=False,
        # The default (None) keeps the same-origin check; never pass [] (it disables it).
        cors_allowed_origins=None,
        max_http_buffer_size=64 * 1024,
        ping_interval=20,
    )
    realtime.init_app(app)
    web.init_app(app)
    # The features, lowest layer first (tests/test_layers.py holds the order).
    for feature in (people, schedule, budgets, live, rounds, approvals, polls, reactions,
                    material, ideas, payouts, followup, report, receipts, changes, outcomes,
                    privacy):
        feature.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


def _migrations() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "migrations")


def _init_sessions(app: Flask) -> None:
    """Server-side sessions (Flask-Session): the cookie holds only an id that logout deletes."""
    cfg = app.config
    if cfg["SESSION_TYPE"] == "redis":
        import redis

        cfg["SESSION_REDIS"] = redis.Redis.from_url(cfg["SESSION_REDIS_URL"])
    elif cfg["SESSION_TYPE"] == "cachelib" and cfg.get("SESSION_CACHELIB") is None:
        from cachelib import FileSystemCache

        # Past the threshold cachelib prunes expired sessions first; it is set far above any
        # job centre's number of live sessions so that no live one is ever evicted.
        cfg["SESSION_CACHELIB"] = FileSystemCache(cfg["SESSION_DIR"], threshold=20_000,
                                                  mode=0o600)
    cfg["SESSION_PERMANENT"] = True
    cfg["SESSION_USE_SIGNER"] = False  # 256-bit random ids; signing is deprecated upstream
    cfg["SESSION_KEY_PREFIX"] = "teten:"
    from course.sessions import DatabaseSessionInterface, NotForSocketEvents

    if cfg["SESSION_TYPE"] == "database":
        app.session_interface = DatabaseSessionInterface(app, cfg["SESSION_KEY_PREFIX"])
    else:
        from course.extensions import server_session

        server_session.init_app(app)
    app.session_interface = NotForSocketEvents(app.session_interface)
