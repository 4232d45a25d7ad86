"""The privacy notice (issue 18, point 6) and the accessibility statement (point 7) in the
browser: a citizen's first sign-in on a phone shows the notice's card above the phone page,
the whole notice is one tap away, "Jeg har læst det" takes the card away for good; the team
lead's settings page has the notice's texts and the retention periods; the footer links both
pages. axe finds nothing serious; screenshots (390×844 and 1366×768) to look at."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browsing import Screens, assert_accessible, join_course, sign_in_staff
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("TETEN_SHOTS", "/tmp/shots-privacy"))
OFFICE = {"viewport": {"width": 1366, "height": 768}}


def test_a_citizens_first_sign_in_shows_the_privacy_notice(screens: Screens,
                                                            live_server) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone = screens.phone()
    join_course(phone, live_server.course_code, live_server.personal_codes[-1])
    card = phone.locator("#privacy-prompt")
    expect(card).to_be_visible()
    expect(card.get_by_role("heading")).to_have_text("Sådan bruger vi dine oplysninger")
    phone.screenshot(path=str(SHOTS / "first-sign-in-phone.png"), full_page=True)
    assert_accessible(phone, "the phone with the privacy notice's card")

    card.get_by_role("link", name="Læs hele privatlivserklæringen").click()
    expect(phone).to_have_url(re.compile(r"/privacy$"))
    expect(phone.locator("h1")).to_have_text("Privatlivserklæring")
    expect(phone.locator("main")).to_contain_text("Datatilsynet")
    phone.screenshot(path=str(SHOTS / "notice-phone.png"), full_page=True)
    assert_accessible(phone, "the privacy notice on a phone")

    phone.go_back()
    phone.locator("#privacy-prompt").get_by_role("button", name="Jeg har læst det").click()
    expect(phone).to_have_url(re.compile(r"/me$"))
    expect(phone.locator("#privacy-prompt")).to_have_count(0)
    phone.reload()
    expect(phone.locator("#privacy-prompt")).to_have_count(0)
    footer = phone.locator("footer")
    expect(footer.get_by_role("link", name="Privatliv")).to_have_attribute("href", "/privacy")
    expect(footer.get_by_role("link", name="Tilgængelighedserklæring")).to_be_visible()
    phone.screenshot(path=str(SHOTS / "after-reading-phone.png"), full_page=True)


def test_the_team_lead_sets_the_notice_and_the_periods(screens: Screens, live_server) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    office = screens.open(OFFICE)
    sign_in_staff(office, live_server.team_lead)
    office.goto("/settings")
    texts = office.locator("#privacy-texts")
    texts.locator("#privacy_controller").fill("Aalborg Kommune, Boulevarden 13, 9000 Aalborg")
    texts.get_by_role("button", name="Gem privatlivserklæringen").click()
    expect(office.locator(".flash")).to_contain_text("Privatlivserklæringen er gemt")
    periods = office.locator("#privacy-periods")
    periods.locator("#retention_declined_months").fill("40")
    periods.get_by_role("button", name="Gem opbevaringsperioderne").click()
    expect(periods.locator(".form-message")).to_contain_text("mellem 1 og 36 måneder")
    expect(periods.locator("#retention_declined_months")).to_have_value("40")
    office.locator("#privacy-texts").scroll_into_view_if_needed()
    office.screenshot(path=str(SHOTS / "settings-office.png"), full_page=True)
    assert_accessible(office, "the settings with the privacy cards")
    footer = office.locator("footer")
    footer.get_by_role("link", name="Tilgængelighedserklæring").click()
    expect(office.locator("h1")).to_have_text("Tilgængelighedserklæring")
    expect(office.locator("table.a11y-results tbody tr")).to_have_count(11)
    office.screenshot(path=str(SHOTS / "accessibility-office.png"), full_page=True)
    assert_accessible(office, "the accessibility statement")
    office.goto("/privacy")
    expect(office.locator("main")).to_contain_text("Aalborg Kommune, Boulevarden 13")
