"""Fixtures for the tests against real PostgreSQL and Redis, and real server processes.

Every test here is marked ``services``. Without PostgreSQL or Redis the tests skip with the
reason; with ``COURSE_REQUIRE_SERVICES=1`` (CI) an unreachable service fails them instead.

Where the services are (defaults for this machine and CI):

- ``TETEN_TEST_POSTGRES_URL`` — an admin connection used to create and drop the throwaway
  databases (default ``postgresql://127.0.0.1:5432/postgres``, then ``.../test``);
- ``TETEN_TEST_REDIS_URL`` — the Redis the servers share (default ``redis://127.0.0.1:6379/0``).

Each run creates its own ``teten_test_<random>`` database and drops it afterwards, and deletes
only the Redis keys it created (the sessions of its own browsers); it never flushes Redis.
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_POSTGRES = ["postgresql://127.0.0.1:5432/postgres", "postgresql://127.0.0.1:5432/test"]
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
SESSION_COOKIE = "teten_session"
SECRET_KEY = "teten-services-test-secret"  # personal codes are keyed with it: CLI and app agree

DEMO_COURSE_CODE = "TETEN2"
DEMO_CITIZEN_CODE = "DEMA2345"
DEMO_FACILITATOR = ("facilitator@demo.teten.dk", "teten-demo-2026")

_availability: dict[str, tuple[str | None, str]] = {}


def require(service: str, probe: Callable[[], str | None]) -> str:
    """Return what ``probe`` found, or skip (fail under ``COURSE_REQUIRE_SERVICES=1``).

    ``probe`` returns the usable URL or raises/returns ``None`` with the reason kept. The
    answer is cached: an unreachable service costs its time-out once per run.
    """
    if service not in _availability:
        try:
            found, reason = probe(), ""
        except Exception as err:  # any failure means "not available"
            found, reason = None, f"{type(err).__name__}: {err}".strip()
        _availability[service] = (found, reason)
    found, reason = _availability[service]
    if found:
        return found
    message = f"{service} is not reachable ({reason})"
    if os.environ.get("COURSE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message}; COURSE_REQUIRE_SERVICES=1 makes this a failure", pytrace=False)
    pytest.skip(f"{message}; set COURSE_REQUIRE_SERVICES=1 to make this a failure")


# -- PostgreSQL --------------------------------------------------------------------------------


def _plain(url: str) -> str:
    """A libpq URL (``postgresql://``) for psycopg, whatever driver suffix was given."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _probe_postgres() -> str | None:
    import psycopg

    candidates = [os.environ["TETEN_TEST_POSTGRES_URL"]] if os.environ.get(
        "TETEN_TEST_POSTGRES_URL") else DEFAULT_POSTGRES
    errors = []
    for url in candidates:
        try:
            with psycopg.connect(_plain(url), connect_timeout=3, autocommit=True) as conn:
                conn.execute("SELECT 1")
            return _plain(url)
        except psycopg.Error as err:
            errors.append(f"{url}: {str(err).strip().splitlines()[0] if str(err) else err}")
    raise ConnectionError("; ".join(errors))


@pytest.fixture(scope="session")
def postgres_admin() -> str:
    """The admin URL of a reachable PostgreSQL (skips or fails when there is none)."""
    return require("PostgreSQL", _probe_postgres)


def create_database(admin_url: str, template: str | None = None) -> str:
    """Create a ``teten_test_<random>`` database and return its URL: empty, or a copy of the
    database at ``template`` (see :func:`seeded_template`)."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"teten_test_{secrets.token_hex(6)}"
    copy = f' TEMPLATE "{make_url(template).database}"' if template else ""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    """Drop a database made by :func:`create_database`, ending connections left open to it."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    assert name and name.startswith("teten_test_"), name
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_database(postgres_admin: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    url = create_database(postgres_admin)
    try:
        yield url
    finally:
        drop_database(postgres_admin, url)


def postgresql_app(make_app: Callable[..., Any], database_url: str, **settings: Any) -> Any:
    """An app from the factory on ``database_url`` (psycopg 3) with its sessions in the
    database, as in production, and the schema created; ``settings`` as for ``make_app``."""
    from tests.conftest import create_schema

    app = make_app(SQLALCHEMY_DATABASE_URI=database_url.replace(
        "postgresql://", "postgresql+psycopg://", 1), SESSION_TYPE="database", **settings)
    create_schema(app)
    return app


@pytest.fixture(scope="session")
def seeded_template(postgres_admin: str, tmp_path_factory: pytest.TempPathFactory
                    ) -> Iterator[str]:
    """A database migrated (``flask db upgrade``) and seeded (``flask demo``) once per run.

    Nobody connects to it: tests and the cluster get copies (:func:`create_database` with
    ``template``), which PostgreSQL makes far faster than migrating and seeding again.
    """
    import psycopg
    from sqlalchemy.engine import make_url

    url = create_database(postgres_admin)
    try:
        env = app_env(url, tmp_path_factory.mktemp("seeded-template"))
        flask_cli(env, "db", "upgrade")
        flask_cli(env, "demo")
        with psycopg.connect(postgres_admin, autocommit=True) as conn:
            # a copy needs a template nobody is connected to
            conn.execute(f'ALTER DATABASE "{make_url(url).database}" ALLOW_CONNECTIONS false')
        yield url
    finally:
        drop_database(postgres_admin, url)


@pytest.fixture
def seeded_database(postgres_admin: str, seeded_template: str) -> Iterator[str]:
    """A migrated database with the demo seed, for one test, dropped afterwards."""
    url = create_database(postgres_admin, template=seeded_template)
    try:
        yield url
    finally:
        drop_database(postgres_admin, url)


def query(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement on the database at ``url`` and return its rows."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


# -- Redis -------------------------------------------------------------------------------------


def _probe_redis() -> str | None:
    import redis

    url = os.environ.get("TETEN_TEST_REDIS_URL") or DEFAULT_REDIS
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    finally:
        client.close()
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The URL of a reachable Redis (skips or fails when there is none)."""
    return require("Redis", _probe_redis)


# -- the app's command line and server processes -----------------------------------------------


def app_env(database_url: str, instance: Path, **settings: str) -> dict[str, str]:
    """The environment of a Teten process: this one's, minus any ``COURSE_*``, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
    env.update(
        FLASK_APP="course",
        PYTHONUNBUFFERED="1",
        COURSE_DATABASE_URL=database_url,
        COURSE_INSTANCE_PATH=str(instance),
        COURSE_SECRET_KEY=SECRET_KEY,
        # Staff sign in with a password alone here: the second factor has its own tests
        # (tests/people/test_two_factor.py, e2e/test_two_factor_in_the_browser.py).
        COURSE_STAFF_TWO_FACTOR="false",
    )
    env.update({f"COURSE_{name}": value for name, value in settings.items()})
    return env


def flask_cli(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``flask <args>`` in a fresh interpreter; fail with its output if it fails."""
    done = subprocess.run([sys.executable, "-m", "flask", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, (
        f"flask {' '.join(args)} exited {done.returncode}\n"
        f"--- stdout ---\n{done.stdout}\n--- stderr ---\n{done.stderr}")
    return done


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PortTaken(Exception):
    """Another process bound the free port between :func:`free_port` and the server."""


#: Servers that are running now, so a failing test can show their logs.
RUNNING: list[Server] = []


@dataclass
class Server:
    """One Teten server process (its own process group), logging to a file."""

    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    log_path: Path
    process: subprocess.Popen | None = None
    _log: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        self._log = open(self.log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT,
                                        stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        RUNNING.append(self)
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        """Wait until ``GET /`` answers 200; fail with the log if the process dies or hangs."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            assert self.process is not None
            if "Address already in use" in self.logs():
                raise PortTaken(self.port)  # before a probe could reach the port's owner
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.process.returncode}:\n{self.logs()}",
                            pytrace=False)
            try:
                with requests.get(self.url + "/", timeout=2, allow_redirects=False) as response:
                    if response.status_code == 200:
                        return
                    last = f"HTTP {response.status_code}"
            except requests.RequestException as err:
                last = type(err).__name__
            time.sleep(0.1)
        pytest.fail(f"{self.name} did not answer GET / in {timeout:.0f} s ({last}):\n"
                    f"{self.logs()}", pytrace=False)

    def logs(self, tail: int = 120) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError as err:
            return f"(no log: {err})"
        return "\n".join(f"  [{self.name}] {line}" for line in lines[-tail:])

    def stop(self) -> None:
        """Stop the whole process group: TERM, then KILL after a grace period (once)."""
        if self in RUNNING:
            RUNNING.remove(self)
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=8)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=5)
        elif process is not None:
            process.wait()
        if process is not None:
            # Workers left behind by a crashed master share its process group.
            _signal_group(process, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def gunicorn_command(port: int) -> list[str]:
    """Production's command (README): gevent worker, one worker per process."""
    from importlib.metadata import version

    command = [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "1",
               "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "3", "--timeout", "30",
               "--log-level", "info"]
    if int(version("gunicorn").split(".")[0]) >= 27:
        # gunicorn 27 opens a control socket at one fixed path (~/.gunicorn/gunicorn.ctl)
        # that every process on the machine would share; test servers need none.
        command.append("--no-control-socket")
    return [*command, "course.wsgi:app"]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    setattr(item, f"services_report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _server_logs_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a failed test, print the logs of every server still running (shown by pytest)."""
    yield
    report = getattr(request.node, "services_report_call", None)
    if report is not None and report.failed:
        for server in RUNNING:
            print(f"\n===== log of {server.name} ({server.url}) =====\n{server.logs()}")


# -- browsers ----------------------------------------------------------------------------------

_HX_HEADERS = re.compile(r"""hx-headers='([^']*)'""")
_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_in(page: str) -> str:
    """The CSRF token of a page: from ``hx-headers`` (as htmx sends it), else the form field."""
    match = _HX_HEADERS.search(page)
    if match:
        token = json.loads(html.unescape(match.group(1))).get("X-CSRFToken")
        if token:
            return token
    match = _CSRF_FIELD.search(page)
    assert match, f"no CSRF token in the page:\n{page[:800]}"
    return html.unescape(match.group(1))


@dataclass
class Browser:
    """A person's browser (one cookie jar) talking to one server, or another with :meth:`on`.

    Cookies do not depend on the port, so the same jar is valid on every server of the cluster
    (sessions live in the shared database).
    """

    base: str
    http: requests.Session
    csrf: str = ""

    @classmethod
    def open(cls, base: str) -> Browser:
        return cls(base, requests.Session())

    def on(self, base: str) -> Browser:
        """The same browser (same cookies) pointed at another server."""
        return Browser(base, self.http, self.csrf)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        with self.http.get(self.base + path, timeout=10, **kwargs) as response:
            response.content  # noqa: B018 - read it all, so the connection is released
        return response

    def page(self, path: str) -> str:
        """GET a page (status 200) and keep its CSRF token for the next unsafe request."""
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        self.csrf = csrf_token_in(response.text)
        return response.text

    def post(self, path: str, data: dict[str, str] | None = None,
             headers: dict[str, str] | None = None) -> requests.Response:
        """POST with the CSRF token in ``X-CSRFToken``, as htmx sends it."""
        assert self.csrf, "load a page first (page()) to get a CSRF token"
        headers = {"X-CSRFToken": self.csrf, **(headers or {})}
        with self.http.post(self.base + path, data=data or {}, headers=headers, timeout=15,
                            allow_redirects=False) as response:
            response.content  # noqa: B018
        return response

    def join(self, course_code: str, personal_code: str) -> None:
        """A citizen signs in on the front page with the form, as a phone does."""
        self.page("/")
        response = self.post("/join", {"csrf_token": self.csrf, "course_code": course_code,
                                       "personal_code": personal_code})
        assert response.status_code == 302, (response.status_code, response.text[:500])
        self.page(response.headers["Location"])  # the phone page: a token of the new session

    def login(self, email: str, password: str) -> None:
        """A member of staff signs in with e-mail and password."""
        self.page("/login")
        response = self.post("/login", {"csrf_token": self.csrf, "email": email,
                                        "password": password})
        assert response.status_code == 302, (response.status_code, response.text[:500])
        self.page(response.headers["Location"])

    @property
    def cookie_header(self) -> str:
        value = self.http.cookies.get(SESSION_COOKIE)
        assert value, "not signed in: no session cookie"
        return f"{SESSION_COOKIE}={value}"

    def close(self) -> None:
        self.http.close()


# -- the cluster: two production servers sharing PostgreSQL and Redis --------------------------


@dataclass
class Cluster:
    database_url: str
    redis_url: str
    a: Server
    b: Server
    course_id: int
    browsers: list[Browser] = field(default_factory=list)

    def browser(self, server: Server) -> Browser:
        browser = Browser.open(server.url)
        self.browsers.append(browser)
        return browser


@pytest.fixture(scope="session")
def cluster(postgres_admin: str, redis_url: str, seeded_template: str,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two ``gunicorn -k gevent -w 1 course.wsgi:app`` processes on one fresh, migrated and
    seeded PostgreSQL database (which holds the sessions too), sharing Redis for Socket.IO's
    message queue.
    """

    tmp = tmp_path_factory.mktemp("cluster")
    database_url = create_database(postgres_admin, template=seeded_template)
    servers: list[Server] = []
    run = Cluster(database_url, redis_url, None, None, 0)  # type: ignore[arg-type]
    try:
        settings = {
            "SOCKETIO_MESSAGE_QUEUE": redis_url,
            # A pub/sub channel of this run's own, once the app reads such a setting. Until
            # then every Teten on this Redis shares Flask-SocketIO's "flask-socketio" channel
            # (Redis pub/sub ignores the database number), so the tests only trust pushes
            # that carry their own unique text.
            "SOCKETIO_CHANNEL": f"teten-test-{secrets.token_hex(6)}",
        }
        [(course_id,)] = query(database_url, "SELECT id FROM courses WHERE code = %s",
                               (DEMO_COURSE_CODE,))

        def start(name: str, attempt: int = 0) -> Server:
            port = free_port()
            env = app_env(database_url, tmp / f"instance-{name}", **settings)
            server = Server(f"server {name}", gunicorn_command(port), env, port,
                            tmp / f"server-{name}-{attempt}.log").start()
            servers.append(server)
            return server

        ready = {name: start(name) for name in ("A", "B")}  # both boot at once
        for name in ready:
            for attempt in range(1, 4):
                try:
                    ready[name].wait_ready()
                    break
                except PortTaken:
                    if attempt == 3:
                        raise
                    ready[name].stop()
                    ready[name] = start(name, attempt)
        run.a, run.b, run.course_id = ready["A"], ready["B"], course_id
        yield run
    finally:
        for browser in run.browsers:
            browser.close()
        for server in servers:
            server.stop()
        drop_database(postgres_admin, database_url)
