"""Speaker material and the speaker's view, in Chromium: the facilitator uploads a PDF of three
slides on the item on now (a fake PDF is refused first, with the reason on the page), puts it
on the projector and turns the pages with PageDown/PageUp and with the buttons; the projector
follows; the speaker's view (opened from the console, on a screen of its own with no sign-in)
shows the clock, the next item and the page, and turns it with → and PageDown; a phone opens
the page on the wall; the speaker's link revoked, its screen stops.

The page on the wall is measured like every other state of the stage
(e2e/test_projector_stage_in_the_browser.py: no zones overlapping or leaving the screen, no
text clipped, every text at the floor) at 1920×1080, 1280×720 and 1024×768, and the image must
lie whole inside its zone; the console, the projector, the speaker's view, the item's material
page and the phone are axe-clean. Screenshots go to e2e/artifacts/speaker-*.png.
"""

from __future__ import annotations

import io
import re

import pytest
from browsing import (
    LIVE_TIMEOUT,
    Screens,
    assert_accessible,
    console_and_projector,
    htmx_settled,
    join_course,
    screenshot,
    wait_live,
)
from playwright.sync_api import Page, expect
from test_projector_stage_in_the_browser import FLOOR, MEASURE, SIZES, fitted

pytestmark = pytest.mark.e2e

#: The stage's measure, with the page on the wall as a zone in place of the main one.
MEASURE_MATERIAL = MEASURE.replace(
    'poll: "#poll .stage-poll-inner",',
    'poll: "#poll .stage-poll-inner", material: "#material .stage-material-page",').replace(
    "if (!boxes.header || !boxes.main)", "if (!boxes.header || !(boxes.main || boxes.material))")

#: The page's picture lies whole inside its zone (object-fit: contain), and is not tiny.
IMAGE_FITS = """() => {
  const img = document.querySelector("#material .stage-material-page img");
  if (!img || !img.complete || !img.naturalWidth) return "no image loaded";
  const box = img.getBoundingClientRect();
  const scale = Math.min(box.width / img.naturalWidth, box.height / img.naturalHeight);
  const w = img.naturalWidth * scale, h = img.naturalHeight * scale;
  const left = box.left + (box.width - w) / 2, top = box.top + (box.height - h) / 2;
  if (left < -0.5 || top < -0.5 || left + w > window.innerWidth + 0.5 ||
      top + h > window.innerHeight + 0.5) return "the page leaves the screen";
  if (h < window.innerHeight * 0.4) return `the page is only ${h.toFixed(0)} px high`;
  return "";
}"""


#: The speaker's view on a laptop or tablet: the clock on one line, nothing off the screen.
SPEAKER_FITS = """() => {
  const clock = document.querySelector(".speaker-clock .countdown");
  const line = parseFloat(getComputedStyle(clock).lineHeight);
  if (clock.getBoundingClientRect().height > 1.5 * line) return "the clock takes two lines";
  for (const el of document.querySelectorAll(".speaker *")) {
    const box = el.getBoundingClientRect();
    if (box.width < 1 || box.height < 1) continue;
    if (box.right > window.innerWidth + 0.5 || box.bottom > window.innerHeight + 0.5) {
      return `${el.className || el.tagName} leaves the screen`;
    }
  }
  return "";
}"""


def _slides(count: int = 3) -> bytes:
    """A PDF of ``count`` 16:9 slides, each saying its number (Pillow writes the PDF)."""
    from PIL import Image, ImageDraw

    pages = []
    for n in range(1, count + 1):
        slide = Image.new("RGB", (960, 540), (255, 255, 255))
        draw = ImageDraw.Draw(slide)
        draw.rectangle((0, 0, 959, 80), fill=(0, 82, 147))
        draw.text((40, 200), f"Slide {n} of {count}", fill=(0, 0, 0), font_size=96)
        pages.append(slide)
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:])
    return out.getvalue()


def _page_on(page: Page, selector: str, n: int, total: int = 3) -> None:
    expect(page.locator(selector)).to_have_attribute(
        "alt", re.compile(rf"side {n} af {total}$"), timeout=LIVE_TIMEOUT)


def _upload(page: Page, name: str, data: bytes, mime: str) -> None:
    page.set_input_files("#material-file", files=[{"name": name, "mimeType": mime,
                                                   "buffer": data}])
    page.locator("form.material-upload button[type=submit]").click()


def test_material_on_the_wall_turned_from_the_console_and_the_speakers_view(
        browser, live_server) -> None:
    screens = Screens(browser, live_server.url)
    try:
        console, wall = console_and_projector(screens, live_server)
        htmx_settled(console, console.locator(
            "#now form[action$='/session/start'] button").click)
        course_url = re.sub(r"/console$", "", console.url)
        phone = screens.phone()
        join_course(phone, live_server.course_code, live_server.personal_codes[0])

        # the item on now, in the agenda editor: its material page
        item_title = console.locator("#now .now-title").inner_text()
        console.goto(f"{course_url}/agenda")
        item = console.locator(".agenda-item").filter(has_text=item_title).first
        item.locator("a[href$='/material']").click()
        expect(console).to_have_url(re.compile(r"/items/\d+/material$"))

        # a page that calls itself a PDF is refused, with the reason beside the form
        _upload(console, "slides.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
        expect(console.locator("#material-message")).to_contain_text("Kun en PDF")
        assert_accessible(console, "the item's material page, refused")

        _upload(console, "slides.pdf", _slides(), "application/pdf")
        expect(console.locator(".material-entry")).to_contain_text("slides.pdf · 3 sider")
        expect(console.locator(".material-thumbs img")).to_have_count(3)
        assert_accessible(console, "the item's material page")
        console.set_viewport_size({"width": 1366, "height": 768})
        screenshot(console, "speaker-item-material-1366x768")

        # back on the console: put it up; the wall shows page 1
        console.goto(f"{course_url}/console")
        wait_live(console)
        htmx_settled(console, console.locator(
            "#material form[action$='/show'] button").click)
        expect(console.locator("#material .material-status")).to_contain_text("side 1 af 3")
        _page_on(wall, "#material .stage-material-page img", 1)

        # PageDown (a clicker) turns it; the buttons too; the wall follows each time
        console.keyboard.press("PageDown")
        expect(console.locator("#material .material-status")).to_contain_text("side 2 af 3")
        _page_on(wall, "#material .stage-material-page img", 2)
        console.keyboard.press("PageDown")
        console.keyboard.press("PageDown")  # past the last page: it stays there
        expect(console.locator("#material .material-status")).to_contain_text("side 3 af 3")
        expect(console.locator("#material button[data-shortcut='pagedown']")).to_be_disabled()
        console.keyboard.press("PageUp")
        expect(console.locator("#material .material-status")).to_contain_text("side 2 af 3")
        htmx_settled(console, console.get_by_role("button", name="← Forrige side").click)
        expect(console.locator("#material .material-status")).to_contain_text("side 1 af 3")
        _page_on(wall, "#material .stage-material-page img", 1)
        expect(console.locator("#now .now-title")).to_have_text(item_title)  # not moved on
        assert_accessible(console, "the console with material up")
        screenshot(console, "speaker-console-1366x768")

        # the wall, at every size: the page fits its zone, nothing overlaps
        problems: list[str] = []
        for width, height in SIZES:
            wall.set_viewport_size({"width": width, "height": height})
            fitted(wall)
            measured = wall.evaluate(MEASURE_MATERIAL, FLOOR)
            problems += [f"{width}×{height}: {p}" for p in measured["problems"]]
            image = wall.evaluate(IMAGE_FITS)
            if image:
                problems.append(f"{width}×{height}: {image}")
            screenshot(wall, f"speaker-projector-{width}x{height}", full_page=False)
        assert not problems, "the page does not fit the stage:\n" + "\n".join(problems)
        assert_accessible(wall, "the projector with material")

        # a phone opens the page on the wall
        shown = phone.locator("#phone-material img")
        expect(shown).to_be_visible(timeout=LIVE_TIMEOUT)
        src = shown.get_attribute("src")
        answer = phone.request.get(src)
        assert answer.status == 200 and answer.headers["content-type"] == "image/jpeg"
        assert_accessible(phone, "the phone with the page on the wall")
        screenshot(phone, "speaker-phone-390x844")

        # the speaker's view: opened from the console, shown on a screen of its own
        with console.context.expect_page() as opened:
            console.locator("form[action$='/speaker'] button[type=submit]").click()
        window = opened.value
        expect(window).to_have_url(re.compile(r"/speaker/[\w-]+$"))
        speaker = screens.laptop()
        speaker.goto(window.url)
        window.close()
        wait_live(speaker)
        expect(speaker.locator("#speaker-now [data-countdown]")).to_be_visible()
        expect(speaker.locator("#speaker-now .speaker-title")).to_have_text(item_title)
        expect(speaker.locator("#speaker-now .speaker-next")).to_contain_text("Derefter")
        _page_on(speaker, "#speaker-material .speaker-page", 1)
        speaker.keyboard.press("ArrowRight")
        _page_on(speaker, "#speaker-material .speaker-page", 2)
        _page_on(wall, "#material .stage-material-page img", 2)
        speaker.keyboard.press("PageDown")
        _page_on(speaker, "#speaker-material .speaker-page", 3)
        _page_on(wall, "#material .stage-material-page img", 3)
        expect(console.locator("#material .material-status")).to_contain_text(
            "side 3 af 3", timeout=LIVE_TIMEOUT)
        htmx_settled(speaker, speaker.get_by_role("button", name="← Forrige side").click)
        _page_on(wall, "#material .stage-material-page img", 2)
        assert_accessible(speaker, "the speaker's view")
        for width, height in ((1366, 768), (1024, 768), (1280, 800)):
            speaker.set_viewport_size({"width": width, "height": height})
            assert speaker.evaluate(SPEAKER_FITS) == "", f"the speaker's view at {width}×{height}"
            screenshot(speaker, f"speaker-view-{width}x{height}", full_page=False)

        # taken down: off the wall, the speaker's view and the phone
        htmx_settled(console, console.locator(
            "#material form[action$='/show'] button").click)
        expect(wall.locator("#material img")).to_have_count(0, timeout=LIVE_TIMEOUT)
        expect(speaker.locator("#speaker-material img")).to_have_count(0, timeout=LIVE_TIMEOUT)
        expect(phone.locator("#phone-material img")).to_have_count(0, timeout=LIVE_TIMEOUT)
        expect(wall.locator(".stage-main.projector-now")).to_be_visible()

        # the speaker's link revoked: its screen stops
        console.reload()
        htmx_settled(console, console.get_by_role(
            "button", name="Stop denne oplægsholderskærm").first.click)
        expect(speaker.locator("#speaker-now")).to_have_count(0, timeout=LIVE_TIMEOUT)
        assert speaker.evaluate("document.title").strip() != ""
        screens.log.assert_no_csp_violations()
    finally:
        screens.close()
