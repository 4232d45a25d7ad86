"""The factory, configuration, database settings, migrations and error pages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from course import create_app
from course.extensions import db
from tests.conftest import base_config

ROOT = Path(__file__).resolve().parent.parent


def test_importing_course_reads_no_configuration():
    code = ("import os; os.environ['COURSE_DATABASE_URL'] = 'postgresql://nowhere/x'; "
            "import course, course.config, course.extensions; "
            "from course.extensions import db; assert not db._app_engines")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_environment_overrides_defaults_and_config_wins_over_both(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_IDLE_TIMEOUT_MINUTES", "45")
    monkeypatch.setenv("COURSE_SECURE_COOKIES", "true")
    app = create_app(base_config(tmp_path))
    assert app.config["IDLE_TIMEOUT_MINUTES"] == 45
    assert app.config["SECURE_COOKIES"] is True and app.config["SESSION_COOKIE_SECURE"] is True
    app = create_app({**base_config(tmp_path), "IDLE_TIMEOUT_MINUTES": 30})
    assert app.config["IDLE_TIMEOUT_MINUTES"] == 30


def test_instance_config_file_is_read(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("VENUE_NOTE = 'from instance'\nIDLE_TIMEOUT_MINUTES = 15\n")
    config = base_config(tmp_path)
    app = create_app(config)
    assert app.config["VENUE_NOTE"] == "from instance"
    assert app.config["IDLE_TIMEOUT_MINUTES"] == 15


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    config = {k: v for k, v in base_config(tmp_path).items() if k != "SECRET_KEY"}
    first = create_app(config).config["SECRET_KEY"]
    second = create_app(config).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_postgresql_urls_use_psycopg_3(tmp_path):
    app = create_app({**base_config(tmp_path), "SQLALCHEMY_DATABASE_URI": None,
                      "DATABASE_URL": "postgresql://user@127.0.0.1/teten"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_sqlite_runs_with_wal_foreign_keys_busy_timeout_and_full_sync(app):
    with app.app_context():
        with db.engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") == 10000
            assert pragma("synchronous") == 2  # FULL


def test_migrations_build_exactly_the_models(tmp_path):
    """One Alembic history covers the course and peerreview tables, with no drift."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade

    import peerreview.models

    config = {**base_config(tmp_path), "SQLALCHEMY_DATABASE_URI":
              f"sqlite:///{tmp_path / 'migrated.sqlite3'}"}
    app = create_app(config)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, [db.metadata, peerreview.models.Base.metadata])
            tables = set(sa.inspect(connection).get_table_names())
    assert diff == []
    assert {"staff", "citizens", "login_sessions", "pr_round", "pr_feedback"} <= tables


def test_a_crash_shows_a_generic_page_without_traceback_or_data(app, client, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("citizen Anna has therapy on Tuesday")

    from course.access import PUBLIC, allow

    allow(PUBLIC)(boom)
    response = client.get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Traceback" not in body and "therapy" not in body
    assert "Der gik noget galt hos os" in body
    assert "therapy" not in caplog.text.split("Traceback")[0]


def test_no_eventlet_or_gevent_websocket_in_the_environment():
    """Flask-SocketIO prefers eventlet when present, and engine.io picks up gevent-websocket."""
    import importlib.util

    assert importlib.util.find_spec("eventlet") is None
    assert importlib.util.find_spec("geventwebsocket") is None


def test_dependencies_pin_the_socketio_security_fixes():
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "python-engineio>=4.13.3" in deps and "python-socketio>=5.16.3" in deps
    assert any(d.startswith("htmx-flask") for d in deps)
