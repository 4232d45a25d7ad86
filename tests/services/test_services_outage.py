"""Faults: Teten degrades instead of stopping (SECURITY.md, outage).

Two production server processes on PostgreSQL share a Redis of this test's own as Socket.IO's
message queue. The test kills that Redis: sign-in, the projector, the phone and a comment still
work over HTTP, and when Redis is back a connected screen learns what it missed by a resync —
nothing lost, nothing doubled. And a PostgreSQL connection lost in the middle of a request
answers the translated error page, and the next request is served.
"""

from __future__ import annotations

import re
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services.conftest import (
    DEMO_CITIZEN_CODE,
    DEMO_COURSE_CODE,
    DEMO_FACILITATOR,
    SECRET_KEY,
    Browser,
    Server,
    app_env,
    create_database,
    drop_database,
    free_port,
    gunicorn_command,
    query,
)
from tests.services.test_services_cluster import Phone

pytestmark = pytest.mark.services


class OwnRedis:
    """A ``redis-server`` of this test's own on a free port, that it can kill and restart."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with self.log.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no"], stdout=log, stderr=subprocess.STDOUT)
        self._wait(up=True)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=5)
        self.process = None
        self._wait(up=False)

    def _wait(self, up: bool, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    if up:
                        return
            except OSError:
                if not up:
                    return
            time.sleep(0.05)
        pytest.fail(f"redis-server on {self.port} did not come {'up' if up else 'down'}")


@pytest.fixture
def outage(postgres_admin: str, seeded_template: str, tmp_path: Path
           ) -> Iterator[tuple[OwnRedis, Server, Server, str, int]]:
    """Our own Redis, and servers A and B on a copy of the seeded database using it."""
    redis = OwnRedis(tmp_path / "redis.log")
    redis.start()
    database_url = create_database(postgres_admin, template=seeded_template)
    servers: list[Server] = []
    try:
        settings = {"SOCKETIO_MESSAGE_QUEUE": redis.url,
                    "SOCKETIO_CHANNEL": f"teten-outage-{secrets.token_hex(6)}"}
        for name in ("A", "B"):
            port = free_port()
            servers.append(Server(f"server {name}", gunicorn_command(port),
                                  app_env(database_url, tmp_path / f"instance-{name}",
                                          **settings),
                                  port, tmp_path / f"server-{name}.log").start())
        for server in servers:
            server.wait_ready()
        [(course_id,)] = query(database_url, "SELECT id FROM courses WHERE code = %s",
                               (DEMO_COURSE_CODE,))
        yield redis, servers[0], servers[1], database_url, course_id
    finally:
        for server in servers:
            server.stop()
        if redis.process is not None:
            redis.kill()
        drop_database(postgres_admin, database_url)


def _announce(facilitator: Browser, course_id: int, text: str) -> None:
    response = facilitator.post(f"/courses/{course_id}/announcements", {"text": text},
                                headers={"HX-Request": "true"})
    assert response.status_code == 200, response.text[:500]


def test_with_the_message_queue_down_http_serves_and_screens_resync_after(outage) -> None:
    redis, a, b, database_url, course_id = outage
    stream = f"course:{course_id}:participants"

    # Before: a phone holds its socket on B; the facilitator works on A.
    citizen = Browser.open(b.url)
    citizen.join(DEMO_COURSE_CODE, DEMO_CITIZEN_CODE)
    phone = Phone()
    try:
        phone.connect(b.url, citizen.cookie_header)
        seq = phone.wait_for("live:hello")["streams"][stream]
        facilitator = Browser.open(a.url)
        facilitator.login(*DEMO_FACILITATOR)
        before = f"Velkommen {secrets.token_hex(3)}"
        _announce(facilitator, course_id, before)
        pushed = phone.wait_for("live:fragments", lambda d: d["stream"] == stream and any(
            before in f["html"] for f in d["fragments"]))
        assert pushed["seq"] == seq + 1

        # Redis dies. HTTP goes on, on both processes, reading and writing.
        redis.kill()
        during = f"Frokost kl. 12 {secrets.token_hex(3)}"
        _announce(facilitator, course_id, during)
        colleague = Browser.open(b.url)
        colleague.login(*DEMO_FACILITATOR)  # a sign-in during the outage
        projector = colleague.post(f"/courses/{course_id}/projector")
        assert projector.status_code == 302
        wall = colleague.page(projector.headers["Location"])
        assert during in wall
        on_a = citizen.on(a.url)
        assert during in on_a.get(f"/courses/{course_id}/announcement").text
        on_a.page("/me")
        on_a.page("/me/budget")  # (the plan is made on the first visit, if there is none yet)
        [(draft_id,)] = query(database_url, "SELECT drafts.id FROM drafts JOIN citizens ON "
                              "citizens.id = drafts.citizen_id JOIN courses ON courses.id = "
                              "citizens.course_id WHERE courses.code = %s ORDER BY citizens.id "
                              "LIMIT 1", (DEMO_COURSE_CODE,))
        comment = f"Kan jeg købe kørekortet i maj? {secrets.token_hex(3)}"
        response = on_a.post(f"/drafts/{draft_id}/comments", {"text": comment},
                             headers={"HX-Request": "true"})
        assert response.status_code == 200, response.text[:500]
        # (the phone on B got none of it: the queue between the processes was down)
        assert not any(during in str(data) for _, data in phone.events)
        assert phone.sio.connected

        # Redis is back. A resync tells the phone its stream moved on; the region read afresh
        # has the announcement; the next push follows on without a gap.
        redis.start()
        synced = phone.sio.call("live:sync", timeout=10)
        assert synced["streams"][stream] > pushed["seq"]
        assert during in citizen.get(f"/courses/{course_id}/announcement").text
        after = f"Pause til kl. 14 {secrets.token_hex(3)}"
        deadline = time.monotonic() + 90  # B's listener retries with a growing back-off
        while True:
            _announce(facilitator, course_id, after)
            try:
                latest = phone.wait_for("live:fragments", lambda d: d["stream"] == stream and any(
                    after in f["html"] for f in d["fragments"]), timeout=5)
                break
            except pytest.fail.Exception:
                if time.monotonic() > deadline:
                    raise
        assert latest["seq"] > synced["streams"][stream]

        # Nothing lost, nothing doubled.
        texts = [row[0] for row in query(database_url, "SELECT text FROM announcements "
                                         "ORDER BY id")]
        assert texts.count(before) == 1 and texts.count(during) == 1
        assert [row[0] for row in query(
            database_url, "SELECT text FROM draft_comments WHERE draft_id = %s",
            (draft_id,))].count(comment) == 1
    finally:
        phone.close()
        citizen.close()


def test_a_database_connection_lost_mid_request_answers_the_error_page_and_recovers(
        seeded_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in [k for k in os.environ if k.startswith("COURSE_")]:
        monkeypatch.delenv(name)
    from course import create_app
    from course.extensions import db
    from course.live import routes as live_routes
    from tests.conftest import Client, login_staff

    app = create_app({"TESTING": False, "SECRET_KEY": SECRET_KEY, "STAFF_TWO_FACTOR": False,
                      "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SQLALCHEMY_DATABASE_URI": seeded_database})
    app.test_client_class = Client
    [(course_id,)] = query(seeded_database, "SELECT id FROM courses WHERE code = %s",
                           (DEMO_COURSE_CODE,))
    facilitator = app.test_client()
    login_staff(facilitator, *DEMO_FACILITATOR)
    real = live_routes.course_or_404

    def lost_midway(*args, **kwargs):
        course = real(*args, **kwargs)  # the request has read from its connection…
        # …which the server now ends (a failover, a restart, a network cut)
        query(seeded_database, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
              "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return course

    try:
        monkeypatch.setattr(live_routes, "course_or_404", lost_midway)
        broken = facilitator.get(f"/courses/{course_id}/console")
        assert broken.status_code == 500
        page = broken.get_data(as_text=True)
        assert "Der gik noget galt hos os" in page and "Traceback" not in page
        monkeypatch.setattr(live_routes, "course_or_404", real)
        # The next request gets a live connection (the disconnect invalidated the whole pool:
        # course/database.py) and the same session: nothing to sign in again.
        again = facilitator.get(f"/courses/{course_id}/console")
        assert again.status_code == 200
        assert re.search(r"Styrepult|console", again.get_data(as_text=True), re.I)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
