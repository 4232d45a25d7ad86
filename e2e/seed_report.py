"""Seed what a report of the day shows beyond a poll, into the demo course: questions to a
talk (answered, not answered, hidden, held for review) and a feedback round on day 1 whose
plans got 3, 2, 1 and 0 comments against a minimum of 2.

Run as a script with the same ``COURSE_*`` environment as the server (after ``flask demo``),
with the course's code. It prints one JSON line: the texts the report must and must not show,
and who stayed below the minimum.
"""

from __future__ import annotations

import json
import sys
from datetime import time

import sqlalchemy as sa

from course import create_app
from course.extensions import db
from course.live.models import Question
from course.people.models import Citizen
from course.schedule.models import AgendaItem, Course, Day, ItemKind
from course.types import utcnow
from peerreview.models import Feedback, Round, RoundParticipant, Snapshot

ANSWERED = ("Hvordan fandt du modet til at sige dit faste job op og starte for dig selv, og "
            "hvem hjalp dig mest i den første svære tid med kunder og regnskab?")
OPEN = "Hvad ville du gøre anderledes i dag?"
HIDDEN = "Et spørgsmål en facilitator skjulte"
HELD = "Et spørgsmål der venter på godkendelse"


def seed(code: str) -> dict[str, object]:
    course = db.session.scalar(sa.select(Course).where(Course.code == code))
    talk = db.session.scalar(sa.select(AgendaItem).where(
        AgendaItem.course_id == course.id, AgendaItem.kind == ItemKind.TALK)
        .order_by(AgendaItem.day, AgendaItem.position))
    now = utcnow()
    for text, votes, answered, hidden, held in [(ANSWERED, 4, True, False, False),
                                                (OPEN, 1, False, False, False),
                                                (HIDDEN, 9, False, True, False),
                                                (HELD, 0, False, False, True)]:
        db.session.add(Question(course_id=course.id, agenda_item_id=talk.id, text=text,
                                votes=votes, answered_at=now if answered else None,
                                hidden_at=now if hidden else None, held=held))
    sparring = AgendaItem(course_id=course.id, day=Day.DAY1, position=99,
                          starts_at=time(15), ends_at=time(15, 30),
                          kind=ItemKind.SPARRING_ROUND, title="Sparring på planerne")
    db.session.add(sparring)
    db.session.flush()
    citizens = list(db.session.scalars(sa.select(Citizen).where(
        Citizen.course_id == course.id).order_by(Citizen.name).limit(4)))
    round_ = Round(course_ref=course.id, agenda_item_ref=sparring.id,
                   title="Første feedbackrunde", state="closed", min_feedback=2)
    db.session.add(round_)
    db.session.flush()
    for citizen, comments in zip(citizens, (3, 2, 1, 0), strict=True):
        db.session.add(RoundParticipant(round_id=round_.id, person_ref=citizen.id))
        snapshot = Snapshot(round_id=round_.id, owner_ref=citizen.id, draft_ref=citizen.id,
                            content={})
        db.session.add(snapshot)
        db.session.flush()
        for n in range(comments):
            db.session.add(Feedback(round_id=round_.id, snapshot_id=snapshot.id,
                                    reviewer_ref=citizens[0].id, criterion="goal",
                                    stem="like", text=f"Kommentar {n + 1}"))
    return {"shown": [ANSWERED, OPEN], "not_shown": [HIDDEN, HELD],
            "below": [c.name for c in citizens[2:]]}


def main() -> None:
    app = create_app()
    with app.app_context():
        seeded = seed(sys.argv[1])
        db.session.commit()
    print(json.dumps(seeded))


if __name__ == "__main__":
    main()
