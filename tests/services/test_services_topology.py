"""Course routing on real processes (issue 19, point 4): two production servers that own
courses (``COURSE_WORKERS=2``) sharing Redis. A course's phone is refused on the process that
does not own the course; on its owner, a push made there reaches it without a message through
Redis, and a push made on the other process reaches it through Redis."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import socketio

from tests.services.conftest import (
    DEMO_CITIZEN_CODE,
    DEMO_COURSE_CODE,
    DEMO_FACILITATOR,
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


class Channel:
    """Every message published on the servers' Socket.IO channel, read by a subscriber of the
    test's own: the rooms pushed to through Redis."""

    def __init__(self, url: str, name: str) -> None:
        self.pubsub = redis.Redis.from_url(url).pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(name)
        self.messages: list[dict] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            message = self.pubsub.get_message(timeout=0.1)
            if message and message["type"] == "message":
                self.messages.append(json.loads(message["data"]))

    def rooms_since(self, mark: int) -> list[str]:
        time.sleep(0.5)  # what was published has been read
        return [m.get("room") for m in self.messages[mark:] if m.get("method") == "emit"]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.pubsub.close()


@dataclass
class Owned:
    owner: Server
    other: Server
    course_id: int
    channel: Channel


@pytest.fixture(scope="module")
def owned(postgres_admin: str, redis_url: str, seeded_template: str,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Owned]:
    tmp: Path = tmp_path_factory.mktemp("owned")
    database_url = create_database(postgres_admin, template=seeded_template)
    name = f"teten-test-{secrets.token_hex(6)}"
    channel = Channel(redis_url, name)
    servers: list[Server] = []
    try:
        [(course_id,)] = query(database_url, "SELECT id FROM courses WHERE code = %s",
                               (DEMO_COURSE_CODE,))
        for index in range(2):
            port = free_port()
            env = app_env(database_url, tmp / f"instance-{index}",
                          SOCKETIO_MESSAGE_QUEUE=redis_url, SOCKETIO_CHANNEL=name,
                          WORKERS="2", WORKER_INDEX=str(index))
            servers.append(Server(f"process {index}", gunicorn_command(port), env, port,
                                  tmp / f"process-{index}.log").start())
        for server in servers:
            server.wait_ready()
        yield Owned(servers[course_id % 2], servers[(course_id + 1) % 2], course_id, channel)
    finally:
        for server in servers:
            server.stop()
        channel.close()
        drop_database(postgres_admin, database_url)


@pytest.fixture
def browsers() -> Iterator[list[Browser]]:
    opened: list[Browser] = []
    yield opened
    for browser in opened:
        browser.close()


@pytest.fixture
def phones() -> Iterator[list[Phone]]:
    opened: list[Phone] = []
    yield opened
    for phone in opened:
        phone.close()


def test_a_courses_phone_lives_on_its_owner_and_its_pushes_stay_there(owned: Owned, browsers,
                                                                       phones) -> None:
    course = owned.course_id
    participants = f"course:{course}:participants"
    citizen = Browser.open(owned.owner.url)
    browsers.append(citizen)
    citizen.join(DEMO_COURSE_CODE, DEMO_CITIZEN_CODE)
    page = citizen.get("/me")
    assert f'data-live-course="{course}"' in page.text
    assert citizen.http.cookies.get("teten_course") == str(course)

    # the balancer sent the phone's socket to the wrong process: refused, and logged there
    wrong = Phone()
    phones.append(wrong)
    with pytest.raises(socketio.exceptions.ConnectionError):
        wrong.connect(owned.other.url + f"?course={course}", citizen.cookie_header)
    deadline = time.monotonic() + 5
    while "socket refused" not in owned.other.logs() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert f"socket refused: room {participants}" in owned.other.logs()

    phone = Phone()
    phones.append(phone)
    phone.connect(owned.owner.url + f"?course={course}", citizen.cookie_header)
    hello = phone.wait_for("live:hello")
    assert participants in hello["streams"]

    # an announcement posted on the owner: the phone gets it, and Redis carries only the
    # facilitators' room (staff may be on either process)
    facilitator = Browser.open(owned.owner.url)
    browsers.append(facilitator)
    facilitator.login(*DEMO_FACILITATOR)
    mark = len(owned.channel.messages)
    text = f"Kaffe {secrets.token_hex(4)}"
    response = facilitator.post(f"/courses/{course}/announcements", {"text": text},
                                headers={"HX-Request": "true"})
    assert response.status_code == 200, response.text[:500]
    push = phone.wait_for("live:fragments", lambda data: data["stream"] == participants and any(
        text in f["html"] for f in data["fragments"]))
    assert push["seq"] == hello["streams"][participants] + 1
    assert owned.channel.rooms_since(mark) == [f"course:{course}:facilitators"]

    # the same posted on the other process (its request landed there): through Redis
    mark = len(owned.channel.messages)
    text = f"Frokost {secrets.token_hex(4)}"
    response = facilitator.on(owned.other.url).post(
        f"/courses/{course}/announcements", {"text": text}, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.text[:500]
    push = phone.wait_for("live:fragments", lambda data: data["stream"] == participants and any(
        text in f["html"] for f in data["fragments"]))
    assert push["seq"] == hello["streams"][participants] + 2
    assert sorted(owned.channel.rooms_since(mark)) == sorted(
        f"course:{course}:{audience}" for audience in ("facilitators", "participants",
                                                       "projector"))


def test_staff_sockets_connect_on_either_process(owned: Owned, browsers, phones) -> None:
    for server in (owned.owner, owned.other):
        facilitator = Browser.open(server.url)
        browsers.append(facilitator)
        facilitator.login(*DEMO_FACILITATOR)
        phone = Phone()
        phones.append(phone)
        phone.connect(server.url, facilitator.cookie_header)
        hello = phone.wait_for("live:hello")
        assert f"course:{owned.course_id}:facilitators" in hello["streams"]
