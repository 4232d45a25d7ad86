"""The live socket on a real server keeps the same-origin check and refuses anonymous clients.

The Flask-SocketIO test client bypasses Engine.IO's handshake, so only a live server proves
these. Each refusal has a control: the same client with the right origin and sign-in connects.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import socketio

from tests.services.conftest import DEMO_FACILITATOR, Browser

pytestmark = pytest.mark.services

EVIL = "http://evil.example"


@pytest.fixture
def open_client() -> Iterator[Any]:
    """``open_client(**options)`` makes a ``socketio.Client``; all are shut down afterwards."""
    made: list[socketio.Client] = []

    def make(**options: Any) -> socketio.Client:
        client = socketio.Client(reconnection=False, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        if client.connected:
            client.disconnect()
        client.shutdown()


@pytest.fixture
def facilitator(cluster) -> Browser:
    browser = cluster.browser(cluster.a)
    browser.login(*DEMO_FACILITATOR)
    return browser


def _connects(client: socketio.Client, url: str, **options: Any) -> bool:
    try:
        client.connect(url, wait_timeout=10, **options)
    except socketio.exceptions.ConnectionError:
        return False
    return client.connected


@pytest.mark.parametrize("transport", ["polling", "websocket"])
def test_a_foreign_origin_is_refused_and_the_own_origin_connects(
        cluster, facilitator: Browser, open_client, transport: str) -> None:
    url = cluster.a.url
    cookie = {"Cookie": facilitator.cookie_header}

    def client_from(origin: str) -> tuple[socketio.Client, dict[str, Any]]:
        if transport == "polling":  # Engine.IO's HTTP handshake carries the header as given
            return open_client(), {"headers": {**cookie, "Origin": origin}}
        # websocket-client sends its own Origin header; this option sets it
        return open_client(websocket_extra_options={"origin": origin}), {"headers": cookie}

    evil, options = client_from(EVIL)
    assert not _connects(evil, url, transports=[transport], **options)

    own, options = client_from(url)
    assert _connects(own, url, transports=[transport], **options), (
        "a signed-in client from the server's own origin must connect")
    own.disconnect()


def test_the_handshake_itself_answers_400_to_a_foreign_origin(cluster, facilitator) -> None:
    handshake = "/socket.io/?EIO=4&transport=polling"
    refused = facilitator.get(handshake, headers={"Origin": EVIL})
    assert refused.status_code == 400
    assert "Access-Control-Allow-Origin" not in refused.headers
    accepted = facilitator.get(handshake, headers={"Origin": cluster.a.url})
    assert accepted.status_code == 200
    assert accepted.headers.get("Access-Control-Allow-Origin") == cluster.a.url


def test_a_client_that_is_not_signed_in_is_refused(cluster, open_client) -> None:
    refusals: list[Any] = []
    anonymous = open_client()
    anonymous.on("connect_error", refusals.append)
    assert not _connects(anonymous, cluster.a.url, transports=["websocket"])
    # Refused by the app's connect handler (a Socket.IO CONNECT_ERROR), not by the transport.
    # The app raises the builtin ConnectionRefusedError, which python-socketio reports with
    # its generic message; socketio's own exception would carry "sign in first".
    assert [r.get("message") for r in refusals] in (
        ["sign in first"], ["Connection refused by server"])
