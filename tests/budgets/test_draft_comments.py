"""Sparring threads on a draft: the citizen and their own job consultant write, each in the thread
on the whole plan or on one budget line; the facilitators and the team lead read along; nobody
else sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g, render_template, url_for

from course.budgets import fragments
from course.budgets.models import BudgetLine, Draft, DraftComment
from course.extensions import db
from course.people import services
from course.people.models import Citizen, Role, Staff, Team
from course.types import utcnow
from tests.conftest import PASSWORD, join_citizen, login_staff

HX = {"HX-Request": "true"}


@dataclass
class Drafts:
    world: object
    a_code: str
    b_code: str
    a_draft: int
    a_line: int
    a_untitled_line: int
    b_draft: int
    b_line: int


@pytest.fixture
def drafts(team_a, make_draft) -> Drafts:
    """Citizens A and B of Team A's course, each with a draft and budget lines."""
    (a_id, a_code), (b_id, b_code) = team_a.citizens[0], team_a.citizens[1]
    a_draft, a_lines = make_draft(a_id, team_a.course_id, "Buschauffør",
                                  [{"title": "Kørekort kategori D"}, {"title": ""}])
    b_draft, b_lines = make_draft(b_id, team_a.course_id, "Tømrer", [{"title": "Værktøj"}])
    return Drafts(team_a, a_code, b_code, a_draft, a_lines[0], a_lines[1], b_draft, b_lines[0])


def comment(client, draft_id: int, text: str, line_id: int | str | None = None, *,
            htmx: bool = True, headers: dict | None = None, **kwargs):
    data = {"text": text, "line_id": "" if line_id is None else str(line_id)}
    return client.post(f"/drafts/{draft_id}/comments", data=data,
                       headers={**(HX if htmx else {}), **(headers or {})}, **kwargs)


def stored(app) -> list[tuple[int, int | None, int, str]]:
    """(draft, line, author — a staff id, or ``"citizen <id>"`` —, text) of every message."""
    with app.app_context():
        return [(c.draft_id, c.line_id,
                 c.author_id if c.author_id else f"citizen {c.citizen_author_id}", c.text)
                for c in db.session.scalars(sa.select(DraftComment).order_by(DraftComment.id))]


def add_staff(app, drafts: Drafts, role: Role, email: str) -> None:
    with app.app_context():
        team = db.session.get(Team, drafts.world.team_id)
        services.create_staff(team, email, email, role, PASSWORD, must_change_password=False)
        db.session.commit()


# -- the own job consultant writes --------------------------------------------------------------


def test_own_consultant_comments_on_the_whole_draft(app, consultant_client, drafts):
    response = comment(consultant_client, drafts.a_draft, "  Godt mål! Hvad koster teoriprøven?  ")
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    page = response.get_data(as_text=True)  # the threads, swapped under the form
    assert f'id="thread-{drafts.a_draft}-plan"' in page
    assert "Godt mål! Hvad koster teoriprøven?" in page
    assert "Om hele budgetplanen" in page
    assert "Consultant Team A" in page and "(jobkonsulent)" in page
    assert "<form" not in page  # the form stays as it is on the page (and empties itself)
    assert stored(app) == [(drafts.a_draft, None, drafts.world.consultant_id,
                            "Godt mål! Hvad koster teoriprøven?")]


def test_own_consultant_comments_on_one_line(app, consultant_client, drafts):
    response = comment(consultant_client, drafts.a_draft, "Er prisen med moms?", drafts.a_line)
    assert response.status_code == 200
    assert "Om budgetposten: Kørekort kategori D" in response.get_data(as_text=True)
    response = comment(consultant_client, drafts.a_draft, "Hvad er det?", drafts.a_untitled_line)
    assert "Om budgetposten: Budgetpost 2" in response.get_data(as_text=True)
    assert [c[1] for c in stored(app)] == [drafts.a_line, drafts.a_untitled_line]


def test_the_citizen_sees_each_thread_oldest_first(app, client, drafts):
    with app.app_context():
        now = utcnow()
        db.session.add_all([
            DraftComment(draft_id=drafts.a_draft, author_id=drafts.world.consultant_id,
                         text="Første", created_at=now - timedelta(days=2)),
            DraftComment(draft_id=drafts.a_draft, line_id=drafts.a_line,
                         author_id=drafts.world.consultant_id, text="Anden",
                         created_at=now - timedelta(days=1)),
            DraftComment(draft_id=drafts.a_draft, line_id=drafts.a_line,
                         author_id=drafts.world.consultant_id, text="Tredje",
                         created_at=now - timedelta(days=3)),
            DraftComment(draft_id=drafts.b_draft, author_id=drafts.world.consultant_id,
                         text="Til B"),
        ])
        db.session.commit()
    join_citizen(client, drafts.world.course_code, drafts.a_code)
    page = client.get(f"/drafts/{drafts.a_draft}/comments", headers=HX).get_data(as_text=True)
    # the whole plan's thread first, then the line's, each oldest first
    assert page.index("Første") < page.index("Tredje") < page.index("Anden")
    assert page.index("Om hele budgetplanen") < page.index("Om budgetposten: Kørekort kategori D")
    assert "Til B" not in page
    assert "Consultant Team A" in page
    assert "<form" not in page  # reading only
    assert "<main" not in page  # the fragment, for htmx

    full = client.get(f"/drafts/{drafts.a_draft}/comments").get_data(as_text=True)
    assert "<main" in full and "Anden" in full  # a page of its own without JavaScript


def test_a_line_deleted_later_leaves_the_comment_on_the_whole_plan(app, consultant_client, drafts):
    comment(consultant_client, drafts.a_draft, "Om kørekortet", drafts.a_line)
    with app.app_context():
        db.session.delete(db.session.get(BudgetLine, drafts.a_line))
        db.session.commit()
    page = consultant_client.get(f"/drafts/{drafts.a_draft}/comments",
                                 headers=HX).get_data(as_text=True)
    assert "Om kørekortet" in page and "Om hele budgetplanen" in page


# -- nobody else writes --------------------------------------------------------------------------


def test_the_citizen_answers_in_the_thread(app, citizen_client, consultant_client, drafts):
    comment(consultant_client, drafts.a_draft, "Er prisen med moms?", drafts.a_line)
    response = comment(citizen_client, drafts.a_draft, "Ja, den er med moms.", drafts.a_line)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.index("Er prisen med moms?") < page.index("Ja, den er med moms.")
    assert "Citizen Team A 0" in page and "(borger)" in page
    assert stored(app)[1] == (drafts.a_draft, drafts.a_line,
                              f"citizen {drafts.world.citizens[0][0]}", "Ja, den er med moms.")


def test_a_thread_is_closed_while_the_plan_is_handed_in(app, citizen_client, consultant_client,
                                                         drafts):
    with app.app_context():
        db.session.get(Draft, drafts.a_draft).locked_at = utcnow()
        db.session.commit()
    for person in (citizen_client, consultant_client):
        response = comment(person, drafts.a_draft, "Kan du se det her?")
        assert response.status_code == 422
        assert response.headers["HX-Retarget"] == f"#draft-comments-{drafts.a_draft}-message"
        assert "Sparringen er lukket" in response.get_data(as_text=True)
    assert stored(app) == []


def test_another_citizen_neither_reads_nor_writes(app, client, drafts):
    join_citizen(client, drafts.world.course_code, drafts.b_code)
    assert client.get(f"/drafts/{drafts.a_draft}/comments", headers=HX).status_code == 404
    assert comment(client, drafts.a_draft, "Hej").status_code == 404
    assert stored(app) == []


def test_another_consultant_of_the_team_neither_reads_nor_writes(app, client, drafts):
    add_staff(app, drafts, Role.JOB_CONSULTANT, "con2@teama.dk")
    login_staff(client, "con2@teama.dk")
    assert comment(client, drafts.a_draft, "Blander mig").status_code == 404
    assert client.get(f"/drafts/{drafts.a_draft}/comments", headers=HX).status_code == 404
    assert stored(app) == []


def test_staff_of_another_team_get_404(app, client, drafts, make_world):
    make_world("Team B")
    for email in ["con@teamb.dk", "lead@teamb.dk"]:
        login_staff(client, email)
        assert comment(client, drafts.a_draft, "Hej").status_code == 404
        assert client.get(f"/drafts/{drafts.a_draft}/comments", headers=HX).status_code == 404
        client.post("/logout")
    assert stored(app) == []


@pytest.mark.parametrize("email", ["fac@teama.dk", "lead@teama.dk"])
def test_facilitators_and_the_team_lead_read_but_do_not_write(app, client, drafts, email):
    with app.app_context():
        db.session.add(DraftComment(draft_id=drafts.a_draft, author_id=drafts.world.consultant_id,
                                    text="Læses af kursusholderen"))
        db.session.commit()
    login_staff(client, email)
    page = client.get(f"/drafts/{drafts.a_draft}/comments", headers=HX).get_data(as_text=True)
    assert "Læses af kursusholderen" in page and "<form" not in page
    refused = comment(client, drafts.a_draft, "Må jeg?")
    assert refused.status_code == 403  # refused beside the form (web.refuse)
    assert refused.headers["HX-Retarget"] == f"#draft-comments-{drafts.a_draft}-message"
    assert "Kun borgeren og borgerens egen jobkonsulent skriver her" in refused.get_data(
        as_text=True)
    assert len(stored(app)) == 1


def test_forged_draft_and_line_ids_are_404(app, consultant_client, drafts):
    assert comment(consultant_client, 999, "Hej").status_code == 404
    assert comment(consultant_client, drafts.a_draft, "Hej",
                   drafts.b_line).status_code == 404  # B's line
    assert comment(consultant_client, drafts.a_draft, "Hej", 999).status_code == 404
    assert comment(consultant_client, drafts.a_draft, "Hej", "1 OR 1=1").status_code == 404
    assert comment(consultant_client, drafts.a_draft, "Hej", "-1").status_code == 404
    assert stored(app) == []


def test_a_comment_without_csrf_token_is_refused(app, consultant_client, drafts):
    assert comment(consultant_client, drafts.a_draft, "Hej", csrf=False).status_code == 400
    assert stored(app) == []


def test_anonymous_cannot_comment(app, client, drafts):
    assert comment(client, drafts.a_draft, "Hej").status_code == 401
    assert stored(app) == []


# -- refused text comes back with what was typed --------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_an_empty_comment_is_422_in_danish(app, consultant_client, drafts, text):
    response = comment(consultant_client, drafts.a_draft, text, drafts.a_line)
    assert response.status_code == 422
    # the message beside the form; the form (what was typed, the chosen line) is not swapped
    assert response.headers["HX-Retarget"] == f"#draft-comments-{drafts.a_draft}-message"
    assert "Skriv en kommentar, før du sender den." in response.get_data(as_text=True)
    page = comment(consultant_client, drafts.a_draft, text, drafts.a_line,
                   htmx=False).get_data(as_text=True)  # without JavaScript: the page again
    assert 'aria-invalid="true"' in page and "Skriv en kommentar, før du sender den." in page
    assert f'<option value="{drafts.a_line}" selected>' in page  # the chosen line is kept
    assert stored(app) == []


def test_an_oversized_comment_is_422_and_keeps_the_text(app, consultant_client, drafts):
    text = "Langt <svar> " + "x" * 2000
    response = comment(consultant_client, drafts.a_draft, text)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#draft-comments-{drafts.a_draft}-message"
    assert "Kommentaren er for lang: højst 2000 tegn." in response.get_data(as_text=True)
    page = comment(consultant_client, drafts.a_draft, text, htmx=False).get_data(as_text=True)
    assert "Langt &lt;svar&gt; " + "x" * 2000 + "</textarea>" in page
    assert stored(app) == []


def test_exactly_2000_characters_after_strip_is_accepted(app, consultant_client, drafts):
    assert comment(consultant_client, drafts.a_draft, "  " + "ø" * 2000 + "\n ").status_code == 200
    assert stored(app)[0][3] == "ø" * 2000


def test_without_javascript_a_refusal_is_a_page_with_the_text_kept(app, consultant_client, drafts):
    response = comment(consultant_client, drafts.a_draft, "y" * 2001, htmx=False)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<main" in page and "Kommentaren er for lang" in page and "y" * 2001 in page


def test_without_javascript_a_comment_goes_back_where_it_was_written(app, consultant_client,
                                                                     drafts):
    response = comment(consultant_client, drafts.a_draft, "Fint", htmx=False,
                       headers={"Referer": "http://teten.test/drafts/1/view"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/drafts/1/view#draft-comments-{drafts.a_draft}"
    response = comment(consultant_client, drafts.a_draft, "Igen", htmx=False,
                       headers={"Referer": "https://evil.example/"})
    assert response.headers["Location"] == (
        f"/drafts/{drafts.a_draft}/comments#draft-comments-{drafts.a_draft}")
    assert len(stored(app)) == 2


# -- nothing a consultant writes can run ----------------------------------------------------------


def test_comment_text_is_escaped_plain_text_inside_hx_disable(app, client, drafts):
    login_staff(client, "con@teama.dk")
    hostile = ('<script>alert(1)</script><img src=x onerror=alert(2)>'
               '<div hx-get="/logout" hx-trigger="load">x</div> **fed** [link](javascript:x)')
    assert comment(client, drafts.a_draft, hostile).status_code == 200
    join_citizen(client, drafts.world.course_code, drafts.a_code)
    page = client.get(f"/drafts/{drafts.a_draft}/comments", headers=HX).get_data(as_text=True)
    assert "<script>alert" not in page and "<img" not in page and 'hx-get="/logout"' not in page
    assert '<div class="comment-text" hx-disable>&lt;script&gt;alert(1)&lt;/script&gt;' in page
    assert "**fed** [link](javascript:x)" in page  # not markdown: shown as written
    assert "<strong>fed</strong>" not in page


# -- the partial as the editor includes it -------------------------------------------------------


def render_comments(app, person_kind: type, person_id: int, draft_id: int, can_comment: bool):
    with app.test_request_context():
        g._login_user = db.session.get(person_kind, person_id)  # signed in, as Flask-Login sees it
        # (the context the routes build: whether the reader may comment is worked out there)
        return render_template("budgets/_comments.html", **fragments.comments_context(
            db.session.get(Draft, draft_id), can_comment=can_comment))


def test_partial_offers_the_form_to_the_own_consultant(app, drafts):
    html = render_comments(app, Staff, drafts.world.consultant_id, drafts.a_draft, True)
    assert f'hx-post="/drafts/{drafts.a_draft}/comments"' in html
    assert '<option value="">Hele budgetplanen</option>' in html
    assert f'<option value="{drafts.a_line}">Kørekort kategori D</option>' in html
    assert f'<option value="{drafts.a_untitled_line}">Budgetpost 2</option>' in html
    assert 'maxlength="2000"' in html and 'name="csrf_token"' in html
    assert "Ingen beskeder endnu." in html
    assert "Sparring med jobkonsulenten" in html


def test_partial_offers_the_form_to_the_citizen_whose_draft_it_is(app, drafts):
    html = render_comments(app, Citizen, drafts.world.citizens[0][0], drafts.a_draft, True)
    assert f'hx-post="/drafts/{drafts.a_draft}/comments"' in html
    assert "Din jobkonsulent kan se den og får besked." in html


def test_partial_never_shows_the_form_to_others_whatever_they_are_told(app, drafts):
    other = render_comments(app, Citizen, drafts.world.citizens[1][0], drafts.a_draft, True)
    facilitator = render_comments(app, Staff, drafts.world.facilitator_id, drafts.a_draft, True)
    own = render_comments(app, Staff, drafts.world.consultant_id, drafts.a_draft, False)
    assert "<form" not in other and "<form" not in facilitator and "<form" not in own


def test_the_draft_pages_include_the_partial(app, client, drafts):
    """Wiring: the consultant's view of the draft and the citizen's editor have the threads
    (a live region) and the form."""
    login_staff(client, "con@teama.dk")
    with app.test_request_context():
        view_url = url_for("budgets.view_draft", draft_id=drafts.a_draft)
        editor_url = url_for("budgets.my_draft")
    view = client.get(view_url).get_data(as_text=True)
    assert f'id="draft-comments-{drafts.a_draft}"' in view
    assert f'hx-post="/drafts/{drafts.a_draft}/comments"' in view
    comment(client, drafts.a_draft, "Husk prisen", drafts.a_line)
    client.post("/logout")
    join_citizen(client, drafts.world.course_code, drafts.a_code)
    editor = client.get(editor_url).get_data(as_text=True)
    assert "Husk prisen" in editor and "Om budgetposten: Kørekort kategori D" in editor
    assert f'hx-post="/drafts/{drafts.a_draft}/comments"' in editor
    assert f'data-live-src="/drafts/{drafts.a_draft}/comments"' in editor
    assert "data-live-streams" in editor and "data-live-streams" in view


def test_the_markup_of_the_filled_in_editor_is_valid(app, client, drafts):
    """The W3C checker's two findings: a comment's datetime attribute had microseconds (valid
    HTML allows at most three fraction digits), and a filled-in editor focused several fields."""
    import re

    with app.app_context():
        db.session.add(DraftComment(draft_id=drafts.a_draft, author_id=drafts.world.consultant_id,
                                    text="Husk en pris", line_id=drafts.a_line))
        db.session.commit()
    join_citizen(client, drafts.world.course_code, drafts.a_code)
    for page in (client.get(f"/drafts/{drafts.a_draft}/comments").get_data(as_text=True),
                 client.get("/me/budget").get_data(as_text=True)):
        stamps = re.findall(r'datetime="([^"]*)"', page)
        assert stamps, "a comment shows when it was written"
        for stamp in stamps:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", stamp), stamp
        assert page.count("autofocus") == 0
    # a line just added focuses its title, and only that
    added = client.post(f"/drafts/{drafts.a_draft}/lines", headers=HX)
    assert added.get_data(as_text=True).count("autofocus") == 1
