"""Put the demo course's day in one state as the facilitator's console sees it, with the longest
realistic content: for the console's e2e (e2e/test_console_cockpit_in_the_browser.py).

``seed_console.py STATE`` (or ``seed_console.py -``, then one STATE a line on stdin), STATE one
of ``before`` (no day running), ``talk`` (a talk with six questions, one of them on the wall),
``workshop`` (the workshop's second guided step), ``round`` (a sparring round open for 20
plans, with 20+ comments), ``paused`` (a plenary item, its countdown paused) and
``announcement`` (280 characters over a plenary item).

Built on e2e/seed_stage.py (the projector's states: the same long course name, titles and
texts). Run as a script with the server's ``COURSE_*`` environment; the console reads the
change when it is reloaded (what a script queues is never pushed). Prints one JSON line.
"""

from __future__ import annotations

import seed_stage
import sqlalchemy as sa
from seed_room import seed as seed_room

from course.extensions import db
from course.live import day as live_day
from course.live import questions
from course.people.models import Citizen
from course.rounds import services as round_services
from course.schedule.models import ItemKind, SpeakerRole
from peerreview import services as peerreview

#: Questions as a room asks them, the first of the maximum length.
QUESTIONS = [
    seed_stage.QUESTION,
    "Hvor lang tid gik der, fra du sendte planen, til du fik svar?",
    "Kunne du have fået kørekortet betalt på en anden måde?",
    "Hvad sagde din familie, da du fortalte om planen?",
    "Hvordan fandt du ud af, hvad kørekortet koster?",
    "Ville du gøre noget anderledes, hvis du skulle starte forfra i dag?",
]
#: Comments on the plans in a round: short and long, as reviewers write them.
COMMENTS = [
    "at du har tjekket prisen hos to køreskoler – det gør planen troværdig.",
    "du skrev, hvornår kurset starter, så det passer med jobannoncerne i foråret.",
    "hvad gør du, hvis du ikke består teoriprøven første gang? Sæt lidt af til en ekstra prøve.",
    seed_stage.COMMENT[:400],
    "du talte med en arbejdsgiver, før du lavede planen.",
]


def _talk_with_questions(course) -> None:
    seed_stage._on_item(course, 2, ItemKind.TALK, seed_stage.TALK_TITLE,
                        speaker=seed_stage.SPEAKER, role=SpeakerRole.FORMER_PARTICIPANT)
    askers = list(db.session.scalars(sa.select(Citizen).where(
        Citizen.course_id == course.id).order_by(Citizen.id)))
    asked = [questions.ask(course, askers[n % len(askers)], text, anonymous=n % 2 == 1)
             for n, text in enumerate(QUESTIONS)]
    for voter in askers[1:4]:
        questions.vote(asked[0], voter)
    questions.show(asked[0])


def _round_with_comments(course) -> int:
    """A round open for 20 checked-in plans; every participant reviews twice."""
    seed_room(14, True)  # the demo citizens' drafts and 14 more, everyone checked in
    round_id = seed_stage._board(course, 5, 20)
    round_ = round_services.running_round(course.id)
    criterion = round_.prompt_set["criteria"][0]
    reviewers = list(db.session.scalars(sa.select(Citizen.id).where(
        Citizen.course_id == course.id).order_by(Citizen.id)))
    given = 0
    for turn in range(2):
        for n, reviewer in enumerate(reviewers):
            assignment = peerreview.next_assignment(db.session, round_id, reviewer)
            if assignment is None:
                continue
            peerreview.add_feedback(
                db.session, round_id, reviewer, assignment.snapshot_id,
                criterion=criterion["key"], stem=criterion["stems"][(n + turn) % 2]["key"],
                text=COMMENTS[(n + turn) % len(COMMENTS)], rate_limit=1000)
            given += 1
    return given


def seed(state: str) -> dict[str, object]:
    course = seed_stage._course()
    seed_stage._reset(course)
    questions.unshow(course.id)
    comments = 0
    if state in ("before", "announcement", "paused"):
        seed_stage.seed("before" if state == "before" else "plenary")
        if state == "announcement":
            seed_stage.seed("announcement")
        elif state == "paused":
            live_day.pause_timer(live_day.running_day(course.id))
    elif state == "talk":
        _talk_with_questions(course)
    elif state == "workshop":
        seed_stage.seed("workshop-2")
    elif state == "round":
        comments = _round_with_comments(course)
    else:
        raise SystemExit(f"unknown state {state}")
    db.session.flush()
    return {"state": state, "comments": comments}


def main() -> None:
    seed_stage.serve_states(seed, __doc__)


if __name__ == "__main__":
    main()
