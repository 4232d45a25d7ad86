"""Questions to the speaker, moderated as the best tools do (issue 15, point 8): held for review,
answered, sorted by votes or time, your own vote shown, anonymity said as it is, and a hidden or
waiting question told to its asker — and to no one else.

Each test names the rule it proves; each would fail without it.
"""

from __future__ import annotations

import re
from datetime import time

import pytest
import sqlalchemy as sa

from course.extensions import db, socketio
from course.live.models import Question, QuestionVote
from course.schedule.models import AgendaItem, Course, Day, ItemKind, SpeakerRole
from tests.conftest import hx_post, join_citizen, login_staff, pushed, pushes_to

ASKER, OTHER, THIRD = 0, 1, 2
HX = {"HX-Request": "true"}


@pytest.fixture
def world(app, make_world):
    """Team A's course: a kickoff of a talk (Lise Holm's) and a break; three citizens."""
    world = make_world()
    with app.app_context():
        for position, (start, end, kind, title, speaker) in enumerate([
                (time(13), time(13, 30), ItemKind.TALK, "Mit forløb", "Lise Holm"),
                (time(13, 30), time(13, 40), ItemKind.BREAK, "Pause", "")]):
            db.session.add(AgendaItem(
                course_id=world.course_id, day=Day.KICKOFF, position=position, starts_at=start,
                ends_at=end, kind=kind, title=title, speaker_name=speaker,
                speaker_role=SpeakerRole.FORMER_PARTICIPANT if speaker else None))
        db.session.commit()
    return world


def _course(app, world, **settings):
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        for name, value in settings.items():
            setattr(course, name, value)
        db.session.commit()


@pytest.fixture
def console(app, world):
    """The facilitator's console, the day started at the talk."""
    client = app.test_client()
    login_staff(client, "fac@teama.dk")
    assert hx_post(client, f"/courses/{world.course_id}/session/start",
                   day="kickoff").status_code == 200
    return client


@pytest.fixture
def phones(app, world, console):
    """The three citizens, signed in on their phones."""
    clients = []
    for _citizen_id, code in world.citizens:
        phone = app.test_client()
        join_citizen(phone, world.course_code, code)
        clients.append(phone)
    return clients


def _name(world, index: int) -> str:
    return f"Citizen Team A {index}"


def _ask(phone, world, text: str, **form):
    response = hx_post(phone, f"/courses/{world.course_id}/questions", text=text, **form)
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return response.get_data(as_text=True)


def _question_id(app, text: str) -> int:
    with app.app_context():
        return db.session.scalars(sa.select(Question.id).where(Question.text == text)).one()


def _region(client, world, **args) -> str:
    return client.get(f"/courses/{world.course_id}/questions", query_string=args,
                      headers=HX).get_data(as_text=True)


def _moderate(console, world, question_id: int, action: str, status: int = 200) -> str:
    response = hx_post(console, f"/courses/{world.course_id}/questions/{question_id}/{action}")
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    return response.get_data(as_text=True)


def _projector(app, world, console):
    token = console.post(f"/courses/{world.course_id}/projector").headers["Location"].rsplit(
        "/", 1)[1]
    return token, socketio.test_client(app, flask_test_client=app.test_client(),
                                       auth={"display": token})


def _sockets(app, *clients):
    socks = [socketio.test_client(app, flask_test_client=c) for c in clients]
    for sock in socks:
        sock.get_received()
    return socks


def _all_html(*socks) -> str:
    return "\n".join(f["html"] for sock in socks for f in pushed(sock))


# -- anonymity, said as it is ------------------------------------------------------------------


def test_anonymous_to_the_others_says_the_facilitators_see_the_name(app, world, console, phones):
    """"Anonymous" is anonymous to the other participants: the phone says the facilitators see
    the name, and the console shows it, marked as asked anonymously; the other phones do not."""
    _course(app, world, question_mode="anonymous")
    page = _region(phones[ASKER], world)
    assert "anonymt for de andre deltagere — facilitatorerne kan se dit navn" in page
    _ask(phones[ASKER], world, "Hvad tjente du det første år?")
    on_console = _region(console, world)
    assert f"{_name(world, ASKER)} · anonymt for deltagerne" in on_console
    assert _name(world, ASKER) not in _region(phones[OTHER], world)
    _course(app, world, question_mode="either")
    assert ("Anonym for de andre deltagere — facilitatorerne kan se dit navn"
            in _region(phones[ASKER], world))


def test_a_nameless_question_keeps_no_name_and_no_screen_or_push_shows_one(app, world, console,
                                                                          phones):
    """Fully anonymous: the question stores no citizen, so the console page, the console's
    list, the wall and every push (to every audience) carry no name — while the asker's own
    phone still knows it as theirs (no vote on it) and the rate limit still holds."""
    _course(app, world, question_mode="nameless")
    token, wall = _projector(app, world, console)
    other_console = app.test_client()
    login_staff(other_console, "lead@teama.dk")
    socks = [wall, *_sockets(app, other_console, phones[OTHER], phones[ASKER])]
    wall.get_received()
    page = _region(phones[ASKER], world)
    assert "helt anonymt: der gemmes intet navn, heller ikke til facilitatorerne" in page
    _ask(phones[ASKER], world, "Fortryder du noget?")
    question_id = _question_id(app, "Fortryder du noget?")
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert question.citizen_id is None and question.anonymous and question.author_key
    name = _name(world, ASKER)
    console_page = console.get(f"/courses/{world.course_id}/console").get_data(as_text=True)
    # (the console's attendance names everyone in the room; its questions name no one)
    on_console = console_page[console_page.index('id="questions"'):
                              console_page.index('id="attendance"')]
    assert "Fortryder du noget?" in on_console and name not in on_console
    assert "Intet navn (helt anonymt)" in on_console
    _moderate(console, world, question_id, "show")
    assert name not in app.test_client().get(f"/projector/{token}").get_data(as_text=True)
    hx_post(phones[OTHER], f"/courses/{world.course_id}/questions/{question_id}/upvote")
    _moderate(console, world, question_id, "answer")
    everything = _all_html(*socks)
    assert "Fortryder du noget?" in everything  # the wall's spotlight was pushed
    assert name not in everything
    # the asker's phone knows it as theirs: "Your question", no vote button on it
    mine = _region(phones[ASKER], world)
    assert "Dit spørgsmål" in mine
    assert f"/questions/{question_id}/upvote" not in mine
    with app.app_context():  # and their own vote on it does not count
        assert db.session.get(Question, question_id).votes == 1
    # the rate limit knows the asker too (three a minute), though no name is kept
    for n in range(2):
        _ask(phones[ASKER], world, f"Og nummer {n}?")
    response = hx_post(phones[ASKER], f"/courses/{world.course_id}/questions", text="Fjerde?")
    assert response.status_code == 422


# -- held for review ---------------------------------------------------------------------------


def test_a_held_question_is_seen_by_its_asker_and_the_consoles_only(app, world, console, phones):
    """In a course that holds questions, a new question is "Venter på facilitator" on its
    asker's phone, listed to let through on the console, and nowhere else: no other phone lists
    it, the phones are not even pinged, and it cannot be voted for or put on the wall."""
    _course(app, world, hold_questions=True)
    token, wall = _projector(app, world, console)
    console_sock, other_sock = _sockets(app, console, phones[OTHER])
    wall.get_received()
    assert "En facilitator læser hvert spørgsmål, før de andre ser det." in _region(
        phones[ASKER], world)
    answer = _ask(phones[ASKER], world, "Må jeg spørge om løn?")
    assert "Venter på facilitator" in answer and "Må jeg spørge om løn?" in answer
    question_id = _question_id(app, "Må jeg spørge om løn?")
    assert pushes_to(console_sock, "questions") == [""]  # the consoles read theirs
    assert pushes_to(other_sock, "questions") == []  # the phones: nothing changed for them
    assert "løn" not in _all_html(wall)
    other = _region(phones[OTHER], world)
    assert "løn" not in other and "Venter" not in other
    on_console = _region(console, world)
    assert "1 spørgsmål venter på dig" in on_console
    assert f"/questions/{question_id}/release" in on_console
    # not voted for, not shown, not answered while it waits
    hx_post(phones[OTHER], f"/courses/{world.course_id}/questions/{question_id}/upvote")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionVote)) == 0
    assert "Luk først spørgsmålet igennem." in _moderate(console, world, question_id, "show",
                                                         409)
    assert "Luk først spørgsmålet igennem." in _moderate(console, world, question_id,
                                                         "answer", 409)
    assert "løn" not in app.test_client().get(f"/projector/{token}").get_data(as_text=True)


def test_letting_a_question_through_shows_it_to_the_other_phones(app, world, console, phones):
    _course(app, world, hold_questions=True)
    _ask(phones[ASKER], world, "Hvordan fik du dit første job?")
    question_id = _question_id(app, "Hvordan fik du dit første job?")
    other_sock, = _sockets(app, phones[OTHER])
    _moderate(console, world, question_id, "release")
    assert pushes_to(other_sock, "questions") == [""]  # pinged: it reads its list afresh
    other = _region(phones[OTHER], world)
    assert "Hvordan fik du dit første job?" in other and "Venter" not in other
    assert "Venter på facilitator" not in _region(phones[ASKER], world)
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert not question.held and question.released_by_id == world.facilitator_id
    _moderate(console, world, question_id, "release")  # a second console: nothing changes
    _moderate(console, world, question_id, "show")
    assert "Hvordan fik du dit første job?" in _region(phones[OTHER], world)


def test_a_hidden_question_is_told_to_its_asker_only(app, world, console, phones):
    """Hidden — also while waiting: the asker's phone says "Skjult af facilitator"; the other
    phones show nothing of it, not even that something was hidden."""
    _ask(phones[ASKER], world, "Et dumt spørgsmål")
    _course(app, world, hold_questions=True)
    _ask(phones[ASKER], world, "Et spørgsmål der venter")
    for text in ("Et dumt spørgsmål", "Et spørgsmål der venter"):
        _moderate(console, world, _question_id(app, text), "hide")
    mine = _region(phones[ASKER], world)
    assert mine.count("Skjult af facilitator") == 2
    assert "De andre kan ikke se det. Kun du ser dette." in mine
    other = _region(phones[OTHER], world)
    assert "dumt" not in other and "venter" not in other and "Skjult" not in other
    # the console lists both under hidden, to show to the phones again
    on_console = _region(console, world)
    assert on_console.count('/unhide" hx-post') == 2
    _moderate(console, world, _question_id(app, "Et dumt spørgsmål"), "unhide")
    assert "Et dumt spørgsmål" in _region(phones[OTHER], world)


# -- answered ----------------------------------------------------------------------------------


def test_an_answered_question_leaves_the_wall_and_shows_as_answered(app, world, console, phones):
    token, wall = _projector(app, world, console)
    _ask(phones[ASKER], world, "Hvad kostede kurset?")
    question_id = _question_id(app, "Hvad kostede kurset?")
    _moderate(console, world, question_id, "show")
    assert any("Hvad kostede kurset?" in html for html in pushes_to(wall, "spotlight"))
    _moderate(console, world, question_id, "answer")
    spotlight = pushes_to(wall, "spotlight")
    assert spotlight and "Hvad kostede kurset?" not in spotlight[-1]
    assert "kostede" not in app.test_client().get(f"/projector/{token}").get_data(as_text=True)
    other = _region(phones[OTHER], world)
    answered = other.split('class="question-section">Besvaret</h3>')[1]
    assert "Hvad kostede kurset?" in answered
    assert f"/questions/{question_id}/upvote" not in other  # no more votes on it
    hx_post(phones[OTHER], f"/courses/{world.course_id}/questions/{question_id}/upvote")
    with app.app_context():
        assert db.session.get(Question, question_id).votes == 0
    # not back on the wall by mistake: answered first has to be taken back
    assert "markeret som besvaret" in _moderate(console, world, question_id, "show", 409)
    _moderate(console, world, question_id, "unanswer")
    assert "Besvaret" not in _region(phones[OTHER], world)
    _moderate(console, world, question_id, "show")


# -- sorting and your own vote -------------------------------------------------------------------


def _order(page: str, texts: list[str]) -> list[str]:
    return sorted(texts, key=page.index)


def test_phones_and_consoles_sort_by_votes_or_newest_and_keep_the_choice(app, world, console,
                                                                        phones):
    texts = ["Første spørgsmål", "Andet spørgsmål", "Tredje spørgsmål"]
    for text in texts:
        _ask(phones[THIRD], world, text)
    popular = _question_id(app, "Andet spørgsmål")
    for voter in (phones[ASKER], phones[OTHER]):
        hx_post(voter, f"/courses/{world.course_id}/questions/{popular}/upvote")
    for client in (phones[ASKER], console):
        by_votes = _region(client, world)
        assert _order(by_votes, texts) == [
            "Andet spørgsmål", "Første spørgsmål", "Tredje spørgsmål"]
        newest = _region(client, world, sort="new")
        assert _order(newest, texts) == [
            "Tredje spørgsmål", "Andet spørgsmål", "Første spørgsmål"]
        assert re.search(r'class="sort-link is-current"[^>]*aria-current="true">Nyeste', newest)
        # the region read afresh after a ping keeps the chosen order
        assert _order(_region(client, world), texts)[0] == "Tredje spørgsmål"
    # each screen its own: the other phone still lists by votes
    assert _order(_region(phones[OTHER], world), texts)[0] == "Andet spørgsmål"
    # without JavaScript the links are the pages themselves
    page = phones[OTHER].get("/me", query_string={"sort": "new"}).get_data(as_text=True)
    assert 'href="/me?sort=votes"' in page
    assert _order(page, texts)[0] == "Tredje spørgsmål"


def test_the_upvote_button_shows_your_vote_and_a_second_press_takes_it_back(app, world, console,
                                                                           phones):
    _ask(phones[ASKER], world, "Kan man søge igen?")
    question_id = _question_id(app, "Kan man søge igen?")
    url = f"/courses/{world.course_id}/questions/{question_id}/upvote"

    def button(page: str) -> str:
        form = page[page.index(f'action="{url}"'):]
        return form[:form.index("</form>")]

    watcher_sock, console_sock = _sockets(app, phones[THIRD], console)
    answer = hx_post(phones[OTHER], url, value="1").get_data(as_text=True)
    assert 'aria-pressed="true"' in button(answer) and "din stemme" in button(answer)
    assert 'name="value" value="0"' in button(answer)  # the next press takes it back
    assert 'aria-pressed="false"' in button(_region(phones[THIRD], world))  # not theirs
    # the vote is in no push: the phones and consoles are pinged, each reads its own
    pings = pushed(watcher_sock) + pushed(console_sock)
    assert pings and all(f["html"] == "" and f["swap"] == "refetch" for f in pings)
    hx_post(phones[OTHER], url, value="1")  # a double tap counts once
    with app.app_context():
        assert db.session.get(Question, question_id).votes == 1
    answer = hx_post(phones[OTHER], url, value="0").get_data(as_text=True)
    assert 'aria-pressed="false"' in button(answer) and "din stemme" not in button(answer)
    hx_post(phones[OTHER], url, value="0")  # taking back twice changes nothing
    with app.app_context():
        assert db.session.get(Question, question_id).votes == 0


# -- the course form ---------------------------------------------------------------------------


def test_the_course_form_sets_the_question_mode_and_what_is_held(app, world):
    staff = app.test_client()
    login_staff(staff, "fac@teama.dk")
    form = staff.get(f"/courses/{world.course_id}/edit").get_data(as_text=True)
    assert "Helt anonymt: der gemmes intet navn, heller ikke til facilitatorerne" in form
    assert 'name="hold_questions"' in form and 'name="hold_comments"' in form
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        data = {"name": course.name, "kickoff_on": course.kickoff_on.isoformat(),
                "day1_on": course.day1_on.isoformat(), "day2_on": course.day2_on.isoformat(),
                "venue": course.venue, "capacity": str(course.capacity),
                "facilitators": [str(world.facilitator_id)], "question_mode": "nameless",
                "hold_comments": "y"}
    response = staff.post(f"/courses/{world.course_id}/edit", data=data)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:600]
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        assert (course.question_mode, course.hold_questions, course.hold_comments) == (
            "nameless", False, True)
    page = staff.get(f"/courses/{world.course_id}").get_data(as_text=True)
    assert "Kommentarer i feedbackrunder" in page
