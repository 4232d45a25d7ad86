"""Without JavaScript (a locked-down shared PC, a failed script load) the plain forms still work:
a citizen joins, and a facilitator posts an announcement from the console.
"""

from __future__ import annotations

import re

import pytest
from browsing import Screens, announcement, join_course, open_console, sign_in_staff
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_citizen_joins_without_javascript(screens: Screens, live_server) -> None:
    phone = screens.phone(java_script_enabled=False)
    join_course(phone, live_server.course_code, live_server.personal_codes[3], live=False)
    expect(phone.locator("h1")).to_contain_text("Dorte")


def test_a_facilitator_announces_without_javascript(screens: Screens, live_server) -> None:
    laptop = screens.laptop(java_script_enabled=False)
    sign_in_staff(laptop, live_server.facilitator)
    open_console(laptop, live_server.course_code)

    text = "Husk at slukke for lyden på telefonen"
    laptop.fill("#text", text)
    laptop.locator("form[action$='/announcements'] button[type=submit]").click()
    # A full-page POST (the form's method and action), answered with the console.
    expect(laptop.locator("h1")).to_be_visible()
    expect(announcement(laptop)).to_have_text(text)

    phone = screens.phone(java_script_enabled=False)
    join_course(phone, live_server.course_code, live_server.personal_codes[4], live=False)
    expect(announcement(phone)).to_have_text(text)


def test_the_projector_opens_without_javascript(screens: Screens, live_server) -> None:
    laptop = screens.laptop(java_script_enabled=False)
    sign_in_staff(laptop, live_server.facilitator)
    open_console(laptop, live_server.course_code)
    with laptop.context.expect_page() as opened:
        laptop.locator("form[action$='/projector'] button[type=submit]").click()
    projector = opened.value
    expect(projector).to_have_url(re.compile(r"/projector/[\w-]+$"))
    expect(projector.locator(".projector-code")).to_have_text(live_server.course_code)


def test_a_facilitator_clears_without_javascript(screens: Screens, live_server) -> None:
    laptop = screens.laptop(java_script_enabled=False)
    sign_in_staff(laptop, live_server.facilitator)
    open_console(laptop, live_server.course_code)
    laptop.fill("#text", "Denne besked skal væk igen")
    laptop.locator("form[action$='/announcements'] button[type=submit]").click()
    expect(announcement(laptop)).to_have_text("Denne besked skal væk igen")

    laptop.locator("form[action$='/announcements/clear'] button").click()
    # Gone from the screens: the console, opened afresh, shows no announcement.
    laptop.goto("/office")
    open_console(laptop, live_server.course_code)
    expect(laptop.locator("#announcement")).to_be_visible()
    # A page without JavaScript does not change after loading: no need to wait long.
    expect(laptop.locator("#announcement .announcement")).to_have_count(0, timeout=1_000)
