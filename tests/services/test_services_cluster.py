"""Two production server processes sharing Redis: a push made in A reaches a socket held by B."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import socketio

from tests.services.conftest import DEMO_CITIZEN_CODE, DEMO_COURSE_CODE, DEMO_FACILITATOR

pytestmark = pytest.mark.services


class Phone:
    """A real Socket.IO client (websocket transport) that records what the server sends."""

    def __init__(self) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self.changed = threading.Condition()
        self.disconnected = threading.Event()
        self.sio.on("live:hello", lambda data: self._record("live:hello", data))
        self.sio.on("live:fragments", lambda data: self._record("live:fragments", data))
        self.sio.on("disconnect", self._on_disconnect)

    def _record(self, name: str, data: Any) -> None:
        with self.changed:
            self.events.append((name, data))
            self.changed.notify_all()

    def _on_disconnect(self, *_: Any) -> None:
        self.disconnected.set()

    def connect(self, url: str, cookie: str) -> None:
        self.sio.connect(url, headers={"Cookie": cookie}, transports=["websocket"],
                         wait_timeout=10)

    def wait_for(self, name: str, match: Callable[[Any], bool] = lambda _: True,
                 timeout: float = 5) -> Any:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for event, data in self.events:
                    if event == name and match(data):
                        return data
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"no {name} matching within {timeout} s; got {self.events!r}")
                self.changed.wait(left)

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()
        self.sio.shutdown()
        # A socket the server closed (e.g. for an oversized message) is left open by the
        # client library's read loop; close it, or it is reported as leaked.
        ws = getattr(self.sio.eio, "ws", None)
        if ws is not None:
            ws.shutdown()


@pytest.fixture
def phone() -> Iterator[Phone]:
    p = Phone()
    try:
        yield p
    finally:
        p.close()


def test_a_push_from_process_a_reaches_a_phone_on_process_b(cluster, phone: Phone) -> None:
    a, b = cluster.a, cluster.b
    stream = f"course:{cluster.course_id}:participants"

    # The citizen signs in on B and opens the live socket there.
    citizen = cluster.browser(b)
    citizen.join(DEMO_COURSE_CODE, DEMO_CITIZEN_CODE)
    phone.connect(b.url, citizen.cookie_header)
    hello = phone.wait_for("live:hello")
    assert stream in hello["streams"]  # (and the citizen's own notice room)

    # The facilitator signs in on A and posts an announcement there.
    facilitator = cluster.browser(a)
    facilitator.login(*DEMO_FACILITATOR)
    text = f"Kaffe i kantinen {secrets.token_hex(4)}"
    response = facilitator.post(f"/courses/{cluster.course_id}/announcements", {"text": text},
                                headers={"HX-Request": "true"})
    assert response.status_code == 200, response.text[:500]

    # B's phone gets A's push through the Redis message queue, next in its room's sequence.
    started = time.monotonic()
    push = phone.wait_for("live:fragments", lambda data: data["stream"] == stream and any(
        text in fragment["html"] for fragment in data["fragments"]))
    assert time.monotonic() - started < 5
    assert push["seq"] == hello["streams"][stream] + 1
    assert [f["target"] for f in push["fragments"]] == ["announcement"]

    # The same session cookie is valid on A (sessions live in Redis)…
    on_a = citizen.on(a.url)
    on_a.page("/me")
    assert phone.sio.connected
    # …and signing out there disconnects the socket B holds, through the queue.
    response = on_a.post("/logout")
    assert response.status_code == 302
    assert phone.disconnected.wait(5), "logout on A did not disconnect the socket on B"
    assert not phone.sio.connected
    # The ended session is useless on either server.
    for server in (a, b):
        assert citizen.on(server.url).get("/me").status_code == 302


def test_an_oversized_message_disconnects_only_its_sender(cluster) -> None:
    """SECURITY.md, sockets: a message over the server's limit (64 kB) ends that socket; another
    phone in the same room keeps its socket and still gets the next push."""
    a = cluster.a
    stream = f"course:{cluster.course_id}:participants"
    sender, bystander = Phone(), Phone()
    try:
        for phone, code in ((sender, DEMO_CITIZEN_CODE), (bystander, "DEMB2345")):
            citizen = cluster.browser(a)
            citizen.join(DEMO_COURSE_CODE, code)
            phone.connect(a.url, citizen.cookie_header)
            phone.wait_for("live:hello")

        sender.sio.emit("live:sync", "x" * 100_000)  # one event of 100 kB
        assert sender.disconnected.wait(5), "the oversized message did not end its socket"
        assert bystander.sio.connected and not bystander.disconnected.is_set()

        facilitator = cluster.browser(a)
        facilitator.login(*DEMO_FACILITATOR)
        text = f"Pause til kl. 11 {secrets.token_hex(4)}"
        response = facilitator.post(f"/courses/{cluster.course_id}/announcements",
                                    {"text": text}, headers={"HX-Request": "true"})
        assert response.status_code == 200, response.text[:500]
        bystander.wait_for("live:fragments", lambda data: data["stream"] == stream and any(
            text in fragment["html"] for fragment in data["fragments"]))
        assert not any(text in str(data) for _, data in sender.events)
    finally:
        sender.close()
        bystander.close()


def test_a_burst_of_events_is_cut_off_at_the_limit(cluster) -> None:
    """SECURITY.md, sockets: events sent back to back on one socket are handled at once by
    the gevent server; the count is not lost between them. A burst of exactly the limit (20 in
    10 s) is answered in full; ten more end the socket."""
    from course.realtime.sockets import EVENT_LIMIT

    a = cluster.a
    flooder = Phone()
    answered: list[Any] = []
    all_answered = threading.Event()

    def ack(*data: Any) -> None:
        answered.append(data)
        if len(answered) == EVENT_LIMIT:
            all_answered.set()

    try:
        citizen = cluster.browser(a)
        citizen.join(DEMO_COURSE_CODE, "DEMC2345")
        flooder.connect(a.url, citizen.cookie_header)
        flooder.wait_for("live:hello")
        for _ in range(EVENT_LIMIT):
            flooder.sio.emit("live:sync", callback=ack)
        assert all_answered.wait(10), f"{len(answered)} of {EVENT_LIMIT} answered"
        assert flooder.sio.connected and not flooder.disconnected.is_set()
        for _ in range(10):
            flooder.sio.emit("live:sync", callback=ack)
        assert flooder.disconnected.wait(5), "the burst past the limit did not end its socket"
        assert len(answered) == EVENT_LIMIT
    finally:
        flooder.close()
