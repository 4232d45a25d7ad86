"""Outcome figures (issue 17, point 6): every figure of a seeded set with known answers, by
course and by period; the page, its charts and its refusal; the evaluator's rows (pseudonymous,
no names, no e-mails, safe cells, kept on record); the cost in queries; who may see them."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy.exc import DatabaseError

from course.approvals.models import EndingReason
from course.extensions import db
from course.outcomes import charts, services
from course.outcomes.models import OutcomeExport
from course.outcomes.services import Period
from course.people import services as people
from course.people.models import Citizen, Role, Staff, Team
from course.schedule.models import Course
from tests.conftest import LEAD_A, PASSWORD, signed_in_citizen, signed_in_staff
from tests.conftest import sql_statements as counted
from tests.outcomes import known_set

HX = {"HX-Request": "true"}


@pytest.fixture
def known(app, make_world):
    """Team A (its own course with three citizens enrolled today) with the known set; Team B
    with the known set too (its figures must never reach Team A's)."""
    a = make_world("Team A")
    b = make_world("Team B")
    with app.app_context():
        sets = {}
        for world in (a, b):
            sets[world.team_id] = known_set.build(db.session.get(Team, world.team_id),
                                                  db.session.get(Staff, world.consultant_id))
        db.session.commit()
    return a, b, sets[a.team_id], sets[b.team_id]


def spring(app, known, period=None):
    a, _b, k, _kb = known
    with app.app_context():
        return services.outcome_figures(a.team_id, k.spring_id, period or Period())


# -- the figures ----------------------------------------------------------------------------------


def test_the_spring_course_all_time(app, known):
    f = spring(app, known)
    assert (f.enrolled, f.undecided, f.said_yes, f.said_no) == (10, 1, 8, 1)
    assert (f.handed_in, f.sent_back, f.approved) == (6, 2, 4)
    # citizen 0's earlier version was yellow, the approved one green: green
    assert f.paths == {"green": 2, "yellow": 1, "red": 1}
    assert (f.ended, f.ended_after_approval, f.ended_in_job) == (2, 1, 1)
    assert f.reasons == {EndingReason.JOB: 1, EndingReason.NOT_APPROVABLE: 1}
    assert f.job_share == 0.5
    # yes → first hand-in: 21, 28, 28, 20, 21, 27 days
    assert (f.yes_to_hand_in.n, f.yes_to_hand_in.median, f.yes_to_hand_in.mean) == (6, 24.0, 24.2)
    assert f.yes_to_hand_in.bins == (0, 0, 6, 0, 0, 0)
    # yes → approval: 35, 49, 56, 65 days
    assert (f.yes_to_approval.n, f.yes_to_approval.median, f.yes_to_approval.mean) == (
        4, 52.5, 51.2)
    assert f.yes_to_approval.bins == (0, 0, 0, 3, 1, 0)
    assert f.approved_total == 40_000 + 30_000 + 50_000 + 45_000
    # citizen 0: 20,000 reversed, 15,000 and 15,000 paid; 1: 30,000; 2: 10,000; 3: nothing
    assert f.paid_total == 70_000
    assert f.average_paid == 17_500


def test_february_counts_each_figure_by_its_own_day(app, known):
    f = spring(app, known, Period(date(2026, 2, 1), date(2026, 2, 28)))
    assert (f.enrolled, f.undecided, f.said_yes, f.said_no) == (0, 0, 0, 0)
    assert (f.handed_in, f.sent_back, f.approved, f.ended) == (6, 2, 1, 0)
    assert f.paths == {"green": 1, "yellow": 0, "red": 0}
    assert (f.yes_to_approval.n, f.yes_to_approval.median) == (1, 35.0)
    # the approved plan's payouts count whenever they were paid (March too)
    assert (f.approved_total, f.paid_total, f.average_paid) == (40_000, 30_000, 30_000)
    assert f.job_share is None


def test_march_and_an_open_ended_period(app, known):
    f = spring(app, known, Period(date(2026, 3, 1), date(2026, 3, 31)))
    assert (f.handed_in, f.approved, f.ended, f.ended_in_job) == (0, 3, 1, 0)
    assert f.paths == {"green": 1, "yellow": 1, "red": 1}
    assert f.reasons == {EndingReason.NOT_APPROVABLE: 1}
    assert f.job_share == 0.0
    assert (f.approved_total, f.paid_total, f.average_paid) == (125_000, 40_000, 13_333)
    may = spring(app, known, Period(since=date(2026, 5, 1)))
    assert (may.ended, may.ended_after_approval, may.job_share, may.approved) == (1, 1, 1.0, 0)
    january = spring(app, known, Period(until=date(2026, 1, 31)))
    assert (january.enrolled, january.said_yes, january.said_no, january.handed_in) == (
        10, 8, 1, 0)
    # the one day both ends include: the first hand-ins on 2 and 3 February
    assert spring(app, known, Period(date(2026, 2, 3), date(2026, 2, 3))).handed_in == 1


def test_the_course_filter_and_the_team(app, known):
    a, _b, k, _kb = known
    with app.app_context():
        autumn = services.outcome_figures(a.team_id, k.autumn_id)
        team = services.outcome_figures(a.team_id)
    assert (autumn.enrolled, autumn.said_yes, autumn.handed_in, autumn.approved) == (2, 1, 1, 1)
    assert (autumn.approved_total, autumn.paid_total, autumn.average_paid) == (
        20_000, 20_000, 20_000)
    assert autumn.yes_to_approval.median == 36.0  # 10 Aug → 15 Sep
    # the team: both courses and make_world's own course (three citizens enrolled today, not
    # decided); nothing of Team B's identical set
    assert (team.enrolled, team.undecided, team.approved) == (15, 5, 5)
    assert (team.approved_total, team.paid_total, team.average_paid) == (185_000, 90_000, 18_000)


def test_the_period_is_read_and_refused(app):
    assert services.parse_period("2026-02-01", "") == Period(date(2026, 2, 1), None)
    assert services.parse_period(" ", None) == Period()
    for since, until, code in [("2026-02-30", "", "bad_from"), ("", "1. marts", "bad_to"),
                               ("2026-03-01", "2026-02-01", "reversed")]:
        with pytest.raises(services.PeriodError) as err:
            services.parse_period(since, until)
        assert err.value.code == code


def test_the_figures_cost_the_same_queries_for_2_or_12_citizens(app, make_world):
    a = make_world("Team A", citizens=0)
    with app.app_context():
        team, consultant = db.session.get(Team, a.team_id), db.session.get(Staff, a.consultant_id)
        small = known_set.build(team, consultant)
        db.session.commit()
    counts = []
    for course_id in (small.autumn_id, small.spring_id, None):
        with app.app_context(), counted(app) as statements:
            services.outcome_figures(a.team_id, course_id)
        counts.append(len(statements))
    assert counts == [5, 5, 5]


# -- the page -------------------------------------------------------------------------------------


def test_the_page_costs_the_same_for_a_course_of_2_or_10_citizens(app, known):
    _a, _b, k, _kb = known
    lead = signed_in_staff(app, LEAD_A)
    counts = []
    for course_id in (k.autumn_id, k.spring_id):
        with counted(app) as statements:
            assert lead.get(f"/outcomes?course={course_id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]



def figure(page: str, name: str) -> str:
    match = re.search(rf'data-figure="{re.escape(name)}">(.*?)</td>', page, re.S)
    assert match, name
    return re.sub(r"<[^>]+>", "", match.group(1)).split()[0] if match.group(1).strip() else ""


def test_the_team_lead_reads_the_figures_charts_and_definitions(app, known):
    _a, _b, k, _kb = known
    lead = signed_in_staff(app, LEAD_A)
    page = lead.get(f"/outcomes?course={k.spring_id}").get_data(as_text=True)
    assert figure(page, "enrolled") == "10" and figure(page, "approved") == "4"
    assert figure(page, "path-yellow") == "1" and figure(page, "sent_back") == "2"
    assert "70.000 kr." in page and "17.500 kr." in page and "165.000 kr." in page
    assert "50 %" in page  # ended in ordinary employment, 1 of 2
    assert "24 dage" in page and "24,2 dage" in page and "52,5 dage" in page
    for chart in ("chart-funnel", "chart-paths", "chart-reasons", "chart-hand-in-days",
                  "chart-approval-days"):
        svg = re.search(rf'<svg class="chart" id="{chart}".*?</svg>', page, re.S).group(0)
        assert 'role="img"' in svg and f'aria-labelledby="{chart}-title {chart}-desc"' in svg
        assert "<title" in svg and "<desc" in svg
    assert "Sådan tælles tallene" in page  # the definitions are on the page
    for name in k.names:  # no names on the page either
        assert name not in page
    # the team lead's menu leads here; no one else's does
    assert '<a href="/outcomes">Resultater</a>' in lead.get("/office").get_data(as_text=True)
    consultant = signed_in_staff(app, "con@teama.dk")
    assert 'href="/outcomes"' not in consultant.get("/office").get_data(as_text=True)


def test_a_filter_by_htmx_answers_the_figures_and_empties_the_message(app, known):
    _a, _b, k, _kb = known
    lead = signed_in_staff(app, LEAD_A)
    response = lead.get(f"/outcomes?course={k.spring_id}&from=2026-03-01&to=2026-03-31",
                        headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert figure(body, "approved") == "3" and figure(body, "ended") == "1"
    assert 'id="outcome-filter-message"' in body and 'hx-swap-oob="true"' in body
    # the downloads carry the filter
    assert f"/outcomes.csv?course={k.spring_id}&amp;from=2026-03-01&amp;to=2026-03-31" in body


def test_a_bad_period_is_refused_keeping_the_dates(app, known):
    lead = signed_in_staff(app, LEAD_A)
    response = lead.get("/outcomes?from=2026-03-01&to=2026-02-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Periodens første dag er efter dens sidste dag" in page
    assert 'value="2026-03-01"' in page and 'value="2026-02-01"' in page
    assert 'data-figure="enrolled"' not in page
    hx = lead.get("/outcomes?from=2026-03-01&to=2026-02-01", headers=HX)
    assert hx.status_code == 422 and hx.headers["HX-Retarget"] == "#outcome-filter-message"


def test_english_too(app, known):
    lead = signed_in_staff(app, LEAD_A)
    lead.post("/language", data={"lang": "en", "next": "/outcomes"})
    page = lead.get("/outcomes").get_data(as_text=True)
    assert "Outcome figures" in page and "How the figures are counted" in page


def test_a_chart_escapes_its_labels_and_says_its_numbers():
    svg = str(charts.bar_chart("c", "Titel <b>", [charts.Bar("<script>", 3, "3"),
                                                  charts.Bar("Nul", 0, "0")]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<desc id=\"c-desc\">&lt;script&gt;: 3; Nul: 0</desc>" in svg
    assert svg.count("<rect") == 2


# -- the evaluator's rows -------------------------------------------------------------------------


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_rows_are_pseudonymous_and_hold_no_names_or_emails(app, known):
    a, _b, k, kb = known
    lead = signed_in_staff(app, LEAD_A)
    response = lead.get(f"/outcomes.csv?course={k.spring_id}")
    text = response.get_data(as_text=True)
    rows = _csv_rows(response)
    assert rows[0][:3] == ["Pseudonymt id", "Forløb", "Tilmeldt"]
    assert len(rows) == 11
    for secret in [*k.names, *k.emails, known_set.NAME, known_set.EMAIL_DOMAIN, "Et mål",
                   "Leverandør", "TET-"]:
        assert secret not in text
    ids = [row[0] for row in rows[1:]]
    assert all(re.fullmatch(r"P-[0-9A-F]{10}", i) for i in ids) and len(set(ids)) == 10
    assert not {str(i) for i in k.citizen_ids} & {i.removeprefix("P-") for i in ids}
    with app.app_context():
        assert ids[0] == services.pseudonym(app.config["SECRET_KEY"], a.team_id,
                                            k.citizen_ids[0])
        # the same citizen id in another team, or under another key, is another pseudonym
        assert services.pseudonym(app.config["SECRET_KEY"], a.team_id + 1,
                                  k.citizen_ids[0]) != ids[0]
        assert services.pseudonym("another-key", a.team_id, k.citizen_ids[0]) != ids[0]
    # stable: a second download gives the same ids
    assert [row[0] for row in _csv_rows(lead.get(f"/outcomes.csv?course={k.spring_id}"))[1:]] \
        == ids
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first == {"Pseudonymt id": ids[0], "Forløb": known_set.SPRING_NAME,
                     "Tilmeldt": "2026-01-05", "Borgerens svar": "Ja",
                     "Dato for svar": "2026-01-12",
                     "Første gang afleveret": "2026-02-02", "Godkendt": "2026-02-16",
                     "Farvespor": "Grøn – godkendt af jobkonsulenten alene",
                     "Godkendt (kr.)": "40000", "Udbetalt (kr.)": "30000", "Afsluttet": "",
                     "Afslutningsårsag": ""}
    ended = dict(zip(rows[0], rows[2], strict=True))
    assert (ended["Afsluttet"], ended["Afslutningsårsag"]) == (
        "2026-05-04", "Ordinær beskæftigelse")
    # the team's rows: its three courses' 15 citizens, none of Team B's identical 12
    team_rows = _csv_rows(lead.get("/outcomes.csv"))[1:]
    assert len(team_rows) == 15
    with app.app_context():
        theirs = {services.pseudonym(app.config["SECRET_KEY"], a.team_id, i)
                  for i in kb.citizen_ids}
    assert not theirs & {row[0] for row in team_rows}


def test_the_rows_of_a_period_are_the_citizens_something_happened_to(app, known):
    _a, _b, k, _kb = known
    lead = signed_in_staff(app, LEAD_A)
    rows = _csv_rows(lead.get(f"/outcomes.csv?course={k.spring_id}&from=2026-05-01"))
    assert len(rows) == 2 and rows[1][10] == "2026-05-04"


def test_the_excel_rows_have_dates_amounts_and_safe_cells(app, known):
    a, _b, k, _kb = known
    with app.app_context():
        db.session.get(Course, k.spring_id).name = "=HYPERLINK(\"http://x\")"
        db.session.commit()
    lead = signed_in_staff(app, LEAD_A)
    response = lead.get(f"/outcomes.xlsx?course={k.spring_id}&from=2026-02-01&to=2026-02-28")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="outcomes-2026-02-01-2026-02-28.xlsx"')
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 7  # the six who first handed in, or were sent back, in February
    assert values[1][1] == "'=HYPERLINK(\"http://x\")"
    assert values[1][6].date() == date(2026, 2, 16) and values[1][8] == 40_000
    csv_text = lead.get(f"/outcomes.csv?course={k.spring_id}").get_data(as_text=True)
    assert '"\'=HYPERLINK' in csv_text


def test_each_download_is_kept_on_record_and_shown(app, known):
    a, _b, k, _kb = known
    lead = signed_in_staff(app, LEAD_A)
    lead.get(f"/outcomes.csv?course={k.spring_id}&from=2026-03-01")
    lead.get("/outcomes.xlsx")
    with app.app_context():
        log = db.session.scalars(sa.select(OutcomeExport).order_by(OutcomeExport.id)).all()
        assert [(e.format, e.course_id, e.period_from, e.period_to, e.rows, e.staff_id)
                for e in log] == [("csv", k.spring_id, date(2026, 3, 1), None, 4, a.lead_id),
                                  ("xlsx", None, None, None, 15, a.lead_id)]
        with pytest.raises(DatabaseError):
            db.session.execute(sa.delete(OutcomeExport))
            db.session.flush()
        db.session.rollback()
    page = lead.get("/outcomes").get_data(as_text=True)
    assert "Lead Team A · CSV · 4 rækker" in page


def test_a_refused_download_writes_nothing(app, known):
    lead = signed_in_staff(app, LEAD_A)
    assert lead.get("/outcomes.csv?from=2026-13-01").status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutcomeExport.id))) == 0


# -- who may see them -----------------------------------------------------------------------------


def test_only_the_team_lead_reaches_the_figures(app, known):
    a, _b, _k, _kb = known
    with app.app_context():
        people.create_staff(db.session.get(Team, a.team_id), "Finn Finans", "fin@teama.dk",
                            Role.FINANCE, PASSWORD, must_change_password=False)
        db.session.commit()
    for email in ("con@teama.dk", "fac@teama.dk", "fin@teama.dk"):
        staff = signed_in_staff(app, email)
        for path in ("/outcomes", "/outcomes.csv", "/outcomes.xlsx"):
            assert staff.get(path).status_code == 403, (email, path)
    phone = signed_in_citizen(app, a)
    for path in ("/outcomes", "/outcomes.csv", "/outcomes.xlsx"):
        assert phone.get(path).status_code == 403, path
    anonymous = app.test_client()
    assert anonymous.get("/outcomes").status_code == 302
    assert anonymous.get("/outcomes.csv", headers=HX).status_code == 401
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutcomeExport.id))) == 0


def test_another_teams_course_is_not_offered_and_is_404(app, known):
    _a, b, k, kb = known
    lead = signed_in_staff(app, LEAD_A)
    page = lead.get("/outcomes").get_data(as_text=True)
    assert f'<option value="{k.spring_id}"' in page
    assert f'<option value="{kb.spring_id}"' not in page
    assert f'<option value="{b.course_id}"' not in page
    for path in (f"/outcomes?course={kb.spring_id}", f"/outcomes.csv?course={kb.spring_id}",
                 f"/outcomes.xlsx?course={kb.spring_id}", "/outcomes?course=abc",
                 "/outcomes?course=99999"):
        assert lead.get(path).status_code == 404, path
    # a team lead who is deactivated meanwhile is signed out, not shown figures
    with app.app_context():
        db.session.get(Staff, db.session.scalar(
            sa.select(Staff.id).where(Staff.email == LEAD_A))).active = False
        db.session.commit()
    assert lead.get("/outcomes").status_code in (302, 401)


def test_the_rows_use_the_readers_language(app, known):
    _a, _b, k, _kb = known
    lead = signed_in_staff(app, LEAD_A)
    lead.post("/language", data={"lang": "en", "next": "/outcomes"})
    rows = _csv_rows(lead.get(f"/outcomes.csv?course={k.spring_id}"))
    assert rows[0][0] == "Pseudonymous id" and rows[1][7] == (
        "Green – approved by the job consultant alone")
    with app.test_request_context(), force_locale("en"):
        assert str(rows[1][3]) == "Yes"


def test_a_citizen_row_counts_nothing_of_another_team(app, known):
    """The query itself is the team's: Team B's citizens are not read at all."""
    a, _b, _k, kb = known
    with app.app_context():
        ids = {r.citizen_id for r in services.citizen_rows(a.team_id)}
        assert not ids & set(kb.citizen_ids)
        assert db.session.scalar(sa.select(sa.func.count(Citizen.id))) == 3 + 3 + 12 + 12
