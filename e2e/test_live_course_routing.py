"""Course routing in the browser (issue 19, point 4): with the processes owning courses, a
course's phone names its course on every request of its socket (``/socket.io/?course=C``, which
the balancer routes by) and carries the ``teten_course`` cookie for its pages; a staff member's
socket names none. Here one process owns every course (``COURSE_WORKERS=1``)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from browsing import Screens, announce, announcement, join_course, open_console, sign_in_staff
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

SERVER_ENVIRONMENT = {"COURSE_WORKERS": "1", "COURSE_WORKER_INDEX": "0"}


def _socket_urls(page: Page) -> list[str]:
    """Every Socket.IO request URL the page makes from now on (polling and the websocket)."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url)
            if "/socket.io/" in request.url else None)
    page.on("websocket", lambda ws: urls.append(ws.url))
    return urls


def test_a_phone_names_its_course_to_the_balancer(screens: Screens, live_server) -> None:
    phone = screens.phone()
    phone_sockets = _socket_urls(phone)
    join_course(phone, live_server.course_code, live_server.personal_codes[0])
    course = phone.locator("body").get_attribute("data-live-course")
    assert course and course.isdigit()
    assert phone_sockets, "the phone opened no socket"
    for url in phone_sockets:
        assert parse_qs(urlparse(url).query).get("course") == [course], url
    cookies = {c["name"]: c for c in phone.context.cookies()}
    assert cookies["teten_course"]["value"] == course
    assert cookies["teten_course"]["httpOnly"]

    console = screens.laptop()
    console_sockets = _socket_urls(console)
    sign_in_staff(console, live_server.facilitator)
    open_console(console, live_server.course_code)
    expect(console.locator("body")).to_have_attribute("data-live-ready", "true")
    assert console_sockets
    assert all("course=" not in url for url in console_sockets), console_sockets
    assert {c["name"]: c["value"] for c in console.context.cookies()}["teten_course"] == course

    # and the phone is live on it
    announce(console, "Vi starter igen kl. 13")
    expect(announcement(phone)).to_have_text(re.compile("Vi starter igen kl. 13"))
