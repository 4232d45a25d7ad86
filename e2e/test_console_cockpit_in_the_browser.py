"""The console is a cockpit (issue 15, point 6), measured in Chromium at a laptop's 1366×768 and
1440×900, in every state of the day: before the start, a talk with questions, a workshop step,
a sparring round open with 20+ comments, the clock paused, an announcement on.

For each state and size:

- every button of the bar (previous, next, the timer, +5 min., the join QR, ending the day; or
  starting the day) lies inside the viewport with the page at the top and scrolled to the
  bottom — the bar sticks;
- the panels do not intersect and at least two of them share a row;
- no text overflows its panel or the bar;
- exactly one countdown clock on the console, the item's, in the bar.

Below 1000 px (a tablet, a phone) the panels stack and the bar still sticks. The keys n, k and p
still move the day (and the other console follows, live). axe finds nothing serious in any state
(at 1366×768).

States are put in place by e2e/seed_console.py (the console is reloaded after each);
screenshots of each state at each size go to e2e/artifacts/cockpit-*.png.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from browsing import (
    LIVE_TIMEOUT,
    Screens,
    axe_findings,
    htmx_settled,
    open_console,
    screenshot,
    sign_in_staff,
    wait_live,
)
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.e2e

SIZES = [(1366, 768), (1440, 900)]
TABLET = (800, 1280)
PHONE = (390, 844)
STATES = ["before", "talk", "workshop", "round", "paused", "announcement"]

MEASURE = """() => {
  const problems = [];
  const W = window.innerWidth, H = window.innerHeight;
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className
      ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const bar = document.querySelector(".cockpit-bar");
  if (!bar) return {problems: ["no bar"], buttons: [], panels: [], rows: 0};
  // the bar's buttons (and the summaries that open its asks), all inside the viewport
  const buttons = [...bar.querySelectorAll("button, summary")].filter(shown)
    .filter((b) => !b.closest("details:not([open]) > :not(summary)"));
  for (const b of buttons) {
    const box = b.getBoundingClientRect();
    if (box.left < -0.5 || box.top < -0.5 || box.right > W + 0.5 || box.bottom > H + 0.5) {
      problems.push(`${b.textContent.trim()} outside the viewport: ` +
                    `${Math.round(box.left)},${Math.round(box.top)}–` +
                    `${Math.round(box.right)},${Math.round(box.bottom)} of ${W}×${H}`);
    }
  }
  // the panels: apart, and how many share a row with another
  const panels = [...document.querySelectorAll(".cockpit .card")].filter(shown);
  const boxes = panels.map((p) => p.getBoundingClientRect());
  let sharing = 0;
  for (let i = 0; i < boxes.length; i++) {
    let shares = false;
    for (let j = 0; j < boxes.length; j++) {
      if (i === j) continue;
      const a = boxes[i], b = boxes[j];
      const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (across > 0.5 && down > 0.5 && i < j) {
        problems.push(`${name(panels[i])} and ${name(panels[j])} intersect`);
      }
      if (down > 0.5 && across <= 0.5) shares = true;
    }
    if (shares) sharing += 1;
  }
  const barBox = bar.getBoundingClientRect();
  for (const box of boxes) {
    if (Math.min(box.bottom, barBox.bottom) - Math.max(box.top, barBox.top) > 0.5 &&
        document.scrollingElement.scrollTop === 0) {
      problems.push("a panel lies under the bar with the page at the top");
    }
  }
  // no text overflows its panel (or the bar): nothing wider than its box, nothing out of the
  // panel's sides, and nothing below a panel that does not scroll
  for (const box of [bar, ...panels]) {
    const outer = box.getBoundingClientRect();
    if (box.scrollWidth > box.clientWidth + 1) {
      problems.push(`${name(box)} overflows sideways: ${box.scrollWidth} in ${box.clientWidth}`);
    }
    const scrolls = getComputedStyle(box).overflowY !== "visible";
    if (!scrolls && box.scrollHeight > box.clientHeight + 1) {
      problems.push(`${name(box)} overflows: ${box.scrollHeight} in ${box.clientHeight}`);
    }
    for (const el of box.querySelectorAll("*")) {
      if (el instanceof SVGElement || !shown(el)) continue;
      if (el.closest("details:not([open]) > :not(summary)")) continue;
      const own = [...el.childNodes].some(
        (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
      if (!own) continue;
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (el.clientWidth > 1 && style.overflowX !== "visible" &&
          el.scrollWidth > el.clientWidth + 1) {
        problems.push(`${name(el)} is cut: ${el.scrollWidth} in ${el.clientWidth}`);
      }
      if (r.left < outer.left - 1 || r.right > outer.right + 1) {
        problems.push(`${name(el)} leaves ${name(box)} at the side`);
      }
    }
  }
  // the console's one clock: the item's countdown, in the bar
  const clocks = [...document.querySelectorAll("[data-countdown], [role=timer]")];
  return {problems, buttons: buttons.map((b) => b.textContent.trim()),
          panels: panels.map(name), sharing,
          clocks: clocks.length, clocksInBar: clocks.filter((c) => bar.contains(c)).length};
}"""


@pytest.fixture(scope="module")
def screens(browser: Browser, live_server) -> Iterator[Screens]:
    opened = Screens(browser, live_server.url)
    yield opened
    opened.log.assert_no_csp_violations()
    opened.close()


@pytest.fixture(scope="module")
def console(screens: Screens, live_server) -> Page:
    """The facilitator's console on a laptop."""
    page = screens.laptop()
    sign_in_staff(page, live_server.facilitator)
    open_console(page, live_server.course_code)
    wait_live(page)
    return page


def _reload(console: Page) -> None:
    console.reload()
    wait_live(console)


def _at(console: Page, where: str) -> dict:
    console.evaluate("(where) => window.scrollTo(0, where === 'top' ? 0 : "
                     "document.scrollingElement.scrollHeight)", where)
    console.evaluate("() => new Promise((done) => requestAnimationFrame(() => "
                     "requestAnimationFrame(done)))")
    return console.evaluate(MEASURE)


def _controls(state: str) -> int:
    """How many buttons the bar shows in ``state``: start; or previous, the timer, +5 min.,
    next, the join QR, end the day, the keys."""
    return 1 if state == "before" else 7


def test_every_state_fits_a_laptop(console: Page, live_server) -> None:
    problems: list[str] = []
    with live_server.start_script("seed_console.py", "-") as seeder:
        for state in STATES:
            seeder.stdin.write(state + "\n")
            seeder.stdin.flush()
            seeded = json.loads(seeder.stdout.readline())
            assert seeded["state"] == state
            if state == "round":
                assert seeded["comments"] >= 20
            for width, height in SIZES:
                size = f"{width}×{height}"
                console.set_viewport_size({"width": width, "height": height})
                _reload(console)
                if state == "round":
                    comments = console.locator("#round-board .round-moderation li")
                    expect(comments).not_to_have_count(0)
                if (width, height) == SIZES[0]:
                    problems += [f"{state}: axe: {v}" for v in axe_findings(console)]
                for where in ("top", "bottom"):
                    measured = _at(console, where)
                    problems += [f"{state} at {size}, {where}: {p}"
                                 for p in measured["problems"]]
                    if len(measured["buttons"]) != _controls(state):
                        problems.append(f"{state} at {size}, {where}: the bar shows "
                                        f"{measured['buttons']}")
                    if measured["sharing"] < 2:
                        problems.append(f"{state} at {size}: no two panels share a row "
                                        f"({measured['panels']})")
                    clocks = 0 if state == "before" else 1
                    if (measured["clocks"], measured["clocksInBar"]) != (clocks, clocks):
                        problems.append(f"{state} at {size}: {measured['clocks']} clocks, "
                                        f"{measured['clocksInBar']} in the bar")
                    screenshot(console, f"cockpit-{state}-{width}x{height}-{where}",
                               full_page=False)
    assert not problems, "the console is not a cockpit:\n" + "\n".join(problems)


@pytest.mark.parametrize(("width", "height"), [TABLET, PHONE], ids=["tablet", "phone"])
def test_narrow_screens_stack_the_panels_under_a_bar_that_sticks(console: Page, live_server,
                                                                 width: int,
                                                                 height: int) -> None:
    live_server.run_script("seed_console.py", "announcement")
    console.set_viewport_size({"width": width, "height": height})
    _reload(console)
    for where in ("top", "bottom"):
        measured = _at(console, where)
        assert not measured["problems"], measured["problems"]
        assert measured["sharing"] == 0, measured["panels"]  # one above the other
        # (a phone has no keyboard: no list of keys)
        assert len(measured["buttons"]) == _controls("announcement") - (width < 600)
        screenshot(console, f"cockpit-narrow-{width}x{height}-{where}", full_page=False)


def test_the_keys_move_the_day_and_every_console_follows(console: Page, screens: Screens,
                                                         live_server) -> None:
    live_server.run_script("seed_console.py", "paused")  # a plenary item, its clock paused
    console.set_viewport_size({"width": 1366, "height": 768})
    _reload(console)
    htmx_settled(console, console.locator(".cockpit-bar form[action$='/timer/start'] button")
                 .click)
    other = screens.laptop()
    sign_in_staff(other, live_server.facilitator)
    open_console(other, live_server.course_code)
    wait_live(other)
    items = console.locator("#now .run-list li")
    current = console.locator("#now .run-list li.is-current .run-title")
    titles = items.locator(".run-title").all_inner_texts()
    before = titles.index(current.inner_text())
    # the list of keys is one click away
    console.locator(".cockpit-bar details.shortcuts > summary").click()
    expect(console.locator(".cockpit-bar .shortcut-list kbd").first).to_be_visible()
    screenshot(console, "cockpit-keys-open", full_page=False)
    console.locator("h1").click()  # (closes the list; the keys never act while typing)
    _at(console, "bottom")
    htmx_settled(console, lambda: console.keyboard.press("n"))
    expect(current).to_have_text(titles[before + 1])
    expect(console.locator(".cockpit-bar .bar-item")).to_contain_text(titles[before + 1])
    expect(other.locator(".cockpit-bar .bar-item")).to_contain_text(titles[before + 1],
                                                                     timeout=LIVE_TIMEOUT)
    # the pause key too: the clock stops and says so, on both consoles
    htmx_settled(console, lambda: console.keyboard.press("k"))
    expect(console.locator(".cockpit-bar .countdown.is-paused")).to_have_count(1)
    expect(other.locator(".cockpit-bar .clock-state")).to_be_visible(timeout=LIVE_TIMEOUT)
    htmx_settled(console, lambda: console.keyboard.press("p"))
    expect(current).to_have_text(titles[before])
