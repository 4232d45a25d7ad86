"""The best-practice agenda: word for word as docs/method.md §4, and true to the seed."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from course.extensions import db
from course.schedule import services
from course.schedule.best_practice import BEST_PRACTICE, DAY_ENDS, DAY_STARTS
from course.schedule.models import AgendaItem, Course, Day, ItemKind, SpeakerRole

METHOD = Path(__file__).resolve().parents[2] / "docs" / "method.md"
ROLE_CELLS = {
    "facilitator": SpeakerRole.FACILITATOR,
    "tidligere deltager (former participant)": SpeakerRole.FORMER_PARTICIPANT,
    "arbejdsgiver (employer)": SpeakerRole.EMPLOYER,
    "selvstændig iværksætter (entrepreneur)": SpeakerRole.ENTREPRENEUR,
    "–": None,
}


def _method_tables() -> dict[Day, list[tuple]]:
    text = METHOD.read_text(encoding="utf-8")
    section = text[text.index("#### Formøde"):text.index("## 5.")]
    tables = re.split(r"^#### .*$", section, flags=re.M)[1:]
    rows: dict[Day, list[tuple]] = {}
    for day, table in zip(Day, tables, strict=True):
        rows[day] = []
        for line in table.splitlines():
            if re.match(r"^\| \d\d:\d\d", line):
                start, end, kind, title, role, description = (
                    cell.strip() for cell in line.strip().strip("|").split("|"))
                rows[day].append((time.fromisoformat(start), time.fromisoformat(end),
                                  ItemKind(kind), title, ROLE_CELLS[role], description))
    return rows


def _template_rows() -> dict[Day, list[tuple]]:
    return {day: [(t.starts_at, t.ends_at, t.kind, t.title, t.speaker_role, t.description)
                  for t in items] for day, items in BEST_PRACTICE.items()}


def test_template_is_word_for_word_the_method_document():
    assert _template_rows() == _method_tables()


def _all(kind=None, role=None):
    return [(day, t) for day, items in BEST_PRACTICE.items() for t in items
            if (kind is None or t.kind == kind) and (role is None or t.speaker_role == role)]


def test_kickoff_is_short_and_in_the_afternoon():
    kickoff = BEST_PRACTICE[Day.KICKOFF]
    assert kickoff[0].starts_at == time(13, 0) and kickoff[-1].ends_at == time(14, 45)
    assert kickoff[0].title == "Velkommen"
    frame = next(t for t in kickoff if t.title.startswith("Rammerne"))
    assert "50.000 kr." in frame.description and "4 uger" in frame.description


@pytest.mark.parametrize("day", [Day.DAY1, Day.DAY2])
def test_course_days_run_nine_to_three_in_clock_order(day):
    items = BEST_PRACTICE[day]
    assert items[0].starts_at == time(9, 0) and items[-1].ends_at == time(15, 0)
    for before, after in zip(items, items[1:], strict=False):
        assert before.ends_at == after.starts_at  # back to back, no overlaps, no gaps
    assert all(DAY_STARTS <= t.starts_at and t.ends_at <= DAY_ENDS for t in items)


def test_four_talks_with_the_seeds_speakers_across_the_two_days():
    talks = _all(ItemKind.TALK)
    assert len(talks) == 4
    assert [(day, t.speaker_role) for day, t in talks] == [
        (Day.DAY1, SpeakerRole.FORMER_PARTICIPANT),
        (Day.DAY1, SpeakerRole.FORMER_PARTICIPANT),
        (Day.DAY2, SpeakerRole.EMPLOYER),
        (Day.DAY2, SpeakerRole.ENTREPRENEUR),
    ]
    employer = talks[2][1]
    assert "do's and don'ts" in employer.description


def test_change_theory_workshops_sparring_rounds_breaks_and_wrap_up():
    workshops = [t.title for _, t in _all(ItemKind.WORKSHOP)]
    assert "Forandringsteori: fra budgetpost til job" in workshops
    assert "Ret din forandringsteori til" in workshops
    assert "Budget og personlig strategi" in workshops
    rounds = _all(ItemKind.SPARRING_ROUND)
    assert {day for day, _ in rounds} == {Day.KICKOFF, Day.DAY1, Day.DAY2}
    for day in (Day.DAY1, Day.DAY2):  # work first, then a sparring round on it
        kinds = [t.kind for t in BEST_PRACTICE[day]]
        assert kinds.index(ItemKind.WORKSHOP) < kinds.index(ItemKind.SPARRING_ROUND)
        assert ItemKind.BREAK in kinds
        assert "Frokost" in [t.title for t in BEST_PRACTICE[day]]
    assert all(t.speaker_role is None for _, t in _all(ItemKind.BREAK))
    assert BEST_PRACTICE[Day.DAY2][-1].title == "Afslutning: fra budgetplan til godkendelse"
    assert "tre kriterier" in BEST_PRACTICE[Day.DAY2][-1].description


def test_apply_template_fills_an_empty_course_once(app, make_world):
    world = make_world()
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        items = services.apply_template(course)
        db.session.commit()
        assert len(items) == 26
        plan = services.agenda(course)
        assert [i.position for i in plan[Day.DAY1]] == list(range(10))
        assert all(i.speaker_name == "" and i.version == 1 for i in items)
        with pytest.raises(services.ScheduleError) as err:
            services.apply_template(course)
        assert err.value.code == "agenda_not_empty"
        assert db.session.scalar(sa.select(sa.func.count(AgendaItem.id))) == 26


def test_template_flags_only_the_talks_still_missing_a_speaker(app, make_world):
    world = make_world()
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        services.apply_template(course)
        flags = [f for day in Day for f in services.day_problems(course, day)]
        assert {f.code for f in flags} == {"speaker_missing"}
        assert len(flags) == 4
