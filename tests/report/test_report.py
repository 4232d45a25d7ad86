"""The report of the day: a seeded course with known answers (attendance, questions answered,
not answered, hidden and held, a poll's counts, a round's coverage with one plan below the
minimum), on the page, one meeting at a time, as CSV and Excel parsed back; who may read it;
its cost whatever the size of the room."""

from __future__ import annotations

import csv
import io
from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from course.extensions import db
from course.live.models import Attendance, Question
from course.people.models import Staff
from course.polls import services as polls
from course.polls.models import PollVote
from course.schedule.models import AgendaItem, Course, Day, ItemKind
from course.types import utcnow
from peerreview.models import Feedback, Round, RoundParticipant, Snapshot
from tests.conftest import FACILITATOR_A, signed_in_staff
from tests.conftest import sql_statements as counted


def seed(app, world, *, questions: int = 0) -> dict[str, int]:
    """The known day: four citizens; the kickoff's talk with its questions and a poll; day 1's
    sparring round (minimum 2: plans with 3, 2 and 1 visible comments)."""
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        staff = db.session.get(Staff, world.facilitator_id)
        talk = AgendaItem(course_id=course.id, day=Day.KICKOFF, position=0, starts_at=time(13),
                          ends_at=time(13, 30), kind=ItemKind.TALK,
                          title="Fra ledig til selvstændig", speaker_name="Mette Hansen")
        sparring = AgendaItem(course_id=course.id, day=Day.DAY1, position=0, starts_at=time(9),
                              ends_at=time(10), kind=ItemKind.SPARRING_ROUND, title="Sparring")
        db.session.add_all([talk, sparring])
        db.session.flush()
        ids = [c for c, _code in world.citizens]
        now = utcnow()
        for i in (0, 1, 2):
            db.session.add(Attendance(course_id=course.id, day="kickoff", citizen_id=ids[i],
                                      checked_in_at=now - timedelta(hours=2),
                                      left_at=now - timedelta(hours=1) if i == 2 else None))
        db.session.add(Attendance(course_id=course.id, day="day1", citizen_id=ids[0]))
        for text, votes, answered, hidden, held in [
                ("Hvordan kom du i gang?", 5, True, False, False),
                ("Hvad kostede det?", 2, False, False, False),
                ("Skjult spørgsmål", 9, False, True, False),
                ("Venter på lov", 7, False, False, True)]:
            db.session.add(Question(course_id=course.id, agenda_item_id=talk.id, text=text,
                                    votes=votes, answered_at=now if answered else None,
                                    hidden_at=now if hidden else None, held=held))
        for n in range(questions):
            db.session.add(Question(course_id=course.id, agenda_item_id=talk.id,
                                    text=f"Ekstra {n}", votes=0))
        poll = polls.create(course, staff, "single", "Er I klar?", ["Ja", "Nej", "Måske"],
                            item=talk)
        polls.open_voting(poll)
        for i, choice in ((0, 0), (1, 0), (2, 1)):
            db.session.add(PollVote(poll_id=poll.id, voter_key=f"k{i}", choices=[choice]))
        polls.close_voting(poll)
        round_ = Round(course_ref=course.id, agenda_item_ref=sparring.id, title="Første runde",
                       state="closed", min_feedback=2)
        db.session.add(round_)
        db.session.flush()
        for i, comments in ((0, 3), (1, 2), (2, 1)):
            db.session.add(RoundParticipant(round_id=round_.id, person_ref=ids[i], present=True))
            snap = Snapshot(round_id=round_.id, owner_ref=ids[i], draft_ref=ids[i], content={})
            db.session.add(snap)
            db.session.flush()
            for n in range(comments):
                db.session.add(Feedback(round_id=round_.id, snapshot_id=snap.id,
                                        reviewer_ref=ids[(i + 1) % 3], criterion="goal",
                                        stem="like", text=f"Kommentar {n}"))
            if i == 2:  # hidden: not counted
                db.session.add(Feedback(round_id=round_.id, snapshot_id=snap.id,
                                        reviewer_ref=ids[0], criterion="goal", stem="like",
                                        text="Skjult", hidden=True))
        db.session.commit()
        return {"talk": talk.id, "poll": poll.id, "round": round_.id}


@pytest.fixture
def world(make_world):
    return make_world(citizens=4)


@pytest.fixture
def facilitator(app, world):
    return signed_in_staff(app, FACILITATOR_A)


def test_the_page_shows_the_known_day(app, world, facilitator):
    seed(app, world)
    page = facilitator.get(f"/courses/{world.course_id}/report").get_data(as_text=True)
    # attendance: 3 of 4 checked in at the kickoff, one of them left; day 1: one
    assert "3 af 4 tjekket ind, 1 af dem gået" in page
    assert "1 af 4 tjekket ind, 0 af dem gået" in page
    # questions: the room's two, most upvoted first; hidden and held ones never
    assert page.index("Hvordan kom du i gang?") < page.index("Hvad kostede det?")
    assert "Skjult spørgsmål" not in page and "Venter på lov" not in page
    # the poll's counts and shares of the voters
    assert "Er I klar?" in page and "3 har stemt" in page
    assert "67 %" in page and "33 %" in page
    # the round: one plan below the minimum of 2, by name
    assert "Under minimum:</strong> Citizen Team A 2" in page


def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_carries_the_same_figures_in_danish(app, world, facilitator):
    seed(app, world)
    response = facilitator.get(f"/courses/{world.course_id}/report.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert 'filename="rapport-' in response.headers["Content-Disposition"]
    rows = _csv(response)
    sections = [rows[0][0]] + [rows[i + 1][0] for i, row in enumerate(rows[:-1]) if row == []]
    assert sections == ["Fremmøde", "Spørgsmål til oplægsholderne", "Afstemninger",
                        "Idévægge", "Feedbackrunder"]
    kickoff = [r for r in rows
               if r[:1] == ["Formøde"] and len(r) == 5 and r[1].startswith("Citizen")]
    assert [r[4] for r in kickoff] == ["Til stede", "Til stede", "Gået", "Ikke tjekket ind"]
    questions = [r for r in rows if len(r) == 5 and r[1] == "Fra ledig til selvstændig"]
    assert [(r[2], r[3], r[4]) for r in questions] == [
        ("Hvordan kom du i gang?", "Ja", "5"), ("Hvad kostede det?", "Nej", "2")]
    bars = [r for r in rows if len(r) == 9 and r[2] == "Er I klar?"]
    assert [(r[6], r[7], r[8]) for r in bars] == [("Ja", "2", "67"), ("Nej", "1", "33"),
                                                   ("Måske", "0", "0")]
    assert {r[5] for r in bars} == {"3"}
    coverage = [r for r in rows if len(r) == 6 and r[1] == "Første runde"]
    assert [(r[3], r[4], r[5]) for r in coverage] == [
        ("Citizen Team A 2", "1", "Nej"), ("Citizen Team A 1", "2", "Ja"),
        ("Citizen Team A 0", "3", "Ja")]
    assert all("Skjult" not in cell and "Venter" not in cell for r in rows for cell in r)


def test_the_excel_workbook_has_a_sheet_per_section(app, world, facilitator):
    from openpyxl import load_workbook

    seed(app, world)
    response = facilitator.get(f"/courses/{world.course_id}/report.xlsx?day=kickoff")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Fremmøde", "Spørgsmål til oplægsholderne", "Afstemninger",
                               "Idévægge", "Feedbackrunder"]
    polls_sheet = [list(r) for r in book["Afstemninger"].iter_rows(values_only=True)]
    assert polls_sheet[0][-3:] == ["Svar", "Stemmer", "Procent af dem der stemte"]
    assert [r[-3:] for r in polls_sheet[1:]] == [["Ja", 2, 67], ["Nej", 1, 33], ["Måske", 0, 0]]
    # one meeting: the kickoff's attendance only, and not day 1's round
    attendance = list(book["Fremmøde"].iter_rows(values_only=True))[1:]
    assert {r[0] for r in attendance} == {"Formøde"} and len(attendance) == 4
    assert list(book["Feedbackrunder"].iter_rows(values_only=True))[1:] == []


def test_one_meeting_at_a_time(app, world, facilitator):
    seed(app, world)
    day1 = facilitator.get(f"/courses/{world.course_id}/report?day=day1").get_data(as_text=True)
    assert "Første runde" in day1 and "Er I klar?" not in day1
    assert "Hvordan kom du i gang?" not in day1
    assert facilitator.get(f"/courses/{world.course_id}/report?day=day9").status_code == 404


def test_votes_never_per_person(app, world, facilitator):
    """Whatever is stored, the report reads only counts: no voter key, no name next to a
    choice."""
    ids = seed(app, world)
    with app.app_context():
        keys = list(db.session.scalars(sa.select(PollVote.voter_key).where(
            PollVote.poll_id == ids["poll"])))
    for path in ("report", "report.csv"):
        body = facilitator.get(f"/courses/{world.course_id}/{path}").get_data(as_text=True)
        assert not any(f";{key};" in body or f">{key}<" in body for key in keys)


def test_a_poll_made_on_the_spot_counts_on_the_day_it_was_made(app, world, facilitator):
    seed(app, world)
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        polls.create(course, db.session.get(Staff, world.facilitator_id), "scale",
                     "Hvor klar er du?", [])
        db.session.commit()
    kickoff = facilitator.get(f"/courses/{world.course_id}/report?day=kickoff")
    assert "Hvor klar er du?" in kickoff.get_data(as_text=True)  # the kickoff is today
    assert "På stedet" in kickoff.get_data(as_text=True)
    day1 = facilitator.get(f"/courses/{world.course_id}/report?day=day1")
    assert "Hvor klar er du?" not in day1.get_data(as_text=True)


def test_the_report_is_linked_from_the_console_and_the_course_page(app, world, facilitator):
    for path in (f"/courses/{world.course_id}", f"/courses/{world.course_id}/console"):
        page = facilitator.get(path).get_data(as_text=True)
        assert f'href="/courses/{world.course_id}/report"' in page, path


def test_an_empty_course_has_a_report_too(app, world, facilitator):
    page = facilitator.get(f"/courses/{world.course_id}/report").get_data(as_text=True)
    assert "Ingen afstemninger endnu." in page and "Ingen feedbackrunder endnu." in page


def test_the_report_costs_the_same_with_4_or_40_citizens_and_questions(app, make_world):
    counts = []
    for team, citizens, questions in (("Team A", 4, 0), ("Team C", 40, 40)):
        world = make_world(team, citizens=citizens, capacity=50)
        seed(app, world, questions=questions)
        client = signed_in_staff(app, f"fac@{team.lower().replace(' ', '')}.dk")
        client.get(f"/courses/{world.course_id}/report")  # warm
        for path in ("report", "report.csv"):
            with counted(app) as statements:
                response = client.get(f"/courses/{world.course_id}/{path}")
            assert response.status_code == 200
            counts.append((path, len(statements)))
    assert counts[:2] == counts[2:], counts
    print(f"report: {counts[0][1]} statements, CSV {counts[1][1]}")


def test_the_report_in_english(app, world, facilitator):
    seed(app, world)
    with facilitator.session_transaction() as session:
        session["lang"] = "en"
    page = facilitator.get(f"/courses/{world.course_id}/report").get_data(as_text=True)
    assert "3 of 4 checked in, 1 of them left" in page
    assert "Below the minimum:</strong> Citizen Team A 2" in page
    rows = _csv(facilitator.get(f"/courses/{world.course_id}/report.csv"))
    assert rows[0] == ["Attendance"] and ["Polls"] in rows
    assert 'filename="report-' in facilitator.get(
        f"/courses/{world.course_id}/report.csv").headers["Content-Disposition"]


def test_the_idea_walls_entries_with_their_counts_and_dots_and_nothing_hidden(
        app, world, facilitator):
    """Each wall's groups as the wall shows them: inflections one entry, counts and dots; a
    hidden answer and one held for review are in no cell; no mark of who wrote or dotted."""
    from course.ideas import services as ideas
    from course.ideas.models import IdeaDot
    from course.people.models import Citizen

    ids = seed(app, world)
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        wall = ideas.create(course, db.session.get(Staff, world.facilitator_id),
                            "Hvad drømmer du om at arbejde med?",
                            item=db.session.get(AgendaItem, ids["talk"]))
        wall.state = ideas.OPEN
        citizens = [db.session.get(Citizen, c) for c, _code in world.citizens]
        for citizen, text in ((citizens[0], "Tømrer"), (citizens[1], "tømrer"),
                              (citizens[2], "Køkken"), (citizens[3], "Hemmeligt ønske")):
            ideas.answer(wall, citizen, text)
        ideas.hide_entry(ideas.answer(wall, citizens[0], "Skjult svar"))
        ideas.answer(wall, citizens[1], "Venter på lov").held = True
        db.session.add(IdeaDot(wall_id=wall.id, voter_key="v1", key=ideas.normalise("tømrer"),
                               dots=2))
        ideas.hide_group(wall, ideas.normalise("Hemmeligt ønske"))
        db.session.commit()
        marks = {ideas.mark(wall, c.id) for c in citizens}
    page = facilitator.get(f"/courses/{world.course_id}/report?day=kickoff").get_data(
        as_text=True)
    assert "Hvad drømmer du om at arbejde med?" in page
    rows = _csv(facilitator.get(f"/courses/{world.course_id}/report.csv?day=kickoff"))
    walls = [r for r in rows if len(r) == 7 and r[2] == "Hvad drømmer du om at arbejde med?"]
    assert sorted((r[3].casefold(), r[4], r[5]) for r in walls) == [
        ("køkken", "1", "0"), ("tømrer", "2", "2")]
    everything = page + repr(rows)
    for absent in ("Skjult svar", "Venter på lov", "Hemmeligt ønske", *marks):
        assert absent not in everything
    day1 = facilitator.get(f"/courses/{world.course_id}/report?day=day1").get_data(as_text=True)
    assert "Hvad drømmer du om" not in day1  # the wall was on the kickoff's talk
