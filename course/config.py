"""Configuration: defaults, then ``instance/config.py``, then ``COURSE_*`` environment variables.

Nothing is read at import time: :func:`load` is called by the app factory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

#: Every setting Teten knows, with its default. ``COURSE_<NAME>`` in the environment overrides it.
DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,  # generated into instance/secret_key on first start when unset
    # Keyed hash for personal codes; falls back to a key derived from SECRET_KEY.
    "CODE_HASH_KEY": None,
    "DATABASE_URL": None,  # default: sqlite:///<instance>/teten.sqlite3
    # A pooled connection idle longer than this is pinged before it is lent (course.database).
    "DB_PING_IDLE_SECONDS": 10,
    "SOCKETIO_MESSAGE_QUEUE": None,  # e.g. redis://127.0.0.1:6379/0 for several processes
    # Redis pub/sub channel; deployments (or test runs) sharing one Redis need distinct ones.
    "SOCKETIO_CHANNEL": "flask-socketio",
    "SOCKETIO_ASYNC_MODE": "threading",  # "gevent" under gunicorn
    # Course routing (course.realtime.topology, docs/deploy.md): N processes that own the
    # courses (course c on process c % N) and this process's index 0 … N − 1. 0: off.
    "WORKERS": 0,
    "WORKER_INDEX": 0,
    "SESSION_REDIS_URL": None,  # server-side sessions in Redis instead of instance/sessions
    "SESSION_DIR": None,  # default: <instance>/sessions
    "IDLE_TIMEOUT_MINUTES": 120,  # staff and citizens; a warning comes before it
    "IDLE_WARNING_MINUTES": 5,
    "SECURE_COOKIES": False,  # True behind HTTPS: Secure cookies and HSTS
    "PASSWORD_HASH_METHOD": "scrypt",
    "LOGIN_MAX_FAILURES_DEVICE": 5,  # per device (and per e-mail) in the window
    "LOGIN_MAX_FAILURES_COURSE": 30,  # per course code in the window: a whole room shares a router
    "LOGIN_WINDOW_MINUTES": 10,
    # Staff sign in with a password and a code from an authenticator app (TOTP); off only for
    # a demo or a test.
    "STAFF_TWO_FACTOR": True,
    "DEFAULT_LOCALE": "da",
    "PUBLIC_URL": None,  # how phones reach the app, for QR codes; default: the request's host
    "ATTACHMENT_DIR": None,  # default: <instance>/attachments
    "ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    # E-mail notices (a link only); unset MAIL_SERVER: in-app notices only.
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "teten@localhost",
}


def _coerce(raw: str, default: Any) -> Any:
    """Parse an environment string to the type of the setting's default."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, dict | list):
        return json.loads(raw)
    return raw


def load(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    """Fill ``app.config``: defaults, ``instance/config.py``, ``COURSE_*`` variables, overrides.

    ``overrides`` (the factory's argument, used by tests) wins over everything.
    """
    app.config.update(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for name, default in DEFAULTS.items():
        raw = os.environ.get(f"COURSE_{name}")
        if raw is not None:
            app.config[name] = _coerce(raw, default)
    if overrides:
        app.config.update(overrides)
    _derive(app)


def _derive(app: Flask) -> None:
    """Compute the Flask and extension settings that follow from Teten's own."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    cfg = app.config
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    cfg["SQLALCHEMY_DATABASE_URI"] = cfg.get("SQLALCHEMY_DATABASE_URI") or cfg["DATABASE_URL"] or (
        f"sqlite:///{instance / 'teten.sqlite3'}"
    )
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
        # psycopg 3 is the driver we ship.
        cfg["SQLALCHEMY_DATABASE_URI"] = cfg["SQLALCHEMY_DATABASE_URI"].replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
    # No ping per checkout: course.database pings connections that have been idle instead.
    cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    # CSRF tokens live as long as the session: a citizen writing for hours must still save.
    cfg["WTF_CSRF_TIME_LIMIT"] = None
    cfg["WTF_CSRF_HEADERS"] = ["X-CSRFToken"]
    secure = bool(cfg["SECURE_COOKIES"])
    cfg["SESSION_COOKIE_NAME"] = "teten_session"
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["SESSION_COOKIE_SECURE"] = secure
    cfg["PREFERRED_URL_SCHEME"] = "https" if secure else "http"
    cfg["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=int(cfg["IDLE_TIMEOUT_MINUTES"]))
    cfg["REMEMBER_COOKIE_DURATION"] = timedelta(seconds=0)
    cfg["BABEL_DEFAULT_LOCALE"] = cfg["DEFAULT_LOCALE"]
    cfg["BABEL_DEFAULT_TIMEZONE"] = "Europe/Copenhagen"
    cfg["MAX_CONTENT_LENGTH"] = cfg.get("MAX_CONTENT_LENGTH") or 11 * 1024 * 1024
    if cfg.get("SESSION_TYPE") is None:
        # Where the data is: in PostgreSQL every process reads every session and an outage of
        # Redis (the message queue) stops no page; on SQLite, one machine, files suffice.
        # Redis only when asked for by name (it then becomes a single point of failure).
        database = str(cfg.get("SQLALCHEMY_DATABASE_URI") or "")
        cfg["SESSION_TYPE"] = ("redis" if cfg["SESSION_REDIS_URL"]
                               else "database" if database.startswith("postgresql")
                               else "cachelib")
    workers, index = int(cfg["WORKERS"] or 0), int(cfg["WORKER_INDEX"] or 0)
    if workers < 0 or (workers and not 0 <= index < workers):
        raise ValueError(f"COURSE_WORKER_INDEX {index} is not one of COURSE_WORKERS {workers}'s "
                         "process indexes (0 … COURSE_WORKERS - 1)")
    cfg["WORKERS"], cfg["WORKER_INDEX"] = workers, index
    cfg["SESSION_DIR"] = cfg["SESSION_DIR"] or str(instance / "sessions")
    cfg["ATTACHMENT_DIR"] = cfg["ATTACHMENT_DIR"] or str(instance / "attachments")


def _instance_secret(path: Path) -> str:
    """Return the secret key kept in the instance folder, creating it (mode 600) on first use."""
    if not path.exists():
        import secrets

        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()
