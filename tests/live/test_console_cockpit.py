"""The console is a cockpit (issue 15, point 6): the controls of the day stand in one bar with
their message slot and the keys that press them (exactly the keys app.js knows), the item's
countdown is the console's one clock, and a round's time is said as the round's, in minutes —
its default the minutes left of the item, so the two end together. The geometry (the bar in
view, the panels side by side) is measured in the browser:
e2e/test_console_cockpit_in_the_browser.py."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import pytest
from flask import Flask

from course.extensions import db, socketio
from course.rounds.services import default_round_minutes
from course.schedule.models import AgendaItem, Day, ItemKind, SpeakerRole
from tests.conftest import hx_post, join_citizen, login_staff

APP_JS = Path(__file__).resolve().parents[2] / "course" / "static" / "js" / "app.js"
#: The kickoff: a talk, a sparring round of 45 minutes, a break.
ITEMS = [
    (time(13), time(13, 30), ItemKind.TALK, "Mit forløb"),
    (time(13, 30), time(14, 15), ItemKind.SPARRING_ROUND, "Sparring"),
    (time(14, 15), time(14, 30), ItemKind.BREAK, "Pause"),
]
#: Each control of a running day, by its form's action.
CONTROLS = ["/session/previous", "/session/timer/start", "/session/timer/extend",
            "/session/next", "/session/join-qr", "/session/end"]


@pytest.fixture
def kickoff(app: Flask, team_a, make_draft):
    """Team A's course with the kickoff above; every citizen has a plan."""
    with app.app_context():
        for position, (start, end, kind, title) in enumerate(ITEMS):
            db.session.add(AgendaItem(
                course_id=team_a.course_id, day=Day.KICKOFF, position=position,
                starts_at=start, ends_at=end, kind=kind, title=title,
                speaker_name="Lise Holm" if kind == ItemKind.TALK else "",
                speaker_role=SpeakerRole.FORMER_PARTICIPANT if kind == ItemKind.TALK else None))
        db.session.commit()
    for citizen_id, _code in team_a.citizens:
        make_draft(citizen_id, team_a.course_id, goal="Job på lager",
                   lines=[{"title": "Truckkørekort", "amount": 9000}])
    return team_a


@pytest.fixture
def console(app: Flask, kickoff):
    """The facilitator's console, the kickoff running on its talk."""
    client = app.test_client()
    login_staff(client, "fac@teama.dk")
    assert hx_post(client, f"/courses/{kickoff.course_id}/session/start",
                   day="kickoff").status_code == 200
    return client


def _bar(html: str) -> str:
    """The console's bar (a section with no section in it)."""
    start = html.index('<section class="cockpit-bar"')
    return html[start:html.index("</section>", start)]


def _page(console, world) -> str:
    return console.get(f"/courses/{world.course_id}/console").get_data(as_text=True)


def _now(client, world) -> str:
    return client.get(f"/courses/{world.course_id}/now",
                      headers={"HX-Request": "true"}).get_data(as_text=True)


def test_the_bar_holds_every_control_of_the_day_beside_its_message_slot(console, kickoff):
    page = _page(console, kickoff)
    bar = _bar(page)
    for action in CONTROLS:
        assert f'action="/courses/{kickoff.course_id}{action}"' in bar, action
    # a refused control says why here (web.refuse's slot), and only here
    assert 'id="day-message"' in bar and page.count('id="day-message"') == 1
    # what is on now, and its clock
    assert "Mit forløb" in bar and "Tid tilbage af punktet" in bar
    assert 'role="timer"' in bar
    # the controls' own answer (and the push of the region) carries the same bar
    moved = hx_post(console, f"/courses/{kickoff.course_id}/session/next")
    bar = _bar(moved.get_data(as_text=True))
    assert "Sparring" in bar and 'id="day-message"' in bar
    ticking = [a.replace("timer/start", "timer/pause") for a in CONTROLS]  # (moving starts it)
    assert all(f"{kickoff.course_id}{action}" in bar for action in ticking)
    # a paused clock says so beside it
    hx_post(console, f"/courses/{kickoff.course_id}/session/timer/pause")
    assert "på pause" in _bar(_now(console, kickoff))


def test_before_the_day_the_bar_holds_the_start_form(app: Flask, kickoff):
    client = app.test_client()
    login_staff(client, "fac@teama.dk")
    bar = _bar(_page(client, kickoff))
    assert f'action="/courses/{kickoff.course_id}/session/start"' in bar
    assert 'id="day-message"' in bar
    assert "/session/next" not in bar and 'role="timer"' not in bar


def _app_js_keys() -> dict[str, str]:
    """app.js's other keys for a shortcut (``KEYS``: ArrowRight → n …)."""
    table = re.search(r"var KEYS = \{(.*?)\};", APP_JS.read_text()).group(1)
    return {name.strip('"'): key
            for name, key in re.findall(r'(\w+|"[^"]*")\s*:\s*"(\w)"', table)}


def test_the_keys_listed_are_exactly_the_keys_app_js_knows(console, kickoff):
    bar = _bar(_page(console, kickoff))
    aliases = _app_js_keys()
    assert aliases == {"ArrowRight": "n", "ArrowLeft": "p", " ": "k"}  # (what this test reads)
    shortcuts = re.findall(r'data-shortcut="(\w)" aria-keyshortcuts="([^"]+)"', bar)
    assert {key for key, _ in shortcuts} == {"n", "p", "k", "q"}
    # each button names all its keys for assistive technology (ARIA's names for them)
    aria_name = {" ": "Space"}
    for key, announced in shortcuts:
        expected = {key} | {aria_name.get(other, other) for other, to in aliases.items()
                            if to == key}
        assert set(announced.split()) == expected, key
    # the list: one row per shortcut, each with every key that presses it, and nothing else
    shown = {"ArrowRight": "→", "ArrowLeft": "←", " ": "mellemrum"}
    rows = re.findall(r"<li><span>(.*?)</span>", bar[bar.index('class="shortcut-list"'):])
    listed = [set(re.findall(r"<kbd>(.*?)</kbd>", row)) for row in rows]
    assert sorted(map(sorted, listed)) == sorted(
        sorted({key} | {shown[other] for other, to in aliases.items() if to == key})
        for key in ("n", "p", "k", "q"))
    assert "Tastaturgenveje" in bar and "næste punkt" in bar


def _start_round(console, world, minutes: str) -> None:
    response = hx_post(console, f"/courses/{world.course_id}/rounds", grouping="rotation",
                       min_feedback="1", minutes=minutes)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


def test_one_clock_per_item_and_the_rounds_time_said_as_the_rounds(app: Flask, console,
                                                                   kickoff):
    phone = app.test_client()
    for _citizen_id, code in kickoff.citizens:  # checked in as they sign in
        join_citizen(app.test_client(), kickoff.course_code, code)
    join_citizen(phone, kickoff.course_code, kickoff.citizens[0][1])
    token = console.post(f"/courses/{kickoff.course_id}/projector").headers[
        "Location"].rsplit("/", 1)[1]
    hx_post(console, f"/courses/{kickoff.course_id}/session/next")  # the sparring item
    _start_round(console, kickoff, "20")

    now = _now(console, kickoff)
    # the console: one countdown, the item's, in the bar; the round's time in minutes, named
    assert now.count("data-countdown") == 1 and now.count('role="timer"') == 1
    assert "data-countdown" in _bar(now)
    board = now[now.index('class="round-total"'):]
    assert "Runden: 20 min. tilbage" in board and "data-minutes-left" in board
    assert re.search(r"til kl\. \d\d\.\d\d", board)
    # the wall: the item's clock; the phone: the round's own (issue 15, point 7), one each
    wall = app.test_client().get(f"/projector/{token}").get_data(as_text=True)
    assert wall.count("data-countdown") == 1 and "Runden:" not in wall
    mine = phone.get("/me").get_data(as_text=True)
    assert mine.count("data-countdown") == 1 and "Tid tilbage af runden:" in mine
    # the round's controls, their message slot just after them, then the board
    round_part = now[now.index('class="round-console"'):]
    assert (round_part.index('class="round-actions"') < round_part.index('id="round-message"')
            < round_part.index('id="round-board"'))


def test_a_rounds_time_is_offered_as_what_is_left_of_the_item(console, kickoff):
    hx_post(console, f"/courses/{kickoff.course_id}/session/next")  # 45 minutes, just begun
    assert 'name="minutes" value="45"' in _now(console, kickoff)
    hx_post(console, f"/courses/{kickoff.course_id}/session/timer/extend")  # +5 min.
    assert 'name="minutes" value="50"' in _now(console, kickoff)


@pytest.mark.parametrize(("planned", "remaining", "offered"), [
    (45, 45 * 60, 45),
    (45, 44 * 60 + 30, 45),  # to the nearest minute
    (45, 44 * 60 + 29, 44),
    (45, 12 * 60 + 5, 12),  # begun later: what is left
    (45, 60, 1),
    (45, 59, 45),  # the item's time is up: its planned length
    (45, -300, 45),
    (45, None, 45),
    (0, None, 15),
    (300, 290 * 60, 240),  # never more than a round may last
    (300, None, 240),
])
def test_default_round_minutes(planned: int, remaining: int | None, offered: int) -> None:
    assert default_round_minutes(planned, remaining) == offered


def test_the_bar_is_pushed_to_the_other_consoles(app: Flask, console, kickoff):
    other = socketio.test_client(app, flask_test_client=console)
    other.get_received()
    hx_post(console, f"/courses/{kickoff.course_id}/session/next")
    pushed = [f for event in other.get_received() if event["name"] == "live:fragments"
              for f in event["args"][0]["fragments"] if f["target"] == "now"]
    assert len(pushed) == 1 and "Sparring" in _bar(pushed[0]["html"])
