"""Fill the demo course's open idea wall with the longest realistic content, for its geometry
on the projector (e2e/test_ideas_in_the_browser.py): ``--groups N`` groups (answers of up to
60 characters, counts from 1 to 12, some Danish inflections of one another), sent as if from
many phones (each answer under its own mark; no person is needed for the wall).

Run as a script with the same ``COURSE_*`` environment as the running server (its SQLite file is
shared; WAL lets both write). Prints one JSON line: how many answers the wall has.
"""

from __future__ import annotations

import argparse
import json
import secrets

import sqlalchemy as sa

from course import create_app, demo
from course.extensions import db
from course.ideas import services
from course.ideas.models import IdeaEntry
from course.schedule.models import Course

#: What a room answers to "Hvad drømmer du om at arbejde med?": short and long, the longest at
#: the limit of 60 characters.
ANSWERS = [
    "Lastbilchauffør", "Pædagogmedhjælper i en børnehave", "Eget værksted",
    "Arbejde med dyr", "Kok", "Tømrer", "Fast job på et lager tæt på hvor jeg bor med mine børn",
    "Buschauffør", "Social- og sundhedshjælper", "Frisør", "IT-support",
    "Landbrug og natur, gerne med økologiske grøntsager og høns", "Rengøring", "Butik",
    "Bogholderi", "Skolebetjent", "Gartner", "Mekaniker", "Elektriker-lærling",
    "Kørelærer", "Havnearbejde", "Sygehusportør", "Cykelsmed", "Tolk (arabisk og somali)",
    "Kantine", "Vagt", "Maler", "Fotograf", "Flyttemand",
    "Noget hvor jeg kan bruge min uddannelse fra hjemlandet som ingeniør",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=len(ANSWERS))
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.code == demo.COURSE_CODE))
        wall = services.active_wall(course.id)
        for n, text in enumerate(ANSWERS[:args.groups]):
            for _ in range(1 + (n * 7) % 12):
                db.session.add(IdeaEntry(wall_id=wall.id, author_key=secrets.token_hex(32),
                                         text=text, key=services.normalise(text)))
        db.session.commit()
        print(json.dumps({"answers": services.cloud(wall).answers}))


if __name__ == "__main__":
    main()
