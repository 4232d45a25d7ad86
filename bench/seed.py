"""The benchmark's own seeding path: courses in a running sparring round, with known codes.

Personal codes are only ever stored as keyed hashes, so a load client cannot learn an existing
citizen's code. This script creates the people itself, through the app's services
(``course.people``, ``course.schedule``, ``course.live``, ``course.rounds``), and hands the
codes it was given back to the benchmark — production code and defaults (rate limits, login
throttles, hashing) are untouched. Each course is a room on the kickoff day (today): every
participant has a budget draft and is checked in, the day is started on the kickoff's sparring
item, a whole-room feedback round is open and the projector has a display link.

Run with the same ``COURSE_*`` environment as the servers (the database, and the secret key the
codes are keyed with)::

    python -m bench.seed --course fanout53:53:15 --course room01:50 --out seeded.json

``KEY:N[:LINES]`` is a course of N participants; LINES (optional) gives its first participant
a draft with that many budget lines (the draft editor page). Prints nothing but errors; the
JSON written to ``--out`` lists every course with its code, round, display token and people.

``python -m bench.seed --poll COURSE_ID --out poll.json`` instead opens a single-choice poll
of four options in a seeded course, its results on the projector (the votes benchmark, issue
20), and writes its id and options.
"""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from course import create_app
from course.budgets.models import BudgetLine, Category, Draft, StrategyItem, StrategyKind
from course.extensions import db
from course.live import day as live_day
from course.live import services as live_services
from course.people import services as people
from course.people.models import Role, Staff, Team
from course.polls import services as polls
from course.rounds import services as rounds
from course.schedule import services as schedule
from course.schedule.models import AgendaItem, Course, Day, ItemKind
from course.types import local_today

TEAM = "Jobcenter Benchmark"
FACILITATOR = ("Benchmark Facilitator", "facilitator@bench.teten.invalid")

#: A real room's mix of first names and surnames, some of them long (the board's layout).
FIRST = ["Birgitte", "Mohammed", "Jens Peter", "Sofie", "Abdirahman", "Karin", "Thomas",
         "Marianne", "Lars", "Henriette", "Ole", "Yasmin", "Bent", "Christina", "Kasper",
         "Susanne", "Ahmad", "Lone", "Mikkel", "Annemette", "Fatima", "Søren", "Ida"]
LAST = ["Andersen", "Christensen", "Rasmussen", "Johansen", "Østergaard-Madsen", "Pedersen",
        "Mortensen", "Kristiansen", "Abdullahi", "Frederiksen", "Nielsen", "Holm"]

#: Budget lines as citizens write them: (title, category, amount, change theory).
LINES = [
    ("Truckkørekort (A og B)", Category.EDUCATION, 9_800,
     "Jeg kan søge de mange lagerjob, der kræver truckcertifikat."),
    ("Kørekort til bus (kategori D)", Category.DRIVING_LICENCE, 38_500,
     "Busselskaberne mangler chauffører og ansætter dem, der har kørekortet."),
    ("Hygiejnebevis og knivsæt", Category.EDUCATION, 3_400,
     "Med hygiejnebevis kan jeg tage vikarvagter i kantiner med det samme."),
    ("Arbejdstøj og sikkerhedssko", Category.CLOTHING, 2_900,
     "Jeg kan møde op på pladsen fra første dag uden at låne udstyr."),
    ("Månedskort til bussen", Category.TRANSPORT, 450,
     "Jeg kan nå frem til samtaler og vagter uden at være afhængig af andre."),
]
GOALS = ["Arbejde som lagermedarbejder", "Fast job som buschauffør", "Job i et køkken",
         "Arbejde som tømrerhjælper"]


def _draft(citizen_id: int, course_id: int, n: int, lines: int) -> Draft:
    """A filled-in draft: goal, ``lines`` budget lines with change theories, a strategy."""
    draft = Draft(citizen_id=citizen_id, course_id=course_id, goal=GOALS[n % len(GOALS)],
                  motivation="Jeg vil gerne tjene mine egne penge igen og have en hverdag "
                             "med kolleger.")
    draft.lines = [
        BudgetLine(position=i, title=LINES[(n + i) % len(LINES)][0],
                   category=LINES[(n + i) % len(LINES)][1],
                   amount=LINES[(n + i) % len(LINES)][2] // max(1, lines // 2),
                   change=LINES[(n + i) % len(LINES)][3],
                   job_effect="Flere job at søge, og jeg står stærkere til samtalen.",
                   assumptions="At jeg består prøven og kan få en vagt.",
                   price_source="Leverandørens hjemmeside",
                   no_documentation="Prisen står på leverandørens hjemmeside",
                   private=i == lines - 1 and lines > 1)
        for i in range(lines)
    ]
    draft.strategy = [
        StrategyItem(kind=StrategyKind.CONTINUE, position=0, text="Gå tur hver dag"),
        StrategyItem(kind=StrategyKind.STOP, position=0, text="Udskyde opkald"),
        StrategyItem(kind=StrategyKind.START, position=0, text="Søge to job om ugen"),
    ]
    return draft


def _facilitator() -> Staff:
    team = db.session.scalar(sa.select(Team).where(Team.name == TEAM))
    if team is None:
        team = Team(name=TEAM)
        db.session.add(team)
        db.session.flush()
    staff = db.session.scalar(sa.select(Staff).where(Staff.email == FACILITATOR[1]))
    if staff is None:
        # A random password nobody uses: the benchmark never signs staff in.
        staff = people.create_staff(team, FACILITATOR[0], FACILITATOR[1], Role.FACILITATOR,
                                    people.temporary_password(), must_change_password=False)
    return staff


def seed_course(key: str, participants: int, editor_lines: int,
                facilitator: Staff) -> dict[str, Any]:
    """One room on its kickoff day, in an open whole-room round; returns what clients need."""
    today = local_today()
    course = Course(team=facilitator.team, name=f"Benchmark {key}", code=schedule.new_course_code(),
                    venue="Benchmark", capacity=max(participants, 1), kickoff_on=today,
                    day1_on=today + timedelta(days=7), day2_on=today + timedelta(days=8))
    course.facilitators.append(facilitator)
    db.session.add(course)
    db.session.flush()
    schedule.apply_template(course)

    citizens = []
    drafts = []
    for n in range(participants):
        name = f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST) + n) % len(LAST)]}"
        citizen, code = people.enrol_citizen(course, name, None)
        lines = editor_lines if n == 0 and editor_lines else 2
        drafts.append(_draft(citizen.id, course.id, n, lines))
        db.session.add(drafts[-1])
        citizens.append({"id": citizen.id, "name": citizen.name, "code": code})
    db.session.flush()
    # The first participant's draft (the editor's page): its id and its lines' ids.
    editor = ({"draft": drafts[0].id, "lines": [line.id for line in drafts[0].lines]}
              if drafts else None)
    for citizen in course.citizens:
        live_day.check_in(course, Day.KICKOFF, citizen)

    sparring = db.session.scalar(sa.select(AgendaItem).where(
        AgendaItem.course_id == course.id, AgendaItem.day == Day.KICKOFF,
        AgendaItem.kind == ItemKind.SPARRING_ROUND).order_by(AgendaItem.position))
    running = live_day.start_day(course, Day.KICKOFF)
    live_day.go_to(running, sparring)
    # Whole-room rotation and the highest minimum keep plans coming to every reviewer; the
    # longest duration keeps the round open through the whole benchmark.
    round_ = rounds.start_round(course, sparring.id, Day.KICKOFF, title=sparring.title,
                                grouping="rotation", min_feedback=10, anonymous=False,
                                duration_seconds=240 * 60)
    _link, token = live_services.create_display_link(course, facilitator)
    return {"key": key, "id": course.id, "code": course.code, "round_id": round_.id,
            "display_token": token, "citizens": citizens, "editor": editor}


def seed_queue(key: str, plans: int, facilitator: Staff) -> dict[str, Any]:
    """A course whose ``plans`` citizens have all submitted a complete plan to one job
    consultant (the approval queue's page); the consultant's password is made here and only
    handed to the benchmark, which signs them in once."""
    from course.approvals import services as approvals

    today = local_today()
    password = people.temporary_password()
    email = f"consultant-{key}@bench.teten.invalid"
    consultant = people.create_staff(facilitator.team, f"Benchmark consultant {key}", email,
                                     Role.JOB_CONSULTANT, password, must_change_password=False)
    course = Course(team=facilitator.team, name=f"Benchmark {key}", code=schedule.new_course_code(),
                    venue="Benchmark", capacity=plans, kickoff_on=today - timedelta(days=20),
                    day1_on=today - timedelta(days=13), day2_on=today - timedelta(days=12))
    db.session.add(course)
    db.session.flush()
    for n in range(plans):
        name = f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST) + n) % len(LAST)]}"
        citizen, _code = people.enrol_citizen(course, name, consultant)
        draft = _draft(citizen.id, course.id, n, 2)  # two lines: always within the cap
        db.session.add(draft)
        db.session.flush()
        approvals.submit(draft, citizen)
        approvals.pending_notices()  # the benchmark sends no notices anywhere
    return {"key": key, "id": course.id, "consultant": {"email": email, "password": password},
            "plans": plans}


def seed_poll(course_id: int, facilitator: Staff) -> dict[str, Any]:
    """A single-choice poll of four options made on the spot, open, its results shown."""
    course = db.session.get(Course, course_id)
    poll = polls.create(course, facilitator, polls.SINGLE,
                        "Hvad vil du helst bruge dine penge på?",
                        ["Uddannelse eller kursus", "Kørekort", "Værktøj og arbejdstøj",
                         "Transport"])
    polls.open_voting(poll)
    polls.show_results(poll, True)
    return {"course_id": course.id, "poll_id": poll.id, "options": len(poll.options)}


def parse_spec(text: str) -> tuple[str, int, int]:
    """``KEY:N[:LINES]`` → (key, participants, editor lines)."""
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise argparse.ArgumentTypeError(f"expected KEY:N[:LINES], not {text!r}")
    return parts[0], int(parts[1]), int(parts[2]) if len(parts) == 3 else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course", type=parse_spec, action="append", default=[],
                        metavar="KEY:N[:LINES]")
    parser.add_argument("--poll", type=int, metavar="COURSE_ID",
                        help="open a poll in this seeded course instead (the votes benchmark)")
    parser.add_argument("--queue", type=parse_spec, action="append", default=[],
                        metavar="KEY:PLANS", help="a course whose plans are all submitted")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    app = create_app()
    seeded = []
    with app.app_context():
        facilitator = _facilitator()
        if args.poll:
            args.out.write_text(json.dumps(seed_poll(args.poll, facilitator)))
            db.session.commit()
            return
        for key, participants, lines in args.course:
            seeded.append(seed_course(key, participants, lines, facilitator))
            db.session.commit()  # one course per transaction: nothing half-seeded is kept
        for key, plans, _lines in args.queue:
            seeded.append(seed_queue(key, plans, facilitator))
            db.session.commit()
    args.out.write_text(json.dumps({"courses": seeded}, ensure_ascii=False))


if __name__ == "__main__":
    main()
