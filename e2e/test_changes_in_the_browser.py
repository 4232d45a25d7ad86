"""Minor changes after approval (issue 17, point 1) in the browser: Hassan, on his phone,
proposes moving money from his truck licence to a new line (a welding course, with its change
theory); an attempt over the cap is refused beside the button, everything he typed kept; he
fixes it and sends it. The team lead approves it on the case page, which then shows what
changed since the earlier version; Hassan's plan page says the change is approved and lists
the new line. Screenshots at 390×844 and 1366×768; axe finds nothing serious."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from browsing import Screens, assert_accessible, join_course, sign_in_staff
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("TETEN_SHOTS", "/tmp/shots-changes"))
OFFICE = {"viewport": {"width": 1366, "height": 768}}
THEORY = "Med et svejsecertifikat kan jeg søge job på værftet."


@pytest.fixture(scope="module")
def seeded_changes(live_server) -> dict[str, object]:
    return json.loads(live_server.run_script("seed_changes.py").strip().splitlines()[-1])


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_a_citizen_proposes_a_change_and_the_team_lead_approves_it(
        screens: Screens, seeded_changes, live_server) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    seeded = seeded_changes
    hassan = screens.phone()
    join_course(hassan, seeded["course_code"], seeded["citizen_code"])
    hassan.goto("/me/plan")
    card = hassan.locator(".my-change")
    expect(card).to_contain_text("Mindre ændringer")
    card.get_by_role("link", name="Foreslå en ændring").click()
    expect(hassan).to_have_url(re.compile(r"/me/plan/change$"))
    expect(hassan.locator("h1")).to_have_text("Foreslå en ændring")
    assert_accessible(hassan, "the proposal form")

    form = hassan.locator("#change-form")
    truck, shoes = form.locator("fieldset.change-line input[type=text]").all()
    truck.fill("12.500")
    shoes.fill("60.000")  # over the cap
    form.locator("[name=new-1-title]").fill("Svejsekursus")
    form.locator("[name=new-1-amount]").fill("2.000")
    form.locator("[name=new-1-category]").select_option("education")
    form.locator("[name=new-1-change]").fill(THEORY)
    form.locator("[name=new-1-job_effect]").fill("Værftet mangler svejsere.")
    form.locator("[name=reason]").fill("Truckkørekortet blev billigere end ventet.")
    form.get_by_role("button", name="Send ændringen til min jobkonsulent").click()
    message = hassan.locator("#change-message")
    expect(message).to_contain_text("over loftet")
    expect(shoes).to_have_value("60.000")
    expect(form.locator("[name=new-1-title]")).to_have_value("Svejsekursus")
    expect(form.locator("[name=new-1-change]")).to_have_value(THEORY)
    message.scroll_into_view_if_needed()
    shot(hassan, "refused-phone.png")
    assert_accessible(hassan, "a refused proposal")
    assert hassan.evaluate("document.documentElement.scrollWidth") <= 390

    shoes.fill("6.000")
    form.get_by_role("button", name="Send ændringen til min jobkonsulent").click()
    expect(hassan).to_have_url(re.compile(r"/me/plan$"))
    expect(hassan.locator(".my-change")).to_contain_text("Venter på din jobkonsulent")
    shot(hassan, "waiting-phone.png")

    lead = screens.open(OFFICE)
    sign_in_staff(lead, live_server.team_lead)
    lead.goto(f"/cases/{seeded['approved']}")
    proposal = lead.locator("#case-change")
    expect(proposal).to_contain_text("Ny budgetpost: Svejsekursus")
    expect(proposal).to_contain_text(THEORY)
    expect(proposal.locator("del").first).to_contain_text("14.500 kr.")
    proposal.scroll_into_view_if_needed()
    shot(lead, "proposal-office.png")
    assert_accessible(lead, "the case with a proposed change")
    proposal.get_by_role("button", name="Godkend ændringen").click()
    expect(lead.locator("#case-change")).to_have_count(0)
    changes = lead.locator(".plan-changes")
    expect(changes).to_contain_text("Ny budgetpost: Svejsekursus")
    expect(changes).to_contain_text("12.500 kr.")
    expect(lead.locator(".case-payouts")).to_contain_text("Svejsekursus")
    shot(lead, "approved-office.png")
    assert_accessible(lead, "the case after the change")

    hassan.reload()
    expect(hassan.locator(".my-change")).to_contain_text("Ændringen er godkendt")
    expect(hassan.locator(".outcome-lines")).to_contain_text("Svejsekursus")
    expect(hassan.locator(".outcome-lines")).to_contain_text("12.500 kr.")
    shot(hassan, "approved-phone.png")
    assert_accessible(hassan, "the plan page after the change")
