"""The live bridge end to end, in one room: a laptop with the console, the projector it opens,
two phones of the course and one phone of another course.

An announcement from the console must reach the projector and every phone of the course within
seconds, and never a screen of another course; clearing it clears it everywhere; a phone that
was offline catches up by itself; signing out closes that phone's live connection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from browsing import (
    LIVE_TIMEOUT,
    RECONNECT_TIMEOUT,
    Screens,
    announce,
    announcement,
    clear_announcement,
    join_course,
    open_console,
    sign_in_staff,
    wait_live,
)
from playwright.sync_api import Browser, Page, WebSocket, expect

pytestmark = pytest.mark.e2e


@dataclass
class Room:
    screens: Screens
    console: Page
    projector: Page
    phones: list[Page]
    other_phone: Page
    other_frames: list[str] = field(default_factory=list)

    def everyone(self) -> list[Page]:
        """The screens of the course: projector and phones."""
        return [self.projector, *self.phones]


def record_frames(page: Page, frames: list[str]) -> None:
    """Keep every Socket.IO frame this page receives (set up before the page connects)."""

    def watch(ws: WebSocket) -> None:
        ws.on("framereceived", lambda payload: frames.append(
            payload if isinstance(payload, str) else payload.decode(errors="replace")))

    page.on("websocket", watch)


@pytest.fixture(scope="module")
def room(browser: Browser, live_server) -> Iterator[Room]:
    screens = Screens(browser, live_server.url)
    try:
        console = screens.laptop()
        sign_in_staff(console, live_server.facilitator)
        open_console(console, live_server.course_code)
        wait_live(console)

        with console.context.expect_page() as opened:
            console.locator("form[action$='/projector'] button[type=submit]").click()
        window = opened.value
        expect(window).to_have_url(re.compile(r"/projector/[\w-]+$"))
        expect(window.locator(".projector-code")).to_have_text(live_server.course_code)
        expect(window.locator(".qr svg")).to_be_visible()
        wait_live(window)
        # The facilitator drags that window to the projector: a screen of its own, with no staff
        # cookie (the display link alone must do). Left behind the console, its tab would also
        # get its rendering throttled by Chromium.
        projector = screens.projector()
        projector.goto(window.url)
        window.close()
        expect(projector.locator(".projector-code")).to_have_text(live_server.course_code)
        wait_live(projector)

        phones = []
        for code in live_server.personal_codes[:2]:
            phone = screens.phone()
            join_course(phone, live_server.course_code, code)
            phones.append(phone)

        other_phone = screens.phone()
        room = Room(screens, console, projector, phones, other_phone)
        record_frames(other_phone, room.other_frames)
        join_course(other_phone, live_server.other.code, live_server.other.personal_code)

        yield room
        screens.log.assert_no_csp_violations()
    finally:
        screens.close()


@pytest.fixture(autouse=True)
def other_course_sees_nothing(room: Room) -> Iterator[None]:
    """After each test: the other course's phone is live, yet got no fragment and shows nothing."""
    yield
    wait_live(room.other_phone)
    expect(room.other_phone.locator("#announcement .announcement")).to_have_count(0)
    pushed = [f for f in room.other_frames if "live:fragments" in f]
    assert not pushed, f"the other course's phone received pushes: {pushed}"


def test_the_projector_opens_from_the_console(room: Room, live_server) -> None:
    """The projector window shows the course, its join code and a QR code, and is live."""
    projector = room.projector
    expect(projector.locator(".projector-header h1")).to_have_text("Kollektivt forløb, demo")
    expect(projector.locator(".projector-code")).to_have_text(live_server.course_code)
    qr = projector.locator(".qr svg")
    assert qr.bounding_box()["width"] >= 300, "the QR code must scan from the back of the room"
    expect(projector.locator("body")).to_have_attribute("data-live-ready", "true")


def test_an_announcement_reaches_the_projector_and_every_phone(room: Room) -> None:
    text = "Pause til kl. 10.30. Kaffen står i kantinen (e2e-coffee)"
    announce(room.console, text)

    for screen in room.everyone():
        expect(announcement(screen)).to_have_text(text, timeout=LIVE_TIMEOUT)
    # Only now that the course has it, the other course's phone is checked (autouse fixture);
    # here also for the very words.
    expect(room.other_phone.locator("body")).not_to_contain_text("Kaffen")
    assert not [f for f in room.other_frames if "e2e-coffee" in f]


def test_clearing_takes_the_announcement_off_every_screen(room: Room) -> None:
    text = "Husk at tage jeres kort med i morgen"
    announce(room.console, text)
    for screen in room.everyone():
        expect(announcement(screen)).to_have_text(text, timeout=LIVE_TIMEOUT)

    clear_announcement(room.console)

    for screen in room.everyone():
        expect(screen.locator("#announcement .announcement")).to_have_count(
            0, timeout=LIVE_TIMEOUT)
        expect(screen.locator("#announcement")).not_to_contain_text(text)


def test_a_phone_that_was_offline_catches_up_by_itself(room: Room) -> None:
    offline, online = room.phones
    offline.context.set_offline(True)
    # The socket drops and the phone says so.
    expect(offline.locator("body")).to_have_class(re.compile(r"\bis-offline\b"),
                                                  timeout=RECONNECT_TIMEOUT)

    text = "Vi starter igen om fem minutter"
    announce(room.console, text)
    expect(announcement(online)).to_have_text(text, timeout=LIVE_TIMEOUT)
    expect(announcement(room.projector)).to_have_text(text, timeout=LIVE_TIMEOUT)
    expect(offline.locator("#announcement")).not_to_contain_text(text)

    offline.context.set_offline(False)
    # No reload, no click: the reconnect re-fetches the regions it may have missed.
    expect(announcement(offline)).to_have_text(text, timeout=RECONNECT_TIMEOUT)
    expect(offline.locator("body")).not_to_have_class(re.compile(r"\bis-offline\b"))
    expect(offline).to_have_url(re.compile(r"/me$"))


def test_signing_out_closes_that_phones_live_connection(room: Room, live_server) -> None:
    """Sign out in one tab: the server closes the socket of the same session's other tab."""
    first = room.screens.phone()
    join_course(first, live_server.course_code, live_server.personal_codes[2])
    second = first.context.new_page()
    second_frames: list[str] = []
    record_frames(second, second_frames)
    second.goto("/me")
    wait_live(second)

    first.locator("footer form[action$='/logout'] button").click()
    expect(first).to_have_url(re.compile(r"/(\?.*)?$"))
    expect(first.locator("#personal_code")).to_be_visible()

    # The server ends the session's sockets ("41" is Socket.IO's disconnect packet); app.js then
    # reloads, and the page that was live now shows the front door.
    expect(second.locator("#personal_code")).to_be_visible(timeout=LIVE_TIMEOUT)
    assert "41" in second_frames, f"no server disconnect reached the other tab: {second_frames}"

    text = "Frokost i kantinen kl. 12"
    announce(room.console, text)
    for screen in room.everyone():
        expect(announcement(screen)).to_have_text(text, timeout=LIVE_TIMEOUT)
    expect(second.locator("body")).not_to_contain_text(text)
    expect(first.locator("body")).not_to_contain_text(text)
