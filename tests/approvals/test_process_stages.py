"""Where a citizen is in the process (issue 16, point 9): one word for the course list, the
citizen page and the phone's home, which leads with the one thing to do next — before, during
and after the course days — and follows the case live."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from course.approvals.models import Case, CaseState
from course.approvals.stages import Stage, stage
from course.extensions import db, socketio
from course.people.models import Citizen
from course.people.services import Participation
from course.schedule.models import Course
from tests.approvals.test_approvals import _approve_green, _case, _submit, complete_draft
from tests.conftest import (
    hx_post,
    pushed,
    signed_in_citizen,
    signed_in_staff,
    sql_statements,
)


@pytest.fixture
def team_a(make_world):
    return make_world(citizens=2)


def _set(app, model, ident: int, **values) -> None:
    with app.app_context():
        row = db.session.get(model, ident)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


def _say_yes(app, world, index: int = 0, days_ago: int = 2) -> None:
    today = date.today()
    _set(app, Citizen, world.citizens[index][0], info_meeting_on=today - timedelta(days=days_ago),
         decision="yes", decided_on=today - timedelta(days=days_ago))


def _stage_card(page: str) -> str:
    start = page.index('id="my-stage"')
    return page[start:page.index("</section>", start)]


def _participation(status: str) -> Participation:
    return Participation(status=status, decision_deadline=None, budget_deadline=None,
                         decided_on=None, overdue=False, days_left=None, can_decide=False,
                         can_opt_out=False)


# -- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "state", "expected"), [
    ("pending", None, Stage.DECIDING),
    ("yes", None, Stage.WRITING),
    ("yes", CaseState.SUBMITTED, Stage.HANDED_IN),
    ("yes", CaseState.IN_ASSESSMENT, Stage.HANDED_IN),
    ("yes", CaseState.YELLOW, Stage.HANDED_IN),
    ("yes", CaseState.RED, Stage.HANDED_IN),
    ("yes", CaseState.SENT_BACK, Stage.SENT_BACK),
    ("yes", CaseState.APPROVED, Stage.APPROVED),
    ("yes", CaseState.REJECTED, Stage.ENDED),
    # a case outranks an answer staff have not recorded yet, a no or an opt-out outranks all
    ("pending", CaseState.APPROVED, Stage.APPROVED),
    ("no", None, Stage.SAID_NO),
    ("opted_out", CaseState.APPROVED, Stage.OPTED_OUT),
])
def test_the_stage_follows_the_answer_then_the_case(status, state, expected):
    assert stage(_participation(status), state) == expected


# -- the phone's home -------------------------------------------------------------------------


def test_a_citizen_still_deciding_is_asked_and_told_when_the_four_weeks_start(
        app, team_a, citizen_client):
    card = _stage_card(citizen_client.get("/me").get_data(as_text=True))
    assert "Vil du være med?" in card
    assert 'aria-current="step">Beslut' in card
    assert "Dine fire uger til at skrive budgetplanen begynder, når du siger ja" in card


def test_after_the_yes_the_phone_says_write_and_by_when(app, team_a):
    _say_yes(app, team_a)
    phone = signed_in_citizen(app, team_a)
    card = _stage_card(phone.get("/me").get_data(as_text=True))
    assert "Skriv din budgetplan" in card and 'aria-current="step">Skriv' in card
    assert "26 dage tilbage" in card  # four weeks from two days ago
    assert "/me/budget" in card


def test_handed_in_sent_back_approved_signed_and_ended_each_say_what_now(
        app, team_a, consultant_client):
    _say_yes(app, team_a)
    complete_draft(app, team_a.citizens[0][0], team_a.course_id)
    phone = signed_in_citizen(app, team_a)
    _submit(phone)
    card = _stage_card(phone.get("/me").get_data(as_text=True))
    assert "Din plan er sendt" in card
    assert 'aria-current="step">Aflever' in card and "/me/plan" in card

    case = _case(app)
    assert hx_post(consultant_client, f"/cases/{case.id}/send-back", note="Find en billigere pris",
                   version=str(case.version)).status_code == 200
    card = _stage_card(phone.get("/me").get_data(as_text=True))
    assert "Find en billigere pris" in card and 'aria-current="step">Skriv' in card
    assert "Ret min plan" in card

    _submit(phone)
    _approve_green(app, consultant_client, _case(app))
    card = _stage_card(phone.get("/me").get_data(as_text=True))
    assert "Din plan er godkendt" in card and "#declaration" in card
    assert card.count('class="is-done"') == 3 and 'aria-current="step">Afgørelse' in card

    assert phone.post("/me/plan/declaration", data={"agree": "1"}).status_code == 303
    with app.app_context():
        db.session.get(Case, case.id).follow_up_dates = [
            (date.today() + timedelta(days=9)).isoformat()]
        db.session.commit()
    card = _stage_card(phone.get("/me").get_data(as_text=True))
    assert "#declaration" not in card and "9 måneder" in card
    assert "Næste møde med din jobkonsulent" in card
    assert card.count('class="is-done"') == 4 and card.count("Trin klaret:") == 4

    _set(app, Case, case.id, state=CaseState.REJECTED, ending_reason="job")
    card = _stage_card(phone.get("/me").get_data(as_text=True))
    assert "Dit forløb er afsluttet" in card and "Ordinær beskæftigelse" in card


def test_after_the_course_days_the_phone_no_longer_says_the_course_has_not_started(
        app, team_a):
    _say_yes(app, team_a, days_ago=20)
    today = date.today()
    _set(app, Course, team_a.course_id, kickoff_on=today - timedelta(days=20),
         day1_on=today - timedelta(days=14), day2_on=today - timedelta(days=13))
    page = signed_in_citizen(app, team_a).get("/me").get_data(as_text=True)
    assert "ikke begyndt" not in page and "Hold den åben" not in page
    assert "Næste gang vi mødes" not in page
    assert "Skriv din budgetplan" in _stage_card(page)


def test_between_the_meetings_the_phone_names_the_next_one(app, team_a):
    today = date.today()
    _set(app, Course, team_a.course_id, kickoff_on=today - timedelta(days=2),
         day1_on=today + timedelta(days=5), day2_on=today + timedelta(days=6))
    page = signed_in_citizen(app, team_a).get("/me").get_data(as_text=True)
    assert "Næste gang vi mødes" in page and "Kursusdag 1" in page
    assert "ikke begyndt" not in page


def test_on_the_day_of_a_meeting_the_phone_asks_to_be_kept_open(app, team_a):
    today = date.today()
    _set(app, Course, team_a.course_id, kickoff_on=today - timedelta(days=2), day1_on=today,
         day2_on=today + timedelta(days=1))
    page = signed_in_citizen(app, team_a).get("/me").get_data(as_text=True)
    assert "Kursusdag 1 er i dag" in page and "Hold den åben" in page


# -- live -------------------------------------------------------------------------------------


def test_the_stage_is_re_read_on_the_phone_when_the_case_moves(app, team_a, consultant_client):
    _say_yes(app, team_a)
    complete_draft(app, team_a.citizens[0][0], team_a.course_id)
    phone = signed_in_citizen(app, team_a)
    _submit(phone)
    sock = socketio.test_client(app, flask_test_client=phone)
    pushed(sock)
    case = _case(app)
    hx_post(consultant_client, f"/cases/{case.id}/send-back", note="Ret prisen",
            version=str(case.version))
    assert {"target": "my-stage", "html": "", "swap": "refetch"} in pushed(sock)
    region = phone.get("/me/stage").get_data(as_text=True)
    assert "Ret prisen" in region and 'id="my-stage"' not in region  # the region's inside


def test_the_stage_is_re_read_when_staff_record_the_yes(app, team_a, consultant_client):
    phone = signed_in_citizen(app, team_a)
    sock = socketio.test_client(app, flask_test_client=phone)
    pushed(sock)
    response = consultant_client.post(
        f"/courses/{team_a.course_id}/citizens/{team_a.citizens[0][0]}/decision",
        data={"decision": "yes", "decided_on": date.today().isoformat()})
    assert response.status_code == 303
    assert {"target": "my-stage", "html": "", "swap": "refetch"} in pushed(sock)
    assert "Skriv din budgetplan" in phone.get("/me/stage").get_data(as_text=True)


def test_only_a_citizen_reads_their_own_stage(app, team_a, consultant_client, client):
    assert consultant_client.get("/me/stage").status_code in (302, 403)
    assert client.get("/me/stage").status_code in (302, 401, 403)


# -- the office says the same -----------------------------------------------------------------


def test_the_course_list_and_citizen_page_name_each_stage(app, team_a, consultant_client):
    _say_yes(app, team_a)
    complete_draft(app, team_a.citizens[0][0], team_a.course_id)
    _submit(signed_in_citizen(app, team_a))
    page = consultant_client.get(f"/courses/{team_a.course_id}").get_data(as_text=True)
    rows = page[page.index("participants-table"):]
    first, second = (rows.index(f"Citizen Team A {i}") for i in (0, 1))
    assert "Afleveret" in rows[first:second] and "Betænkningstid" in rows[second:]
    citizen_page = consultant_client.get(
        f"/courses/{team_a.course_id}/citizens/{team_a.citizens[0][0]}").get_data(as_text=True)
    assert "badge-stage-handed_in" in citizen_page and "Afleveret" in citizen_page


def test_the_course_list_reads_the_cases_once_whatever_its_size(app, make_world):
    world = make_world(team="Team Q", citizens=5)
    for index in range(3):
        _say_yes(app, world, index)
        complete_draft(app, world.citizens[index][0], world.course_id)
        _submit(signed_in_citizen(app, world, index))
    staff = signed_in_staff(app, "con@teamq.dk")
    with sql_statements(app) as statements:
        page = staff.get(f"/courses/{world.course_id}").get_data(as_text=True)
    assert page.count("badge-stage-handed_in") == 3
    assert len([s for s in statements if "FROM cases" in s]) == 1


def test_the_editor_of_a_citizen_still_deciding_says_when_the_four_weeks_start(
        app, team_a, citizen_client):
    page = citizen_client.get("/me/budget").get_data(as_text=True)
    assert "Dine fire uger til at skrive budgetplanen begynder, når du siger ja" in page
    _set(app, Citizen, team_a.citizens[0][0], info_meeting_on=date(2026, 12, 1))
    page = citizen_client.get("/me/budget").get_data(as_text=True)
    assert ("Dine fire uger til at skrive planen begynder, når du siger ja. Sig ja eller nej til "
            "din jobkonsulent senest 8. december 2026.") in page
