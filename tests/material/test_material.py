"""Speaker material and the speaker's view: uploads checked (a fake PDF, a locked one, a
broken one, too many pages, too large) and rendered to one image per page; the page on the
wall turned within its bounds and ended with its item; who reaches which page image; the
speaker's view showing only what the projector may show, and its link revoked."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from course.extensions import db, socketio
from course.live.models import Question, RunningDay
from course.material import services
from course.material.models import Material, MaterialPage, MaterialStage
from tests.conftest import hx_post, login_staff, pushes_to, signed_in_citizen
from tests.material.pdfs import encrypted_pdf, make_pdf, png


@pytest.fixture
def world(app, make_world):
    """Team A's course with the best-practice agenda (kickoff today)."""
    from course.schedule import services as schedule_services
    from course.schedule.models import Course

    world = make_world(citizens=3)
    with app.app_context():
        schedule_services.apply_template(db.session.get(Course, world.course_id))
        db.session.commit()
    return world


@pytest.fixture
def console(app, world):
    client = app.test_client()
    login_staff(client, "fac@teama.dk")
    return client


def _start(console, world) -> int:
    """Start the kickoff; the item on now's id."""
    assert hx_post(console, f"/courses/{world.course_id}/session/start",
                   day="kickoff").status_code == 200
    with console.application.app_context():
        return db.session.scalar(sa.select(RunningDay.current_item_id).where(
            RunningDay.course_id == world.course_id))


def _upload(console, world, item_id, *files, status=303):
    data = {"file": [(io.BytesIO(content), name) for name, content in files]}
    response = console.post(f"/courses/{world.course_id}/items/{item_id}/material", data=data,
                            content_type="multipart/form-data")
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response


def _material(app, world) -> Material:
    with app.app_context():
        material = db.session.scalars(sa.select(Material).where(
            Material.course_id == world.course_id).order_by(Material.id.desc())).first()
        return material.id, [(p.id, p.number, p.storage_name) for p in material.pages]


def _put_up(console, world, material_id, shown="1"):
    return hx_post(console, f"/courses/{world.course_id}/materials/{material_id}/show",
                   shown=shown)


def _turn(console, world, step):
    return hx_post(console, f"/courses/{world.course_id}/material/turn", step=str(step))


def _shown_page(app, world):
    with app.app_context():
        shown = services.shown(world.course_id)
        return (shown.number, shown.page.id) if shown else None


def _speaker_token(console, world) -> str:
    location = console.post(f"/courses/{world.course_id}/speaker").headers["Location"]
    return location.rsplit("/", 1)[1]


def _projector_token(console, world) -> str:
    return console.post(f"/courses/{world.course_id}/projector").headers["Location"].rsplit(
        "/", 1)[1]


# -- upload and rendering -----------------------------------------------------------------------


def test_a_pdf_is_rendered_to_one_image_per_page_and_not_kept(app, world, console):
    item_id = _start(console, world)
    _upload(console, world, item_id, ("slides.pdf", make_pdf(3)))
    material_id, pages = _material(app, world)
    assert [number for _, number, _ in pages] == [1, 2, 3]
    folder = Path(app.config["ATTACHMENT_DIR"])
    for _, _, storage_name in pages:
        stored = (folder / storage_name).read_bytes()
        assert stored.startswith(b"\xff\xd8\xff")  # a JPEG, never the PDF
        assert (folder / storage_name).stat().st_mode & 0o777 == 0o600
    assert not any(f.read_bytes().startswith(b"%PDF") for f in folder.iterdir())
    with app.app_context():
        page = db.session.get(MaterialPage, pages[0][0])
        assert (page.width, page.height) == (services.PAGE_WIDTH, 1080)
        assert db.session.get(Material, material_id).name == "slides.pdf"
    # the agenda editor lists it on its item
    agenda = console.get(f"/courses/{world.course_id}/agenda").get_data(as_text=True)
    assert "slides.pdf" in agenda and "3 sider" in agenda


def test_pictures_are_pages_too_cleaned_of_their_metadata(app, world, console):
    from PIL import Image

    item_id = _start(console, world)
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Kamera A/S"
    Image.new("RGB", (80, 60), (200, 10, 10)).save(out, format="JPEG", exif=exif)
    _upload(console, world, item_id, ("a.jpg", out.getvalue()), ("b.png", png()))
    _, pages = _material(app, world)
    assert len(pages) == 2
    first = Path(app.config["ATTACHMENT_DIR"]) / pages[0][2]
    with Image.open(first) as picture:
        assert not picture.getexif()


@pytest.mark.parametrize("name, content, message", [
    ("slides.pdf", b"<html><script>alert(1)</script></html>", "Kun en PDF"),
    ("slides.pdf", b"%PDF-1.7\nnot really a pdf at all", "PDF'en kunne ikke læses"),
    ("locked.pdf", None, "PDF'en er låst med en adgangskode"),
    ("empty.pdf", b"", "Filen er tom"),
])
def test_a_file_that_is_no_readable_pdf_or_picture_is_refused(app, world, console, name,
                                                              content, message):
    item_id = _start(console, world)
    content = encrypted_pdf() if content is None else content
    response = _upload(console, world, item_id, (name, content), status=422)
    assert message in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Material)) == 0
    assert list(Path(app.config["ATTACHMENT_DIR"]).glob("*")) == []


def test_too_many_pages_are_refused_and_nothing_is_kept(app, world, console, monkeypatch):
    monkeypatch.setattr(services, "MAX_PAGES", 4)
    item_id = _start(console, world)
    response = _upload(console, world, item_id, ("long.pdf", make_pdf(5)), status=422)
    assert "højst have 4 sider" in response.get_data(as_text=True)
    # pictures count as pages too: 3 rendered + 2 pictures
    response = _upload(console, world, item_id, ("a.pdf", make_pdf(3)), ("b.png", png()),
                       ("c.png", png()), status=422)
    assert "højst have 4 sider" in response.get_data(as_text=True)
    assert list(Path(app.config["ATTACHMENT_DIR"]).glob("*")) == []


def test_the_limit_of_pages_is_a_hundred_and_of_size_twenty_mb():
    assert services.MAX_PAGES == 100 and services.MAX_BYTES == 20 * 1024 * 1024


def test_a_huge_file_is_refused(app, world, console, monkeypatch):
    monkeypatch.setattr(services, "MAX_BYTES", 2000)
    item_id = _start(console, world)
    response = _upload(console, world, item_id, ("big.png", png(400, 400) + b"\0" * 3000),
                       status=422)
    assert "for stort" in response.get_data(as_text=True)
    # a body far over the limit is stopped before it is read
    response = _upload(console, world, item_id, ("huge.pdf", b"%PDF-" + b"\0" * 400_000),
                       status=413)
    assert "for stort" in response.get_data(as_text=True)
    assert list(Path(app.config["ATTACHMENT_DIR"]).glob("*")) == []


def test_an_upload_needs_the_csrf_token(app, world, console):
    item_id = _start(console, world)
    response = console.post(f"/courses/{world.course_id}/items/{item_id}/material",
                            data={"file": (io.BytesIO(png()), "a.png")}, csrf=False,
                            content_type="multipart/form-data")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Material)) == 0


def test_removing_material_removes_its_files(app, world, console):
    item_id = _start(console, world)
    _upload(console, world, item_id, ("slides.pdf", make_pdf(2)))
    material_id, pages = _material(app, world)
    assert console.post(f"/courses/{world.course_id}/materials/{material_id}/delete"
                        ).status_code == 303
    folder = Path(app.config["ATTACHMENT_DIR"])
    assert not any((folder / name).exists() for _, _, name in pages)


# -- the page on the wall -----------------------------------------------------------------------


def test_pages_turn_within_their_bounds(app, world, console):
    item_id = _start(console, world)
    _upload(console, world, item_id, ("slides.pdf", make_pdf(3)))
    material_id, pages = _material(app, world)
    assert _turn(console, world, 1).status_code == 409  # nothing up yet
    assert _put_up(console, world, material_id).status_code == 200
    assert _shown_page(app, world) == (1, pages[0][0])
    _turn(console, world, -1)
    assert _shown_page(app, world)[0] == 1  # stays at the first
    for _ in range(5):
        _turn(console, world, 1)
    assert _shown_page(app, world) == (3, pages[2][0])  # stays at the last
    region = _turn(console, world, -1).get_data(as_text=True)
    assert "side 2 af 3" in region and 'data-shortcut="pagedown"' in region
    assert 'data-shortcut="pageup"' in region


def test_the_material_ends_with_its_item(app, world, console):
    item_id = _start(console, world)
    _upload(console, world, item_id, ("slides.pdf", make_pdf(2)))
    material_id, _ = _material(app, world)
    _put_up(console, world, material_id)
    wall = socketio.test_client(app, auth={"display": _projector_token(console, world)})
    wall.get_received()
    assert hx_post(console, f"/courses/{world.course_id}/session/next").status_code == 200
    assert _shown_page(app, world) is None
    assert pushes_to(wall, "material") == [""]  # a ping: the wall reads its region afresh
    with app.app_context():
        assert db.session.get(MaterialStage, world.course_id).material_id is None
    # back on the item, it is not up by itself; putting it up on another item is refused
    hx_post(console, f"/courses/{world.course_id}/session/previous")
    assert _shown_page(app, world) is None
    hx_post(console, f"/courses/{world.course_id}/session/next")
    response = _put_up(console, world, material_id)
    assert response.status_code == 409
    assert "kun sættes op, mens" in response.headers["HX-Trigger"].encode().decode(
        "unicode_escape") or response.status_code == 409


def test_the_projector_phones_and_console_follow_a_turn(app, world, console):
    item_id = _start(console, world)
    _upload(console, world, item_id, ("slides.pdf", make_pdf(3)))
    material_id, pages = _material(app, world)
    token = _projector_token(console, world)
    wall = socketio.test_client(app, auth={"display": token})
    phone = signed_in_citizen(app, world, 0)
    phone_socket = socketio.test_client(app, flask_test_client=phone)
    for sock in (wall, phone_socket):
        sock.get_received()
    _put_up(console, world, material_id)
    _turn(console, world, 1)
    assert pushes_to(wall, "material") == ["", ""]
    assert pushes_to(phone_socket, "phone-material") == ["", ""]
    screen = app.test_client()
    region = screen.get(f"/projector/{token}/material").get_data(as_text=True)
    assert f"/projector/{token}/material/{pages[1][0]}" in region
    assert screen.get(f"/projector/{token}/material/{pages[1][0]}").status_code == 200
    assert screen.get(f"/projector/{token}/material/{pages[0][0]}").status_code == 404
    # the projector page has the region; the phone shows the page on the wall, and only it
    assert 'id="material"' in screen.get(f"/projector/{token}").get_data(as_text=True)
    home = phone.get("/me").get_data(as_text=True)
    assert f"/courses/{world.course_id}/material/pages/{pages[1][0]}" in home
    image = phone.get(f"/courses/{world.course_id}/material/pages/{pages[1][0]}")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert phone.get(f"/courses/{world.course_id}/material/pages/{pages[0][0]}"
                     ).status_code == 404
    # taken down: nothing on any screen
    _put_up(console, world, material_id, shown="0")
    assert phone.get(f"/courses/{world.course_id}/material/pages/{pages[1][0]}"
                     ).status_code == 404
    assert "<img" not in screen.get(f"/projector/{token}/material").get_data(as_text=True)
    # the staff see every page
    assert console.get(f"/courses/{world.course_id}/material/pages/{pages[0][0]}"
                       ).status_code == 200


def test_page_down_and_up_are_the_consoles_keys_for_pages(app, world, console):
    item_id = _start(console, world)
    _upload(console, world, item_id, ("slides.pdf", make_pdf(2)))
    material_id, _ = _material(app, world)
    _put_up(console, world, material_id)
    page = console.get(f"/courses/{world.course_id}/console").get_data(as_text=True)
    assert 'data-shortcut="pagedown" aria-keyshortcuts="PageDown"' in page
    assert 'data-shortcut="pageup" aria-keyshortcuts="PageUp"' in page
    assert 'data-shortcut="n"' in page  # the agenda's keys are as they were


# -- the speaker's view -------------------------------------------------------------------------


def _talk(app, console, world) -> int:
    """Go to the day's first talk; its id."""
    from course.schedule.models import AgendaItem, ItemKind

    with app.app_context():
        running = db.session.scalar(sa.select(RunningDay).where(
            RunningDay.course_id == world.course_id))
        talk = db.session.scalars(sa.select(AgendaItem).where(
            AgendaItem.course_id == world.course_id, AgendaItem.day == running.day,
            AgendaItem.kind == ItemKind.TALK)).first()
    if talk is None:
        return None
    talk_id = talk.id
    assert hx_post(console, f"/courses/{world.course_id}/session/items/{talk_id}"
                   ).status_code == 200
    return talk_id


def _ask(app, world, talk_id, text, **state):
    with app.app_context():
        question = Question(course_id=world.course_id, agenda_item_id=talk_id,
                            citizen_id=world.citizens[0][0], text=text, **state)
        db.session.add(question)
        db.session.commit()


def test_the_speakers_view_shows_the_clock_next_item_and_only_open_questions(app, make_world,
                                                                            console):
    from course.schedule import services as schedule_services
    from course.schedule.models import Course
    from course.types import utcnow

    world = make_world(citizens=2, team="Team B")  # a course whose day has a talk
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        schedule_services.apply_template(course)
        db.session.commit()
    staff = app.test_client()
    login_staff(staff, "fac@teamb.dk")
    talk_id = None
    for day in ("kickoff", "day1"):
        hx_post(staff, f"/courses/{world.course_id}/session/start", day=day)
        talk_id = _talk(app, staff, world)
        if talk_id:
            break
    assert talk_id
    _ask(app, world, talk_id, "Et åbent spørgsmål", votes=3)
    _ask(app, world, talk_id, "Et ventende spørgsmål", held=True)
    _ask(app, world, talk_id, "Et skjult spørgsmål", hidden_at=utcnow())
    _ask(app, world, talk_id, "Et besvaret spørgsmål", answered_at=utcnow())
    _ask(app, world, talk_id, "Et anonymt spørgsmål", anonymous=True)
    token = _speaker_token(staff, world)
    screen = app.test_client()
    page = screen.get(f"/speaker/{token}").get_data(as_text=True)
    main = page[page.index('<main'):]
    assert "data-countdown" in main and "Derefter" in main
    assert "Et åbent spørgsmål" in page and "Et anonymt spørgsmål" in page
    for secret in ("Et ventende", "Et skjult", "Et besvaret"):
        assert secret not in page
    assert main.count("Citizen Team B") == 1  # named once: the anonymous one is not
    questions = screen.get(f"/speaker/{token}/questions").get_data(as_text=True)
    assert "Et ventende" not in questions and "Et skjult" not in questions
    # no personal codes, no console controls
    for _, code in world.citizens:
        assert code not in page
    assert "/session/next" not in page


def test_the_speaker_turns_pages_and_the_wall_follows(app, world, console):
    item_id = _start(console, world)
    _upload(console, world, item_id, ("slides.pdf", make_pdf(3)))
    material_id, pages = _material(app, world)
    _put_up(console, world, material_id)
    token = _speaker_token(console, world)
    wall = socketio.test_client(app, auth={"display": _projector_token(console, world)})
    speaker_socket = socketio.test_client(app, auth={"speaker": token})
    assert speaker_socket.is_connected()
    for sock in (wall, speaker_socket):
        sock.get_received()
    screen = app.test_client()
    page = screen.get(f"/speaker/{token}").get_data(as_text=True)
    assert 'data-shortcut="n pagedown"' in page and 'data-shortcut="p pageup"' in page
    assert f"/speaker/{token}/material/{pages[0][0]}" in page
    region = hx_post(screen, f"/speaker/{token}/material/turn", step="1").get_data(as_text=True)
    assert "side 2 af 3" in region
    assert _shown_page(app, world) == (2, pages[1][0])
    assert pushes_to(wall, "material") == [""]
    assert pushes_to(speaker_socket, "speaker-material") == [""]
    assert screen.get(f"/speaker/{token}/material/{pages[1][0]}").status_code == 200
    assert screen.get(f"/speaker/{token}/material/{pages[0][0]}").status_code == 404
    # the day moves on: the speaker's clock and material follow
    hx_post(console, f"/courses/{world.course_id}/session/next")
    received = [f["target"] for f in _fragments(speaker_socket)]
    assert {"speaker-now", "speaker-material", "speaker-questions"} <= set(received)


def _fragments(sock):
    return [f for event in sock.get_received() if event["name"] == "live:fragments"
            for f in event["args"][0]["fragments"]]


def test_a_revoked_speaker_link_stops_at_once(app, world, console):
    _start(console, world)
    token = _speaker_token(console, world)
    screen = app.test_client()
    assert screen.get(f"/speaker/{token}").status_code == 200
    sock = socketio.test_client(app, flask_test_client=screen, auth={"speaker": token})
    assert sock.is_connected()
    region = console.get(f"/courses/{world.course_id}/material").get_data(as_text=True)
    link_id = re.search(r"/speaker-links/(\d+)/revoke", region).group(1)
    assert hx_post(console, f"/courses/{world.course_id}/speaker-links/{link_id}/revoke"
                   ).status_code == 200
    assert not sock.is_connected()
    for path in ("", "/now", "/questions", "/material"):
        assert screen.get(f"/speaker/{token}{path}").status_code == 404
    assert hx_post(screen, f"/speaker/{token}/material/turn", step="1").status_code == 404
    assert not socketio.test_client(app, auth={"speaker": token}).is_connected()
    # a projector token is no speaker token, and the other way round
    projector = _projector_token(console, world)
    assert screen.get(f"/speaker/{projector}").status_code == 404
    fresh = _speaker_token(console, world)
    assert screen.get(f"/projector/{fresh}").status_code == 404


@pytest.mark.parametrize("token", ["x", "a" * 200, "../etc/passwd"])
def test_bad_speaker_tokens_are_404(client, token):
    assert client.get(f"/speaker/{token}").status_code == 404


def test_deleting_the_item_removes_its_material_and_files(app, world, console):
    from course.schedule import services as schedule_services
    from course.schedule.models import AgendaItem

    item_id = _start(console, world)
    _upload(console, world, item_id, ("slides.pdf", make_pdf(2)))
    _, pages = _material(app, world)
    with app.app_context():
        item = db.session.get(AgendaItem, item_id)
        schedule_services.delete_item(item, expected_version=None)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MaterialPage)) == 0
    folder = Path(app.config["ATTACHMENT_DIR"])
    assert not any((folder / name).exists() for _, _, name in pages)


def test_another_course_reaches_none_of_it(app, world, console, make_world):
    """Another team's staff and citizens, and another course's projector and speaker links,
    get 404 for this course's material, page images and speaker routes."""
    item_id = _start(console, world)
    _upload(console, world, item_id, ("slides.pdf", make_pdf(2)))
    material_id, pages = _material(app, world)
    _put_up(console, world, material_id)
    other = make_world("Team B", citizens=1)
    other_staff = app.test_client()
    login_staff(other_staff, "fac@teamb.dk")
    other_phone = signed_in_citizen(app, other, 0)
    course = world.course_id
    for client in (other_staff, other_phone):
        assert client.get(f"/courses/{course}/material/pages/{pages[0][0]}").status_code == 404
    assert other_phone.get(f"/courses/{course}/material/now").status_code == 404
    for path in (f"/courses/{course}/material", f"/courses/{course}/items/{item_id}/material"):
        assert other_staff.get(path).status_code == 404
    for path in (f"/courses/{course}/materials/{material_id}/show",
                 f"/courses/{course}/material/turn", f"/courses/{course}/speaker",
                 f"/courses/{course}/materials/{material_id}/delete"):
        assert hx_post(other_staff, path, shown="1", step="1").status_code == 404
    # the other course's own links name their own course only
    hx_post(other_staff, f"/courses/{other.course_id}/session/start", day="kickoff")
    their_wall = _projector_token(other_staff, other)
    their_speaker = _speaker_token(other_staff, other)
    screen = app.test_client()
    assert screen.get(f"/projector/{their_wall}/material/{pages[0][0]}").status_code == 404
    assert screen.get(f"/speaker/{their_speaker}/material/{pages[0][0]}").status_code == 404
    assert "<img" not in screen.get(f"/speaker/{their_speaker}/material").get_data(as_text=True)
    hx_post(screen, f"/speaker/{their_speaker}/material/turn", step="1")
    assert _shown_page(app, world) == (1, pages[0][0])  # this course's wall did not move


def test_the_speakers_questions_and_clock_follow_the_room(app, world, console):
    """A question asked, or the clock paused, pings the speaker's screen (never the phones for
    the material when nothing was up)."""
    _start(console, world)
    token = _speaker_token(console, world)
    speaker_socket = socketio.test_client(app, auth={"speaker": token})
    phone = signed_in_citizen(app, world, 0)
    phone_socket = socketio.test_client(app, flask_test_client=phone)
    for sock in (speaker_socket, phone_socket):
        sock.get_received()
    hx_post(console, f"/courses/{world.course_id}/session/timer/pause")
    assert "speaker-now" in [f["target"] for f in _fragments(speaker_socket)]
    hx_post(console, f"/courses/{world.course_id}/session/next")
    assert "speaker-questions" in [f["target"] for f in _fragments(speaker_socket)]
    assert "phone-material" not in [f["target"] for f in _fragments(phone_socket)]
    hx_post(console, f"/courses/{world.course_id}/session/start", day="day1")
    assert _talk(app, console, world)
    _fragments(speaker_socket)
    assert hx_post(phone, f"/courses/{world.course_id}/questions",
                   text="Hvordan kom du i gang?").status_code == 200
    assert "speaker-questions" in [f["target"] for f in _fragments(speaker_socket)]
    questions = app.test_client().get(f"/speaker/{token}/questions").get_data(as_text=True)
    held_or_open = "Hvordan kom du i gang?" in questions
    with app.app_context():
        held = db.session.scalar(sa.select(Question.held))
    assert held_or_open is not held  # shown only when not waiting for a facilitator
