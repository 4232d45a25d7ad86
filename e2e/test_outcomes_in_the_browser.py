"""Outcome figures (issue 17, point 6) in the browser: the team lead opens them from the menu,
chooses the spring course and February and reads the known figures; a period that ends before
it starts is refused beside the filter, the typed dates kept; the charts are there; axe finds
nothing serious; the page prints to A4 (a PDF, looked at). Screenshots at 1366×768 and on a
phone are saved to be looked at."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from browsing import Screens, assert_accessible, sign_in_staff
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("TETEN_SHOTS", "/tmp/shots-outcomes"))
OFFICE = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}


@pytest.fixture(scope="module")
def seeded_outcomes(live_server) -> dict[str, object]:
    return json.loads(live_server.run_script("seed_outcomes.py").strip().splitlines()[-1])


def figure(page: Page, name: str):
    return page.locator(f'[data-figure="{name}"]')


def test_the_team_lead_reads_filters_and_prints_the_outcome_figures(
        screens: Screens, seeded_outcomes, live_server) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    lead = screens.open(OFFICE)
    sign_in_staff(lead, live_server.team_lead)
    lead.get_by_role("link", name="Resultater").click()
    expect(lead).to_have_url(re.compile(r"/outcomes$"))
    expect(lead.locator("h1")).to_have_text("Resultater")

    form = lead.locator("#outcome-filter")
    form.locator("[name=course]").select_option(str(seeded_outcomes["spring"]))
    form.locator("[name=from]").fill("2026-02-01")
    form.locator("[name=to]").fill("2026-02-28")
    form.get_by_role("button", name="Vis").click()
    expect(lead).to_have_url(re.compile(r"from=2026-02-01&to=2026-02-28"))
    expect(figure(lead, "handed_in")).to_have_text("6")
    expect(figure(lead, "approved")).to_have_text("1")
    expect(figure(lead, "sent_back")).to_have_text("2")
    expect(lead.locator("#outcome-scope")).to_contain_text(str(seeded_outcomes["spring_name"]))
    expect(lead.locator("svg.chart[role=img]")).to_have_count(5)
    lead.screenshot(path=str(SHOTS / "february-office.png"), full_page=True)
    assert_accessible(lead, "the outcome figures")

    form.locator("[name=from]").fill("2026-03-01")
    form.locator("[name=to]").fill("2026-02-01")
    form.get_by_role("button", name="Vis").click()
    expect(lead.locator("#outcome-filter-message")).to_contain_text(
        "Periodens første dag er efter dens sidste dag")
    expect(form.locator("[name=from]")).to_have_value("2026-03-01")
    expect(form.locator("[name=to]")).to_have_value("2026-02-01")
    expect(figure(lead, "handed_in")).to_have_text("6")  # the figures shown stay as they were
    lead.screenshot(path=str(SHOTS / "refused-office.png"), full_page=False)
    assert_accessible(lead, "a refused period")

    form.locator("[name=from]").fill("")
    form.locator("[name=to]").fill("")
    form.get_by_role("button", name="Vis").click()
    expect(figure(lead, "enrolled")).to_have_text("10")
    expect(lead.locator("#outcome-filter-message")).to_be_empty()
    expect(figure(lead, "average_paid")).to_contain_text("17.500 kr.")
    lead.screenshot(path=str(SHOTS / "all-time-office.png"), full_page=True)

    lead.emulate_media(media="print")
    expect(lead.locator("#outcome-filter")).to_be_hidden()
    expect(lead.locator(".topbar")).to_be_hidden()
    lead.screenshot(path=str(SHOTS / "print-preview.png"), full_page=True)
    lead.pdf(path=str(SHOTS / "outcomes.pdf"), format="A4", print_background=True)
    lead.emulate_media(media="screen")

    phone = screens.open(PHONE)
    sign_in_staff(phone, live_server.team_lead)
    phone.goto(f"/outcomes?course={seeded_outcomes['spring']}")
    expect(figure(phone, "approved")).to_have_text("4")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways
    phone.screenshot(path=str(SHOTS / "all-time-phone.png"), full_page=True)
    assert_accessible(phone, "the outcome figures on a phone")
