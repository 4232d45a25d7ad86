"""The guided change-theory workshop: the steps a facilitator walks the room through.

Each step has a prompt (what the citizens write now) and the matching part of three worked
examples (docs/method.md §8). The examples are made up in the seed's spirit; prices are left to
the citizens. Text here is Danish content, like the agenda template, not UI strings.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from course.budgets.models import BudgetLine, Draft
from course.extensions import db


@dataclass(frozen=True)
class Example:
    title: str
    parts: dict[str, str]  # step key → the example's text for that step


@dataclass(frozen=True)
class Step:
    key: str
    heading: str
    prompt: str


STEPS: tuple[Step, ...] = (
    Step("intro", "Forandringsteori: fra budgetpost til job",
         "Hvad vil budgetposten føre til af forandringer – og hvordan bringer det dig tættere på "
         "et job? Vi går det igennem i fire trin for hver af dine budgetposter."),
    Step("activity", "1. Aktivitet",
         "Hvad vil du bruge pengene på? Skriv budgetposten, så en anden kan forstå den."),
    Step("change", "2. Forandring",
         "Hvad ændrer budgetposten for dig? Hvad kan du, har du eller tør du bagefter?"),
    Step("job", "3. Job",
         "Hvordan bringer forandringen dig tættere på et job? Hvilket job – og hvorfor?"),
    Step("assumptions", "4. Antagelser",
         "Hvad skal være sandt, for at det virker? Skriv det, du regner med – så kan de andre "
         "stille de gode spørgsmål."),
)

EXAMPLES: tuple[Example, ...] = (
    Example("Truckcertifikat", {
        "intro": "Truckcertifikat → certifikatet, som lagerjob kræver → job som lagermedarbejder.",
        "activity": "Jeg tager truckcertifikat på et godkendt kursus.",
        "change": "Jeg har det certifikat, som mange lager- og logistikvirksomheder kræver. Jeg "
                  "bliver ikke længere sorteret fra, når jeg søger.",
        "job": "Jeg søger job som lagermedarbejder i mit område, hvor flere opslåede stillinger "
               "kræver truckcertifikat.",
        "assumptions": "Der er ledige lagerjob i mit område, som kræver truckcertifikat. Jeg kan "
                       "fysisk klare lagerarbejde. Det er certifikatet, der mangler.",
    }),
    Example("Tandbehandling", {
        "intro": "Tandbehandling → ingen smerter og mod til at smile → jobsamtaler og "
                 "kundekontakt igen.",
        "activity": "Jeg får behandlet mine tænder.",
        "change": "Jeg har ikke længere smerter, og jeg tør smile og tale frit. Jeg får mere "
                  "selvtillid til jobsamtaler og til at møde kunder.",
        "job": "Jeg går til jobsamtaler igen og søger job med kundekontakt, fx i butik, hvor jeg "
               "har erfaring.",
        "assumptions": "Mine tænder er en væsentlig grund til, at jeg har holdt mig væk fra "
                       "jobsamtaler. Behandlingen kan gøres færdig inden for forløbet.",
    }),
    Example("Bogføringskursus", {
        "intro": "Bogføringskursus → kan føre regnskab i programmet → job som bogholder- eller "
                 "kontorassistent.",
        "activity": "Jeg tager et kursus i bogføring og i det regnskabsprogram, som mange små "
                    "virksomheder bruger.",
        "change": "Jeg kan bogføre og afstemme i programmet og kan dokumentere det med et "
                  "kursusbevis.",
        "job": "Jeg søger job som bogholderassistent eller kontorassistent i små og mellemstore "
               "virksomheder.",
        "assumptions": "Virksomheder i området efterspørger folk, der kan netop dette program. Et "
                       "kortere kursus er nok.",
    }),
)


def step(index: int) -> Step:
    """The step at ``index``, clamped to the workshop."""
    return STEPS[max(0, min(index, len(STEPS) - 1))]


@dataclass(frozen=True)
class Progress:
    """How far the room is: counts only, never anyone's text."""

    done: int  # participants with a change theory on every one of their (≥1) lines
    started: int  # participants with at least one line
    total: int  # participants counted (present, or all active when nobody is checked in)


def progress(citizen_ids: list[int]) -> Progress:
    """Count who has a change theory (change + job effect) on every line of their draft."""
    if not citizen_ids:
        return Progress(0, 0, 0)
    rows = db.session.execute(
        sa.select(Draft.citizen_id, BudgetLine.change, BudgetLine.job_effect)
        .join(BudgetLine, BudgetLine.draft_id == Draft.id)
        .where(Draft.citizen_id.in_(citizen_ids))
    ).all()
    lines: dict[int, list[bool]] = {}
    for citizen_id, change, job_effect in rows:
        lines.setdefault(citizen_id, []).append(bool(change.strip() and job_effect.strip()))
    done = sum(1 for theories in lines.values() if theories and all(theories))
    return Progress(done, len(lines), len(citizen_ids))
