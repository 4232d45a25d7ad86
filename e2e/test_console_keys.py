"""The console's keyboard shortcuts during swaps: a key never submits a plain form.

Right after a swap htmx has not processed the new forms yet (it does when the swap settles,
some 20 ms later); a shortcut that clicked its button then submitted the form natively, and
the console reloaded — into a bare error page when the move was refused. A second key on a
form that a push was replacing was lost. Here keys are pressed twice fast, inside the settle
of a push's swap (a second facilitator tab moves the day), and at the end of the agenda: the
console never loads a page, the day moves exactly as often as a key was pressed, and the
refusal stands in its slot.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from browsing import (
    LIVE_TIMEOUT,
    Screens,
    htmx_settled,
    open_console,
    sign_in_staff,
    wait_live,
)
from playwright.sync_api import Browser, Frame, Page, expect

from course.schedule.best_practice import BEST_PRACTICE
from course.schedule.models import Day

pytestmark = pytest.mark.e2e

KICKOFF = [item.title for item in BEST_PRACTICE[Day.KICKOFF]]

#: Set on the console's window once: a page load (a plainly submitted form) would lose it.
MARKER = "window.__consoleKept = 'kept'"

# Presses `count` keys (as keydown events, as a person's keyboard sends them) from inside the
# swap of the next push into #now: before htmx has settled it, i.e. before it has processed
# the new forms.
_KEYS_IN_NEXT_PUSH = """([key, count]) => {
  document.body.dataset.keysPressed = "waiting";
  const region = document.getElementById("now");
  const press = (event) => {
    if (event.target !== region || event.detail.xhr) return;  // a push, not our own answer
    document.body.removeEventListener("htmx:afterSwap", press);
    const fresh = region.querySelector('[data-shortcut="' + key + '"]');
    const data = fresh && fresh.form["htmx-internal-data"];
    document.body.dataset.keysUnprocessed = String(!(data && data.initHash));
    for (let n = 0; n < count; n += 1) {
      document.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true, cancelable: true}));
    }
    document.body.dataset.keysPressed = "pressed";
  };
  document.body.addEventListener("htmx:afterSwap", press);
}"""


@dataclass
class Consoles:
    console: Page
    other: Page  # the same facilitator's second tab: its moves reach the console as pushes
    loads: list[str] = field(default_factory=list)

    def title(self) -> str:
        return self.console.locator("#now .now-title").first.inner_text()


@pytest.fixture(scope="module")
def consoles(browser: Browser, live_server) -> Iterator[Consoles]:
    screens = Screens(browser, live_server.url)
    try:
        console = screens.laptop()
        sign_in_staff(console, live_server.facilitator)
        open_console(console, live_server.course_code)
        wait_live(console)
        other = console.context.new_page()
        other.goto(console.url)
        wait_live(other)
        htmx_settled(console, console.locator("#now form[action$='/session/start'] button").click)
        expect(console.locator("#now .now-title").first).to_have_text(KICKOFF[0])
        expect(other.locator("#now .now-title").first).to_have_text(KICKOFF[0],
                                                                    timeout=LIVE_TIMEOUT)
        kept = Consoles(console, other)

        def loaded(frame: Frame) -> None:
            if frame == console.main_frame:
                kept.loads.append(frame.url)

        console.on("framenavigated", loaded)
        console.evaluate(MARKER)
        yield kept
        screens.log.assert_no_csp_violations()
    finally:
        screens.close()


def assert_never_reloaded(consoles: Consoles) -> None:
    assert consoles.loads == [], f"the console loaded a page: {consoles.loads}"
    assert consoles.console.evaluate("window.__consoleKept") == "kept"


def both_show(consoles: Consoles, title: str) -> None:
    now = "#now .now-title"
    expect(consoles.console.locator(now).first).to_have_text(title, timeout=LIVE_TIMEOUT)
    expect(consoles.other.locator(now).first).to_have_text(title, timeout=LIVE_TIMEOUT)


def quiet(page: Page) -> None:
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def push_then_press(consoles: Consoles, key: str, count: int, action: str) -> None:
    """Arm the console to press ``key`` ``count`` times inside the next push's swap, then make
    that push from the other tab (``action``: the form of its day's controls)."""
    consoles.console.evaluate(_KEYS_IN_NEXT_PUSH, [key, count])
    other = consoles.other
    htmx_settled(other, other.locator(f"#now form[action$='{action}'] button").first.click)
    expect(consoles.console.locator("body")).to_have_attribute("data-keys-pressed", "pressed",
                                                               timeout=LIVE_TIMEOUT)
    # the keys really fell into the window in which htmx has not processed the new form
    expect(consoles.console.locator("body")).to_have_attribute("data-keys-unprocessed", "true")


def test_two_fast_presses_move_the_day_twice(consoles: Consoles) -> None:
    consoles.console.locator("h1").click()
    consoles.console.keyboard.press("n")
    consoles.console.keyboard.press("n")
    both_show(consoles, KICKOFF[2])
    quiet(consoles.console)
    both_show(consoles, KICKOFF[2])  # and not a third time
    assert_never_reloaded(consoles)


def test_a_key_inside_a_pushs_swap_is_sent_by_htmx(consoles: Consoles) -> None:
    push_then_press(consoles, "p", 1, "/session/timer/extend")
    both_show(consoles, KICKOFF[1])
    quiet(consoles.console)
    both_show(consoles, KICKOFF[1])
    assert_never_reloaded(consoles)


def test_two_keys_inside_a_pushs_swap_both_count(consoles: Consoles) -> None:
    push_then_press(consoles, "n", 2, "/session/timer/extend")
    both_show(consoles, KICKOFF[3])
    quiet(consoles.console)
    both_show(consoles, KICKOFF[3])
    assert_never_reloaded(consoles)


def test_next_at_the_end_of_the_agenda_is_refused_in_its_slot(consoles: Consoles) -> None:
    other = consoles.other
    last = other.locator(".run-list li").filter(has_text=KICKOFF[-1])
    htmx_settled(other, last.locator("button").click)
    both_show(consoles, KICKOFF[-1])
    expect(consoles.console.locator("#day-message")).to_be_empty()

    push_then_press(consoles, "n", 1, "/session/timer/extend")
    expect(consoles.console.locator("#day-message")).not_to_be_empty(timeout=LIVE_TIMEOUT)
    quiet(consoles.console)
    both_show(consoles, KICKOFF[-1])
    assert_never_reloaded(consoles)
