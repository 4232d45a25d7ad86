"""Ending, at any time, in real Chromium (issue 17, point 5): Anna Holm's plan was approved
seven months ago for six months; her job consultant's case page (1366×768) flags both six
months without a job and the approved length's end, and offers "Afslut forløbet" with the six
reasons. The consultant ends the course with "Ordinær beskæftigelse" (the citizen has got a
job); Anna's phone (390×844), open on her plan, shows the ending without a reload; the decision
document prints the approval and the ending with the complaint guidance. Every screen is
checked with axe and photographed (TETEN_SHOTS, default /tmp/shots-ending)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from axe_playwright_python.sync_playwright import Axe
from browsing import LIVE_TIMEOUT, Screens, htmx_settled, join_course, sign_in_staff, wait_live
from playwright.sync_api import Page, expect

from course import demo

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("TETEN_SHOTS", "/tmp/shots-ending"))
CONSULTANT = "jobkonsulent1@demo.teten.dk"  # Anna's job consultant
ANNA = demo.CITIZENS[0]
OFFICE = {"viewport": {"width": 1366, "height": 768}}
AXE = Axe()


def shot(page: Page, name: str) -> None:
    """A screenshot to look at, and no serious or critical axe finding."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    violations = AXE.run(page).response["violations"]
    found = [f"[{v['impact']}] {v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:4]]}"
             for v in violations if v["impact"] in {"serious", "critical"}]
    assert not found, f"axe on {name}:\n" + "\n".join(found)


def printed_text(page: Page, name: str) -> str:
    """Print the page to an A4 PDF as Chromium does; the text as a reader reads it."""
    path = SHOTS / f"{name}.pdf"
    page.pdf(path=str(path), format="A4", prefer_css_page_size=True, print_background=True)
    document = pdfium.PdfDocument(str(path))
    try:
        texts = []
        for n, pdf_page in enumerate(document):
            texts.append(pdf_page.get_textpage().get_text_range())
            pdf_page.render(scale=1.5).to_pil().save(SHOTS / f"{name}-page{n + 1}.png")
    finally:
        document.close()
    return re.sub(r"\s+", " ", " ".join(texts).replace("\xa0", " "))


def test_the_consultant_ends_an_approved_case_and_the_phone_shows_it_live(
        screens: Screens, live_server) -> None:
    live_server.run_script("seed_room.py")  # Anna's plan is complete
    seeded = json.loads(live_server.run_script("seed_ending.py").strip().splitlines()[-1])

    phone = screens.phone()
    join_course(phone, live_server.course_code, ANNA[1])
    phone.goto("/me/plan")
    wait_live(phone)
    expect(phone.locator("#my-plan-outcome .outcome-approved")).to_be_visible()

    office = screens.open(OFFICE)
    sign_in_staff(office, CONSULTANT)
    office.goto(f"/cases/{seeded['case']}")
    wait_live(office)
    expect(office.locator("#flag-six-months")).to_contain_text(
        "Seks måneder uden job eller væsentlig ændring")
    expect(office.locator("#flag-length")).to_contain_text("Den godkendte varighed udløb")
    card = office.locator("section.end-course")
    expect(card.locator("h2")).to_have_text("Afslut forløbet")
    expect(card.locator("input[name=reason]")).to_have_count(6)
    shot(office, "case-approved-flagged-office")
    for part, name in ((office.locator("section.follow-up-record"), "progress-card"),
                       (card, "end-card")):
        part.scroll_into_view_if_needed()
        part.screenshot(path=str(SHOTS / f"{name}-office.png"))

    # the queue flags it too
    queue = screens.open(OFFICE)
    sign_in_staff(queue, CONSULTANT)
    queue.goto("/queue")
    row = queue.locator("#queue tbody tr").filter(has_text=ANNA[0])
    expect(row).to_contain_text("Seks måneder uden job eller væsentlig ændring")
    expect(row).to_contain_text("Godkendt varighed udløbet")
    shot(queue, "queue-flags-office")

    card.get_by_label("Ordinær beskæftigelse").check()
    card.locator("textarea[name=note]").fill(
        "Anna er fastansat som lagermedarbejder hos Skejby Logistik fra 1. december.")
    htmx_settled(office, card.locator("button").click)
    expect(office.locator(".case-state.state-rejected")).to_be_visible()
    expect(office.locator("section.outcome-ended")).to_contain_text("Ordinær beskæftigelse")
    expect(office.locator("section.end-course")).to_have_count(0)
    shot(office, "case-ended-office")

    # the phone: the ending and the badge, no reload
    ended = phone.locator("#my-plan-outcome .outcome-ended")
    expect(ended).to_contain_text("Ordinær beskæftigelse", timeout=LIVE_TIMEOUT)
    expect(ended).to_contain_text("Afsluttet")
    expect(phone.locator("#notice-badge .notice-badge")).to_contain_text("ny besked",
                                                                        timeout=LIVE_TIMEOUT)
    shot(phone, "phone-ended")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # the decision document: the approval and the ending, with the complaint guidance
    office.goto(f"/cases/{seeded['case']}/decision")
    document = office.locator(".decision-document")
    expect(document).to_contain_text("Forløbet er afsluttet: Ordinær beskæftigelse.")
    expect(document).to_contain_text("Budgetplanen blev godkendt")
    expect(document).to_contain_text("Klagevejledning")
    shot(office, "decision-ended-after-approval-office")
    whole = printed_text(office, "decision-ended-after-approval")
    assert seeded["reference"] in whole
    for text in ("Forløbet er afsluttet: Ordinær beskæftigelse.", "Godkendt", "Afsluttet",
                 "6 måneder", "Tro- og loveerklæring", "Klagevejledning",
                 "Du kan klage over denne afgørelse", "Skejby Logistik"):
        assert text in whole, text
    assert "Udskriv" not in whole
