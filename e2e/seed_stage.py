"""Put the demo course's wall in one state, with the longest realistic content: for the
projector stage's e2e (e2e/test_projector_stage.py).

``seed_stage.py STATE`` (or ``seed_stage.py -``, then one STATE a line on stdin), STATE one of
``before`` (no day running), ``plenary``, ``talk``, ``spotlight`` (a talk with a question of
280 characters on the wall), ``break``, ``workshop-0`` … ``workshop-4`` (the guided steps),
``announcement`` (280 characters over a plenary item), ``join-qr`` (the full-screen join QR),
``board-4``, ``pinned`` (a comment of 1000 characters pinned to that board), ``board-20``,
``board-55``.

Each run first takes off what an earlier state put on the wall (the announcement, the question,
the join QR) and gives the course a realistic long name. Run as a script with the server's
``COURSE_*`` environment (its SQLite file is shared; WAL lets both write); the wall reads the
change when it is reloaded (what a script queues is never pushed). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys

import sqlalchemy as sa
from seed_room import seed as seed_room

from course import create_app, demo
from course.extensions import db
from course.live import day as live_day
from course.live import questions, services
from course.live.models import RunningDay
from course.people.models import Citizen, Staff
from course.rounds import services as round_services
from course.schedule.models import AgendaItem, Course, Day, ItemKind, SpeakerRole
from course.types import local_today
from peerreview import services as peerreview

COURSE_NAME = "Kollektivt forløb, vinter 2026, hold 3"
TALK_TITLE = "Mit forløb: valg og fravalg – fra kontanthjælp til fast job som buschauffør"
SPEAKER = "Annemette Østergaard-Kristiansen"
PLENARY_TITLE = "Rammerne for personlige, borgerstyrede budgetter"
#: A description as a facilitator edits it: two short paragraphs, about 400 characters.
DESCRIPTION = (
    "Op til 50.000 kr. til din egen plan for at komme i job, og højst 4 uger til at udarbejde "
    "budgetplanen. Deltagelse er ikke en forhåndsgodkendelse af budgetønsker – planen vurderes "
    "af din jobkonsulent.\n\n"
    "Vi gennemgår de tre kriterier, jobkonsulenten vurderer ud fra, og hvad der sker, når du "
    "har sendt planen: grøn, gul eller rød, og hvor lang tid forløbet varer."
)
NEXT_TITLE = "Forandringsteori: fra budgetpost til job – vi skriver den første sammen"
WORKSHOP_TITLE = "Forandringsteori: fra budgetpost til job"
SPARRING_TITLE = "Sparringsrunde 2: hele budgetplanen – feedback i grupper på tre og fire"
#: A question of the maximum length (280 characters).
QUESTION = (
    "Du fortalte, at du fik afslag på kørekortet første gang, fordi planen ikke hang sammen med "
    "de job, du søgte. Hvad ændrede du i din forandringsteori, før du sendte den igen, og hvordan "
    "fik du jobkonsulenten overbevist om, at buskørekortet var realistisk for dig, "
    "med dine ømme knæ?"
)
#: An announcement of the maximum length (280 characters), as in e2e/test_layouts.py.
ANNOUNCEMENT = (
    "Husk: i eftermiddag arbejder vi med forandringsteorierne til jeres budgetposter. Tag "
    "dokumentationen med (tilbud, skærmbilleder, prislister). Jobcenterkonsulenterne går rundt "
    "og hjælper. Pausen er kl. 14.15 i kantinen på første sal, og vi slutter senest kl. 15.30 "
    "i dag. Vel mødt!"
)
#: A comment of the maximum length (1000 characters), to pin to the wall.
COMMENT = (
    "din plan om at tage kørekort til bus, fordi du selv skriver, at busselskaberne i Aarhus "
    "mangler chauffører og ansætter dem, der har kørekortet, og fordi du allerede har talt med "
    "to af dem. Det gør planen meget konkret. Jeg savner dog, at du skriver, hvad du gør, hvis "
    "du ikke består teoriprøven i første forsøg, for det sker for en del, og så skal der måske "
    "bruges penge på en ekstra prøve og flere køretimer. Måske kunne du sætte lidt af beløbet "
    "til side til det? Jeg tænker også på, om du har undersøgt arbejdstiderne: mange ruter "
    "starter tidligt om morgenen eller kører sent om aftenen og i weekenden, og du skriver i "
    "din strategi, at du vil begynde at gå tur med din hund hver morgen. Hvordan får du det "
    "til at passe sammen? Til sidst: din forandringsteori siger, at kørekortet giver dig job, "
    "men hvad med helbredsattesten? Den skal vel også være i orden, før du kan starte på "
    "kurset, og det kan tage tid at få en tid hos lægen. Skriv det ind i planen, så står den "
    "rigtig stærkt til godkendelsen!"
)


def _course() -> Course:
    course = db.session.scalar(sa.select(Course).where(Course.code == demo.COURSE_CODE))
    if course is None:
        raise SystemExit("run `flask demo` first")
    return course


def _reset(course: Course) -> None:
    """Take off what an earlier state put on the wall; the long course name."""
    course.name = COURSE_NAME
    services.clear_announcement(course)
    questions.unshow(course.id)
    for running in db.session.scalars(sa.select(RunningDay).where(
            RunningDay.course_id == course.id)):
        running.join_qr_shown = False
    db.session.flush()


def _on_item(course: Course, position: int, kind: ItemKind, title: str, *,
             speaker: str = "", role: SpeakerRole | None = None,
             description: str = "") -> tuple[RunningDay, AgendaItem]:
    """Run today's meeting on its item at ``position``, made into ``kind`` with this content;
    the item after it gets a long title (the footer's "next")."""
    day = course.day_on(local_today()) or Day.KICKOFF
    running = live_day.running_day(course.id) or live_day.start_day(course, day)
    items = live_day.day_items(course.id, day)
    item = items[position]
    item.kind, item.title, item.description = kind, title, description
    item.speaker_name, item.speaker_role = speaker, role
    if position + 1 < len(items):
        items[position + 1].title = NEXT_TITLE
    db.session.flush()
    live_day.go_to(running, item)
    return running, item


def _board(course: Course, position: int, present: int) -> int:
    """A sparring item with a round just started for ``present`` checked-in plans."""
    day = course.day_on(local_today()) or Day.KICKOFF
    citizens = list(db.session.scalars(sa.select(Citizen).where(
        Citizen.course_id == course.id).order_by(Citizen.id)))
    for citizen in citizens[:present]:
        live_day.check_in(course, day, citizen)
    _running, item = _on_item(course, position, ItemKind.SPARRING_ROUND, SPARRING_TITLE)
    round_ = round_services.start_round(
        course, item.id, day, title=item.title, grouping="groups", min_feedback=2,
        anonymous=False, duration_seconds=25 * 60)
    return round_.id


def _pin(course: Course) -> None:
    """A comment of 1000 characters on the running round, pinned to the wall."""
    round_ = round_services.running_round(course.id)
    reviewer = db.session.scalar(sa.select(Citizen.id).where(
        Citizen.course_id == course.id).order_by(Citizen.id))
    assignment = peerreview.next_assignment(db.session, round_.id, reviewer)
    criterion = round_.prompt_set["criteria"][0]
    feedback = peerreview.add_feedback(
        db.session, round_.id, reviewer, assignment.snapshot_id, criterion=criterion["key"],
        stem=criterion["stems"][0]["key"], text=COMMENT)
    peerreview.pin_feedback(db.session, round_.id, feedback.id)


def seed(state: str) -> dict[str, object]:
    course = _course()
    _reset(course)
    if state == "before":
        for running in db.session.scalars(sa.select(RunningDay).where(
                RunningDay.course_id == course.id, RunningDay.ended_at.is_(None))):
            live_day.end_day(running)
    elif state == "plenary":
        _on_item(course, 1, ItemKind.PLENARY, PLENARY_TITLE, description=DESCRIPTION)
    elif state in ("talk", "spotlight"):
        _on_item(course, 2, ItemKind.TALK, TALK_TITLE, speaker=SPEAKER,
                 role=SpeakerRole.FORMER_PARTICIPANT)
        if state == "spotlight":
            asker = db.session.scalar(sa.select(Citizen).where(
                Citizen.course_id == course.id).order_by(Citizen.id))
            questions.show(questions.ask(course, asker, QUESTION, anonymous=False))
    elif state == "break":
        _on_item(course, 3, ItemKind.BREAK, "Frokost", description="Frokostpause i kantinen.")
    elif state.startswith("workshop-"):
        running, _item = _on_item(course, 2, ItemKind.WORKSHOP, WORKSHOP_TITLE,
                                  description=DESCRIPTION)
        running.workshop_step = int(state.split("-")[1])
    elif state == "announcement":
        _on_item(course, 1, ItemKind.PLENARY, PLENARY_TITLE, description=DESCRIPTION)
        author = db.session.scalar(sa.select(Staff).where(Staff.email == demo.STAFF[0][1]))
        services.post_announcement(course, author, ANNOUNCEMENT)
    elif state == "join-qr":
        running, _item = _on_item(course, 1, ItemKind.PLENARY, PLENARY_TITLE,
                                  description=DESCRIPTION)
        live_day.show_join_qr(running, True)
    elif state == "board-4":
        seed_room(0, False)  # the demo citizens get drafts
        _board(course, 4, 4)
    elif state == "pinned":
        _pin(course)
    elif state == "board-20":
        seed_room(14, True)  # 14 more, everyone checked in
        _board(course, 5, 20)
    elif state == "board-55":
        seed_room(35, False)
        _board(course, 0, 55)
    else:
        raise SystemExit(f"unknown state {state}")
    db.session.flush()
    present, enrolled = live_day.presence_count(course, live_day.attendance_day(course))
    return {"state": state, "present": present, "enrolled": enrolled}


def serve_states(seed_one, description: str) -> None:
    """Seed the state named on the command line, or (with -) one state a line from stdin, each
    answered with one JSON line: a script started once puts many states in place."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("state", help="a state, or - to read one state a line from stdin "
                                      "(one JSON line back for each)")
    args = parser.parse_args()
    app = create_app()
    states = (line.strip() for line in sys.stdin) if args.state == "-" else [args.state]
    for state in states:
        # in a request of its own: a check-in during a round builds the board's moderation
        # links (course.rounds.pushes.follow_presence), which need one; nothing is pushed
        with app.test_request_context():
            seeded = seed_one(state)
            db.session.commit()
        print(json.dumps(seeded), flush=True)


def main() -> None:
    serve_states(seed, __doc__)


if __name__ == "__main__":
    main()
