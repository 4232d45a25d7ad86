"""Receipts (issue 17, point 3) in the browser: Hassan, on his 390×844 phone, finds the receipt
due for the transfer to his own account on his plan page; a text file is refused beside the
upload control, then he hands in a photo (a real JPEG carrying EXIF: camera and GPS); his job
consultant sees the photo on the case and accepts it, and Hassan's page says so. The finance
office's payout page shows the receipt too. axe finds nothing serious; screenshots (phone and
office) are saved in TETEN_SHOTS (default /work/shots/receipts) to be looked at."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from browsing import assert_accessible, join_course, sign_in_staff
from PIL import ExifTags, Image
from playwright.sync_api import Page, expect

from course import demo

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("TETEN_SHOTS", "/work/shots/receipts"))
OFFICE = {"viewport": {"width": 1366, "height": 768}}


def photo_with_exif() -> bytes:
    """A phone's photo of a receipt: a white slip with a few lines, camera make and GPS."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (57.0, 2.0, 46.0)
    picture = Image.new("RGB", (240, 360), (245, 243, 235))
    for y in range(40, 320, 36):
        for x in range(30, 210):
            picture.putpixel((x, y), (40, 40, 40))
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    return out.getvalue()


def sign_in_finance(page: Page, email: str) -> None:
    """The finance office lands on its payouts overview, not the office start page."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", demo.STAFF_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/payouts$"))


@pytest.fixture(scope="module")
def seeded_receipts(live_server) -> dict[str, object]:
    return json.loads(live_server.run_script("seed_receipts.py").strip().splitlines()[-1])


def test_a_citizen_photographs_a_receipt_and_the_consultant_accepts_it(
        screens, seeded_receipts) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    seeded = seeded_receipts
    receipt_id, case_id = seeded["receipt"], seeded["approved"]

    hassan = screens.phone()
    join_course(hassan, seeded["course_code"], seeded["citizen_code"])
    hassan.goto("/me/plan")
    receipt = hassan.locator(f"#receipt-{receipt_id}")
    expect(receipt).to_contain_text("Ikke afleveret")
    expect(receipt).to_contain_text("Aflever kvitteringen senest")
    upload = receipt.locator("input[type=file]")
    expect(upload).to_have_attribute("accept", "image/*,application/pdf")
    expect(upload).to_have_attribute("capture", "environment")
    receipt.scroll_into_view_if_needed()
    hassan.screenshot(path=str(SHOTS / "citizen-due-phone.png"), full_page=True)
    assert_accessible(hassan, "the plan page with a receipt due")
    assert hassan.evaluate("document.documentElement.scrollWidth") <= 390
    # axe leaves an empty style="" on elements it inspected, which htmx's settling copies
    # onto their swapped-in twins (an inline style the CSP refuses): a fresh page to act on
    hassan.reload()

    # a wrong file: refused in place, beside the control
    upload.set_input_files({"name": "kvittering.txt", "mimeType": "text/plain",
                            "buffer": b"Arbejdssko 1.200 kr."})
    receipt.get_by_role("button", name="Aflever kvitteringen").click()
    message = hassan.locator(f"#receipt-{receipt_id}-message")
    expect(message).to_contain_text("Kun PDF-, JPEG- og PNG-filer")
    expect(receipt).to_contain_text("Ikke afleveret")
    hassan.screenshot(path=str(SHOTS / "citizen-refused-phone.png"), full_page=True)
    assert_accessible(hassan, "a refused receipt")
    hassan.reload()

    # the photo
    hassan.locator(f"#receipt-{receipt_id} input[type=file]").set_input_files(
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": photo_with_exif()})
    hassan.locator(f"#receipt-{receipt_id}").get_by_role(
        "button", name="Aflever kvitteringen").click()
    expect(receipt).to_contain_text("Tak: kvitteringen er afleveret.")
    expect(receipt).to_contain_text("Afleveret, venter på en afgørelse")
    expect(receipt.get_by_role("link", name="IMG_2041.jpg")).to_be_visible()
    hassan.screenshot(path=str(SHOTS / "citizen-handed-in-phone.png"), full_page=True)
    assert_accessible(hassan, "a receipt handed in")

    # the job consultant sees the photo on the case and accepts it
    consultant = screens.open(OFFICE)
    sign_in_staff(consultant, seeded["consultant"])
    consultant.goto(f"/cases/{case_id}")
    section = consultant.locator(f"#receipts-{case_id}")
    expect(section).to_contain_text("Afleveret, venter på en afgørelse")
    image = section.locator("img.receipt-image")
    image.scroll_into_view_if_needed()
    expect(image).to_be_visible()
    consultant.wait_for_function(
        "img => img.complete && img.naturalWidth === 240", arg=image.element_handle())
    consultant.screenshot(path=str(SHOTS / "consultant-case-office.png"), full_page=True)
    assert_accessible(consultant, "the case with a receipt handed in")
    consultant.reload()
    section.get_by_role("button", name="Godkend kvitteringen").click()
    expect(consultant.locator(f"#receipts-{case_id}")).to_contain_text("Godkendt af")
    expect(consultant.locator(f"#receipts-{case_id} form")).to_have_count(0)
    consultant.screenshot(path=str(SHOTS / "consultant-accepted-office.png"), full_page=True)
    assert_accessible(consultant, "the case with the receipt accepted")

    # Hassan's page follows (his outcome region refetches when the case's receipts change)
    hassan.reload()
    expect(hassan.locator(f"#receipt-{receipt_id}")).to_contain_text("Godkendt")
    expect(hassan.locator(f"#receipt-{receipt_id} form")).to_have_count(0)
    hassan.locator(f"#receipt-{receipt_id}").scroll_into_view_if_needed()
    hassan.screenshot(path=str(SHOTS / "citizen-accepted-phone.png"), full_page=True)

    # the finance office's payout view shows the receipt beside the payouts
    finance = screens.open(OFFICE)
    sign_in_finance(finance, seeded["finance"])
    finance.goto(f"/payouts/cases/{case_id}")
    expect(finance.locator(f"#receipts-{case_id}")).to_contain_text("Godkendt")
    finance.screenshot(path=str(SHOTS / "finance-payouts-office.png"), full_page=True)
    assert_accessible(finance, "the payout page with the receipt")
    phone = screens.phone()
    sign_in_finance(phone, seeded["finance"])
    phone.goto(f"/payouts/cases/{case_id}")
    phone.screenshot(path=str(SHOTS / "finance-payouts-phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert re.search(r"/payouts/cases/\d+$", phone.url)


def test_the_team_lead_sets_the_days_to_hand_in_a_receipt(screens, live_server) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    lead = screens.open(OFFICE)
    sign_in_staff(lead, live_server.team_lead)
    lead.goto("/settings")
    card = lead.locator("#receipt-days")
    days = card.get_by_label("Dage til at aflevere en kvittering")
    expect(days).to_have_value("14")
    days.fill("0")
    card.get_by_role("button", name="Gem fristen for kvitteringer").click()
    expect(lead.locator("#receipt-days-message")).to_contain_text("Vælg mellem 1 og 90 dage.")
    expect(lead.locator("#receipt-days-input")).to_have_value("0")
    lead.locator("#receipt-days").scroll_into_view_if_needed()
    lead.screenshot(path=str(SHOTS / "settings-refused-office.png"), full_page=True)
    assert_accessible(lead, "the settings with a refused number of days")
    lead.locator("#receipt-days-input").fill("21")
    lead.locator("#receipt-days").get_by_role("button", name="Gem fristen for kvitteringer").click()
    expect(lead.locator("#receipt-days-input")).to_have_value("21")
    expect(lead.locator("main")).to_contain_text("Fristen for kvitteringer er gemt.")


def test_an_overdue_receipt_is_flagged_and_claimed_back(screens, seeded_receipts,
                                                        live_server) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    case_id = seeded_receipts["approved"]
    printed = live_server.run_script("seed_receipts.py", "overdue")
    receipt_id = json.loads(printed.strip().splitlines()[-1])["receipt"]
    consultant = screens.open(OFFICE)
    sign_in_staff(consultant, seeded_receipts["consultant"])
    consultant.goto("/queue?view=team&state=approved")
    row = consultant.locator("tr", has_text=seeded_receipts["approved_citizen"])
    expect(row).to_contain_text("1 kvittering forsinket")
    consultant.screenshot(path=str(SHOTS / "queue-overdue-office.png"), full_page=True)
    consultant.goto(f"/cases/{case_id}")
    receipt = consultant.locator(f"#case-receipt-{receipt_id}")
    expect(receipt).to_contain_text("Fristen er overskredet")
    expect(consultant.locator(f"#receipts-{case_id}")).to_contain_text(
        "Skal ikke længere afleveres")  # the reversed transfer's receipt
    receipt.locator("summary", has_text="Kræv pengene tilbage").click()
    receipt.get_by_label("Hvorfor").fill("Ingen kvittering trods påmindelse")
    receipt.get_by_role("button", name="Registrér kravet om tilbagebetaling").click()
    expect(consultant.locator(f"#case-receipt-{receipt_id}")).to_contain_text(
        "Tilbagebetaling krævet: 6.000 kr., Ingen kvittering trods påmindelse")
    consultant.locator(f"#case-receipt-{receipt_id}").scroll_into_view_if_needed()
    consultant.screenshot(path=str(SHOTS / "consultant-claimed-office.png"), full_page=True)
    assert_accessible(consultant, "the case with a repayment claim")
