"""The projector stage, measured: every state of the wall with the longest realistic content, at
1920×1080, 1280×720 and 1024×768 (a 4:3 projector in a municipal meeting room).

For each state and size, in the browser:

- the zones — header (course, clock), main, the question and the announcement when shown,
  footer (next item, join strip) — lie on the screen and no two of them intersect;
- no text element overflows its box (``scrollHeight``/``scrollWidth`` within the client size
  + 1 px); the course's name stands on one line and the clock does not cover it;
- every text is at least the floor: 1/30 of the screen's height (36 px at 1080, 25.6 at 768,
  24 at 720). A projected image is as high in the room whatever its resolution; read from 5 m,
  a lower-case letter should be about 25 mm high (1/200 of the distance), i.e. a font size of
  about 50 mm, 1/30 of a meeting room's 1.5 m high image (app.css, "projector: the stage");
- the join QR is an inline SVG, at least 12 % of the screen's height in the join strip and at
  least 55 % when it fills the wall.

And "join, always" live: the console puts the join QR on the whole wall and takes it off (button
and the q key), a reload keeps it, and a citizen's sign-in moves the wall's count.

States are put in place by e2e/seed_stage.py (the wall is reloaded after each); screenshots of
each state at each size go to e2e/artifacts/stage-*.png for a person to look at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from browsing import (
    LIVE_TIMEOUT,
    Screens,
    console_and_projector,
    htmx_settled,
    join_course,
    screenshot,
)
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.e2e

SIZES = [(1920, 1080), (1280, 720), (1024, 768)]
#: Every state of the wall, in the order the seeding script can put them in place.
STATES = ["before", "plenary", "talk", "spotlight", "break", "workshop-0", "workshop-1",
          "workshop-2", "workshop-3", "workshop-4", "announcement", "join-qr", "board-4",
          "pinned", "board-20", "board-55"]
#: The floor as a share of the screen's height.
FLOOR = 1 / 30

MEASURE = """(floorShare) => {
  const problems = [];
  const floor = window.innerHeight * floorShare;
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className
      ? "." + el.className.split(" ").join(".") : "");
  // the zones: on the screen, and apart
  const zones = {header: ".stage-header", main: ".stage-main", footer: ".stage-footer",
                 spotlight: "#spotlight .spotlight", announcement: "#announcement .announcement",
                 poll: "#poll .stage-poll-inner", reactions: "#reactions .reaction-burst"};
  const boxes = {};
  for (const [zone, selector] of Object.entries(zones)) {
    const el = document.querySelector(selector);
    if (!el || !shown(el)) continue;
    const box = el.getBoundingClientRect();
    boxes[zone] = box;
    if (box.left < -0.5 || box.top < -0.5 || box.right > window.innerWidth + 0.5 ||
        box.bottom > window.innerHeight + 0.5) {
      problems.push(`${zone} leaves the screen: ${JSON.stringify(box)}`);
    }
  }
  const names = Object.keys(boxes);
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const a = boxes[names[i]], b = boxes[names[j]];
      const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
                      Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
      if (overlap) problems.push(`${names[i]} and ${names[j]} intersect`);
    }
  }
  if (!boxes.header || !boxes.main) problems.push("no header or no main zone");
  // every element of the stage: nothing overflows its box; every text at the floor at least
  let smallest = Infinity;
  let smallestWhat = "";
  let smallestMain = Infinity;
  for (const el of document.querySelectorAll(".stage *")) {
    if (el instanceof SVGElement || !shown(el)) continue;
    if (el.clientWidth > 1 && el.clientHeight > 1 &&
        (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)) {
      problems.push(`${name(el)} overflows: ${el.scrollWidth}×${el.scrollHeight} in ` +
                    `${el.clientWidth}×${el.clientHeight}`);
    }
    const own = [...el.childNodes].some(
      (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!own) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < smallest) { smallest = size; smallestWhat = name(el); }
    if (el.closest(".stage-main") && size < smallestMain) smallestMain = size;
    if (size < floor - 0.05) {
      problems.push(`${name(el)} is ${size.toFixed(1)} px (floor ${floor.toFixed(1)})`);
    }
  }
  // the course's name on one line, and the clock never covers it
  const title = document.querySelector(".projector-course");
  const lineHeight = title ? parseFloat(getComputedStyle(title).lineHeight) : 0;
  if (title && title.getBoundingClientRect().height > 1.5 * lineHeight) {
    problems.push("the course's name takes more than one line");
  }
  const clock = document.querySelector(".projector-countdown");
  if (title && clock) {
    const range = document.createRange();
    range.selectNodeContents(title);
    const text = range.getBoundingClientRect();
    const c = clock.getBoundingClientRect();
    if (Math.min(text.right, c.right) - Math.max(text.left, c.left) > 0.5 &&
        Math.min(text.bottom, c.bottom) - Math.max(text.top, c.top) > 0.5) {
      problems.push("the clock covers the course's name");
    }
  }
  // the join QR: an inline SVG, big enough to scan
  const qrs = [...document.querySelectorAll(".stage .qr")].filter(shown);
  if (!qrs.length) problems.push("no join QR on the wall");
  for (const qr of qrs) {
    const side = Math.min(qr.getBoundingClientRect().width, qr.getBoundingClientRect().height);
    const full = qr.closest(".projector-join") !== null;
    const least = window.innerHeight * (full ? 0.55 : 0.12);
    if (!qr.querySelector("svg")) problems.push("the QR is not an inline SVG");
    if (side < least) problems.push(`the ${full ? "full" : "strip"} QR is ${side.toFixed(0)} px`);
  }
  return {problems, smallest, smallestWhat, smallestMain};
}"""


@pytest.fixture(scope="module")
def screens(browser: Browser, live_server) -> Iterator[Screens]:
    opened = Screens(browser, live_server.url)
    yield opened
    opened.log.assert_no_csp_violations()
    opened.close()


@pytest.fixture(scope="module")
def room(screens: Screens, live_server) -> tuple[Page, Page]:
    """The console on a laptop and the wall it opened."""
    return console_and_projector(screens, live_server)


def fitted(page: Page) -> None:
    """Wait until the stage has been fitted to the screen as it is now."""
    page.evaluate("""async () => {
      await document.fonts.ready;
      await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
      window.dispatchEvent(new Event("resize"));
    }""")


def joined(page: Page) -> tuple[int, int]:
    text = page.locator("#projector-joined").inner_text()
    present, enrolled = re.findall(r"\d+", text)
    return int(present), int(enrolled)


def test_join_always_the_count_and_the_full_screen_qr(room, screens: Screens,
                                                      live_server) -> None:
    console, wall = room
    htmx_settled(console, console.locator("#now form[action$='/session/start'] button").click)
    strip = wall.locator(".stage-footer .join-strip")
    expect(strip.locator(".qr svg")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(strip).to_contain_text(live_server.course_code)
    present, enrolled = joined(wall)

    # a latecomer signs in: the wall's count follows, live
    join_course(screens.phone(), live_server.course_code, live_server.personal_codes[0])
    expect(wall.locator("#projector-joined")).to_contain_text(
        f"{present + 1} af {enrolled}", timeout=LIVE_TIMEOUT)

    # the console puts the QR on the whole wall with its button, and takes it off with q
    button = console.locator("#now form[action$='/session/join-qr'] button")
    expect(button).to_have_attribute("aria-pressed", "false")
    htmx_settled(console, button.click)
    full = wall.locator(".stage-main.projector-join .qr svg")
    expect(full).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(wall.locator(".stage-main")).to_contain_text(f"{present + 1} af {enrolled}")
    expect(console.locator("#now form[action$='/session/join-qr'] button")).to_have_attribute(
        "aria-pressed", "true")
    screenshot(wall, "stage-join-qr-live", full_page=False)
    wall.reload()  # the state is the day's, in the database
    expect(full).to_be_visible()
    console.locator("h1").click()
    htmx_settled(console, lambda: console.keyboard.press("q"))
    expect(full).to_have_count(0, timeout=LIVE_TIMEOUT)
    expect(wall.locator(".stage-main .projector-title")).to_be_visible()
    expect(console.locator("#now .shortcut-list")).to_contain_text(
        "q QR-kode på hele væggen, eller væk igen")


#: The states photographed at each size (all of them are measured).
PHOTOGRAPHED = {"before", "plenary", "spotlight", "workshop-4", "announcement", "join-qr",
                "pinned", "board-20", "board-55"}


def test_every_state_fits_every_size(room, live_server) -> None:
    _console, wall = room
    problems: list[str] = []
    smallest: dict[str, tuple[float, str, str]] = {}
    smallest_main: dict[str, float] = {}
    # one seeding process for every state (closing its stdin ends it)
    with live_server.start_script("seed_stage.py", "-") as seeder:
        for state in STATES:
            seeder.stdin.write(state + "\n")
            seeder.stdin.flush()
            assert json.loads(seeder.stdout.readline())["state"] == state
            wall.set_viewport_size({"width": 1920, "height": 1080})
            wall.reload()
            expect(wall.locator(".stage[data-fitted]")).to_have_count(1)
            if state.startswith("board-"):
                expect(wall.locator(".round-draft")).to_have_count(int(state.split("-")[1]))
            for width, height in SIZES:
                size = f"{width}×{height}"
                wall.set_viewport_size({"width": width, "height": height})
                fitted(wall)
                measured = wall.evaluate(MEASURE, FLOOR)
                problems += [f"{state} at {size}: {p}" for p in measured["problems"]]
                if size not in smallest or measured["smallest"] < smallest[size][0]:
                    smallest[size] = (measured["smallest"], state, measured["smallestWhat"])
                smallest_main[size] = min(smallest_main.get(size, 1e9), measured["smallestMain"])
                if state in PHOTOGRAPHED:
                    screenshot(wall, f"stage-{state}-{width}x{height}", full_page=False)
    print("smallest text per size:", {size: f"{px:.1f} px ({state}: {what})"
                                       for size, (px, state, what) in smallest.items()},
          "smallest in main:", {size: f"{px:.1f} px" for size, px in smallest_main.items()})
    assert not problems, "the stage does not fit:\n" + "\n".join(problems)
