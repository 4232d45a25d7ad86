"""Speaker material on PostgreSQL: page turns sent at once (the console's clicker and the
speaker's screen) go one after the other — none is lost, none fails."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.services.conftest import DEMO_COURSE_CODE, DEMO_FACILITATOR, SECRET_KEY, query

pytestmark = pytest.mark.services


def test_page_turns_at_once_are_all_counted_on_postgresql(
        seeded_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("COURSE_")]:
        monkeypatch.delenv(name)
    from course import create_app
    from course.extensions import db
    from course.live import day as live_day
    from course.material import services as material
    from course.people.models import Staff
    from course.schedule.models import AgendaItem, Course, Day
    from tests.material.pdfs import make_pdf

    app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY, "STAFF_TWO_FACTOR": False,
                      "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SQLALCHEMY_DATABASE_URI": seeded_database,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": 0}})
    [(course_id,)] = query(seeded_database, "SELECT id FROM courses WHERE code = %s",
                           (DEMO_COURSE_CODE,))
    with app.app_context():
        course = db.session.get(Course, course_id)
        staff = db.session.scalars(sa.select(Staff).where(Staff.email == DEMO_FACILITATOR[0])
                                   ).one()
        running = live_day.start_day(course, Day.KICKOFF)
        item = db.session.get(AgendaItem, running.current_item_id)
        slides = material.add_material(course, item, staff, [
            material.Upload(io.BytesIO(make_pdf(20)), "slides.pdf")], fallback_name="x")
        material.put_up(slides)
        db.session.commit()
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def turn() -> None:
        try:
            with app.app_context():
                start.wait()
                material.turn(course_id, 1)
                db.session.commit()
        except BaseException as err:  # reported below
            errors.append(err)

    try:
        threads = [threading.Thread(target=turn) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert query(seeded_database, "SELECT page FROM material_stages WHERE course_id = %s",
                     (course_id,)) == [(9,)]
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
