"""Screens always converge (issue 15, point 5): a soak of the live room.

A projector, a console and four phones in one Chromium (each its own context). With a fixed
seed and a bounded number of steps, phones go offline and online at random moments and one
reloads, while the facilitator runs course day 1's talks (timer, +5 min., announcements, a
question on the wall and off it again, a poll made on the spot, opened and closed, its results
shown and hidden while the phones vote and change their votes, an idea wall the phones answer
and dot-vote on while it opens, closes and comes and goes on the projector) and then the kickoff's
sparring round, whose board fills with the phones' comments. At the end, with every phone
online and every screen quiet, each live region (``[data-live-src]``) of every screen must
equal what a fresh load of the same page shows in a new context with the same cookies — but
for the ticking clocks.

``TETEN_SOAK_SEED`` picks another seed (``TETEN_SOAK_STEPS`` the number of steps) to soak
longer by hand; ``make test`` runs the fixed one.
"""

from __future__ import annotations

import os
import random
import re
import time
from dataclasses import dataclass, field

import pytest
from browsing import (
    LIVE_TIMEOUT,
    RECONNECT_TIMEOUT,
    Screens,
    console_and_projector,
    htmx_settled,
    join_course,
    wait_live,
)
from playwright.sync_api import Locator, Page, expect

from course.schedule.best_practice import BEST_PRACTICE
from course.schedule.models import Day, ItemKind

pytestmark = pytest.mark.e2e

SEED = int(os.environ.get("TETEN_SOAK_SEED", "20261205"))
STEPS = int(os.environ.get("TETEN_SOAK_STEPS", "14"))  # per part of the day: 2 × 14 steps
PHONES = 4

KICKOFF = [item.title for item in BEST_PRACTICE[Day.KICKOFF]]
DAY1 = BEST_PRACTICE[Day.DAY1]
TALKS = [n for n, item in enumerate(DAY1) if item.kind == ItemKind.TALK]
SPARRING = next(n for n, item in enumerate(BEST_PRACTICE[Day.KICKOFF])
                if item.kind == ItemKind.SPARRING_ROUND)

# A region as it reads, but for what differs from one reading to the next by itself: the
# clocks (their text ticks; their numbers are taken at render time), what the page's own
# scripts add (htmx's classes, the stage's fitting, a region waiting to be read), the CSRF
# token a pushed fragment never carries, and the fields a person types in (kept across swaps).
_REGION = """(region) => {
  const copy = region.cloneNode(true);
  copy.querySelectorAll("input[name=csrf_token]").forEach((e) => e.remove());
  copy.querySelectorAll("[data-countdown], [data-minutes-left]").forEach((clock) => {
    clock.textContent = "";
    ["data-remaining", "data-server-now", "data-received-at", "data-ends-at"].forEach(
      (name) => clock.removeAttribute(name));
    clock.classList.remove("is-overrun");
  });
  copy.querySelectorAll("[hx-preserve]").forEach((kept) => {
    kept.replaceWith(document.createElement(kept.tagName));
  });
  const all = [copy, ...copy.querySelectorAll("*")];
  all.forEach((el) => {
    el.removeAttribute("style");
    el.removeAttribute("data-live-refetching");
    el.removeAttribute("data-hx-revealed");
    if (el.hasAttribute("data-fit-drop")) el.removeAttribute("hidden");
    [...el.classList].filter((c) => c.startsWith("htmx-") || c === "is-wrapped")
      .forEach((c) => el.classList.remove(c));
    if (el.getAttribute("class") === "") el.removeAttribute("class");
  });
  return copy.innerHTML.replace(/\\s+/g, " ").replace(/> </g, "><").trim();
}"""

_REGIONS = f"""() => Object.fromEntries([...document.querySelectorAll("[data-live-src]")]
  .map((region) => [region.id, ({_REGION})(region)]))"""

#: What htmx marks while a request, a swap or a settle is under way.
_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, [data-live-refetching]"


@dataclass
class Room:
    screens: Screens
    console: Page
    projector: Page
    phones: list[Page]
    rng: random.Random
    offline: set[int] = field(default_factory=set)
    log: list[str] = field(default_factory=list)
    dreams: dict[int, int] = field(default_factory=dict)  #: answers sent per phone

    def screens_to_compare(self) -> list[tuple[str, Page]]:
        return [("console", self.console), ("projector", self.projector),
                *((f"phone {n}", phone) for n, phone in enumerate(self.phones))]

    def online(self) -> list[int]:
        return [n for n in range(len(self.phones)) if n not in self.offline]


def console_action(room: Room, action: str, *, where: str = "#now") -> None:
    button = room.console.locator(f"{where} form[action$='{action}'] button").first
    htmx_settled(room.console, button.click)


def go_to(room: Room, title: str) -> None:
    title_of = room.console.locator(".run-title").filter(
        has_text=re.compile(f"^{re.escape(title)}$"))
    row = room.console.locator(".run-list li").filter(has=title_of)
    if not row.locator("button").count():
        return  # on now already
    htmx_settled(room.console, row.locator("button").click)
    expect(room.console.locator("#now .now-title").first).to_have_text(title)


def toggle_network(room: Room) -> None:
    """Each phone goes offline or online again with some chance; one reloads at random."""
    for n, phone in enumerate(room.phones):
        if room.rng.random() < 0.3:
            going = n not in room.offline
            phone.context.set_offline(going)
            (room.offline.add if going else room.offline.discard)(n)
            room.log.append(f"phone {n} {'offline' if going else 'online'}")


def reload_a_phone(room: Room) -> None:
    candidates = room.online()
    if candidates:
        n = room.rng.choice(candidates)
        room.phones[n].reload()
        room.log.append(f"phone {n} reloaded")


def timer(room: Room) -> None:
    running = room.console.locator("#now form[action$='/session/timer/pause']").count()
    console_action(room, "/session/timer/pause" if running else "/session/timer/start")


def extend(room: Room) -> None:
    console_action(room, "/session/timer/extend")


def announce(room: Room) -> None:
    text = f"Besked {room.rng.randrange(1000)}: vi fortsætter om lidt"
    room.console.fill("#text", text)
    htmx_settled(room.console,
                 room.console.locator("form[action$='/announcements'] button[type=submit]").click)


def clear_announcement(room: Room) -> None:
    htmx_settled(room.console,
                 room.console.locator("form[action$='/announcements/clear'] button").click)


def ask(room: Room) -> None:
    """An online phone asks the speaker a question (when its page has the question box)."""
    candidates = [n for n in room.online() if room.phones[n].locator("#question-text").count()]
    if not candidates:
        return
    n = room.rng.choice(candidates)
    phone = room.phones[n]
    phone.fill("#question-text", f"Spørgsmål {room.rng.randrange(1000)} fra telefon {n}?")
    htmx_settled(phone, phone.locator("#ask-form button").click)


def spotlight(room: Room) -> None:
    """Put a question on the wall, or take the one there off."""
    shown = room.console.locator("#questions form[action$='/unshow'] button")
    if shown.count():
        htmx_settled(room.console, shown.first.click)
        return
    show = room.console.locator("#questions form[action$='/show'] button")
    if show.count():
        htmx_settled(room.console, show.nth(room.rng.randrange(show.count())).click)


def move_between_talks(room: Room) -> None:
    go_to(room, DAY1[room.rng.choice(TALKS)].title)


def _open_review(room: Room) -> tuple[Page, Locator] | None:
    """An online phone, chosen at random, on its review page once htmx runs there: the phone
    and its comment box (which may be absent when it has nothing left to review)."""
    candidates = room.online()
    if not candidates:
        return None
    n = room.rng.choice(candidates)
    phone = room.phones[n]
    phone.goto("/me")
    give = phone.locator("#now a[href*='/review']")
    expect(give).to_be_visible(timeout=LIVE_TIMEOUT)
    give.click()
    expect(phone).to_have_url(re.compile(r"/rounds/\d+/review$"))
    # htmx has processed the form once the live bridge is up (app.js runs after it): a click
    # before that posts the plain form and loads a new page (which works, but is no htmx answer
    # to wait for) — seen on a loaded machine
    wait_live(phone)
    return phone, phone.locator("textarea[name=text]")


def comment(room: Room) -> None:
    """An online phone gives one comment in the round, then goes back to its home."""
    opened = _open_review(room)
    if opened is None:
        return
    phone, text = opened
    if text.count():
        text.fill(f"Kommentar {room.rng.randrange(1000)}: hvad koster det præcist?")
        htmx_settled(phone, phone.locator("form.feedback-form button").click)
    phone.goto("/me")
    wait_live(phone)


def _console_button(room: Room, actions: list[str]):
    """One of the console's buttons: the timer, +5 min. or a question's spotlight."""
    action = room.rng.choice(actions)
    if action == "timer":
        running = room.console.locator("#now form[action$='/session/timer/pause']").count()
        action = "/session/timer/pause" if running else "/session/timer/start"
    if action in ("/show", "/unshow"):
        buttons = room.console.locator(f"#questions form[action$='{action}'] button")
        if not buttons.count():
            return None
        return buttons.first
    return room.console.locator(f"#now form[action$='{action}'] button").first


def together(room: Room, phone: Page, send, button) -> None:
    """Click the phone's and the console's buttons at once, in a random order, and wait until
    both pages have their answers."""
    first, second = (send, button) if room.rng.random() < 0.5 else (button, send)
    htmx_settled(room.console, lambda: htmx_settled(
        phone, lambda: (first.click(), second.click())))


def ask_meanwhile(room: Room) -> None:
    """A phone's question and a facilitator's click at the same moment: the console's answer
    and the pushes it crosses arrive in either order."""
    candidates = [n for n in room.online() if room.phones[n].locator("#question-text").count()]
    button = _console_button(room, ["timer", "/session/timer/extend", "/show", "/unshow"])
    if not candidates or button is None:
        return
    n = room.rng.choice(candidates)
    phone = room.phones[n]
    phone.fill("#question-text", f"Samtidigt spørgsmål {room.rng.randrange(1000)} fra {n}?")
    send = phone.locator("#ask-form button")
    together(room, phone, send, button)


def comment_meanwhile(room: Room) -> None:
    """A phone's comment and a facilitator's click at the same moment (see ask_meanwhile)."""
    opened = _open_review(room)
    if opened is None:
        return
    phone, text = opened
    button = _console_button(room, ["timer", "/session/timer/extend"])
    if text.count() and button is not None:
        text.fill(f"Samtidig kommentar {room.rng.randrange(1000)}: hvorfor netop det?")
        send = phone.locator("form.feedback-form button")
        together(room, phone, send, button)
    phone.goto("/me")
    wait_live(phone)


def back_online(phone: Page) -> None:
    """A phone the soak put back online has its connection again (its requests wait for it
    while it says "no connection"): what a person would see before tapping."""
    expect(phone.locator("body")).not_to_have_class(re.compile(r"\bis-offline\b"),
                                                    timeout=2 * RECONNECT_TIMEOUT)
    # back, it reads its live regions afresh (what it missed may have changed them)
    time.sleep(1.2)
    expect(phone.locator(_BUSY)).to_have_count(0)


def phones_caught_up(room: Room) -> None:
    """After a console's change that pings the phones: each online phone has read its pinged
    regions (they read within a second, spread: data-live-spread), so a phone's next click
    never hits a button about to be replaced."""
    time.sleep(1.2)
    for n in room.online():
        expect(room.phones[n].locator(_BUSY)).to_have_count(0)


def poll(room: Room) -> None:
    """The facilitator makes a poll on the spot and opens it, or opens or closes the newest,
    or shows or hides its results on the projector."""
    newest = room.console.locator("#polls .poll-item").first
    if not newest.count() or room.rng.random() < 0.15:
        form = room.console.locator("form.poll-new")
        form.locator("[name=question]").fill(f"Afstemning {room.rng.randrange(1000)}: "
                                             "hvor langt er du med din plan?")
        form.locator("[name=options]").fill("Godt i gang\nPå vej\nIkke startet")
        htmx_settled(room.console, form.locator("button[type=submit]").click)
        newest = room.console.locator("#polls .poll-item").first
        htmx_settled(room.console, newest.locator("form[action$='/open'] button").click)
        phones_caught_up(room)
        return
    action = room.rng.choice(["/open", "/close", "/show"])
    button = newest.locator(f"form[action$='{action}'] button")
    if button.count():
        htmx_settled(room.console, button.click)
        phones_caught_up(room)


def _voting(room: Room) -> list[int]:
    return [n for n in room.online() if room.phones[n].locator("#poll form").count()]


def vote(room: Room, n: int | None = None) -> None:
    """An online phone with an open poll votes, or changes its vote."""
    candidates = _voting(room) if n is None else [n]
    if not candidates:
        return
    phone = room.phones[room.rng.choice(candidates)]
    back_online(phone)
    choices = phone.locator("#poll input[name=choice]")
    if not choices.count():
        return  # closed while it was away
    choices.nth(room.rng.randrange(choices.count())).check()
    htmx_settled(phone, phone.locator("#poll form button[type=submit]").click)


def vote_meanwhile(room: Room) -> None:
    """A phone's vote and a facilitator's click on the poll at the same moment."""
    candidates = _voting(room)
    newest = room.console.locator("#polls .poll-item").first
    if not candidates or not newest.count():
        return
    phone = room.phones[room.rng.choice(candidates)]
    back_online(phone)
    choices = phone.locator("#poll input[name=choice]")
    if not choices.count():
        return
    choices.nth(room.rng.randrange(choices.count())).check()
    button = newest.locator("form[action$='/show'] button")
    together(room, phone, phone.locator("#poll form button[type=submit]"), button)


#: What the phones answer on the idea wall: inflections of one dream grow one word.
DREAMS = ["Tømrer", "tømreren", "Køkken", "køkkenet", "Lager", "Chauffør", "chaufføren"]
#: Answers per phone in the soak (a phone may send five: a sixth would be refused, and a
#: refusal's message is the phone's own, not something a fresh load shows).
DREAMS_PER_PHONE = 3


def wall(room: Room) -> None:
    """The facilitator makes an idea wall on the spot, opens it for answers and puts it on
    the projector; later opens or closes answers or dot-voting, or shows or hides it."""
    def button(action: str) -> Locator:
        forms = room.console.locator(f"#ideas form[action$='{action}']")
        if action == "/close":
            forms = forms.and_(room.console.locator("form:not([action$='/voting/close'])"))
        return forms.locator("button").first

    if not room.console.locator("#ideas form[action$='/show']").count():
        htmx_settled(room.console, room.console.locator("form.idea-new button").click)
        for action in ("/open", "/show"):
            if button(action).count():
                htmx_settled(room.console, button(action).click)
        phones_caught_up(room)
        return
    action = room.rng.choice(["/open", "/close", "/voting", "/voting/close", "/show"])
    if button(action).count():
        htmx_settled(room.console, button(action).click)
        phones_caught_up(room)


def dream(room: Room, n: int | None = None) -> None:
    """An online phone sends an answer to the open wall (at most three each)."""
    candidates = [m for m in room.online() if room.phones[m].locator("#idea-text").count()
                  and room.dreams.get(m, 0) < DREAMS_PER_PHONE] if n is None else [n]
    if not candidates:
        return
    n = room.rng.choice(candidates)
    phone = room.phones[n]
    back_online(phone)
    if not phone.locator("#idea-text").count():
        return  # closed while it was away
    phone.fill("#idea-text", room.rng.choice(DREAMS))
    htmx_settled(phone, phone.locator("#idea-wall form button[type=submit]").first.click)
    room.dreams[n] = room.dreams.get(n, 0) + 1


def dot(room: Room) -> None:
    """An online phone places a dot (or takes one back) while dot-voting is open."""
    candidates = [n for n in room.online() if room.phones[n].locator(
        "#idea-wall form[action$='/dot'] button:not([disabled])").count()]
    if not candidates:
        return
    phone = room.phones[room.rng.choice(candidates)]
    back_online(phone)
    buttons = phone.locator("#idea-wall form[action$='/dot'] button:not([disabled])")
    if not buttons.count():
        return
    htmx_settled(phone, buttons.nth(room.rng.randrange(buttons.count())).click)


TALK_ACTIONS = [timer, extend, announce, clear_announcement, ask, spotlight, spotlight,
                ask_meanwhile, ask_meanwhile, move_between_talks, poll, poll, vote, vote,
                vote_meanwhile, vote_meanwhile, wall, wall, dream, dream, dream, dot, dot]
ROUND_ACTIONS = [timer, extend, announce, clear_announcement, comment, comment_meanwhile,
                 comment_meanwhile]


def soak(room: Room, actions, steps: int, reload_at: int) -> None:
    for step in range(steps):
        action = room.rng.choice(actions)
        room.log.append(action.__name__)
        action(room)
        toggle_network(room)
        if step == reload_at:
            reload_a_phone(room)


def quiet(room: Room) -> None:
    """Every phone online and live again, and no screen with anything under way."""
    for n in sorted(room.offline):
        room.phones[n].context.set_offline(False)
    room.offline.clear()
    for _, page in room.screens_to_compare():
        # a connection attempt that was started while offline may hang until Socket.IO's own
        # timeout (20 s) before the next one: longer than a plain reconnect
        expect(page.locator("body")).not_to_have_class(re.compile(r"\bis-offline\b"),
                                                       timeout=2 * RECONNECT_TIMEOUT)
        wait_live(page, timeout=RECONNECT_TIMEOUT)
    # a phone's question list is read within a second of its ping (data-live-spread)
    deadline = time.monotonic() + 15
    before = None
    while time.monotonic() < deadline:
        now = [page.evaluate(_REGIONS) for _, page in room.screens_to_compare()]
        busy = sum(page.locator(_BUSY).count() for _, page in room.screens_to_compare())
        if not busy and now == before:
            return
        before = now
        time.sleep(1.5)  # what "quiet" means: nothing changed on any screen for this long
    pytest.fail("the screens never came to rest")


def fresh(room: Room, page: Page) -> dict[str, str]:
    """The same page loaded afresh in a new context with the same cookies."""
    context = room.screens.browser.new_context(
        base_url=room.screens.base_url, storage_state=page.context.storage_state(),
        locale="da-DK", timezone_id="Europe/Copenhagen",
        viewport=page.viewport_size)
    try:
        again = context.new_page()
        again.goto(page.url)
        wait_live(again)
        expect(again.locator(_BUSY)).to_have_count(0)
        return again.evaluate(_REGIONS)
    finally:
        context.close()


def where_they_differ(live: str | None, afresh: str | None, context: int = 160) -> str:
    """The two readings of a region around the first place they differ."""
    if live is None or afresh is None:
        return f"  live:   {live or '(no such region)'}\n  afresh: {afresh or '(no such region)'}"
    at = next((n for n, (a, b) in enumerate(zip(live, afresh, strict=False)) if a != b),
              min(len(live), len(afresh)))
    start = max(0, at - context)
    return (f"  live:   …{live[start:at + context]}…\n"
            f"  afresh: …{afresh[start:at + context]}…")


def test_every_screen_converges(browser, live_server) -> None:
    live_server.run_script("seed_room.py")  # the demo citizens get plans to review
    screens = Screens(browser, live_server.url)
    try:
        console, projector = console_and_projector(screens, live_server)
        phones = []
        for code in live_server.personal_codes[:PHONES]:
            phone = screens.phone()
            join_course(phone, live_server.course_code, code)
            phones.append(phone)
        rng = random.Random(SEED)
        room = Room(screens, console, projector, phones, rng)

        # course day 1's talks: questions, the spotlight, the clock and announcements
        console.locator("#now input[name=day][value=day1]").check()
        console_action(room, "/session/start")
        go_to(room, DAY1[TALKS[0]].title)
        poll(room)  # a poll open from the start, its results on the wall, every phone voting
        htmx_settled(console, console.locator(
            "#polls .poll-item form[action$='/show'] button").first.click)
        for n in range(PHONES):
            expect(phones[n].locator("#poll form")).to_be_visible(timeout=LIVE_TIMEOUT)
            vote(room, n)
        wall(room)  # and an idea wall, every phone sending a dream to it
        for n in range(PHONES):
            expect(phones[n].locator("#idea-text")).to_be_visible(timeout=LIVE_TIMEOUT)
            dream(room, n)
        expect(projector.locator("#idea-wall")).to_contain_text(re.compile(
            "|".join(DREAMS), re.I), timeout=LIVE_TIMEOUT)
        soak(room, TALK_ACTIONS, STEPS, reload_at=rng.randrange(STEPS))

        # the kickoff's sparring round, the phones commenting while they come and go
        console.locator("#now details.confirm-end > summary").click()
        console_action(room, "/session/end")
        console.locator("#now input[name=day][value=kickoff]").check()
        console_action(room, "/session/start")
        go_to(room, KICKOFF[SPARRING])
        htmx_settled(console, console.locator("#now form[action$='/rounds'] button").click)
        soak(room, ROUND_ACTIONS, STEPS, reload_at=rng.randrange(STEPS))
        # the last word to a comment crossing the console's answer (the race that was found)
        room.log.append("comment_meanwhile")
        comment_meanwhile(room)

        quiet(room)
        diverged = []
        for name, page in room.screens_to_compare():
            live, afresh = page.evaluate(_REGIONS), fresh(room, page)
            diverged += [f"{name} #{region}:\n"
                         f"{where_they_differ(live.get(region), afresh.get(region))}"
                         for region in sorted(live.keys() | afresh.keys())
                         if live.get(region) != afresh.get(region)]
        assert not diverged, (f"seed {SEED}, steps {' → '.join(room.log)}\n" +
                              "\n".join(diverged))
        screens.log.assert_no_csp_violations()
    finally:
        screens.close()
