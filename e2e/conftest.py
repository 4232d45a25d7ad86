"""Playwright end-to-end fixtures: one live server per module, one real Chromium per session.

The server is the real thing: ``flask db upgrade``, ``flask demo`` and ``python -m course``
(HTTP and Socket.IO, threading) in subprocesses, on a fresh SQLite database in a temporary
directory. Migrating and seeding happen once per session into a template database that every
module copies, so each module starts from the same fresh demo course.

No Chromium is a failure, never a skip: the suite exists to prove what a person sees.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browsing import ARTIFACTS, Screens
from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from course import demo

# The app's day is Denmark's (course.types.local_today): the tests' own dates
# (date.today()) and the servers they start use the same zone, so the hour after local
# midnight, when UTC still shows yesterday, is no different from any other.
os.environ["TZ"] = "Europe/Copenhagen"
time.tzset()

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "e2e-secret-key-not-for-production"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# -- the live server -------------------------------------------------------------------------------


def _environment(instance: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: ours only (a developer's COURSE_* settings stay out).

    Staff sign in with the password alone unless a module asks for the second factor
    (``SERVER_ENVIRONMENT = {"COURSE_STAFF_TWO_FACTOR": "true"}``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
    env.update({
        "COURSE_STAFF_TWO_FACTOR": "false",
        "COURSE_INSTANCE_PATH": str(instance),
        "COURSE_DATABASE_URL": f"sqlite:///{instance / 'e2e.sqlite3'}",
        "COURSE_SECRET_KEY": SECRET_KEY,
        "FLASK_APP": "course",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra or {})
    return env


def _run(args: list[str], instance: Path) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=_environment(instance),
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}",
                    pytrace=False)
    return done.stdout


@dataclass(frozen=True)
class OtherCourse:
    """The second course: its phones must never see the demo course's pushes."""

    name: str
    code: str
    personal_code: str
    facilitator: str


@dataclass(frozen=True)
class Seeded:
    instance: Path
    other: OtherCourse


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """Migrate and seed once: the demo course (``flask demo``) and a second course."""
    instance = tmp_path_factory.mktemp("e2e-template")
    _run(["-m", "flask", "db", "upgrade"], instance)
    _run(["-m", "flask", "demo"], instance)
    printed = _run([str(Path(__file__).with_name("seed_other_course.py"))], instance)
    other = OtherCourse(**json.loads(printed.strip().splitlines()[-1]))
    return Seeded(instance, other)


@dataclass
class LiveServer:
    """A running Teten: its URL, the demo logins, and its log for failure reports."""

    url: str
    process: subprocess.Popen
    log_path: Path
    other: OtherCourse
    course_code: str = demo.COURSE_CODE
    facilitator: str = "facilitator@demo.teten.dk"
    team_lead: str = "leder@demo.teten.dk"
    consultant: str = "jobkonsulent1@demo.teten.dk"

    @property
    def personal_codes(self) -> list[str]:
        """The demo citizens' personal codes, in the seed's order (Anna, Bilal, Carsten…)."""
        return [code for _, code in demo.CITIZENS]

    def run_script(self, name: str, *args: str) -> str:
        """Run one of e2e's seed scripts against this server's database (WAL: both write)."""
        return _run([str(Path(__file__).with_name(name)), *args], self.log_path.parent)

    def start_script(self, name: str, *args: str) -> subprocess.Popen:
        """Start one of e2e's seed scripts to talk to over its stdin and stdout (lines of
        text): for a script that puts many states in place, started once."""
        return subprocess.Popen([sys.executable, str(Path(__file__).with_name(name)), *args],
                                cwd=ROOT, env=_environment(self.log_path.parent), text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def log_tail(self, lines: int = 80) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _copy_database(source: Path, target: Path) -> None:
    """Copy SQLite with the online backup API (never by copying a possibly live file)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def _wait_until_serving(server: LiveServer, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited ({server.process.returncode}):\n"
                               f"{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url + "/login", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)  # polling a process that is starting: nothing to wait on instead
    raise RuntimeError(f"the server did not answer within {timeout:.0f} s:\n{server.log_tail()}")


@pytest.fixture(scope="module")
def live_server(seeded: Seeded, tmp_path_factory: pytest.TempPathFactory,
                request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """One server per e2e module, on its own fresh copy of the seeded database (and with the
    module's ``SERVER_ENVIRONMENT``, if it has one)."""
    extra = getattr(request.module, "SERVER_ENVIRONMENT", None)
    instance = tmp_path_factory.mktemp("e2e-server")
    _copy_database(seeded.instance / "e2e.sqlite3", instance / "e2e.sqlite3")
    port = _free_port()
    log_path = instance / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "course", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=_environment(instance, extra), stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path, seeded.other)
    try:
        _wait_until_serving(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- the browser -----------------------------------------------------------------------------------


def chromium_executable() -> str | None:
    """PLAYWRIGHT_CHROMIUM_EXECUTABLE, else Debian's /usr/bin/chromium, else Playwright's own."""
    chosen = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE")
    if chosen:
        return chosen
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_executable()
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except PlaywrightError as err:
            pytest.fail(
                "No usable Chromium for the e2e suite (tried "
                f"{executable or 'Playwright’s own'}). Install Debian's chromium, set "
                "PLAYWRIGHT_CHROMIUM_EXECUTABLE, or run `playwright install chromium`.\n"
                f"{err}", pytrace=False)
        yield chromium
        chromium.close()


@pytest.fixture
def screens(browser: Browser, live_server: LiveServer,
            request: pytest.FixtureRequest) -> Iterator[Screens]:
    """Phones, projector and laptops for one test; on failure their pages are photographed.

    Whatever the test, no page may break the Content-Security-Policy.
    """
    opened = Screens(browser, live_server.url)
    yield opened
    try:
        if _failed(request.node):
            _photograph_failure(opened, request.node.name)
        opened.log.assert_no_csp_violations()
    finally:
        opened.close()


def _failed(item: pytest.Item) -> bool:
    report = getattr(item, "rep_call", None)
    return bool(report and report.failed)


def _photograph_failure(opened: Screens, name: str) -> None:
    folder = ARTIFACTS / "failures"
    folder.mkdir(parents=True, exist_ok=True)
    for i, page in enumerate(opened.pages()):
        try:
            page.screenshot(path=folder / f"{name}-{i}.png", full_page=True)
        except PlaywrightError:
            pass  # a closed or crashed page: the log says more than a picture would


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item, and add the server's log to a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    server = getattr(item, "funcargs", {}).get("live_server")
    if report.failed and isinstance(server, LiveServer):
        report.sections.append(("live server log (last lines)", server.log_tail()))
    return report
