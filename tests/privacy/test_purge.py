"""Retention and ``flask purge`` (issue 18, point 6), with frozen days: what has passed its
period goes (files from the disk too), nothing else does; what the law keeps (the audit trail,
the decisions, the payouts) stays; a dry run changes nothing; a second run finds nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from course.approvals import services as approvals
from course.approvals.models import AuditEvent, Case, CaseComment, Notification, PlanVersion
from course.budgets import files, sparring
from course.budgets.models import Attachment, BudgetLine, Draft, StrategyItem, StrategyKind
from course.extensions import db
from course.payouts import services as payouts
from course.payouts.models import Payout
from course.people import services as people
from course.people.models import Citizen, Role, Staff, Team
from course.privacy import services
from course.schedule.models import Course
from course.types import local_today
from tests.conftest import PASSWORD, signed_in_staff

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
GOAL, MOTIVATION, CHANGE = "Maal-om-cykler", "Motivation-hemmelig", "Teori-om-truck"
COMMENT, CASE_COMMENT, NOTE = "Kommentar-i-traaden", "Sparring-blandt-kolleger", "Mødenote-x"
TODAY = local_today()
KICKOFF = date(2026, 3, 31)  # six months on: 30 September (the month's last day)


@pytest.fixture
def team_a(make_world):
    return make_world(citizens=4)


def _draft(citizen: Citizen, course_id: int, consultant: Staff) -> Draft:
    mine = f"#{citizen.id}#"  # each citizen's texts are their own
    draft = Draft(citizen_id=citizen.id, course_id=course_id, goal=GOAL + mine,
                  motivation=MOTIVATION + mine)
    draft.lines = [BudgetLine(position=0, title="Truckkørekort", amount=12_500,
                              change=CHANGE + mine,
                              job_effect="Job", price_source="AMU",
                              no_documentation="AMU's side", need_date=date(2027, 2, 1))]
    draft.strategy = [StrategyItem(kind=kind, position=0, text=f"Cykle {kind.value}")
                      for kind in StrategyKind]
    db.session.add(draft)
    db.session.flush()
    files.add_attachment(draft.lines[0], io.BytesIO(PDF), "tilbud.pdf", max_bytes=10**6,
                         fallback_name="tilbud")
    sparring.add_comment(draft, consultant, COMMENT + mine, None)
    return draft


@pytest.fixture
def world(app, team_a):
    """Citizen 0 said no, 1 never answered, 2 has an approved plan (paid in part) that ended
    today, 3 said yes and is writing: each with a draft, a line, an attachment, a comment."""
    with app.app_context():
        course = db.session.get(Course, team_a.course_id)
        course.kickoff_on = KICKOFF
        consultant = db.session.get(Staff, team_a.consultant_id)
        citizens = [db.session.get(Citizen, cid) for cid, _code in team_a.citizens]
        citizens[0].decision, citizens[0].decided_on, citizens[0].active = "no", KICKOFF, False
        citizens[2].decision = citizens[3].decision = "yes"
        citizens[2].phone, citizens[2].email = "12345678", "borger@example.dk"
        drafts = [_draft(c, course.id, consultant) for c in citizens]
        approvals.notify(citizens[0], "sent_back", None, "/me/plan")
        case = approvals.submit(drafts[2], citizens[2])
        for criterion in ("substantial_change", "realistic", "coherence"):
            approvals.rate(case, consultant, criterion, "yes", "Godt")
        db.session.add(CaseComment(case_id=case.id, author_id=consultant.id, text=CASE_COMMENT))
        approvals.triage(case, consultant, "green")
        line_id = case.current.content["lines"][0]["id"]
        approvals.approve(case, consultant, approvals.Approval(
            length_months=9, follow_up="Møde hver måned", payments={line_id: "invoice"}))
        finance = people.create_staff(db.session.get(Team, team_a.team_id), "Finn", "fin@a.dk",
                                      Role.FINANCE, PASSWORD, must_change_password=False)
        payouts.record(case, finance, line_id, payouts.Entry(
            amount="5000", paid_on=TODAY.isoformat(), received_on=TODAY.isoformat(),
            supplier="AMU Nord", invoice_number="F-1"))
        approvals.reject(case, consultant, "job", "Fik job som truckfører")
        db.session.commit()
        return team_a, case.id


def _everything() -> dict[str, list[tuple]]:
    """Every row of every table, to compare before and after."""
    return {table.name: sorted(map(tuple, db.session.execute(table.select()).all()), key=repr)
            for table in db.metadata.sorted_tables}


def _files() -> set[str]:
    return {path.name for path in files.attachment_dir().iterdir()}


DECLINED_UNTIL = services.add_months(KICKOFF, 6)
ENDED_UNTIL = services.add_months(TODAY, 60)


def test_months_are_added_as_the_calendar_has_them():
    assert DECLINED_UNTIL == date(2026, 9, 30)
    assert services.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert services.add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)


def test_nothing_goes_on_the_last_day_of_a_period_and_it_goes_the_day_after(app, world):
    with app.app_context():
        assert services.expired(DECLINED_UNTIL) == []
        after = services.expired(DECLINED_UNTIL + timedelta(days=1))
        team, _case_id = world
        assert [(e.citizen_id, e.reason) for e in after] == [
            (team.citizens[0][0], services.DECLINED), (team.citizens[1][0], services.DECLINED)]
        on_the_day = services.expired(ENDED_UNTIL)
        assert services.ENDED not in {e.reason for e in on_the_day}
        ended = [e for e in services.expired(ENDED_UNTIL + timedelta(days=1))
                 if e.reason == services.ENDED]
        assert [e.citizen_id for e in ended] == [team.citizens[2][0]]


def test_a_dry_run_lists_what_would_go_and_changes_nothing(app, world):
    with app.app_context():
        before, files_before = _everything(), _files()
        result = app.test_cli_runner().invoke(args=[
            "purge", "--dry-run", "--today", (ENDED_UNTIL + timedelta(days=1)).isoformat()])
        assert result.exit_code == 0, result.output
        assert "3 citizen(s) would be purged." in result.output
        assert "1 attachments" in result.output and "declined" in result.output
        db.session.expire_all()
        assert _everything() == before
        assert _files() == files_before and len(files_before) == 4


def test_the_purge_removes_a_declined_citizens_data_and_nothing_else(app, world, client):
    team, case_id = world
    no_id, no_code = team.citizens[0]
    with app.app_context():
        audit_before = _everything()["audit_events"]
        kept_drafts = {d.citizen_id: d.goal for d in db.session.scalars(sa.select(Draft))
                       if d.citizen_id not in (team.citizens[0][0], team.citizens[1][0])}
        doomed_files = {a.storage_name for a in db.session.scalars(
            sa.select(Attachment).join(BudgetLine).join(Draft).where(
                Draft.citizen_id.in_([no_id, team.citizens[1][0]])))}
        assert len(doomed_files) == 2 and doomed_files <= _files()
        found = services.purge(DECLINED_UNTIL + timedelta(days=1))
        db.session.commit()
        assert {e.citizen_id for e in found} == {no_id, team.citizens[1][0]}
        assert not doomed_files & _files()  # the files are gone from the disk
        assert len(_files()) == 2  # the others' are not
        citizen = db.session.get(Citizen, no_id)
        assert citizen.name == f"Slettet borger #{no_id}"
        assert (citizen.phone, citizen.email, citizen.active) == ("", "", False)
        assert citizen.purged_at is not None
        assert db.session.scalar(sa.select(Draft).where(Draft.citizen_id == no_id)) is None
        assert db.session.scalar(sa.select(Notification).where(
            Notification.citizen_id == no_id)) is None
        assert {d.citizen_id: d.goal for d in db.session.scalars(sa.select(Draft))} == kept_drafts
        assert db.session.get(Citizen, team.citizens[3][0]).name.startswith("Citizen")
        assert _everything()["audit_events"] == audit_before
        assert people.authenticate_citizen(team.course_id, no_code) is None
    # the old codes sign in no one
    response = client.post("/join", data={"course_code": team.course_code,
                                          "personal_code": no_code})
    assert response.status_code == 422
    # a second run the same day, or later, finds nothing more
    with app.app_context():
        assert services.purge(DECLINED_UNTIL + timedelta(days=2)) == []


def test_the_purge_of_an_ended_case_keeps_what_the_law_keeps(app, world):
    team, case_id = world
    citizen_id = team.citizens[2][0]
    with app.app_context():
        before = _everything()
        version_before = db.session.scalars(sa.select(PlanVersion)).one().content
        found = services.purge(ENDED_UNTIL + timedelta(days=1))
        db.session.commit()
        assert {e.citizen_id for e in found if e.reason == services.ENDED} == {citizen_id}
        after = _everything()
        # kept: the audit trail, the payouts, the decision
        assert after["audit_events"] == before["audit_events"]
        assert after["payouts"] == before["payouts"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Payout)) == 1
        case = db.session.get(Case, case_id)
        assert case.ending_reason.value == "job" and case.ending_note == "Fik job som truckfører"
        assert case.length_months == 9 and case.total == 12_500
        # gone: what the citizen wrote, and the sparring around it
        content = db.session.scalars(sa.select(PlanVersion)).one().content
        assert content["goal"] == content["motivation"] == ""
        assert content["lines"][0]["change"] == "" and content["lines"][0]["attachments"] == []
        assert content["strategy"] == {kind.value: [] for kind in StrategyKind}
        kept_line = {k: version_before["lines"][0][k] for k in ("id", "title", "amount")}
        assert {k: content["lines"][0][k] for k in kept_line} == kept_line
        assert content["total"] == version_before["total"]
        assert content["purged_on"] == (ENDED_UNTIL + timedelta(days=1)).isoformat()
        draft = case.draft
        assert (draft.goal, draft.motivation, draft.lines, draft.strategy) == ("", "", [], [])
        assert db.session.scalars(sa.select(CaseComment.text)).all() == [""]
        citizen = db.session.get(Citizen, citizen_id)
        assert citizen.name == f"Slettet borger #{citizen_id}" and citizen.phone == ""
        mine = f"#{citizen_id}#"
        for text in (GOAL + mine, MOTIVATION + mine, CHANGE + mine, COMMENT + mine,
                     CASE_COMMENT, "borger@example.dk"):
            assert text not in repr(after), text
        # the other two (declined) went the same day; the active writer's draft did not
        assert db.session.scalar(sa.select(Draft.goal).where(
            Draft.citizen_id == team.citizens[3][0])) == f"{GOAL}#{team.citizens[3][0]}#"
        assert len(_files()) == 1
        assert services.purge(ENDED_UNTIL + timedelta(days=400)) == []
    # the case still opens for the team, the decision and the pseudonym on it
    page = signed_in_staff(app, "con@teama.dk").get(f"/cases/{case_id}")
    assert page.status_code == 200
    assert f"Slettet borger #{citizen_id}" in page.get_data(as_text=True)


def test_the_retention_periods_are_the_municipalitys(app, world):
    team, _case_id = world
    with app.app_context():
        lead = db.session.get(Staff, team.lead_id)
        services.set_periods(lead, {services.DECLINED_MONTHS: "12",
                                    services.ENDED_MONTHS: "120"})
        db.session.commit()
        assert services.expired(DECLINED_UNTIL + timedelta(days=1)) == []
        assert services.expired(services.add_months(KICKOFF, 12) + timedelta(days=1))
        with pytest.raises(services.PrivacyError) as refused:
            services.set_periods(lead, {services.DECLINED_MONTHS: "37",
                                        services.ENDED_MONTHS: "60"})
        assert refused.value.code == "months_out_of_range"
        with pytest.raises(services.PrivacyError):
            services.set_periods(db.session.get(Staff, team.consultant_id),
                                 {services.DECLINED_MONTHS: "6", services.ENDED_MONTHS: "60"})


def test_the_audit_trail_cannot_be_purged(app, world):
    """Why the purge keeps the audit rows instead of blanking them: the database refuses."""
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent)).first()
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == event.id)
                               .values(reason=""))
        db.session.rollback()


def test_flask_purge_deletes_and_commits_and_says_how_many(app, world):
    day = (DECLINED_UNTIL + timedelta(days=1)).isoformat()
    with app.app_context():
        assert len(_files()) == 4
    result = app.test_cli_runner().invoke(args=["purge", "--today", day])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "2 citizen(s) purged."
    with app.app_context():
        assert len(_files()) == 2  # deleted once the command committed
        names = db.session.scalars(sa.select(Citizen.name).order_by(Citizen.id)).all()
        assert names[:2] == [f"Slettet borger #{cid}" for cid, _code in world[0].citizens[:2]]
    again = app.test_cli_runner().invoke(args=["purge", "--today", day])
    assert again.output.splitlines()[-1] == "0 citizen(s) purged."
