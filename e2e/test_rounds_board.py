"""A whole sparring round in the room: the console starts it during the kickoff's sparring item,
four phones give feedback, the projector's board counts it live (names and counts only), the
facilitator pins and hides, the round closes in two steps, and each owner finds the feedback
grouped by criterion — on the phone during the round, beside the draft afterwards. Then a full
room of 20 on one projector screen."""

from __future__ import annotations

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

from course import demo
from course.schedule.best_practice import BEST_PRACTICE
from course.schedule.models import Day, ItemKind

pytestmark = pytest.mark.e2e

SPARRING = next(i.title for i in BEST_PRACTICE[Day.KICKOFF] if i.kind == ItemKind.SPARRING_ROUND)
PHONES = 4


@pytest.fixture(scope="module")
def screens(browser: Browser, live_server) -> Iterator[Screens]:
    opened = Screens(browser, live_server.url)
    yield opened
    opened.log.assert_no_csp_violations()
    opened.close()


@pytest.fixture(scope="module")
def room(screens: Screens, live_server) -> tuple[Page, Page, list[Page]]:
    """Console and projector on the sparring item; four phones signed in with drafts."""
    live_server.run_script("seed_room.py")  # the demo citizens get drafts to review
    console, projector = console_and_projector(screens, live_server)
    phones = []
    for code in live_server.personal_codes[:PHONES]:
        phone = screens.phone()
        join_course(phone, live_server.course_code, code)
        phones.append(phone)
    htmx_settled(console, console.locator("#now form[action$='/session/start'] button").click)
    row = console.locator(".run-list li").filter(has_text=SPARRING)
    htmx_settled(console, row.locator("button").click)
    expect(projector.locator("#now .projector-title")).to_have_text(SPARRING,
                                                                    timeout=LIVE_TIMEOUT)
    return console, projector, phones


def _give_feedback(phone: Page, text: str) -> str:
    """Open the review page from the phone's now card, send one comment; the owner's name."""
    phone.goto("/me")
    give = phone.locator("#now a[href*='/review']")
    expect(give).to_be_visible(timeout=LIVE_TIMEOUT)
    give.click()
    expect(phone).to_have_url(re.compile(r"/rounds/\d+/review$"))
    heading = phone.locator(".peer-view h2").inner_text()
    phone.fill("textarea[name=text]", text)
    htmx_settled(phone, phone.locator("form.feedback-form button").click)
    expect(phone.locator("#review .notice")).to_be_visible()
    # the next plan comes with its own request after the thanks, in the loader's place
    expect(phone.locator("#review-next")).to_have_count(0, timeout=LIVE_TIMEOUT)
    expect(phone.locator("#review .peer-view h2")).to_be_visible()
    expect(phone.locator("#review .notice")).to_be_visible()  # the thanks stay above it
    return heading


def test_a_whole_round_with_four_phones(room, live_server) -> None:
    console, projector, phones = room
    console.fill("#now input[name=minutes]", "10")
    # (the round's start comes back to the console as a push too: wait for it, so nothing
    # replaces the console's board after the list's limit is lowered below)
    htmx_settled(console, console.locator("#now form[action$='/rounds'] button").click,
                 wait_for_push=True)
    board = projector.locator("#now .round-board")
    expect(board.locator(".round-draft")).to_have_count(PHONES, timeout=LIVE_TIMEOUT)
    expect(board.locator(".round-draft.is-waiting")).to_have_count(PHONES)
    # the round's time said as the round's, in minutes (the bar's countdown is the item's)
    expect(console.locator("#round-board .round-clock .minutes-left")).to_have_text(
        re.compile(r"^Runden: 10 min\. tilbage$"))
    expect(console.locator("[data-countdown]")).to_have_count(1)

    names = [name for name, _ in demo.CITIZENS[:PHONES]]
    texts = [f"Kommentar fra {name.split()[0]}: hvad koster det præcist?" for name in names]
    # the console's list keeps its newest data-live-max (40) as comments arrive on top; three
    # here, to see it happen with four phones
    console.locator("#round-board .round-moderation").evaluate("el => el.dataset.liveMax = '3'")
    for n, (phone, text) in enumerate(zip(phones, texts, strict=True)):
        _give_feedback(phone, text)
        expect(board).to_contain_text(f"{n + 1} kommentar", timeout=LIVE_TIMEOUT)
    counts = board.locator(".round-count").all_inner_texts()
    assert sum(int(c.split("/")[0]) for c in counts) == PHONES
    for text in texts:
        expect(board).not_to_contain_text(text)  # no feedback text on the wall
    screenshot(phones[0], "phone-round-review")
    # a comment pushes only what it changed (the headline, one tile): the wall patched live
    # is the wall read afresh
    live = _board_state(projector)
    projector.reload()
    expect(board.locator(".round-draft")).to_have_count(PHONES, timeout=LIVE_TIMEOUT)
    assert _board_state(projector) == live
    listed = console.locator("#round-board .round-moderation li")
    expect(listed).to_have_count(3, timeout=LIVE_TIMEOUT)
    expect(listed.first).to_contain_text(texts[-1])  # the newest on top
    live_console = _board_state(console), listed.all_inner_texts()
    console.reload()  # afresh: the newest 40, so all four
    expect(listed).to_have_count(PHONES, timeout=LIVE_TIMEOUT)
    assert (_board_state(console), listed.all_inner_texts()[:3]) == live_console

    moderation = console.locator("#round-board .round-moderation li")
    expect(moderation).to_have_count(PHONES, timeout=LIVE_TIMEOUT)
    pinned = moderation.filter(has_text=texts[0])
    htmx_settled(console, pinned.locator("form[action$='/pin'] button").click)
    expect(projector.locator(".round-pin")).to_contain_text(texts[0], timeout=LIVE_TIMEOUT)
    hidden = moderation.filter(has_text=texts[1])
    htmx_settled(console, hidden.locator("form[action$='/hide'] button").click)
    expect(console.locator("#round-board .round-moderation li.is-hidden")).to_have_count(1)
    expect(board).to_contain_text(f"{PHONES - 1} kommentarer", timeout=LIVE_TIMEOUT)
    # moderation pushes its parts too (the pinned comment, the headline, a tile): the wall
    # patched live is the wall read afresh
    live = _board_state(projector), projector.locator(".round-pin").all_inner_texts()
    projector.reload()
    expect(board.locator(".round-draft")).to_have_count(PHONES, timeout=LIVE_TIMEOUT)
    assert (_board_state(projector), projector.locator(".round-pin").all_inner_texts()) == live
    screenshot(projector, "projector-round-board", full_page=False)
    screenshot(console, "console-round")

    # each owner sees their own feedback grouped by criterion on the phone; the hidden one is gone
    for phone in phones:
        phone.goto("/me")
        mine = phone.locator("#round-mine .round-mine")
        expect(mine.locator("h4")).to_have_count(3, timeout=LIVE_TIMEOUT)
        expect(mine).not_to_contain_text(texts[1])
    shown = [phone.locator("#round-mine .feedback").count() for phone in phones]
    assert sum(shown) == PHONES - 1
    owner = phones[next(n for n, count in enumerate(shown) if count)]  # marks it later
    screenshot(phones[2], "phone-round-mine")

    htmx_settled(console, console.locator("#now form[action$='/closing'] button").click,
                 wait_for_push=True)
    expect(board.locator(".round-state-closing")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(phones[0].locator("#now .notice")).to_be_visible(timeout=LIVE_TIMEOUT)
    console.fill("#now input[name=override_reason]", "Tiden er gået – vi tager resten i plenum")
    htmx_settled(console, console.locator("#now form[action$='/close'] button").click,
                 wait_for_push=True)
    expect(board.locator(".round-state-closed")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(console.locator("#now form[action$='/rounds']")).to_be_visible()

    # after the round: the feedback stands beside the draft, and the owner marks it
    owner.goto("/me/budget")
    panel = owner.locator("#part-feedback")
    expect(panel.locator(".feedback")).to_have_count(1)
    helpful = panel.locator("form[action$='/helpful'] button")
    htmx_settled(owner, helpful.click)
    expect(panel.locator("form[action$='/helpful'] button")).to_have_attribute("aria-pressed",
                                                                                "true")
    screenshot(owner, "phone-editor-feedback")


def _board_state(screen: Page) -> tuple[list[str], str]:
    """The board's tiles (each element whole) and its headline's words (but the ticking clock
    of the console's)."""
    board = screen.locator("#now .round-board")
    tiles = board.locator(".round-draft").evaluate_all("els => els.map(e => e.outerHTML)")
    headline = board.locator(".round-total").evaluate(
        "el => { const c = el.cloneNode(true); c.querySelectorAll('.round-clock')"
        ".forEach(x => x.remove()); return c.textContent; }")
    return tiles, " ".join(headline.split())


def _board_fits(projector: Page, count: int) -> None:
    """All ``count`` plans are on the wall (photographed), none cut off below the board."""
    cards = projector.locator("#now .round-board .round-draft")
    expect(cards).to_have_count(count, timeout=LIVE_TIMEOUT)
    screenshot(projector, f"projector-round-board-{count}", full_page=False)
    area = projector.locator("#now .projector-now").bounding_box()
    assert area is not None
    for n in range(count):
        box = cards.nth(n).bounding_box()
        assert box is not None and box["y"] + box["height"] <= area["y"] + area["height"], \
            f"card {n} of {count} is cut off"


def test_a_full_room_fits_on_one_projector_screen(room, live_server) -> None:
    console, projector, _phones = room
    seeded = live_server.run_script("seed_room.py", "--extra", "14", "--check-in-all")
    assert '"present": 20' in seeded
    htmx_settled(console, console.locator("#now form[action$='/rounds'] button").click,
                 wait_for_push=True)
    _board_fits(projector, 20)

    # someone leaves and comes back: their tile goes off the wall and in again at its place
    # (pushed as a part, not the whole board) — the wall patched live is the wall read afresh
    tiles = projector.locator("#now .round-board .round-draft")
    second = tiles.nth(1).get_attribute("id")
    citizen = second.rsplit("-", 1)[1]
    console.reload()  # (the seeding script checked the room in behind the console's back)
    row = console.locator(f"#attendance-{citizen}")
    htmx_settled(console, row.locator("button[name=present][value='0']").click)
    expect(tiles).to_have_count(19, timeout=LIVE_TIMEOUT)
    expect(projector.locator(f"#{second}")).to_have_count(0)
    htmx_settled(console, row.locator("button[name=present][value='1']").click)
    expect(tiles).to_have_count(20, timeout=LIVE_TIMEOUT)
    assert tiles.nth(1).get_attribute("id") == second
    live = _board_state(projector)
    projector.reload()
    expect(tiles).to_have_count(20, timeout=LIVE_TIMEOUT)
    assert _board_state(projector) == live

    # the Aarhus trial's largest cohort was 53: a room of 55 still fits, denser
    console.fill("#now input[name=override_reason]", "Ny runde med hele holdet")
    htmx_settled(console, console.locator("#now form[action$='/close'] button").click,
                 wait_for_push=True)
    assert '"present": 55' in live_server.run_script("seed_room.py", "--extra", "35")
    htmx_settled(console, console.locator("#now form[action$='/rounds'] button").click,
                 wait_for_push=True)
    _board_fits(projector, 55)
