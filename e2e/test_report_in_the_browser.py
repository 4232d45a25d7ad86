"""The report of the day in Chromium, opened from the console while the day runs: a phone has
joined (checked in) and voted in a poll; the report shows the attendance and the poll's counts,
and the seeded questions (not the hidden or held ones) and a round's coverage, is axe-clean,
prints to A4 (page numbers, no screen controls; each page rendered to PNG in
e2e/artifacts/ to be looked at) and downloads as CSV in Danish."""

from __future__ import annotations

import csv
import io
import json
import re

import pypdfium2 as pdfium
import pytest
from browsing import (
    ARTIFACTS,
    LIVE_TIMEOUT,
    Screens,
    assert_accessible,
    htmx_settled,
    join_course,
    open_console,
    screenshot,
    sign_in_staff,
    wait_live,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

QUESTION = "Hvor klar er du til at skrive dit budget?"
#: The report's table cells whose text is wider than the cell (it would overlap the next).
SPILLED = """() => [...document.querySelectorAll('.report-table th, .report-table td')]
  .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
  .map((cell) => cell.textContent.trim())"""


def _print(page: Page, name: str) -> list[str]:
    """Print as Chromium does (the page's own @page size and margins); keep the PDF and a PNG
    of every page; each page's text."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    page.pdf(path=str(path), format="A4", prefer_css_page_size=True, print_background=True)
    document = pdfium.PdfDocument(str(path))
    texts = []
    try:
        for n, pdf_page in enumerate(document):
            width, height = pdf_page.get_size()
            assert (round(width), round(height)) == (595, 842), "not A4 portrait"
            texts.append(pdf_page.get_textpage().get_text_range().replace("\r\n", "\n"))
            pdf_page.render(scale=1.5).to_pil().save(ARTIFACTS / f"{name}-page{n + 1}.png")
    finally:
        document.close()
    return texts


def test_the_report_during_the_day(browser, live_server) -> None:
    seeded = json.loads(live_server.run_script(
        "seed_report.py", live_server.course_code).strip().splitlines()[-1])
    screens = Screens(browser, live_server.url)
    try:
        console = screens.laptop()
        sign_in_staff(console, live_server.facilitator)
        open_console(console, live_server.course_code)
        wait_live(console)
        start = console.locator("#now form[action$='/session/start'] button")
        if start.count():
            htmx_settled(console, start.first.click)
        phone = screens.phone()
        join_course(phone, live_server.course_code, live_server.personal_codes[0])

        console.locator("form.poll-new [name=question]").fill(QUESTION)
        console.locator("form.poll-new [name=kind]").select_option("scale")
        htmx_settled(console, console.locator("form.poll-new button[type=submit]").click)
        poll = console.locator("#polls .poll-item").filter(has_text=QUESTION)
        htmx_settled(console, poll.locator("form[action$='/open'] button").click)
        expect(phone.locator("#poll legend")).to_have_text(QUESTION, timeout=LIVE_TIMEOUT)
        phone.get_by_label("4", exact=True).check()
        htmx_settled(phone, phone.locator("#poll form button[type=submit]").click)

        # from the console, in a tab of its own: the console keeps running
        with console.context.expect_page() as opened:
            console.get_by_role("link", name="Dagens rapport").click()
        report = opened.value
        report.set_viewport_size({"width": 1366, "height": 768})
        expect(report.locator(".print-brand")).to_have_text("Teten · Dagens rapport")
        expect(report.locator("#report-attendance")).to_contain_text(
            re.compile(r"[1-9]\d* af \d+ tjekket ind"))
        polls = report.locator("#report-polls")
        expect(polls).to_contain_text(QUESTION)
        expect(polls).to_contain_text("1 har stemt")
        row = polls.locator("tr").filter(has=report.locator("th", has_text=re.compile("^4$")))
        expect(row.locator("td")).to_have_text(["1", "100 %"])
        questions = report.locator("#report-questions")
        for text in seeded["shown"]:
            expect(questions).to_contain_text(text)
        for text in seeded["not_shown"]:
            expect(report.locator("main")).not_to_contain_text(text)
        expect(report.locator("#report-rounds .report-below")).to_have_text(
            "Under minimum: " + ", ".join(reversed(seeded["below"])))  # fewest first
        assert_accessible(report, "the report of the day")
        screenshot(report, "report-office-1366x768")

        # no cell's text runs out of its column, on the screen or on paper
        for media in ("screen", "print"):
            report.emulate_media(media=media)
            spilled = report.evaluate(SPILLED)
            assert not spilled, f"text runs out of its cell ({media}): {spilled}"
        report.emulate_media(media="null")  # back to none: page.pdf prints with @page

        pages = _print(report, "report")
        for n, text in enumerate(pages, start=1):
            assert f"Side {n} af {len(pages)}" in text.replace("\xa0", " ")
        whole = "\n".join(pages)
        assert "Fremmøde" in whole and QUESTION in whole
        assert "Udskriv" not in whole and "Hent (CSV)" not in whole
        assert "Hele forløbet" not in whole  # the meetings' links are not printed

        with report.expect_download() as download:
            report.get_by_role("link", name="Hent (CSV)").click()
        text = download.value.path().read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert ["Fremmøde"] in rows and ["Afstemninger"] in rows
        assert any(r[2:3] == [QUESTION] and r[6:8] == ["4", "1"] for r in rows)
        screens.log.assert_no_csp_violations()
    finally:
        screens.close()
