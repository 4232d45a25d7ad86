"""Fail-closed permissions: every endpoint declares who may use it, and the rules hold."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask_babel import gettext
from flask_login import login_user
from werkzeug.exceptions import HTTPException, NotFound

from course import access
from course.approvals.models import Case
from course.budgets import access as draft_rules
from course.budgets.models import Draft
from course.extensions import db
from course.followup.models import Meeting
from course.people import services as people_services
from course.people.models import Citizen, Role, Staff, Team
from course.schedule import access as course_rules
from course.schedule.models import Course
from tests.conftest import PASSWORD, join_citizen, login_staff


def test_every_endpoint_declares_who_may_use_it(app):
    undeclared = [
        rule.endpoint for rule in app.url_map.iter_rules()
        if access.declared_kinds(app, rule.endpoint) is None
    ]
    assert undeclared == []


def test_an_undeclared_endpoint_is_refused_at_runtime(app, client):
    @app.get("/undeclared")
    def undeclared():
        return "secret"

    assert client.get("/undeclared").status_code == 403


def test_declaring_nothing_or_nonsense_is_an_error():
    with pytest.raises(ValueError):
        access.allow()
    with pytest.raises(ValueError):
        access.allow("everyone")


@pytest.mark.parametrize("path", ["/office", "/staff", "/me", "/password", "/two-factor"])
def test_anonymous_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/?next=") or "next=" in response.headers[
        "Location"]


def test_anonymous_htmx_request_gets_401_not_a_redirect(client, make_world):
    world = make_world()
    response = client.get(f"/courses/{world.course_id}/announcement",
                          headers={"HX-Request": "true"})
    assert response.status_code == 401


def test_citizen_cannot_reach_staff_pages(client, make_world):
    world = make_world()
    join_citizen(client, world.course_code, world.citizens[0][1])
    for path in ["/office", f"/courses/{world.course_id}", f"/courses/{world.course_id}/console",
                 "/staff"]:
        assert client.get(path).status_code == 403, path
    response = client.post(f"/courses/{world.course_id}/announcements", data={"text": "hi"})
    assert response.status_code == 403


def test_staff_of_another_team_sees_nothing_of_a_course(client, make_world):
    a = make_world("Team A")
    make_world("Team B")
    login_staff(client, "fac@teamb.dk")
    for path in [f"/courses/{a.course_id}", f"/courses/{a.course_id}/console",
                 f"/courses/{a.course_id}/announcement"]:
        assert client.get(path).status_code == 404, path
    assert client.post(f"/courses/{a.course_id}/announcements",
                       data={"text": "hijack"}).status_code == 404
    assert client.post(f"/courses/{a.course_id}/citizens",
                       data={"name": "X", "job_consultant": "1"}).status_code == 404
    office = client.get("/office").get_data(as_text=True)
    assert "Course Team A" not in office


def test_citizen_cannot_read_another_course(client, make_world):
    a = make_world("Team A")
    b = make_world("Team B")
    join_citizen(client, b.course_code, b.citizens[0][1])
    assert client.get(f"/courses/{a.course_id}/announcement").status_code == 404
    assert client.get(f"/courses/{b.course_id}/announcement").status_code == 200


def test_job_consultant_cannot_run_the_console(consultant_client, team_a):
    assert consultant_client.get(f"/courses/{team_a.course_id}/console").status_code == 404
    assert consultant_client.post(f"/courses/{team_a.course_id}/announcements",
                                  data={"text": "x"}).status_code == 404


def test_only_team_leads_manage_staff(facilitator_client, team_a):
    assert facilitator_client.get("/staff").status_code == 403
    assert facilitator_client.post(f"/staff/{team_a.consultant_id}/deactivate").status_code == 403


def test_team_lead_cannot_touch_another_teams_staff(client, make_world):
    make_world("Team A")
    b = make_world("Team B")
    login_staff(client, "lead@teama.dk")
    assert client.post(f"/staff/{b.consultant_id}/deactivate").status_code == 404
    assert client.post(f"/staff/{b.consultant_id}/reset").status_code == 404


def test_extra_form_fields_are_ignored(app, client, make_world):
    """An enrolment with smuggled course_id/active fields lands in the URL's course only."""
    from course.extensions import db
    from course.people.models import Citizen

    a = make_world("Team A")
    b = make_world("Team B")
    login_staff(client, "con@teama.dk")
    from course.people.services import REQUIRED_ELIGIBILITY

    response = client.post(f"/courses/{a.course_id}/citizens", data={
        "name": "Smuggler", "job_consultant": str(a.consultant_id),
        "info_meeting_on": "2026-01-05", "criteria": list(REQUIRED_ELIGIBILITY),
        "course_id": str(b.course_id), "active": "0", "code_hash": "x",
    })
    assert response.status_code == 200
    with app.app_context():
        citizen = db.session.query(Citizen).filter_by(name="Smuggler").one()
        assert citizen.course_id == a.course_id and citizen.active and citizen.code_hash != "x"


def test_enrolment_refuses_a_consultant_from_another_team(client, make_world):
    a = make_world("Team A")
    b = make_world("Team B")
    login_staff(client, "con@teama.dk")
    response = client.post(f"/courses/{a.course_id}/citizens", data={
        "name": "X", "job_consultant": str(b.consultant_id)})
    assert response.status_code == 422


# -- the object-level rules, one principal at a time -------------------------------------------


@contextmanager
def acting_as(app, kind=None, person_id=None):
    """A request context in which ``kind`` (Staff or Citizen) ``person_id`` is signed in, or
    nobody is (no arguments)."""
    with app.test_request_context():
        if kind is not None:
            login_user(db.session.get(kind, person_id))
        yield


def a_second_staff(app, team_id, email, role):
    """Another staff member of the team (not one of its course's facilitators)."""
    with app.app_context():
        staff = people_services.create_staff(db.session.get(Team, team_id), email, email, role,
                                             PASSWORD, must_change_password=False)
        db.session.commit()
        return staff.id


def test_the_courses_facilitator_and_the_teams_lead_run_the_console(app, make_world):
    world = make_world()
    for email in ("fac@teama.dk", "lead@teama.dk"):
        client = app.test_client()
        login_staff(client, email)
        assert client.get(f"/courses/{world.course_id}/console").status_code == 200, email


def test_a_team_lead_of_another_team_cannot_run_the_console(app, client, make_world):
    a = make_world("Team A")
    b = make_world("Team B")
    with acting_as(app, Staff, b.lead_id):
        assert course_rules.can_facilitate(db.session.get(Course, a.course_id)) is False
        assert course_rules.can_facilitate(db.session.get(Course, b.course_id)) is True
    login_staff(client, "lead@teamb.dk")
    assert client.get(f"/courses/{a.course_id}/console").status_code == 404
    assert client.post(f"/courses/{a.course_id}/announcements",
                       data={"text": "hijack"}).status_code == 404


def test_a_facilitator_of_the_team_runs_only_the_courses_they_facilitate(app, client, make_world):
    world = make_world()
    other = a_second_staff(app, world.team_id, "fac2@teama.dk", Role.FACILITATOR)
    with acting_as(app, Staff, other):
        course = db.session.get(Course, world.course_id)
        assert course_rules.can_see_course(course) and course_rules.can_manage_participants(course)
        assert course_rules.can_facilitate(course) is False
    login_staff(client, "fac2@teama.dk")
    assert client.get(f"/courses/{world.course_id}/console").status_code == 404


def test_nobody_signed_in_passes_any_course_rule(app, make_world):
    world = make_world()
    with acting_as(app):
        course = db.session.get(Course, world.course_id)
        assert course_rules.can_see_course(course) is False
        assert course_rules.can_facilitate(course) is False
        assert course_rules.can_manage_participants(course) is False


def test_a_declared_endpoint_is_let_through_to_its_kinds(app, client):
    @app.get("/open-door")
    @access.allow(access.PUBLIC)
    def open_door():
        return "welcome"

    assert access.declared_kinds(app, "open_door") == {access.PUBLIC}
    assert client.get("/open-door").status_code == 200


def test_an_undeclared_endpoint_is_logged_by_name(app, client, caplog):
    @app.get("/undeclared")
    def undeclared():
        return "secret"

    with caplog.at_level(logging.ERROR):
        assert client.get("/undeclared").status_code == 403
    assert "endpoint undeclared declares no access; refused" in caplog.messages


@pytest.mark.parametrize("path", ["/office", "/office?week=2", "/office?tab=X"])
def test_sign_in_leads_back_to_the_page_asked_for(client, path):
    location = client.get(path).headers["Location"]
    assert parse_qs(urlsplit(location).query)["next"] == [path]


# -- drafts ----------------------------------------------------------------------------------


@pytest.fixture
def plan(app, make_world, make_draft):
    """A world of two teams; the first citizen of team A has a draft (not submitted)."""
    a = make_world("Team A")
    b = make_world("Team B")
    draft_id, _ = make_draft(a.citizens[0][0], a.course_id, "Job")
    return a, b, draft_id


def sees(app, kind, person_id, draft_id):
    """(in progress, at all, may edit): what ``person_id`` may do with the draft."""
    with acting_as(app, kind, person_id):
        draft = db.session.get(Draft, draft_id)
        return (draft_rules.can_see_draft_in_progress(draft), draft_rules.can_see_draft(draft),
                draft_rules.can_edit_draft(draft))


def submit(app, world, draft_id):
    with app.app_context():
        db.session.add(Case(draft_id=draft_id, citizen_id=world.citizens[0][0],
                            course_id=world.course_id, team_id=world.team_id,
                            consultant_id=world.consultant_id))
        db.session.commit()


def test_a_draft_in_progress_is_seen_by_its_owner_their_consultant_and_the_course_staff(
        app, plan):
    a, b, draft_id = plan
    other_consultant = a_second_staff(app, a.team_id, "con2@teama.dk", Role.JOB_CONSULTANT)
    other_facilitator = a_second_staff(app, a.team_id, "fac2@teama.dk", Role.FACILITATOR)
    assert sees(app, Citizen, a.citizens[0][0], draft_id) == (True, True, True)
    assert sees(app, Staff, a.consultant_id, draft_id) == (True, True, False)
    assert sees(app, Staff, a.facilitator_id, draft_id) == (True, True, False)
    assert sees(app, Staff, a.lead_id, draft_id) == (True, True, False)
    for nobody in [(Citizen, a.citizens[1][0]), (Citizen, b.citizens[0][0]),
                   (Staff, other_consultant), (Staff, other_facilitator),
                   (Staff, b.consultant_id), (Staff, b.facilitator_id), (Staff, b.lead_id)]:
        assert sees(app, *nobody, draft_id) == (False, False, False), nobody
    with acting_as(app):
        draft = db.session.get(Draft, draft_id)
        assert not (draft_rules.can_see_draft_in_progress(draft) or draft_rules.can_see_draft(draft)
                    or draft_rules.can_edit_draft(draft))


def test_a_submitted_draft_is_also_seen_by_the_teams_consultants_and_lead_only(app, plan):
    a, b, draft_id = plan
    other_consultant = a_second_staff(app, a.team_id, "con2@teama.dk", Role.JOB_CONSULTANT)
    other_facilitator = a_second_staff(app, a.team_id, "fac2@teama.dk", Role.FACILITATOR)
    submit(app, a, draft_id)
    assert sees(app, Staff, other_consultant, draft_id) == (False, True, False)
    assert sees(app, Staff, a.lead_id, draft_id) == (True, True, False)
    for nobody in [(Staff, other_facilitator), (Staff, b.consultant_id), (Staff, b.lead_id),
                   (Citizen, a.citizens[1][0])]:
        assert sees(app, *nobody, draft_id) == (False, False, False), nobody


def test_draft_or_404_hides_what_the_rule_refuses(app, plan):
    a, _, draft_id = plan
    with acting_as(app, Staff, a.consultant_id):
        assert draft_rules.draft_or_404(draft_id).id == draft_id
        with pytest.raises(NotFound):
            draft_rules.draft_or_404(draft_id + 1000)
        with pytest.raises(NotFound):
            draft_rules.draft_or_404(draft_id, draft_rules.can_edit_draft)
    with acting_as(app, Citizen, a.citizens[1][0]):
        with pytest.raises(NotFound):
            draft_rules.draft_or_404(draft_id)
        with pytest.raises(NotFound):
            draft_rules.writable_draft_or_404(draft_id)


def test_only_the_owner_writes_and_only_while_the_draft_is_not_submitted(app, plan):
    a, _, draft_id = plan
    with acting_as(app, Citizen, a.citizens[0][0]):
        assert draft_rules.writable_draft_or_404(draft_id).id == draft_id
        db.session.get(Draft, draft_id).locked_at = datetime.now(UTC)
        db.session.commit()
        with pytest.raises(HTTPException) as err:
            draft_rules.writable_draft_or_404(draft_id)
        response = err.value.get_response()
        assert response.status_code == 409
        message = gettext("Your plan has been submitted and cannot be changed now. If your job "
                          "consultant sends it back, you can change it again.")
        assert message in response.get_data(as_text=True)


def test_staff_who_read_a_draft_cannot_get_it_for_writing(app, plan):
    a, _, draft_id = plan
    for reader in (a.consultant_id, a.facilitator_id, a.lead_id):
        with acting_as(app, Staff, reader):
            assert draft_rules.draft_or_404(draft_id).id == draft_id
            with pytest.raises(NotFound):
                draft_rules.writable_draft_or_404(draft_id)


def test_finance_reaches_only_the_payouts_and_its_own_account(app):
    """Fail closed for the finance office: it is not of the kind ``STAFF``, so a page written
    for any staff never opens to it; what it may use names ``FINANCE`` (or is public)."""
    finance = sorted(e for e in {r.endpoint for r in app.url_map.iter_rules()}
                     if access.FINANCE in (access.declared_kinds(app, e) or ()))
    assert finance == ["payouts.case_page", "payouts.overview", "payouts.record",
                            "payouts.reverse", "people.change_password", "people.keepalive",
                            "people.logout", "people.new_recovery_codes", "people.two_factor",
                            "receipts.claim", "receipts.file", "receipts.review"]
    with app.test_request_context():
        login_user(Staff(team_id=1, name="F", email="f@x.dk", password_hash="",
                         role=Role.FINANCE, active=True))
        assert access.principal_kinds() == {access.FINANCE}


def test_minor_changes_are_the_citizens_to_propose_and_the_consultants_to_decide(app):
    """The changes' endpoints: the citizen proposes (their own case, found from the session:
    no id to guess), the job consultants and team lead decide (their team's case, 404
    otherwise; tests/changes). Neither side reaches the other's, and finance neither."""
    kinds = {e: set(access.declared_kinds(app, e)) for e in
             {r.endpoint for r in app.url_map.iter_rules()} if e.startswith("changes.")}
    assert kinds == {
        "changes.propose_page": {access.CITIZEN},
        "changes.propose": {access.CITIZEN},
        "changes.withdraw": {access.CITIZEN},
        "changes.approve": {access.JOB_CONSULTANT, access.TEAM_LEAD},
        "changes.refuse": {access.JOB_CONSULTANT, access.TEAM_LEAD},
    }


# -- the outcome figures: the team lead's only -----------------------------------------------


def test_the_outcome_figures_are_declared_for_the_team_lead_only(app):
    outcomes = {e: access.declared_kinds(app, e) for e in {r.endpoint for r in
                                                             app.url_map.iter_rules()}
                if e.startswith("outcomes.")}
    assert outcomes == {"outcomes.page": {access.TEAM_LEAD},
                        "outcomes.export_csv": {access.TEAM_LEAD},
                        "outcomes.export_xlsx": {access.TEAM_LEAD}}


@pytest.mark.parametrize("path", ["/outcomes", "/outcomes.csv", "/outcomes.xlsx"])
def test_each_role_boundary_of_the_outcome_figures(app, make_world, path):
    """The team lead: 200; a job consultant, a facilitator, finance, a citizen: 403; nobody
    signed in: sent to sign in; another team's lead asking for this team's course: 404."""
    a = make_world("Team A")
    b = make_world("Team B")
    a_second_staff(app, a.team_id, "fin@teama.dk", Role.FINANCE)
    lead = app.test_client()
    login_staff(lead, "lead@teama.dk")
    assert lead.get(path).status_code == 200
    for email in ("con@teama.dk", "fac@teama.dk", "fin@teama.dk"):
        staff = app.test_client()
        login_staff(staff, email)
        assert staff.get(path).status_code == 403, email
    phone = app.test_client()
    join_citizen(phone, a.course_code, a.citizens[0][1])
    assert phone.get(path).status_code == 403
    assert app.test_client().get(path).status_code == 302
    other = app.test_client()
    login_staff(other, "lead@teamb.dk")
    assert other.get(f"{path}?course={a.course_id}").status_code == 404
    assert other.get(f"{path}?course={b.course_id}").status_code == 200


# -- the follow-up: who reaches which endpoint (a matrix) -------------------------------------


@pytest.fixture
def followup_world(app, make_world, make_draft):
    """Team A's citizen 0 with an approved case and a follow-up meeting today, a second job
    consultant and a finance account in Team A, and Team B."""
    from course.approvals import services as approvals
    from course.budgets.models import BudgetLine, StrategyItem, StrategyKind
    from course.types import local_today

    a = make_world("Team A")
    make_world("Team B")
    a_second_staff(app, a.team_id, "con2@teama.dk", Role.JOB_CONSULTANT)
    a_second_staff(app, a.team_id, "fin@teama.dk", Role.FINANCE)
    with app.app_context():
        citizen = db.session.get(Citizen, a.citizens[0][0])
        draft = Draft(citizen_id=citizen.id, course_id=a.course_id, goal="Lager",
                      motivation="Arbejde")
        draft.strategy = [StrategyItem(kind=k, position=0, text="x") for k in StrategyKind]
        draft.lines = [BudgetLine(position=0, title="Truck", amount=9000, change="c",
                                  job_effect="j", price_source="p", no_documentation="n",
                                  need_date=local_today())]
        db.session.add(draft)
        db.session.flush()
        consultant = db.session.get(Staff, a.consultant_id)
        case = approvals.submit(draft, citizen)
        for criterion in ("substantial_change", "realistic", "coherence"):
            approvals.rate(case, consultant, criterion, "yes", "")
        approvals.triage(case, consultant, "green")
        approvals.approve(case, consultant, approvals.Approval(
            length_months=9, follow_up="Hver måned", follow_up_dates=[local_today()],
            payments={case.current.content["lines"][0]["id"]: "invoice"}))
        db.session.commit()
        meeting = db.session.scalar(sa.select(Meeting.id))
        return a, case.id, meeting


#: Who: nobody signed in, the case's citizen, another citizen of the course, the course's
#: facilitator, the case's job consultant, another job consultant of the team, the team lead,
#: the other team's job consultant and lead, the team's finance account.
WHO = ["anonymous", "citizen", "other_citizen", "facilitator", "consultant", "colleague",
       "lead", "other_consultant", "other_lead", "finance"]
#: Per follow-up endpoint the status each of WHO gets (422: reached, refused by the rules —
#: here a meeting today added again in the past, a note without text, and so on).
FOLLOWUP_MATRIX = {
    ("GET", "/followup"): [302, 403, 403, 403, 200, 200, 200, 200, 200, 403],
    ("GET", "/followup/calendar"): [302, 403, 403, 403, 200, 200, 200, 200, 200, 403],
    ("GET", "/followup/calendar.ics"): [302, 403, 403, 403, 200, 200, 200, 200, 200, 403],
    ("POST", "/followup/calendar"): [401, 403, 403, 403, 200, 200, 200, 200, 200, 403],
    ("POST", "/cases/{case}/meetings"): [401, 403, 403, 403, 422, 422, 422, 404, 404, 403],
    ("POST", "/cases/{case}/meetings/{meeting}/move"):
        [401, 403, 403, 403, 422, 422, 422, 404, 404, 403],
    ("POST", "/cases/{case}/meetings/{meeting}/cancel"):
        [401, 403, 403, 403, 200, 422, 200, 404, 404, 403],
    ("POST", "/cases/{case}/meetings/{meeting}/note"):
        [401, 403, 403, 403, 422, 422, 422, 404, 404, 403],
    ("POST", "/me/plan/changes"): [401, 200, 404, 403, 403, 403, 403, 403, 403, 403],
    ("GET", "/calendar/{token}.ics"): [404, 404, 404, 404, 404, 404, 404, 404, 404, 404],
}


def _client_for(app, world, who: str):
    client = app.test_client()
    emails = {"facilitator": "fac@teama.dk", "consultant": "con@teama.dk",
              "colleague": "con2@teama.dk", "lead": "lead@teama.dk",
              "other_consultant": "con@teamb.dk", "other_lead": "lead@teamb.dk",
              "finance": "fin@teama.dk"}
    if who in emails:
        login_staff(client, emails[who])
    elif who in ("citizen", "other_citizen"):
        join_citizen(client, world.course_code, world.citizens[0 if who == "citizen" else 1][1])
    return client


def _walk(app, world, method: str, url: str, data: dict[str, str],
          after: Callable[[str, Any], None] = lambda who, response: None) -> dict[str, int]:
    """The status each of WHO gets for one request (a POST as htmx sends it, with ``data``);
    ``after`` runs after each person's answer (to put back what a success changed)."""
    got = {}
    for who in WHO:
        client = _client_for(app, world, who)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data=data, headers={"HX-Request": "true"})
        got[who] = response.status_code
        after(who, response)
    return got


def _expected(matrix: dict[tuple[str, str], list[int]], method: str, path: str
              ) -> dict[str, int]:
    return dict(zip(WHO, matrix[(method, path)], strict=True))


@pytest.mark.parametrize("method, path", list(FOLLOWUP_MATRIX))
def test_the_followup_matrix(app, followup_world, method, path):
    """Each follow-up endpoint, for each kind of person: fail closed (403 for the wrong kind,
    404 for another team's case or a wrong calendar token), the rules (422) for the team."""
    world, case_id, meeting_id = followup_world
    url = path.format(case=case_id, meeting=meeting_id, token="not-a-live-token")

    def uncancel(who: str, response: Any) -> None:
        if who in ("consultant", "lead") and "cancel" in url and response.status_code == 200:
            with app.app_context():  # the next person finds the meeting as it was
                db.session.get(Meeting, meeting_id).cancelled_at = None
                db.session.commit()

    data = {"on": "2001-01-01", "note": "   ", "text": ""}
    assert _walk(app, world, method, url, data, uncancel) == _expected(
        FOLLOWUP_MATRIX, method, path)


def test_the_receipts_declare_who_may_use_them(app):
    """The kinds per receipts endpoint (the object-level rules — own receipts only, the case's
    team, finance on approved cases — are in tests/receipts)."""
    receipts = {e: set(access.declared_kinds(app, e)) for e in
                {r.endpoint for r in app.url_map.iter_rules()} if e.startswith("receipts.")}
    deciding = {access.JOB_CONSULTANT, access.TEAM_LEAD, access.FINANCE}
    assert receipts == {
        "receipts.upload": {access.CITIZEN},
        "receipts.file": {access.CITIZEN} | deciding,
        "receipts.review": deciding,
        "receipts.claim": deciding,
        "receipts.save_days": {access.TEAM_LEAD},
    }


# -- two-factor sign-in: who reaches which endpoint (a matrix) ----------------------------------

#: Per endpoint the status each of WHO gets, the second factor off (they sign in with the
#: password; tests/people/test_two_factor.py has it on). The sign-in steps are public but
#: only answer a pending sign-in: anyone else is sent to /login (302), a signed-in person to
#: their home page (302). The own page and new recovery codes are any staff's, finance too
#: (404: no app set up, nothing to replace); the reset is the team lead's, of their own team.
TWO_FACTOR_MATRIX = {
    ("GET", "/login/code"): [302, 302, 302, 302, 302, 302, 302, 302, 302, 302],
    ("POST", "/login/code"): [302, 302, 302, 302, 302, 302, 302, 302, 302, 302],
    ("GET", "/login/two-factor"): [302, 302, 302, 302, 302, 302, 302, 302, 302, 302],
    ("POST", "/login/two-factor"): [302, 302, 302, 302, 302, 302, 302, 302, 302, 302],
    ("GET", "/two-factor"): [302, 403, 403, 200, 200, 200, 200, 200, 200, 200],
    ("POST", "/two-factor/recovery-codes"): [401, 403, 403, 404, 404, 404, 404, 404, 404, 404],
    ("POST", "/staff/{consultant}/reset-two-factor"):
        [401, 403, 403, 403, 403, 403, 302, 403, 404, 403],
}


@pytest.mark.parametrize("method, path", list(TWO_FACTOR_MATRIX))
def test_the_two_factor_matrix(app, followup_world, method, path):
    world, _case_id, _meeting_id = followup_world
    url = path.format(consultant=world.consultant_id)
    assert _walk(app, world, method, url, {"code": "1"}) == _expected(
        TWO_FACTOR_MATRIX, method, path)


#: Per privacy endpoint the status each of WHO gets: the notice and the statement are public;
#: only a citizen records reading the notice; only a team lead (the settings are the
#: municipality's, not a team's: any team's lead) reaches the settings, refused here (422) for
#: a text too long and a period out of range.
PRIVACY_MATRIX = {
    ("GET", "/privacy"): [200] * 10,
    ("GET", "/accessibility"): [200] * 10,
    ("POST", "/me/privacy"): [401, 303, 303, 403, 403, 403, 403, 403, 403, 403],
    ("POST", "/settings/privacy"): [401, 403, 403, 403, 403, 403, 422, 403, 422, 403],
    ("POST", "/settings/retention"): [401, 403, 403, 403, 403, 403, 422, 403, 422, 403],
}


@pytest.mark.parametrize("method, path", list(PRIVACY_MATRIX))
def test_the_privacy_matrix(app, followup_world, method, path):
    world, _case_id, _meeting_id = followup_world
    data = {"privacy_controller": "x" * 301, "retention_declined_months": "0",
            "retention_ended_months": "60"}
    assert _walk(app, world, method, path, data) == _expected(PRIVACY_MATRIX, method, path)


def test_the_privacy_pages_declare_who_may_use_them(app):
    privacy = {e: set(access.declared_kinds(app, e)) for e in
               {r.endpoint for r in app.url_map.iter_rules()} if e.startswith("privacy.")}
    assert privacy == {
        "privacy.notice": {access.PUBLIC},
        "privacy.accessibility": {access.PUBLIC},
        "privacy.seen": {access.CITIZEN},
        "privacy.save_texts": {access.TEAM_LEAD},
        "privacy.save_periods": {access.TEAM_LEAD},
    }


# -- polls in the live room: who reaches which endpoint (a matrix) ------------------------------

#: Per polls endpoint the status each of WHO gets: the console's are the course's facilitators'
#: and the team lead's (404 for staff who do not facilitate it, 403 for the wrong kind); voting
#: and the phone's region are the course's citizens' (422: reached, refused — no answer
#: chosen); the projector's region answers only a live display link.
POLLS_MATRIX = {
    ("GET", "/courses/{course}/polls"): [302, 403, 403, 200, 404, 404, 200, 404, 404, 403],
    ("POST", "/courses/{course}/polls"): [401, 403, 403, 422, 404, 404, 422, 404, 404, 403],
    ("POST", "/courses/{course}/polls/{poll}/open"):
        [401, 403, 403, 200, 404, 404, 200, 404, 404, 403],
    ("POST", "/courses/{course}/polls/{poll}/close"):
        [401, 403, 403, 200, 404, 404, 200, 404, 404, 403],
    ("POST", "/courses/{course}/polls/{poll}/show"):
        [401, 403, 403, 200, 404, 404, 200, 404, 404, 403],
    ("POST", "/courses/{course}/polls/{poll}/edit"):
        [401, 403, 403, 422, 404, 404, 422, 404, 404, 403],
    ("POST", "/courses/{course}/polls/{poll}/delete"):
        [401, 403, 403, 200, 404, 404, 200, 404, 404, 403],
    ("GET", "/courses/{course}/poll"): [302, 200, 200, 403, 403, 403, 403, 403, 403, 403],
    ("POST", "/courses/{course}/polls/{poll}/vote"):
        [401, 422, 422, 403, 403, 403, 403, 403, 403, 403],
    ("GET", "/projector/{token}/poll"): [404] * 10,
    ("GET", "/courses/{course}/items/{item}/polls/new"):
        [302, 403, 403, 200, 404, 404, 200, 404, 404, 403],
    ("POST", "/courses/{course}/items/{item}/polls"):
        [401, 403, 403, 422, 404, 404, 422, 404, 404, 403],
}


@pytest.mark.parametrize("method, path", list(POLLS_MATRIX))
def test_the_polls_matrix(app, followup_world, method, path):
    from datetime import time as clock

    from course.polls import services as polls
    from course.schedule.models import AgendaItem, Day, ItemKind

    world, _case_id, _meeting_id = followup_world
    with app.app_context():
        item = AgendaItem(course_id=world.course_id, day=Day.KICKOFF, position=0,
                          starts_at=clock(13), ends_at=clock(13, 30), kind=ItemKind.PLENARY,
                          title="Velkommen")
        db.session.add(item)
        poll = polls.create(db.session.get(Course, world.course_id),
                            db.session.get(Staff, world.facilitator_id), "single", "Klar?",
                            ["Ja", "Nej"])
        polls.open_voting(poll)
        db.session.commit()
        poll_id, item_id = poll.id, item.id
    url = path.format(course=world.course_id, poll=poll_id, item=item_id,
                      token="not-a-live-token")

    def undelete(who: str, response: Any) -> None:
        if url.endswith("/delete") and response.status_code == 200:
            with app.app_context():  # the next person finds the poll as it was
                again = polls.create(db.session.get(Course, world.course_id),
                                     db.session.get(Staff, world.facilitator_id), "single",
                                     "Klar?", ["Ja", "Nej"])
                again.id = poll_id
                db.session.commit()

    assert _walk(app, world, method, url, {"question": "", "options": ""},
                 undelete) == _expected(POLLS_MATRIX, method, path)


#: Per reactions endpoint the status each of WHO gets: sending and the phone's buttons are the
#: course's citizens' (422: reached, refused — a laughing face); choosing the course's set is
#: for those who edit the course (404 for staff who do not, 403 for the wrong kind); the
#: projector's burst answers only a live display link.
REACTIONS_MATRIX = {
    ("GET", "/courses/{course}/reactions"): [302, 200, 200, 403, 403, 403, 403, 403, 403, 403],
    ("POST", "/courses/{course}/reactions"):
        [401, 422, 422, 403, 403, 403, 403, 403, 403, 403],
    ("POST", "/courses/{course}/reactions/set"):
        [401, 403, 403, 422, 404, 404, 422, 404, 404, 403],
    ("GET", "/projector/{token}/reactions"): [404] * 10,
}


@pytest.mark.parametrize("method, path", list(REACTIONS_MATRIX))
def test_the_reactions_matrix(app, followup_world, method, path):
    world, _case_id, _meeting_id = followup_world
    url = path.format(course=world.course_id, token="not-a-live-token")
    assert _walk(app, world, method, url, {"emoji": "😂"}) == _expected(
        REACTIONS_MATRIX, method, path)


# -- the report of the day: who reaches it (a matrix) ---------------------------------------------

#: The report is read by whoever may open the course page: the course's facilitators, the team's
#: job consultants and its team lead (404 for another team's staff, 403 for the wrong kind).
REPORT_MATRIX = {
    ("GET", "/courses/{course}/report"): [302, 403, 403, 200, 200, 200, 200, 404, 404, 403],
    ("GET", "/courses/{course}/report.csv"): [302, 403, 403, 200, 200, 200, 200, 404, 404, 403],
    ("GET", "/courses/{course}/report.xlsx"): [302, 403, 403, 200, 200, 200, 200, 404, 404, 403],
    ("GET", "/courses/{course}/report?day=day1"):
        [302, 403, 403, 200, 200, 200, 200, 404, 404, 403],
}


@pytest.mark.parametrize("method, path", list(REPORT_MATRIX))
def test_the_report_matrix(app, followup_world, method, path):
    world, _case_id, _meeting_id = followup_world
    url = path.format(course=world.course_id)
    assert _walk(app, world, method, url, {}) == _expected(REPORT_MATRIX, method, path)


def test_a_guest_facilitator_reads_the_report_of_the_course_they_run(app, make_world):
    a = make_world("Team A")
    b = make_world("Team B")
    with app.app_context():
        course = db.session.get(Course, a.course_id)
        course.facilitators.append(db.session.get(Staff, b.facilitator_id))
        db.session.commit()
    client = app.test_client()
    login_staff(client, "fac@teamb.dk")
    assert client.get(f"/courses/{a.course_id}/report").status_code == 200
    assert client.get(f"/courses/{b.course_id}/report").status_code == 200


# -- speaker material and the speaker's view: who reaches which endpoint (a matrix) ----------------

#: Per material endpoint the status each of WHO gets: the agenda item's material and the
#: console's controls are the course's facilitators' and the team lead's (404 for staff who
#: do not facilitate it, 403 for the wrong kind); a page's image is for the course's staff and
#: citizens (the citizens: only the page on the wall — it is up here), 404 for another team's
#: staff; the phone's region is the citizens'; the projector's and the speaker's routes answer
#: only a live link of their own kind (tests/material: with live tokens).
MATERIAL_MATRIX = {
    ("GET", "/courses/{course}/items/{item}/material"):
        [302, 403, 403, 200, 404, 404, 200, 404, 404, 403],
    ("POST", "/courses/{course}/items/{item}/material"):
        [401, 403, 403, 422, 404, 404, 422, 404, 404, 403],
    ("POST", "/courses/{course}/materials/{material}/delete"):
        [401, 403, 403, 303, 404, 404, 303, 404, 404, 403],
    ("GET", "/courses/{course}/material"): [302, 403, 403, 200, 404, 404, 200, 404, 404, 403],
    ("POST", "/courses/{course}/materials/{material}/show"):
        [401, 403, 403, 200, 404, 404, 200, 404, 404, 403],
    ("POST", "/courses/{course}/material/turn"):
        [401, 403, 403, 200, 404, 404, 200, 404, 404, 403],
    ("GET", "/courses/{course}/material/pages/{page}"):
        [302, 200, 200, 200, 200, 200, 200, 404, 404, 403],
    ("GET", "/courses/{course}/material/now"): [302, 200, 200, 403, 403, 403, 403, 403, 403, 403],
    ("POST", "/courses/{course}/speaker"): [401, 403, 403, 302, 404, 404, 302, 404, 404, 403],
    ("POST", "/courses/{course}/speaker-links/{link}/revoke"):
        [401, 403, 403, 200, 404, 404, 200, 404, 404, 403],
    ("GET", "/projector/{token}/material"): [404] * 10,
    ("GET", "/projector/{token}/material/{page}"): [404] * 10,
    ("GET", "/speaker/{token}"): [404] * 10,
    ("GET", "/speaker/{token}/now"): [404] * 10,
    ("GET", "/speaker/{token}/questions"): [404] * 10,
    ("GET", "/speaker/{token}/material"): [404] * 10,
    ("POST", "/speaker/{token}/material/turn"): [404] * 10,
    ("GET", "/speaker/{token}/material/{page}"): [404] * 10,
}


@pytest.mark.parametrize("method, path", list(MATERIAL_MATRIX))
def test_the_material_matrix(app, followup_world, method, path):
    import io
    from datetime import time as clock

    from course.live import day as live_day
    from course.material import services as material
    from course.material.models import Material
    from course.schedule.models import AgendaItem, Day, ItemKind
    from tests.material.pdfs import png

    world, _case_id, _meeting_id = followup_world
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        staff = db.session.get(Staff, world.facilitator_id)
        item = AgendaItem(course_id=world.course_id, day=Day.KICKOFF, position=0,
                          starts_at=clock(13), ends_at=clock(13, 30), kind=ItemKind.TALK,
                          title="Mit forløb", speaker_name="Lise Holm")
        db.session.add(item)
        db.session.flush()
        live_day.start_day(course, Day.KICKOFF)

        def add() -> Material:
            return material.add_material(course, item, staff, [
                material.Upload(io.BytesIO(png()), "a.png"),
                material.Upload(io.BytesIO(png()), "b.png")], fallback_name="x")

        shown = add()
        material.put_up(shown)
        link, _token = material.create_speaker_link(course, staff)
        doomed = add()  # the one the delete walks over, made again after each removal
        db.session.commit()
        ids = {"material": doomed.id if "delete" in path else shown.id,
               "page": shown.pages[0].id, "link": link.id, "item": item.id}

    def again(who: str, response: Any) -> None:
        if "delete" in path and response.status_code == 303:
            with app.app_context():
                course = db.session.get(Course, world.course_id)
                db.session.add(Material(id=ids["material"], course_id=course.id,
                                        agenda_item_id=ids["item"], name="x",
                                        created_by_id=world.facilitator_id))
                db.session.commit()

    url = path.format(course=world.course_id, token="not-a-live-token", **ids)
    assert _walk(app, world, method, url, {"step": "1", "shown": "1"}, again) == _expected(
        MATERIAL_MATRIX, method, path)


#: Per idea-wall endpoint the status each of WHO gets: the console's are the course's
#: facilitators' and the team lead's (404 for staff who do not facilitate it, 403 for the wrong
#: kind; 422 or 409: reached, refused — no question, 0 dots, a group merged with itself, no
#: day running); answering, dots and the phone's region are the course's citizens' (422: an
#: empty answer; 409: the dot-vote is not open); the projector's region answers only a live
#: display link.
_STAFF_200 = [401, 403, 403, 200, 404, 404, 200, 404, 404, 403]
_STAFF_422 = [401, 403, 403, 422, 404, 404, 422, 404, 404, 403]
IDEAS_MATRIX = {
    ("GET", "/courses/{course}/ideas"): [302, 403, 403, 200, 404, 404, 200, 404, 404, 403],
    ("POST", "/courses/{course}/ideas"): _STAFF_422,
    ("POST", "/courses/{course}/ideas/{wall}/open"): _STAFF_200,
    ("POST", "/courses/{course}/ideas/{wall}/close"): _STAFF_200,
    ("POST", "/courses/{course}/ideas/{wall}/voting"): _STAFF_422,
    ("POST", "/courses/{course}/ideas/{wall}/voting/close"): _STAFF_200,
    ("POST", "/courses/{course}/ideas/{wall}/show"): _STAFF_200,
    ("POST", "/courses/{course}/ideas/{wall}/hide"): _STAFF_200,
    ("POST", "/courses/{course}/ideas/{wall}/unhide"): _STAFF_200,
    ("POST", "/courses/{course}/ideas/{wall}/let-through"): _STAFF_200,
    ("POST", "/courses/{course}/ideas/{wall}/reject"): _STAFF_200,
    ("POST", "/courses/{course}/ideas/{wall}/merge"): _STAFF_422,
    ("POST", "/courses/{course}/ideas/{wall}/merges/{merge}/undo"): _STAFF_200,
    ("GET", "/courses/{course}/idea-wall"): [302, 200, 200, 403, 403, 403, 403, 403, 403, 403],
    ("POST", "/courses/{course}/ideas/{wall}/answer"):
        [401, 422, 422, 403, 403, 403, 403, 403, 403, 403],
    ("POST", "/courses/{course}/ideas/{wall}/dot"):
        [401, 409, 409, 403, 403, 403, 403, 403, 403, 403],
    ("GET", "/projector/{token}/idea-wall"): [404] * 10,
    ("GET", "/courses/{course}/items/{item}/ideas/new"):
        [302, 403, 403, 200, 404, 404, 200, 404, 404, 403],
    ("POST", "/courses/{course}/items/{item}/ideas"): _STAFF_422,
}


@pytest.mark.parametrize("method, path", list(IDEAS_MATRIX))
def test_the_ideas_matrix(app, followup_world, method, path):
    from datetime import time as clock

    from course.ideas import services as ideas
    from course.ideas.models import IdeaEntry, IdeaMerge
    from course.schedule.models import AgendaItem, Day, ItemKind

    world, _case_id, _meeting_id = followup_world
    with app.app_context():
        item = AgendaItem(course_id=world.course_id, day=Day.KICKOFF, position=0,
                          starts_at=clock(13), ends_at=clock(13, 30), kind=ItemKind.PLENARY,
                          title="Velkommen")
        db.session.add(item)
        wall = ideas.create(db.session.get(Course, world.course_id),
                            db.session.get(Staff, world.facilitator_id), "Hvad drømmer du om?")
        wall.state = ideas.OPEN  # (opened without a running day, for the walk)
        entry = IdeaEntry(wall_id=wall.id, author_key="x" * 64, text="Natur", key="natur")
        merge = IdeaMerge(wall_id=wall.id, from_key="a", into_key="b", from_label="A",
                          into_label="B", by_id=world.facilitator_id)
        db.session.add_all([entry, merge])
        db.session.commit()
        ids = {"wall": wall.id, "entry": entry.id, "merge": merge.id, "item": item.id}
    url = path.format(course=world.course_id, token="not-a-live-token", **ids)
    data = {"prompt": "", "text": "", "dots": "0", "from": "x", "into": "x", "key": "",
            "entry": str(ids["entry"]), "shown": "0"}
    assert _walk(app, world, method, url, data) == _expected(IDEAS_MATRIX, method, path)
