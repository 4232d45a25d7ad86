"""Documents a municipality can sign, printed by Chromium to PDF and read back (issue 16,
point 6): the decision document of an approved and of an ended plan, and a citizen's own print
of the plan. The PDFs' text (pypdfium2) must hold unbroken amounts, "Ja" as one word, the case
number, the declaration on honour, the complaint guidance where a plan is ended, and page
numbers; no "Tilbage" or "Send planen" is printed. Each page is rendered to PNG beside the
screenshots, to be looked at."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from browsing import Screens, assert_accessible, join_course, sign_in_staff
from playwright.sync_api import Page, expect

from course import demo

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("TETEN_SHOTS", "/tmp/shots-documents"))
LEAD = "leder@demo.teten.dk"
OFFICE = {"viewport": {"width": 1366, "height": 768}}




def print_to_pdf(page: Page, name: str) -> list[str]:
    """Print the page as Chromium does (A4, the page's own @page sizes and margins), keep the
    PDF and a PNG of every page in ``SHOTS``, and return each page's text."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.pdf"
    page.pdf(path=str(path), format="A4", prefer_css_page_size=True, print_background=True)
    document = pdfium.PdfDocument(str(path))
    texts = []
    try:
        for n, pdf_page in enumerate(document):
            width, height = pdf_page.get_size()
            assert (round(width), round(height)) == (595, 842), "not A4 portrait"
            text_page = pdf_page.get_textpage()
            texts.append(text_page.get_text_range().replace("\r\n", "\n"))
            pdf_page.render(scale=1.5).to_pil().save(SHOTS / f"{name}-page{n + 1}.png")
    finally:
        document.close()
    return texts


def words(text: str) -> str:
    """The text as a reader reads it: no-break spaces are spaces (lines stay lines)."""
    return text.replace("\xa0", " ")


def assert_printed_well(pages: list[str], *, amounts: list[str]) -> str:
    """What every printed document must hold: page numbers on every page, amounts never
    broken over two lines, "Ja" never split, no screen controls."""
    for n, text in enumerate(pages, start=1):
        assert f"Side {n} af {len(pages)}" in words(text), f"no page number on page {n}"
    whole = words("\n".join(pages))
    for amount in amounts:
        assert amount in whole, f"{amount!r} is broken or missing"
    assert not re.search(r"(?m)^J$\n^a\b", whole), "'Ja' is split over two lines"
    assert not re.search(r"\d\.\d{1,2}\n\d", whole), "an amount is broken over two lines"
    # "Tilbage" is the totals' label for what is left of the cap (an amount follows); the
    # screen's "Tilbage" link is not printed
    for match in re.finditer(r"Tilbage", whole):
        assert re.match(r"\s*[\d.]+ kr\.", whole[match.end():]), "the 'Tilbage' link is printed"
    assert "Send planen" not in whole and "Udskriv" not in whole
    return whole


@pytest.fixture(scope="module")
def decided_cases(live_server) -> dict[str, object]:
    """Two of the earlier course's cases decided: one approved, one ended (once per module)."""
    return json.loads(live_server.run_script("seed_decisions.py").strip().splitlines()[-1])


def test_the_decision_documents_print_as_signable_a4(screens: Screens, decided_cases) -> None:
    seeded = decided_cases
    lead = screens.open(OFFICE)
    sign_in_staff(lead, LEAD)

    lead.goto(f"/cases/{seeded['approved']}/decision")
    expect(lead.locator("h1")).to_have_text("Afgørelse om budgetplan")
    lead.screenshot(path=str(SHOTS / "decision-approved-office.png"), full_page=True)
    assert_accessible(lead, "the decision document")
    whole = assert_printed_well(print_to_pdf(lead, "decision-approved"),
                                amounts=["14.500 kr.", "6.000 kr.", "20.500 kr."])
    assert seeded["approved_reference"] in whole
    assert re.search(r"(?m)^Ja$", whole) or re.search(r"\bJa\b", whole)
    assert "Tro- og loveerklæring" in whole
    assert f"Underskrevet i Teten af {seeded['approved_citizen']}" in whole
    assert "Gul" in whole and "Grøn" in whole and "genvurdering" in whole
    assert "9 måneder" in whole and "Klagevejledning" not in whole

    lead.goto(f"/cases/{seeded['ended']}/decision")
    whole = assert_printed_well(print_to_pdf(lead, "decision-ended"),
                                amounts=["18.000 kr.", "19.200 kr."])
    assert seeded["ended_reference"] in whole
    assert "Klagevejledning" in whole and "Du kan klage over denne afgørelse" in whole
    assert "Rød" in whole and "Nej" in whole

    # the team lead's setting for the guidance, on an office screen and a phone
    lead.goto("/settings")
    expect(lead.locator("#complaint_guidance")).to_be_visible()
    lead.screenshot(path=str(SHOTS / "settings-office.png"), full_page=True)
    assert_accessible(lead, "the settings page")
    small = screens.phone()
    sign_in_staff(small, LEAD)
    small.goto("/settings")
    small.screenshot(path=str(SHOTS / "settings-phone.png"), full_page=True)
    small.goto(f"/cases/{seeded['ended']}/decision")
    small.screenshot(path=str(SHOTS / "decision-ended-phone.png"), full_page=True)
    assert small.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_citizens_own_print_of_the_plan(screens: Screens, live_server) -> None:
    live_server.run_script("seed_room.py")  # Anna's plan is complete: the editor offers "Send"
    phone = screens.phone()
    join_course(phone, live_server.course_code, demo.CITIZENS[0][1])
    phone.goto("/me/budget")
    expect(phone.locator("form.submit-plan button")).to_be_visible()
    phone.locator("a[href$='/print']").first.click()
    expect(phone.locator(".print-plan h1")).to_contain_text(demo.CITIZENS[0][0])
    phone.screenshot(path=str(SHOTS / "plan-print-phone.png"), full_page=True)
    whole = assert_printed_well(print_to_pdf(phone, "plan-print"), amounts=["9.800 kr."])
    assert "Frist\n—" not in whole and "Frist —" not in whole
    assert "Personlig strategi" in whole


def test_an_access_request_prints_the_citizens_trail(screens: Screens, decided_cases) -> None:
    seeded = decided_cases
    """The audit trail of the approved case, opened from the case page and printed: steps in
    Danish words, Danish time, the rating notes; nothing in code words."""
    lead = screens.open(OFFICE)
    sign_in_staff(lead, LEAD)
    lead.goto(f"/cases/{seeded['approved']}")
    lead.locator(f"a[href$='/cases/{seeded['approved']}/trail']").click()
    expect(lead.locator("h1")).to_have_text("Alle trin i sagen om din budgetplan")
    expect(lead.locator(".trail-table tbody tr").first).to_contain_text("Plan afleveret")
    lead.screenshot(path=str(SHOTS / "trail-office.png"), full_page=True)
    assert_accessible(lead, "the audit trail page")
    pages = print_to_pdf(lead, "trail")
    for n, text in enumerate(pages, start=1):
        assert f"Side {n} af {len(pages)}" in words(text)
    whole = re.sub(r"\s+", " ", words("\n".join(pages)))  # phrases may wrap in the columns
    assert seeded["approved_reference"] in whole and "Kriterium vurderet" in whole
    assert "Note: Budgetposterne peger direkte på målet" in whole
    assert "Plan godkendt" in whole and "Tro- og loveerklæring underskrevet" in whole
    assert re.search(r"kl\. \d\d\.\d\d", whole)
    for code in ("substantial_change", "criterion=", "declaration_signed", "Tilbage",
                 "Hent som CSV"):
        assert code not in whole
    phone = screens.phone()
    sign_in_staff(phone, LEAD)
    phone.goto(f"/cases/{seeded['approved']}/trail")
    phone.screenshot(path=str(SHOTS / "trail-phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_information_leaflet_on_a4_and_on_the_phone(screens: Screens, live_server) -> None:
    """The consultant prints the leaflet for the demo course (its days filled in) on A4, in
    Danish and in English; a citizen's phone opens it from the home screen at 390×844."""
    consultant = screens.open(OFFICE)
    sign_in_staff(consultant, "jobkonsulent1@demo.teten.dk")
    consultant.goto("/office")
    consultant.locator("a[href^='/courses/']").filter(has_text="demo").first.click()
    consultant.locator("a[href$='/information']").click()
    expect(consultant.locator(".leaflet h1")).to_have_text("Personlige, borgerstyrede budgetter")
    consultant.screenshot(path=str(SHOTS / "leaflet-office.png"), full_page=True)
    assert_accessible(consultant, "the leaflet")
    pages = print_to_pdf(consultant, "leaflet-da")
    assert len(pages) <= 2, "the leaflet is a handout: two pages at most"
    whole = re.sub(r"\s+", " ", words("\n".join(pages)))
    for text in ("Op til 50.000 kr.", "7 dages betænkningstid", "højst 4 uger",
                 "Det er frivilligt at være med.", "Kursusdag 1", "Personlig strategi",
                 "Er det realistisk, at du kan gennemføre planen?", "faktura til kommunen",
                 "Jeg erklærer på tro og love", "ikke en forhåndsgodkendelse",
                 f"Side 1 af {len(pages)}"):
        assert text in whole, text
    assert "Tilbage" not in whole and "In English" not in whole and "Udskriv" not in whole
    consultant.locator("a[lang='en']").click()
    expect(consultant.locator(".leaflet h1")).to_have_text("Personal, citizen-controlled budgets")
    english = re.sub(r"\s+", " ", words("\n".join(print_to_pdf(consultant, "leaflet-en"))))
    assert "Up to 50.000 kr." in english and "Course day 1" in english
    assert "not a pre-approval" in english and "Page 1 of" in english

    phone = screens.phone()
    join_course(phone, live_server.course_code, demo.CITIZENS[1][1])
    phone.locator("a[href='/me/information']").click()
    expect(phone.locator(".leaflet h1")).to_be_visible()
    phone.screenshot(path=str(SHOTS / "leaflet-phone.png"), full_page=False)
    phone.screenshot(path=str(SHOTS / "leaflet-phone-full.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone, "the leaflet on a phone")

    start = screens.phone()
    start.goto("/")
    expect(start.locator(".offer-card")).to_contain_text("op til 50.000 kr.")
    start.screenshot(path=str(SHOTS / "start-phone.png"), full_page=True)
    assert_accessible(start, "the start page")
