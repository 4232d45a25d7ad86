"""Shared fixtures: a fresh app per test from the factory, factory helpers, signed-in clients.

- ``app`` (``make_app(**settings)`` for other settings): a new app from ``create_app`` on a copy
  of the schema, which is built once per run (``schema_template``);
- ``make_world`` / ``team_a``: a team with its facilitator, consultant, lead, a course and
  citizens; ``make_draft``: a draft with budget lines;
- ``facilitator_client``, ``consultant_client``, ``lead_client``, ``citizen_client``: Team A's
  people signed in through the real /login and /join; ``signed_in_staff`` and
  ``signed_in_citizen`` sign in further devices the same way.

A module whose tests share a bigger set-up builds it on ``team_a`` in a fixture named for what
it holds (``sparring_course``, ``kickoff_course``…).
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from itsdangerous import URLSafeTimedSerializer
from jinja2.bccache import Bucket, BytecodeCache

import course.models  # noqa: F401  (every model mapped: a test that builds one without an app
import peerreview.models  # noqa: F401  runs first in its worker, too)
from course import create_app
from course.extensions import db

# The app's day is Denmark's (course.types.local_today): the tests' own dates
# (date.today()) and the servers they start use the same zone, so the hour after local
# midnight, when UTC still shows yesterday, is no different from any other.
os.environ["TZ"] = "Europe/Copenhagen"
time.tzset()

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PASSWORD = "correct horse battery"

# Every test builds an app (routing, Jinja, SQLAlchemy: tens of thousands of objects) and drops
# it: with the default threshold (700) the collector ran ~11,000 times in tests/ and spent about
# a quarter of the run there; 10,000 cuts that time by more than half for ~80 MB more at peak.
gc.set_threshold(10_000, 10, 10)


def base_config(tmp_path) -> dict[str, Any]:
    """The settings every test app starts from (a file SQLite database in tmp_path)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast in tests; scrypt in production
        "SERVER_NAME": "teten.test",
        # Most tests sign staff in with the password alone; tests/people/test_two_factor.py
        # turns the second factor on.
        "STAFF_TWO_FACTOR": False,
    }


def create_schema(app: Flask) -> None:
    with app.app_context():
        db.create_all()
        peerreview.models.Base.metadata.create_all(db.engine)


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file holding the whole schema (course's tables and peerreview's), built once.

    ``create_all`` costs far more than copying its result, so each test's app starts from a
    copy of this file (:func:`copy_schema`) instead of building the schema again.
    """
    folder = tmp_path_factory.mktemp("schema")
    app = create_app(base_config(folder))
    create_schema(app)
    with app.app_context():
        db.engine.dispose()
    template = folder / "test.sqlite3"
    with closing(sqlite3.connect(template)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    # Everything imported so far lives for the whole run: the garbage collector need not
    # look at it again in every full pass (hundreds of thousands of objects).
    gc.collect()
    gc.freeze()
    return template


def copy_schema(template: Path, tmp_path: Path) -> None:
    """Give the app of :func:`base_config` (tmp_path) a fresh database with the whole schema."""
    shutil.copyfile(template, tmp_path / "test.sqlite3")


class _TemplateBytecode(BytecodeCache):
    """Compiled Jinja templates kept in memory for every test app of the run.

    Each test builds its own app, and each app's Jinja environment would otherwise parse and
    compile every template it renders again. Jinja checks the source's checksum on every load,
    so an edited template is compiled afresh.
    """

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_BYTECODE: dict[tuple[Any, ...], _TemplateBytecode] = {}


def share_compiled_templates(app: Flask) -> None:
    """Let ``app`` reuse templates compiled by earlier test apps with the same Jinja settings."""
    env = app.jinja_env
    autoescape = getattr(env.autoescape, "__func__", env.autoescape)  # Flask's is a method
    settings = (tuple(sorted(env.extensions)), autoescape, env.finalize, env.optimized,
                env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline,
                env.newline_sequence, env.line_statement_prefix, env.line_comment_prefix,
                env.block_start_string, env.variable_start_string, env.comment_start_string)
    env.bytecode_cache = _BYTECODE.setdefault(settings, _TemplateBytecode())


@pytest.fixture
def make_app(tmp_path: Path, schema_template: Path) -> Iterator[Callable[..., Flask]]:
    """``make_app(**settings)``: a fresh app from the factory on a fresh copy of the schema.

    ``settings`` override :func:`base_config`. One database per test (tmp_path) is shared by
    every app made in the test.
    """
    made: list[Flask] = []

    def make(**settings: Any) -> Flask:
        if not (tmp_path / "test.sqlite3").exists():
            copy_schema(schema_template, tmp_path)
        app = create_app({**base_config(tmp_path), **settings})
        app.test_client_class = Client
        share_compiled_templates(app)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    forget_socket_clients(made)


def forget_socket_clients(apps: list[Flask]) -> None:
    """Drop the test's Socket.IO test clients from Flask-SocketIO's class-wide registry.

    ``SocketIOTestClient.clients`` keeps every client ever made (disconnected or not), and with
    it the client's app: without this, every app of the run stays in memory and the garbage
    collector's full passes grow slower test after test.
    """
    from flask_socketio.test_client import SocketIOTestClient

    for eio_sid, client in list(SocketIOTestClient.clients.items()):
        if client.app in apps:
            del SocketIOTestClient.clients[eio_sid]


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture(autouse=True)
def templates_receive_their_data(request):
    """No template global or filter of the app runs SQL while any test renders (see
    ``tests/template_guard.py``)."""
    if "app" not in request.fixturenames:
        yield
        return
    from tests import template_guard

    violations = template_guard.guard(request.getfixturevalue("app"))
    yield
    assert violations == [], "a template global or filter ran SQL"


class Client(FlaskClient):
    """A test client that sends a valid CSRF token with every unsafe request, like htmx does.

    Pass ``csrf=False`` to send none (the CSRF tests do).
    """

    def open(self, *args: Any, csrf: bool = True, **kwargs: Any):
        method = (kwargs.get("method") or "GET").upper()
        if csrf and method not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        """A signed token for this client's session (created in the session if missing)."""
        app = self.application
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", os.urandom(20).hex())
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


@pytest.fixture
def client(app: Flask) -> Client:
    return app.test_client()


# -- factories ---------------------------------------------------------------------------------


@dataclass
class World:
    """Ids of a small, consistent world: one team, its staff, one course, citizens."""

    team_id: int
    facilitator_id: int
    consultant_id: int
    lead_id: int
    course_id: int
    course_code: str
    citizens: list[tuple[int, str]]  # (id, personal code)


@pytest.fixture
def make_world(app: Flask):
    """``make_world(team="A", citizens=3)`` builds a team with a course and returns its ids."""
    from course.people import services
    from course.people.models import Role, Team
    from course.schedule.models import Course
    from course.schedule.services import new_course_code

    def make(team: str = "Team A", citizens: int = 3, capacity: int = 20) -> World:
        with app.app_context():
            t = Team(name=team)
            db.session.add(t)
            db.session.flush()
            slug = re.sub(r"\W+", "", team.lower())
            fac = services.create_staff(t, f"Facilitator {team}", f"fac@{slug}.dk",
                                        Role.FACILITATOR, PASSWORD, must_change_password=False)
            con = services.create_staff(t, f"Consultant {team}", f"con@{slug}.dk",
                                        Role.JOB_CONSULTANT, PASSWORD, must_change_password=False)
            lead = services.create_staff(t, f"Lead {team}", f"lead@{slug}.dk",
                                         Role.TEAM_LEAD, PASSWORD, must_change_password=False)
            today = date.today()
            course = Course(team=t, name=f"Course {team}", code=new_course_code(),
                            venue="Room 1", capacity=capacity, kickoff_on=today,
                            day1_on=today + timedelta(days=7), day2_on=today + timedelta(days=8))
            course.facilitators.append(fac)
            db.session.add(course)
            db.session.flush()
            people = []
            for i in range(citizens):
                citizen, code = services.enrol_citizen(course, f"Citizen {team} {i}", con)
                people.append((citizen.id, code))
            db.session.commit()
            return World(t.id, fac.id, con.id, lead.id, course.id, course.code, people)

    return make


@pytest.fixture
def team_a(make_world) -> World:
    """Team A (``make_world()``): its facilitator, consultant and lead, one course, three
    citizens. A module whose tests need another size of Team A overrides this fixture."""
    return make_world()


# The staff make_world gives Team A, as they sign in.
FACILITATOR_A = "fac@teama.dk"
CONSULTANT_A = "con@teama.dk"
LEAD_A = "lead@teama.dk"


def signed_in_staff(app: Flask, email: str, password: str = PASSWORD) -> Client:
    """A new client (its own cookies) signed in as ``email`` through /login."""
    client = app.test_client()
    login_staff(client, email, password)
    return client


def signed_in_citizen(app: Flask, world: World, index: int = 0) -> Client:
    """A new phone (its own cookies) on which citizen ``index`` of ``world`` signed in through
    /join (being checked in if the course's day is running, as any phone is)."""
    phone = app.test_client()
    join_citizen(phone, world.course_code, world.citizens[index][1])
    return phone


@pytest.fixture
def facilitator_client(app: Flask, team_a: World) -> Client:
    """Team A's facilitator (of its course), signed in through /login."""
    return signed_in_staff(app, FACILITATOR_A)


@pytest.fixture
def consultant_client(app: Flask, team_a: World) -> Client:
    """Team A's job consultant (of its citizens), signed in through /login."""
    return signed_in_staff(app, CONSULTANT_A)


@pytest.fixture
def lead_client(app: Flask, team_a: World) -> Client:
    """Team A's team lead, signed in through /login."""
    return signed_in_staff(app, LEAD_A)


@pytest.fixture
def citizen_client(app: Flask, team_a: World) -> Client:
    """Team A's first citizen (``team_a.citizens[0]``) on a phone, signed in through /join."""
    return signed_in_citizen(app, team_a, 0)


def login_staff(client: Client, email: str, password: str = PASSWORD):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def join_citizen(client: Client, course_code: str, personal_code: str):
    response = client.post("/join", data={"course_code": course_code,
                                          "personal_code": personal_code})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Compile the catalogs (as `make` does) so a bare `pytest` also runs in Danish."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).resolve().parent.parent.glob("course/translations/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            # written aside and moved in place: two test workers may compile at once
            partial = mo.with_suffix(f".mo.{os.getpid()}")
            with po.open("rb") as source, partial.open("wb") as target:
                write_mo(target, read_po(source))
            os.replace(partial, mo)


@pytest.fixture
def make_draft(app: Flask):
    """``make_draft(citizen_id, course_id, goal, lines=[{"title": …, "amount": …}, …])`` makes a
    draft with budget lines directly (not through the editor) and returns (draft_id, line_ids)."""
    from course.budgets.models import BudgetLine, Draft

    def make(citizen_id: int, course_id: int, goal: str = "",
             lines: list[dict[str, Any]] = ()) -> tuple[int, list[int]]:
        with app.app_context():
            draft = Draft(citizen_id=citizen_id, course_id=course_id, goal=goal)
            draft.lines = [BudgetLine(position=n, **line) for n, line in enumerate(lines)]
            db.session.add(draft)
            db.session.commit()
            return draft.id, [line.id for line in draft.lines]

    return make


def hx_post(client: Client, path: str, **data: Any):
    """POST as htmx does (the route answers with a fragment)."""
    return client.post(path, data=data, headers={"HX-Request": "true"})


@contextmanager
def sql_statements(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements run on the app's engine inside the block, in order."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def pushed(sock: Any) -> list[dict[str, str]]:
    """The fragments (``target``, ``html``, ``swap`` if not inner) pushed since the socket's last
    read (live:fragments events), in order."""
    from course import realtime

    return [f for e in sock.get_received() if e["name"] == realtime.EVENT_FRAGMENTS
            for f in e["args"][0]["fragments"]]


def element_by_id(page: str, element_id: str) -> tuple[str, str]:
    """The element with ``element_id`` in ``page``, whole and its inside (for elements with no
    element of their own tag inside: a tile, a row, a headline)."""
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, f"no #{element_id}"
    return match.group(0), match.group(2)


def without_csrf(page: str) -> str:
    """``page`` without its CSRF inputs: a pushed fragment never carries one (it is rendered
    once for a whole room), so a page read afresh is compared without them."""
    return re.sub(r'<input type="hidden" name="csrf_token" value="[^"]*">', "", page)


def pushes_to(sock: Any, target: str) -> list[str]:
    """The HTML pushed to ``#target`` since the socket's last read (live:fragments events)."""
    return [f["html"] for f in pushed(sock) if f["target"] == target]


@contextmanager
def smtp_inbox():
    """The local SMTP test server (aiosmtpd) on a free port; yields (port, messages)."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
            self.messages.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox.messages
    finally:
        controller.stop()
