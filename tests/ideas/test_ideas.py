"""The idea wall: answer limits, normalisation (case, spaces, Danish inflection), grouping
and the most common spelling, merges summed (and undone, on record), held and hidden answers
absent from every projector and phone fragment and push, dot limits and anonymity, the wall's
end with its item or its day, the coalesced pushes, and the report's rows."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from course.extensions import db, socketio
from course.ideas import pushes, services
from course.ideas.models import IdeaDot, IdeaEntry, IdeaMerge, IdeaWall
from course.live import day as live_day
from course.people.models import Citizen, Staff
from course.schedule.models import AgendaItem, Course, Day, ItemKind
from tests.conftest import FACILITATOR_A, hx_post, pushed, signed_in_citizen, signed_in_staff

PROMPT = "Hvad drømmer du om at arbejde med?"


def _start_day(app, world, items=("Velkommen", "Pause")) -> list[int]:
    from datetime import time as clock

    with app.app_context():
        ids = []
        for position, title in enumerate(items):
            item = AgendaItem(course_id=world.course_id, day=Day.KICKOFF, position=position,
                              starts_at=clock(13 + position), ends_at=clock(13 + position, 30),
                              kind=ItemKind.PLENARY, title=title)
            db.session.add(item)
            db.session.flush()
            ids.append(item.id)
        live_day.start_day(db.session.get(Course, world.course_id), Day.KICKOFF)
        db.session.commit()
        return ids


def _wall(app, world, *, item: int | None = None, open_=True, start=True) -> int:
    if start:
        _start_day(app, world)
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        wall = services.create(course, db.session.get(Staff, world.facilitator_id), PROMPT,
                               item=db.session.get(AgendaItem, item) if item else None)
        if open_:
            services.open_answers(wall)
        db.session.commit()
        return wall.id


def _answer(app, world, wall_id, index, text):
    with app.app_context():
        entry = services.answer(db.session.get(IdeaWall, wall_id),
                                db.session.get(Citizen, world.citizens[index][0]), text)
        db.session.commit()
        return entry.id


def _cloud(app, wall_id) -> dict[str, tuple[int, int]]:
    with app.app_context():
        return {g.label: (g.count, g.dots)
                for g in services.cloud(db.session.get(IdeaWall, wall_id)).groups}


def _key(app, wall_id, label) -> str:
    with app.app_context():
        return next(g.key for g in services.cloud(db.session.get(IdeaWall, wall_id)).groups
                    if g.label == label)


def _refused(code, call, *args):
    with pytest.raises(services.IdeaError) as refused:
        call(*args)
    assert refused.value.code == code


# -- normalisation and grouping ------------------------------------------------------------------


def test_answers_are_grouped_by_case_spaces_punctuation_and_danish_inflection():
    key = services.normalise("Drømme")
    for text in ("drømmen", "  DRØMMER! ", "drøm", "Drømme."):
        assert services.normalise(text) == key
    assert services.normalise("Arbejde  med   børn") == services.normalise("arbejdet med børnene")
    assert services.normalise("Natur") != services.normalise("Nature camp")
    assert services.tidy("  Arbejde \n med\tbørn ") == "Arbejde med børn"


def test_the_wall_shows_each_group_once_in_its_most_common_spelling_sized_by_its_count(
        app, make_world):
    world = make_world(citizens=6)
    wall = _wall(app, world)
    for index, text in enumerate(["Drømme", "drømmen", "Drømme", "drømme!", "Natur",
                                  "Børn"]):
        _answer(app, world, wall, index, text)
    assert _cloud(app, wall) == {"Drømme": (4, 0), "Natur": (1, 0), "Børn": (1, 0)}
    with app.app_context():
        steps = {g.label: g.step for g in services.cloud(db.session.get(IdeaWall, wall)).groups}
    assert steps == {"Drømme": services.STEPS, "Natur": 1, "Børn": 1}


# -- the limits ----------------------------------------------------------------------------------


def test_an_answer_must_be_short_and_not_empty_and_a_phone_sends_a_few(app, team_a):
    wall = _wall(app, team_a)
    _refused("empty", _answer, app, team_a, wall, 0, "   ")
    _refused("empty", _answer, app, team_a, wall, 0, "!!!")
    _refused("too_long", _answer, app, team_a, wall, 0, "x" * 10_000)
    _refused("too_long", _answer, app, team_a, wall, 0, "x" * (services.ANSWER_MAX + 1))
    _answer(app, team_a, wall, 0, "x" * services.ANSWER_MAX)
    for n in range(services.ANSWERS_PER_PHONE - 1):
        _answer(app, team_a, wall, 0, f"Idé {n}")
    _refused("too_many", _answer, app, team_a, wall, 0, "Én til")
    _answer(app, team_a, wall, 1, "En anden telefon")  # another phone has its own count


def test_a_closed_or_unopened_wall_refuses_answers(app, team_a):
    wall = _wall(app, team_a)
    _answer(app, team_a, wall, 0, "Natur")
    with app.app_context():
        services.close_answers(db.session.get(IdeaWall, wall))
        db.session.commit()
    _refused("closed", _answer, app, team_a, wall, 1, "Børn")
    ready = _wall(app, team_a, open_=False, start=False)
    _refused("closed", _answer, app, team_a, ready, 0, "Børn")
    assert _cloud(app, wall) == {"Natur": (1, 0)}


def test_a_wall_opens_only_while_a_day_runs_and_one_is_open_at_a_time(app, team_a):
    wall = _wall(app, team_a, open_=False, start=False)
    with app.app_context():
        _refused("not_now", services.open_answers, db.session.get(IdeaWall, wall))
    first = _wall(app, team_a)
    second = _wall(app, team_a, start=False)
    with app.app_context():
        assert db.session.get(IdeaWall, first).state == services.CLOSED
        assert services.active_wall(team_a.course_id).id == second


def test_the_console_refuses_a_wall_without_a_question_and_keeps_what_was_typed(app, team_a):
    console = signed_in_staff(app, FACILITATOR_A)
    answer = hx_post(console, f"/courses/{team_a.course_id}/ideas", prompt="   ")
    assert answer.status_code == 422
    assert "Skriv væggens spørgsmål først." in answer.get_data(as_text=True)
    answer = hx_post(console, f"/courses/{team_a.course_id}/ideas", prompt="x" * 300)
    assert answer.status_code == 422 and 'value="' + "x" * 300 + '"' in answer.get_data(
        as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IdeaWall)) == 0


# -- the phone's refusals ------------------------------------------------------------------------


def test_a_refused_answer_says_why_beside_the_field_in_danish(app, team_a):
    wall = _wall(app, team_a)
    phone = signed_in_citizen(app, team_a, 0)
    page = phone.get("/me").get_data(as_text=True)
    assert PROMPT in page and 'id="idea-text"' in page and 'id="idea-message"' in page
    for text, says in (("x" * 10_000, "højst være 60 tegn"), ("", "Skriv dit svar først.")):
        refused = hx_post(phone, f"/courses/{team_a.course_id}/ideas/{wall}/answer", text=text)
        assert refused.status_code == 422
        assert refused.headers["HX-Retarget"] == "#idea-message"
        assert says in refused.get_data(as_text=True)
    plain = phone.post(f"/courses/{team_a.course_id}/ideas/{wall}/answer",
                       data={"text": "y" * 200})
    assert plain.status_code == 422 and 'value="' + "y" * 200 + '"' in plain.get_data(
        as_text=True)  # without JavaScript: the page again, the text in the field
    sent = hx_post(phone, f"/courses/{team_a.course_id}/ideas/{wall}/answer", text="Natur")
    assert sent.status_code == 200 and "Natur" in sent.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IdeaEntry)) == 1


def test_an_answer_after_the_close_is_refused_in_the_toast(app, team_a):
    wall = _wall(app, team_a)
    phone = signed_in_citizen(app, team_a, 0)
    console = signed_in_staff(app, FACILITATOR_A)
    assert hx_post(console, f"/courses/{team_a.course_id}/ideas/{wall}/close").status_code == 200
    refused = hx_post(phone, f"/courses/{team_a.course_id}/ideas/{wall}/answer", text="Natur")
    assert refused.status_code == 409
    assert "Væggen er lukket for svar." in refused.get_data(as_text=True)


# -- moderation: hidden and held answers reach no screen but the console ------------------------


def _screens(app, world, console):
    """A projector, a console and another phone listening; the wall on the projector."""
    token = console.post(f"/courses/{world.course_id}/projector").headers["Location"].rsplit(
        "/", 1)[1]
    projector = socketio.test_client(app, flask_test_client=app.test_client(),
                                     auth={"display": token})
    other = signed_in_citizen(app, world, 2)
    socks = [projector, socketio.test_client(app, flask_test_client=other),
             socketio.test_client(app, flask_test_client=console)]
    for sock in socks:
        sock.get_received()
    return token, other, socks


def _everything_but_the_console(app, world, token, other, wall, socks) -> str:
    """Every fragment a projector and another phone can read or be pushed."""
    time.sleep(pushes.INTERVAL + 0.2)  # a trailing push, if one is due
    texts = [app.test_client().get(f"/projector/{token}/idea-wall").get_data(as_text=True),
             app.test_client().get(f"/projector/{token}").get_data(as_text=True),
             other.get(f"/courses/{world.course_id}/idea-wall").get_data(as_text=True),
             other.get("/me").get_data(as_text=True)]
    for sock in socks[:2]:
        texts += [f["html"] for f in pushed(sock)]
    return "\n".join(texts)


def test_hidden_and_held_answers_never_reach_the_projector_or_another_phone(app, make_world):
    world = make_world(citizens=4)
    with app.app_context():
        db.session.get(Course, world.course_id).hold_questions = True
        db.session.commit()
    wall = _wall(app, world)
    console = signed_in_staff(app, FACILITATOR_A)
    hx_post(console, f"/courses/{world.course_id}/ideas/{wall}/show", shown="1")
    token, other, socks = _screens(app, world, console)
    author = signed_in_citizen(app, world, 0)
    second = signed_in_citizen(app, world, 1)
    for phone, text in ((author, "Hemmelig idé"), (second, "Natur"), (author, "Fodbold")):
        assert hx_post(phone, f"/courses/{world.course_id}/ideas/{wall}/answer",
                       text=text).status_code == 200
    # all three are held: the console has them, the author sees their own as waiting
    desk = console.get(f"/courses/{world.course_id}/ideas").get_data(as_text=True)
    assert "Hemmelig idé" in desk and "Venter på gennemsyn" in desk
    mine = author.get(f"/courses/{world.course_id}/idea-wall").get_data(as_text=True)
    assert "Hemmelig idé" in mine and "venter på en facilitator" in mine
    seen = _everything_but_the_console(app, world, token, other, wall, socks)
    assert "Hemmelig idé" not in seen and "Natur" not in seen and "Fodbold" not in seen
    # two let through, one hidden while held; then a let-through one hidden from the wall
    with app.app_context():
        entries = {e.text: e.id for e in db.session.scalars(sa.select(IdeaEntry))}
    for text, action in (("Natur", "let-through"), ("Fodbold", "let-through"),
                         ("Hemmelig idé", "reject")):
        assert hx_post(console, f"/courses/{world.course_id}/ideas/{wall}/{action}",
                       entry=str(entries[text])).status_code == 200
    hx_post(console, f"/courses/{world.course_id}/ideas/{wall}/voting", dots="3")
    seen = _everything_but_the_console(app, world, token, other, wall, socks)
    assert "Natur" in seen and "Fodbold" in seen and "Hemmelig idé" not in seen
    assert hx_post(console, f"/courses/{world.course_id}/ideas/{wall}/hide",
                   key=_key(app, wall, "Fodbold")).status_code == 200
    seen = _everything_but_the_console(app, world, token, other, wall, socks)
    assert "Natur" in seen and "Fodbold" not in seen and "Hemmelig idé" not in seen
    desk = console.get(f"/courses/{world.course_id}/ideas").get_data(as_text=True)
    assert "Fodbold" in desk and "Vis igen" in desk  # the console keeps the trace
    assert "skjult af en facilitator" in author.get(
        f"/courses/{world.course_id}/idea-wall").get_data(as_text=True)
    # shown again: back on the wall
    hx_post(console, f"/courses/{world.course_id}/ideas/{wall}/unhide",
            key=_key_of_text(app, "Fodbold"))
    assert "Fodbold" in _cloud(app, wall)


def _key_of_text(app, text) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(IdeaEntry.key).where(IdeaEntry.text == text))


def test_the_report_rows_hold_the_visible_groups_with_counts_and_dots(app, make_world):
    world = make_world(citizens=4)
    wall = _wall(app, world)
    for index, text in enumerate(["Natur", "naturen", "Børn", "Skjult"]):
        _answer(app, world, wall, index, text)
    with app.app_context():
        w = db.session.get(IdeaWall, wall)
        services.hide_group(w, services.normalise("Skjult"))
        services.open_voting(w, 2)
        citizen = db.session.get(Citizen, world.citizens[0][0])
        services.place_dot(w, citizen, services.normalise("Børn"), 1)
        db.session.commit()
        rows = services.report_rows(db.session.get(Course, world.course_id))
    assert [(r.prompt, [(g.label, g.count, g.dots) for g in r.groups]) for r in rows] == [
        (PROMPT, [("Natur", 2, 0), ("Børn", 1, 1)])]


# -- merging -------------------------------------------------------------------------------------


def test_a_merge_sums_counts_and_dots_is_on_record_and_can_be_undone(app, make_world):
    world = make_world(citizens=5)
    wall = _wall(app, world)
    for index, text in enumerate(["Drømme", "drømmen", "Visioner", "Natur"]):
        _answer(app, world, wall, index, text)
    console = signed_in_staff(app, FACILITATOR_A)
    hx_post(console, f"/courses/{world.course_id}/ideas/{wall}/voting", dots="3")
    phone = signed_in_citizen(app, world, 4)
    for label in ("Visioner", "Visioner", "Drømme"):
        assert hx_post(phone, f"/courses/{world.course_id}/ideas/{wall}/dot",
                       key=_key(app, wall, label), step="1").status_code == 200
    assert _cloud(app, wall) == {"Drømme": (2, 1), "Visioner": (1, 2), "Natur": (1, 0)}
    same = hx_post(console, f"/courses/{world.course_id}/ideas/{wall}/merge",
                   **{"from": _key(app, wall, "Natur"), "into": _key(app, wall, "Natur")})
    assert same.status_code == 422  # one group cannot be merged with itself
    merged = hx_post(console, f"/courses/{world.course_id}/ideas/{wall}/merge",
                     **{"from": _key(app, wall, "Visioner"), "into": _key(app, wall, "Drømme")})
    assert merged.status_code == 200
    assert _cloud(app, wall) == {"Drømme": (3, 3), "Natur": (1, 0)}
    html = merged.get_data(as_text=True)
    assert "“Visioner” ind i “Drømme”" in html and "Indeholder: Visioner" in html
    # the phone's dots follow the merge: it can take one back from the merged group
    assert hx_post(phone, f"/courses/{world.course_id}/ideas/{wall}/dot",
                   key=_key(app, wall, "Drømme"), step="-1").status_code == 200
    assert _cloud(app, wall)["Drømme"] == (3, 2)
    with app.app_context():
        row = db.session.scalar(sa.select(IdeaMerge))
        assert (row.from_label, row.into_label, row.by_id) == ("Visioner", "Drømme",
                                                               world.facilitator_id)
        merge_id = row.id
    assert hx_post(console, f"/courses/{world.course_id}/ideas/{wall}/merges/{merge_id}/undo"
                   ).status_code == 200
    assert _cloud(app, wall) == {"Drømme": (2, 0), "Visioner": (1, 2), "Natur": (1, 0)}
    with app.app_context():
        assert db.session.scalar(sa.select(IdeaMerge)).undone_at is not None  # kept on record


# -- dot-voting ----------------------------------------------------------------------------------


def test_each_phone_places_its_dots_several_on_one_and_no_more(app, team_a):
    wall = _wall(app, team_a)
    _answer(app, team_a, wall, 0, "Natur")
    _answer(app, team_a, wall, 1, "Børn")
    with app.app_context():
        w = db.session.get(IdeaWall, wall)
        _refused("voting_closed", services.place_dot, w,
                 db.session.get(Citizen, team_a.citizens[2][0]), services.normalise("Natur"), 1)
        _refused("dots", services.open_voting, w, 0)
        _refused("dots", services.open_voting, w, services.DOTS_MAX + 1)
        services.open_voting(w, 2)
        db.session.commit()
        assert w.state == services.CLOSED  # dot-voting closes the answering
        citizen = db.session.get(Citizen, team_a.citizens[2][0])
        natur = services.normalise("Natur")
        assert services.place_dot(w, citizen, natur, 1)
        assert services.place_dot(w, citizen, natur, 1)  # several on one group
        _refused("no_dots", services.place_dot, w, citizen, services.normalise("Børn"), 1)
        _refused("not_found", services.place_dot, w, citizen, "noget andet", 1)
        assert services.place_dot(w, citizen, natur, -1)
        assert services.place_dot(w, citizen, services.normalise("Børn"), 1)
        db.session.commit()
        assert services.my_dots(w, citizen) == {natur: 1, services.normalise("Børn"): 1}
        services.close_voting(w)
        db.session.commit()
        _refused("voting_closed", services.place_dot, w, citizen, natur, -1)
    assert _cloud(app, wall) == {"Natur": (1, 1), "Børn": (1, 1)}


def test_a_refused_dot_says_why_beside_the_wall(app, team_a):
    wall = _wall(app, team_a)
    _answer(app, team_a, wall, 0, "Natur")
    console = signed_in_staff(app, FACILITATOR_A)
    hx_post(console, f"/courses/{team_a.course_id}/ideas/{wall}/voting", dots="1")
    phone = signed_in_citizen(app, team_a, 1)
    page = phone.get("/me").get_data(as_text=True)
    assert "Du har 1 prik tilbage." in page and "Sæt en prik på Natur" in page
    key = _key(app, wall, "Natur")
    assert hx_post(phone, f"/courses/{team_a.course_id}/ideas/{wall}/dot", key=key,
                   step="1").status_code == 200
    refused = hx_post(phone, f"/courses/{team_a.course_id}/ideas/{wall}/dot", key=key,
                      step="1")
    assert refused.status_code == 422 and refused.headers["HX-Retarget"] == "#idea-message"
    assert "Du har sat alle dine prikker." in refused.get_data(as_text=True)


def test_the_stored_answers_and_dots_name_nobody_and_differ_from_wall_to_wall(app, team_a):
    first = _wall(app, team_a)
    _answer(app, team_a, first, 0, "Natur")
    second = _wall(app, team_a, start=False)
    _answer(app, team_a, second, 0, "Natur")
    with app.app_context():
        for wall_id in (first, second):
            services.open_voting(db.session.get(IdeaWall, wall_id), 3)
            services.place_dot(db.session.get(IdeaWall, wall_id),
                               db.session.get(Citizen, team_a.citizens[0][0]),
                               services.normalise("Natur"), 1)
        db.session.commit()
        citizen_id = str(team_a.citizens[0][0])
        authors = set(db.session.scalars(sa.select(IdeaEntry.author_key)))
        voters = set(db.session.scalars(sa.select(IdeaDot.voter_key)))
        assert len(authors) == 2 and len(voters) == 2  # not joinable across walls
        assert all(len(k) == 64 and citizen_id != k for k in authors | voters)
        assert set(IdeaDot.__table__.columns.keys()) == {"wall_id", "voter_key", "key", "dots"}
        assert "citizen_id" not in IdeaEntry.__table__.columns.keys()
    console = signed_in_staff(app, FACILITATOR_A)
    desk = console.get(f"/courses/{team_a.course_id}/ideas").get_data(as_text=True)
    assert "Citizen Team A 0" not in desk


# -- the wall ends with its item or its day --------------------------------------------------------


def test_a_wall_on_an_item_closes_when_the_day_moves_on_and_one_on_the_spot_with_the_day(
        app, team_a):
    items = _start_day(app, team_a)
    on_item = _wall(app, team_a, item=items[0], start=False)
    console = signed_in_staff(app, FACILITATOR_A)
    phone = signed_in_citizen(app, team_a, 0)
    sock = socketio.test_client(app, flask_test_client=phone)
    sock.get_received()
    assert hx_post(console, f"/courses/{team_a.course_id}/session/next").status_code == 200
    with app.app_context():
        assert db.session.get(IdeaWall, on_item).state == services.CLOSED
    assert any(f["target"] == "idea-wall" for f in pushed(sock))  # the phones are told
    assert PROMPT not in phone.get(f"/courses/{team_a.course_id}/idea-wall").get_data(
        as_text=True)
    # the item is not on: the wall cannot be opened again until it is
    refused = hx_post(console, f"/courses/{team_a.course_id}/ideas/{on_item}/open")
    assert refused.status_code == 409
    spot = _wall(app, team_a, start=False)
    with app.app_context():
        services.open_voting(db.session.get(IdeaWall, spot), 3)
        db.session.commit()
    with app.app_context():
        live_day.end_day(live_day.running_day(team_a.course_id))
        db.session.commit()
        wall = db.session.get(IdeaWall, spot)
        assert (wall.state, wall.voting) == (services.CLOSED, services.CLOSED)


# -- coalescing ---------------------------------------------------------------------------------


def test_a_burst_of_answers_is_pushed_a_few_times_and_converges(app, make_world):
    world = make_world(citizens=30, capacity=40)
    wall = _wall(app, world)
    console = signed_in_staff(app, FACILITATOR_A)
    hx_post(console, f"/courses/{world.course_id}/ideas/{wall}/show", shown="1")
    token, _other, socks = _screens(app, world, console)
    projector = socks[0]
    phones = [signed_in_citizen(app, world, i) for i in range(30)]
    started = time.monotonic()
    for i, phone in enumerate(phones):
        assert hx_post(phone, f"/courses/{world.course_id}/ideas/{wall}/answer",
                       text=["Natur", "naturen", "Børn"][i % 3]).status_code == 200
    elapsed = time.monotonic() - started
    walls: list[str] = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(pushes.INTERVAL)
        walls += [f["html"] for f in pushed(projector) if f["target"] == "idea-wall"]
        if walls and "30 svar" in walls[-1]:
            break
    assert 1 <= len(walls) <= elapsed / pushes.INTERVAL + 2, (len(walls), elapsed)
    assert len(walls) < 30
    assert "30 svar" in walls[-1]
    final = app.test_client().get(f"/projector/{token}/idea-wall").get_data(as_text=True)
    assert final == walls[-1]  # what a reload shows
    assert _cloud(app, wall) == {"Natur": (20, 0), "Børn": (10, 0)}


# -- prepared in the agenda editor --------------------------------------------------------------


def test_a_wall_prepared_on_an_item_is_offered_while_the_item_is_on(app, team_a):
    from datetime import time as clock

    with app.app_context():
        item = AgendaItem(course_id=team_a.course_id, day=Day.KICKOFF, position=0,
                          starts_at=clock(13), ends_at=clock(13, 30), kind=ItemKind.PLENARY,
                          title="Velkommen")
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    console = signed_in_staff(app, FACILITATOR_A)
    agenda = console.get(f"/courses/{team_a.course_id}/agenda").get_data(as_text=True)
    assert f"/courses/{team_a.course_id}/items/{item_id}/ideas/new" in agenda
    form = console.get(f"/courses/{team_a.course_id}/items/{item_id}/ideas/new")
    assert form.status_code == 200 and PROMPT in form.get_data(as_text=True)
    refused = console.post(f"/courses/{team_a.course_id}/items/{item_id}/ideas",
                           data={"prompt": " "})
    assert refused.status_code == 422
    assert "Skriv væggens spørgsmål først." in refused.get_data(as_text=True)
    made = console.post(f"/courses/{team_a.course_id}/items/{item_id}/ideas",
                        data={"prompt": "Hvem vil du gerne arbejde sammen med?"})
    assert made.status_code == 303 and made.headers["Location"].endswith(f"#item-{item_id}")
    assert "Hvem vil du gerne arbejde sammen med?" in console.get(
        f"/courses/{team_a.course_id}/agenda").get_data(as_text=True)
    assert "Hvem vil du gerne arbejde sammen med?" not in console.get(
        f"/courses/{team_a.course_id}/ideas").get_data(as_text=True)
    with app.app_context():
        live_day.start_day(db.session.get(Course, team_a.course_id), Day.KICKOFF)
        db.session.commit()
    assert "Hvem vil du gerne arbejde sammen med?" in console.get(
        f"/courses/{team_a.course_id}/ideas").get_data(as_text=True)


def test_an_item_of_another_course_takes_no_wall(app, make_world):
    from datetime import time as clock

    a = make_world("Team A")
    b = make_world("Team B")
    with app.app_context():
        item = AgendaItem(course_id=b.course_id, day=Day.KICKOFF, position=0,
                          starts_at=clock(13), ends_at=clock(13, 30), kind=ItemKind.PLENARY,
                          title="Velkommen")
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    console = signed_in_staff(app, FACILITATOR_A)
    assert console.post(f"/courses/{a.course_id}/items/{item_id}/ideas",
                        data={"prompt": "Hvad?"}).status_code == 404
    assert console.get(f"/courses/{a.course_id}/items/{item_id}/ideas/new").status_code == 404
