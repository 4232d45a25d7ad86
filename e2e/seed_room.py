"""Fill the demo course's room for a sparring round: budget drafts for the demo citizens who have
none, and ``--extra N`` more participants with drafts, checked in for today's meeting
(``--check-in-all``: the demo citizens too); or, with ``--enrol NAME``, one more participant only.

Run as a script with the same ``COURSE_*`` environment as the running server (its SQLite file is
shared; WAL lets both write). Prints one JSON line: how many are checked in with a draft.
"""

from __future__ import annotations

import argparse
import json

import sqlalchemy as sa

from course import create_app, demo
from course.budgets.models import BudgetLine, Category, Draft, StrategyItem, StrategyKind
from course.extensions import db
from course.live import day as live_day
from course.people import services
from course.people.models import Citizen
from course.schedule.models import Course
from course.types import local_today

#: First names for the extra participants: a real room's mix, some of them long.
NAMES = ["Birgitte", "Mohammed", "Jens Peter", "Sofie", "Abdirahman", "Karin", "Thomas",
         "Marianne", "Lars", "Henriette", "Ole", "Yasmin", "Bent", "Christina", "Kasper",
         "Susanne", "Ahmad", "Lone", "Mikkel", "Annemette"]
SURNAMES = ["Andersen", "Christensen", "Rasmussen", "Johansen", "Østergaard-Madsen", "Pedersen",
            "Mortensen", "Kristiansen", "Abdullahi", "Frederiksen"]

PLANS = [
    ("Arbejde som lagermedarbejder", "Truckkørekort (A og B)", Category.EDUCATION, 9_800,
     "Jeg kan søge de mange lagerjob, der kræver truckcertifikat."),
    ("Fast job som buschauffør", "Kørekort til bus (kategori D)", Category.DRIVING_LICENCE, 38_500,
     "Busselskaberne mangler chauffører og ansætter dem, der har kørekortet."),
    ("Job i et køkken", "Hygiejnebevis og knivsæt", Category.EDUCATION, 3_400,
     "Med hygiejnebevis kan jeg tage vikarvagter i kantiner med det samme."),
    ("Arbejde som tømrerhjælper", "Arbejdstøj og sikkerhedssko", Category.CLOTHING, 2_900,
     "Jeg kan møde op på pladsen fra første dag uden at låne udstyr."),
]


def _draft_for(citizen: Citizen, n: int) -> None:
    goal, title, category, amount, change = PLANS[n % len(PLANS)]
    draft = Draft(citizen_id=citizen.id, course_id=citizen.course_id, goal=goal,
                  motivation="Jeg vil gerne tjene mine egne penge igen.")
    draft.lines = [BudgetLine(position=0, title=title, category=category, amount=amount,
                              change=change, job_effect="Flere job at søge, og jeg står stærkere.",
                              assumptions="At jeg består prøven.",
                              price_source="Kursusudbyderens hjemmeside",
                              no_documentation="Prisen står på udbyderens hjemmeside"),
                   BudgetLine(position=1, title="Tandbehandling", category=Category.HEALTH,
                              amount=6_000, private=True, change="Jeg tør smile til samtaler.",
                              job_effect="Jeg møder op til samtaler uden at skamme mig.",
                              price_source="Overslag fra tandlægen",
                              no_documentation="Overslaget er givet mundtligt")]
    draft.strategy = [StrategyItem(kind=StrategyKind.CONTINUE, position=0, text="Gå tur hver dag"),
                      StrategyItem(kind=StrategyKind.STOP, position=0, text="Udskyde opkald"),
                      StrategyItem(kind=StrategyKind.START, position=0, text="Søge to job om ugen")]
    db.session.add(draft)


def seed(extra: int, check_in_all: bool) -> dict[str, int]:
    course = db.session.scalar(sa.select(Course).where(Course.code == demo.COURSE_CODE))
    if course is None:
        raise SystemExit("run `flask demo` first")
    day = course.day_on(local_today())
    if day is None:
        raise SystemExit("the demo course has no meeting today")
    citizens = list(db.session.scalars(sa.select(Citizen).where(Citizen.course_id == course.id)))
    with_draft = set(db.session.scalars(sa.select(Draft.citizen_id)))
    for n, citizen in enumerate(citizens):
        if citizen.id not in with_draft:
            _draft_for(citizen, n)
        if check_in_all:
            live_day.check_in(course, day, citizen)
    for n in range(extra):
        name = f"{NAMES[n % len(NAMES)]} {SURNAMES[n % len(SURNAMES)]}"
        citizen, _code = services.enrol_citizen(course, name, None)
        _draft_for(citizen, n + 1)
        live_day.check_in(course, day, citizen)
    db.session.flush()
    present = sum(1 for p in live_day.attendance(course, day) if p.present)
    return {"present": present}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--extra", type=int, default=0)
    parser.add_argument("--check-in-all", action="store_true",
                        help="check in the demo citizens too")
    parser.add_argument("--enrol", metavar="NAME",
                        help="only enrol one more participant (not checked in, no draft); "
                             "prints their personal code")
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        if args.enrol:
            course = db.session.scalar(sa.select(Course).where(Course.code == demo.COURSE_CODE))
            _citizen, code = services.enrol_citizen(course, args.enrol, None)
            seeded = {"code": code}
        else:
            seeded = seed(args.extra, args.check_in_all)
        db.session.commit()
    print(json.dumps(seeded))


if __name__ == "__main__":
    main()
