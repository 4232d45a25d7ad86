"""Two-factor sign-in for staff in the browser (issue 18, point 8), on a server that requires
it: the team lead's password leads to setting up an authenticator app (the QR code and the key
as text); a code computed with pyotp from that key sets it up and shows the recovery codes
once; signed out and in again, the password leads to "Kode fra din app", where a wrong code is
refused in place (the page and its form stay) and the right one signs in. Screenshots at
1366×768 and on a phone go to /work/shots/twofactor/ (TETEN_SHOTS); axe finds nothing serious.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pyotp
import pytest
from browsing import Screens, assert_accessible
from playwright.sync_api import Page, expect

from course import demo

pytestmark = pytest.mark.e2e

#: The live server of this module requires the second factor (e2e/conftest.py live_server).
SERVER_ENVIRONMENT = {"COURSE_STAFF_TWO_FACTOR": "true"}

SHOTS = Path(os.environ.get("TETEN_SHOTS", "/work/shots/twofactor"))
OFFICE = {"viewport": {"width": 1366, "height": 768}}
#: The team lead's recovery codes, as the first test was shown them (for the last test).
RECOVERY: list[str] = []
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def password_step(page: Page, email: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", demo.STAFF_PASSWORD)
    page.locator("main form button[type=submit]").click()


def a_wrong_code(secret: str) -> str:
    """A six-digit code that is none of the three the server accepts now."""
    totp, now = pyotp.TOTP(secret), time.time()
    good = {totp.at(now + s) for s in (-60, -30, 0, 30, 60)}
    return next(c for c in (f"{n:06d}" for n in range(0, 1_000_000, 7919)) if c not in good)


def test_a_team_lead_sets_up_the_app_and_signs_in_with_a_code(screens: Screens,
                                                              live_server) -> None:
    lead = screens.open(OFFICE)
    password_step(lead, live_server.team_lead)
    expect(lead).to_have_url(re.compile(r"/login/two-factor$"))
    expect(lead.locator("h1")).to_have_text("Sæt totrinsbekræftelse op")
    expect(lead.locator("figure.qr svg")).to_be_visible()
    secret = lead.locator("#two-factor-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    shot(lead, "enrol-office")
    assert_accessible(lead, "setting up the app")

    lead.fill("#code", pyotp.TOTP(secret).now())
    lead.locator("main form button[type=submit]").click()
    codes = lead.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    RECOVERY.extend(codes.all_inner_texts())
    expect(lead.locator("h1")).to_have_text("Dine gendannelseskoder")
    shot(lead, "recovery-codes-office")
    assert_accessible(lead, "the recovery codes")
    lead.get_by_role("link", name="Jeg har gemt mine koder, fortsæt").click()
    expect(lead).to_have_url(re.compile(r"/office$"))

    # Signed out and in again: the password alone leads to the code, not in.
    lead.get_by_role("button", name="Log ud").click()
    expect(lead).to_have_url(re.compile(r"/$"))
    password_step(lead, live_server.team_lead)
    expect(lead).to_have_url(re.compile(r"/login/code$"))
    expect(lead.locator("h1")).to_have_text("Kode fra din app")
    shot(lead, "code-office")
    assert_accessible(lead, "the code step")

    lead.fill("#code", a_wrong_code(secret))
    lead.locator("main form button[type=submit]").click()
    expect(lead).to_have_url(re.compile(r"/login/code$"))
    expect(lead.locator("#code-errors")).to_contain_text("Koden er ikke rigtig")
    expect(lead.locator("h1")).to_have_text("Kode fra din app")
    expect(lead.locator("#code")).to_have_attribute("aria-invalid", "true")
    shot(lead, "code-refused-office")
    assert_accessible(lead, "a refused code")

    # The code used to set the app up is spent: the next step's code (the phone's clock may
    # run half a minute ahead) signs in.
    lead.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))
    lead.locator("main form button[type=submit]").click()
    expect(lead).to_have_url(re.compile(r"/office$"))
    lead.locator("header a.who").click()  # their name leads to their own page
    expect(lead).to_have_url(re.compile(r"/two-factor$"))
    expect(lead.locator("main")).to_contain_text("Du har 10 ubrugte gendannelseskoder.")
    shot(lead, "own-page-office")


def test_setting_up_and_the_code_step_on_a_phone(screens: Screens, live_server) -> None:
    phone = screens.open(PHONE)
    password_step(phone, "jobkonsulent2@demo.teten.dk")
    expect(phone).to_have_url(re.compile(r"/login/two-factor$"))
    shot(phone, "enrol-phone")
    assert_accessible(phone, "setting up the app on a phone")
    secret = phone.locator("#two-factor-secret").inner_text().replace(" ", "")
    phone.fill("#code", a_wrong_code(secret))
    phone.locator("main form button[type=submit]").click()
    expect(phone.locator("#code-errors")).to_contain_text("Koden er ikke rigtig")
    expect(phone.locator("figure.qr svg")).to_be_visible()
    assert phone.locator("#two-factor-secret").inner_text().replace(" ", "") == secret
    shot(phone, "enrol-refused-phone")
    phone.fill("#code", pyotp.TOTP(secret).now())
    phone.locator("main form button[type=submit]").click()
    expect(phone.locator("#recovery-codes li")).to_have_count(10)
    shot(phone, "recovery-codes-phone")


def test_the_team_lead_resets_a_colleagues_second_factor(screens: Screens,
                                                         live_server) -> None:
    """Jonas sets up an app; the team lead resets it from the staff page (Jonas's open page
    is signed out); Jonas's password then leads to setting up an app again."""
    jonas = screens.open(OFFICE)
    password_step(jonas, live_server.consultant)
    secret = jonas.locator("#two-factor-secret").inner_text().replace(" ", "")
    jonas.fill("#code", pyotp.TOTP(secret).now())
    jonas.locator("main form button[type=submit]").click()
    expect(jonas.locator("#recovery-codes li")).to_have_count(10)

    lead = screens.open(OFFICE)
    password_step(lead, live_server.team_lead)
    expect(lead).to_have_url(re.compile(r"/login/(two-factor|code)$"))
    if lead.url.endswith("/login/two-factor"):  # run alone: the lead sets up an app here
        lead_secret = lead.locator("#two-factor-secret").inner_text().replace(" ", "")
        lead.fill("#code", pyotp.TOTP(lead_secret).now())
        lead.locator("main form button[type=submit]").click()
        expect(lead.locator("#recovery-codes li")).to_have_count(10)
    else:  # the first test set up the lead's app: one of its recovery codes, once
        lead.fill("#code", RECOVERY.pop())
        lead.locator("main form button[type=submit]").click()
        expect(lead).to_have_url(re.compile(r"/office$"))
        expect(lead.locator("main")).to_contain_text("Der er 9 tilbage")
    lead.goto("/staff")
    row = lead.locator("tr", has_text="Jonas Jobkonsulent")
    expect(row).to_contain_text("Totrinsbekræftelse sat op")
    shot(lead, "staff-office")
    assert_accessible(lead, "the staff page")
    row.get_by_role("button", name="Nulstil totrinsbekræftelse").click()
    expect(lead.locator("main")).to_contain_text(
        "Totrinsbekræftelsen for Jonas Jobkonsulent er nulstillet")
    expect(lead.locator("tr", has_text="Jonas Jobkonsulent")).to_contain_text(
        "Totrinsbekræftelse nulstillet")
    shot(lead, "staff-reset-office")

    jonas.goto("/office")
    expect(jonas).to_have_url(re.compile(r"/\?next=/office$"))  # signed out: sent to sign in
    password_step(jonas, live_server.consultant)
    expect(jonas).to_have_url(re.compile(r"/login/two-factor$"))
