"""Payouts (issue 17, point 2) in the browser: the finance office signs in, finds the demo's
approved case in its overview, is refused an invoice payout over the line's approved amount —
the message beside the line's form, what was typed kept — then records the right amount; the
job consultant's case shows the payouts card read-only, and the citizen's plan page, open on
his phone, shows his payout as it is recorded. Screenshots at 1366×768 (and a phone)
are saved to be looked at; axe finds nothing serious on the finance pages or the card."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from browsing import Screens, join_course, sign_in_staff
from playwright.sync_api import Page, expect

from course import demo

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("TETEN_SHOTS", "/tmp/shots-payouts"))
OFFICE = {"viewport": {"width": 1366, "height": 768}}
AXE = Axe()


def assert_accessible(page: Page, name: str) -> None:
    violations = AXE.run(page).response["violations"]
    found = [f"[{v['impact']}] {v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:4]]}"
             for v in violations if v["impact"] in {"serious", "critical"}]
    assert not found, f"axe on {name}:\n" + "\n".join(found)


@pytest.fixture(scope="module")
def seeded_payouts(live_server) -> dict[str, object]:
    return json.loads(live_server.run_script("seed_payouts.py").strip().splitlines()[-1])


def sign_in_finance(page: Page, email: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", demo.STAFF_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/payouts$"))


def test_finance_records_an_invoice_payout_and_is_refused_over_the_line(
        screens: Screens, seeded_payouts, live_server) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    seeded = seeded_payouts
    finance = screens.open(OFFICE)
    sign_in_finance(finance, seeded["finance"])
    row = finance.locator("tr", has_text=seeded["approved_citizen"])
    expect(row).to_contain_text("20.500 kr.")
    finance.screenshot(path=str(SHOTS / "overview-office.png"), full_page=True)
    assert_accessible(finance, "the payouts overview")

    row.get_by_role("link").click()
    expect(finance).to_have_url(re.compile(rf"/payouts/cases/{seeded['approved']}$"))
    expect(finance.locator("h1")).to_contain_text(seeded["approved_citizen"])
    expect(finance.locator(".case-ref")).to_have_text(seeded["approved_reference"])
    line = finance.locator("section.payout-line").first
    form = line.locator("form.payout-form")
    typed = {"supplier": "AMU Nordjylland", "invoice_number": "F-2026-118",
             "received_on": "2026-01-05", "paid_on": "2026-01-12", "amount": "14.501"}
    for name, value in typed.items():
        form.locator(f"[name={name}]").fill(value)
    form.get_by_role("button").click()
    message = line.locator(".form-message")
    expect(message).to_contain_text("mere end der er tilbage")
    for name, value in typed.items():
        expect(form.locator(f"[name={name}]")).to_have_value(value)
    finance.screenshot(path=str(SHOTS / "refused-office.png"), full_page=True)
    assert_accessible(finance, "a refused payout")

    # Hassan has his plan page open on his phone: his payouts arrive without a reload
    hassan = screens.phone()
    join_course(hassan, seeded["course_code"], seeded["citizen_code"])
    hassan.goto("/me/plan")
    mine = hassan.locator(".my-payouts")
    expect(mine).to_contain_text("Udbetalt 0 kr. af 14.500 kr.")

    form.locator("[name=amount]").fill("14.500 kr.")
    form.get_by_role("button").click()
    expect(line).to_contain_text("Posten er fuldt udbetalt.")
    expect(line).to_contain_text("AMU Nordjylland")
    expect(finance.locator("table.payout-figures tfoot")).to_contain_text(
        re.compile(r"I alt\s*20\.500 kr\.\s*14\.500 kr\.\s*6\.000 kr\."))
    finance.screenshot(path=str(SHOTS / "recorded-office.png"), full_page=True)
    assert_accessible(finance, "the payout page")

    expect(mine).to_contain_text("Udbetalt 14.500 kr. af 14.500 kr. · 0 kr. tilbage")
    expect(mine).to_contain_text("til AMU Nordjylland")
    mine.scroll_into_view_if_needed()
    hassan.screenshot(path=str(SHOTS / "citizen-plan-phone.png"), full_page=True)
    assert_accessible(hassan, "the citizen's plan with payouts")

    phone = screens.phone()
    sign_in_finance(phone, seeded["finance"])
    phone.goto(f"/payouts/cases/{seeded['approved']}")
    phone.screenshot(path=str(SHOTS / "case-phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # the job consultant reads the payouts on the case, without a form to record one
    consultant = screens.open(OFFICE)
    sign_in_staff(consultant, live_server.team_lead)
    consultant.goto(f"/cases/{seeded['approved']}")
    card = consultant.locator(f"#case-payouts-{seeded['approved']}")
    expect(card).to_contain_text("Udbetalinger")
    expect(card).to_contain_text("14.500 kr.")
    expect(card.locator("form")).to_have_count(0)
    card.scroll_into_view_if_needed()
    consultant.screenshot(path=str(SHOTS / "consultant-case-office.png"), full_page=True)
    assert_accessible(consultant, "the case with its payouts card")
