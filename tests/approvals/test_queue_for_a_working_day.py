"""The approval queue for a working day (issue 16, point 8): a colour column, search by the
citizen's name or the case reference, sorting, the filter kept in the URL, decided cases that no
longer wait, overdue flags (a sent-back plan past its budget deadline, a colleague's sparring
unanswered for three working days) and each job consultant's load for the team lead."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from course.approvals import services
from course.approvals.models import Case, CaseState, Colour, SparringRequest
from course.budgets.models import Draft
from course.extensions import db
from course.people.models import Citizen, Role, Staff
from course.people.services import create_staff
from course.types import LOCAL_ZONE
from tests.conftest import PASSWORD, World

TODAY = date(2026, 12, 9)  # a Wednesday


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), LOCAL_ZONE).astimezone(UTC)


@pytest.fixture
def team_a(make_world) -> World:
    return make_world(citizens=5)


@pytest.fixture
def cases(app, team_a):
    """Five cases of Team A's consultant, one per citizen, in the states a real queue holds:
    {name: case id}. Names chosen so that name order, waiting order and deadline order differ."""
    spec = [
        # name, state, colour, submitted (days before TODAY), said yes (days before TODAY)
        ("Åse Østergaard", CaseState.SUBMITTED, None, 2, 10),
        ("Bo Andersen", CaseState.YELLOW, Colour.YELLOW, 9, 20),
        ("Carl Ibsen", CaseState.IN_ASSESSMENT, Colour.GREEN, 5, 30),
        ("Dorte Holm", CaseState.SENT_BACK, Colour.YELLOW, 12, 40),
        ("Erik Lund", CaseState.APPROVED, Colour.GREEN, 30, 50),
    ]
    ids = {}
    with app.app_context():
        for (citizen_id, _code), (name, state, colour, waited, said_yes) in zip(
                team_a.citizens, spec, strict=True):
            citizen = db.session.get(Citizen, citizen_id)
            citizen.name = name
            citizen.decision = "yes"
            citizen.decided_on = TODAY - timedelta(days=said_yes)
            draft = Draft(citizen_id=citizen_id, course_id=team_a.course_id, goal="Et job")
            db.session.add(draft)
            db.session.flush()
            case = Case(draft_id=draft.id, citizen_id=citizen_id, course_id=team_a.course_id,
                        team_id=team_a.team_id, consultant_id=team_a.consultant_id, state=state,
                        colour=colour, submitted_at=_at(TODAY - timedelta(days=waited)),
                        version_number=1, total=10_000)
            if state == CaseState.APPROVED:
                case.decided_at = _at(TODAY - timedelta(days=3))
                case.decided_by_id = team_a.consultant_id
                case.length_months = 6
            db.session.add(case)
            db.session.flush()
            ids[name] = case.id
        db.session.commit()
    return ids


def _queue(app, email: str, **chosen):
    with app.app_context():
        staff = db.session.scalar(db.select(Staff).where(Staff.email == email))
        rows, counts = services.queue(staff, services.QueueFilter(**chosen), today=TODAY)
        return rows, counts


def _names(rows) -> list[str]:
    return [row.citizen_name for row in rows]


def test_each_sort_puts_the_cases_in_its_own_order(app, cases):
    rows, _ = _queue(app, "con@teama.dk")
    # longest waiting first; the plan with the citizen and the decided one do not wait on us
    assert _names(rows) == ["Bo Andersen", "Carl Ibsen", "Åse Østergaard", "Dorte Holm",
                            "Erik Lund"]
    assert [row.waiting_days for row in rows] == [9, 5, 2, None, None]
    rows, _ = _queue(app, "con@teama.dk", sort="deadline")
    # the budget deadline is four weeks after the yes: the latest yes has the latest deadline
    assert _names(rows) == ["Erik Lund", "Dorte Holm", "Carl Ibsen", "Bo Andersen",
                            "Åse Østergaard"]
    rows, _ = _queue(app, "con@teama.dk", sort="state")
    assert [row.state for row in rows] == [CaseState.SUBMITTED, CaseState.IN_ASSESSMENT,
                                           CaseState.YELLOW, CaseState.SENT_BACK,
                                           CaseState.APPROVED]
    rows, _ = _queue(app, "con@teama.dk", sort="name")
    # Danish letters sort by their code points after z (Å after E): what casefold gives
    assert _names(rows)[:4] == ["Bo Andersen", "Carl Ibsen", "Dorte Holm", "Erik Lund"]


def test_search_finds_a_citizen_by_any_part_of_the_name_or_the_case_reference(app, cases):
    rows, counts = _queue(app, "con@teama.dk", search="  østerGAARD ")
    assert _names(rows) == ["Åse Østergaard"]
    assert counts["submitted"] == 1 and counts["yellow"] == 0
    reference = f"tet-{cases['Carl Ibsen']:05d}"
    assert _names(_queue(app, "con@teama.dk", search=reference)[0]) == ["Carl Ibsen"]
    assert _queue(app, "con@teama.dk", search="Nobody")[0] == []


def test_decided_cases_do_not_count_waiting_days(app, cases):
    rows, _ = _queue(app, "con@teama.dk", min_days=1)
    assert "Erik Lund" not in _names(rows) and "Dorte Holm" not in _names(rows)
    erik = next(row for row in _queue(app, "con@teama.dk")[0] if row.citizen_name == "Erik Lund")
    assert erik.waiting_days is None and erik.decided_on == TODAY - timedelta(days=3)


def test_working_days_skip_weekends_and_danish_public_holidays():
    friday = date(2026, 12, 4)
    assert services.working_days_between(friday, date(2026, 12, 7)) == 1  # Monday
    assert services.working_days_between(friday, date(2026, 12, 9)) == 3
    assert services.working_days_between(friday, friday) == 0
    # 24–26 December: Christmas Eve is a working day in the calendar, the two days after are not
    assert services.working_days_between(date(2026, 12, 23), date(2026, 12, 28)) == 2
    # Easter 2027: Maundy Thursday, Good Friday and Easter Monday are holidays
    assert services.working_days_between(date(2027, 3, 24), date(2027, 3, 30)) == 1


def test_a_sparring_request_is_overdue_after_three_working_days(app, team_a, cases):
    with app.app_context():
        team = db.session.get(Staff, team_a.consultant_id).team
        colleague = create_staff(team, "Sara Kollega", "sara@teama.dk", Role.JOB_CONSULTANT,
                                 PASSWORD, must_change_password=False)
        db.session.add(SparringRequest(case_id=cases["Bo Andersen"], staff=colleague,
                                       asked_by_id=team_a.consultant_id,
                                       asked_at=_at(date(2026, 12, 4))))  # Friday
        db.session.commit()
    bo = next(row for row in _queue(app, "con@teama.dk")[0] if row.citizen_name == "Bo Andersen")
    assert bo.unanswered_sparring == ("Sara Kollega",) and bo.overdue  # Mon, Tue, Wed
    with app.app_context():
        staff = db.session.get(Staff, team_a.consultant_id)
        on_tuesday = services.queue(staff, today=date(2026, 12, 8))[0]
        assert not next(r for r in on_tuesday if r.citizen_name == "Bo Andersen").overdue
        request = db.session.scalar(db.select(SparringRequest))
        request.answered_at = _at(date(2026, 12, 8))
        db.session.commit()
    bo = next(row for row in _queue(app, "con@teama.dk")[0] if row.citizen_name == "Bo Andersen")
    assert bo.unanswered_sparring == () and not bo.overdue


def test_a_sent_back_plan_past_its_budget_deadline_is_overdue(app, cases):
    rows, _ = _queue(app, "con@teama.dk", overdue_only=True)
    # Dorte said yes 40 days ago: four weeks to write ran out 12 days ago, and she has her plan
    assert _names(rows) == ["Dorte Holm"] and rows[0].deadline_passed
    with app.app_context():
        staff = db.session.scalar(db.select(Staff).where(Staff.email == "con@teama.dk"))
        early = services.queue(staff, today=TODAY - timedelta(days=20))[0]
    assert not next(r for r in early if r.citizen_name == "Dorte Holm").deadline_passed


def test_the_team_lead_sees_each_consultants_load(app, team_a, cases, lead_client,
                                                  consultant_client):
    with app.app_context():
        team = db.session.get(Staff, team_a.consultant_id).team
        create_staff(team, "Sara Kollega", "sara@teama.dk", Role.JOB_CONSULTANT, PASSWORD,
                     must_change_password=False)
        db.session.commit()
        lead = db.session.get(Staff, team_a.lead_id)
        loads = {w.name: w for w in services.workload(lead, services.team_rows(lead,
                                                                               today=TODAY))}
    con = loads["Consultant Team A"]
    assert (con.open, con.new, con.overdue, con.oldest_days) == (3, 1, 1, 9)
    assert loads["Sara Kollega"].open == 0  # an empty desk is shown too: who can take more
    page = lead_client.get("/queue").get_data(as_text=True)
    assert "Arbejdsbyrde pr. jobkonsulent" in page and "Sara Kollega" in page
    # a filter narrows the list, not the lead's overview of the team
    narrowed = lead_client.get("/queue?q=Bo", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert "Arbejdsbyrde pr. jobkonsulent" in narrowed and "Carl Ibsen" not in narrowed
    assert "Arbejdsbyrde" not in consultant_client.get("/queue").get_data(as_text=True)


def test_the_queue_page_shows_colour_flags_and_decisions(app, cases, consultant_client):
    html = consultant_client.get("/queue").get_data(as_text=True)
    assert '<span class="colour-chip colour-yellow">Gul</span>' in html
    assert '<span class="colour-chip colour-green">Grøn</span>' in html
    assert "Frist overskredet" in html  # Dorte
    assert "Hos borgeren" in html and "Afgjort" in html
    assert f"TET-{cases['Bo Andersen']:05d}" in html


def test_the_filter_lives_in_the_url(app, cases, consultant_client):
    url = "/queue?view=team&q=Holm&state=sent_back&sort=deadline&overdue=1&days="
    html = consultant_client.get(url).get_data(as_text=True)
    assert 'name="q" value="Holm"' in html
    assert '<option value="deadline" selected>' in html
    assert '<option value="sent_back" selected>' in html
    assert 'name="overdue" value="1" checked' in html
    assert 'name="view" value="team" checked' in html
    assert "Dorte Holm" in html and "Bo Andersen" not in html
    # the form pushes its state to the URL, and a queue ping refetches with the same fields
    assert 'hx-push-url="true"' in html and 'id="queue-filters"' in html


@pytest.mark.parametrize("query", [
    "sort=evil", "days=-5", "days=99999999999999999999", "view=everything", "state=<b>",
    "q=" + "x" * 5000, "course=abc", "overdue=yes",
])
def test_nonsense_in_the_url_falls_back_to_the_default(app, cases, consultant_client, query):
    response = consultant_client.get(f"/queue?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<b>" not in html.split('id="queue"')[1]
    if query.startswith("q="):
        assert 'value="' + "x" * 100 + '"' in html
    else:
        assert "Bo Andersen" in html
