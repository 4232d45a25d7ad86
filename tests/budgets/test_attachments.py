"""Attachments of budget lines: type by content, EXIF gone, random private storage, 413, access."""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, render_template, url_for
from PIL import ExifTags, Image, PngImagePlugin
from werkzeug.routing import BuildError

from course.budgets import files, fragments
from course.budgets.labels import file_size
from course.budgets.models import Attachment, BudgetLine, Draft
from course.extensions import db
from course.people import services
from course.people.models import Citizen, Role, Staff, Team
from tests.conftest import PASSWORD, join_citizen, login_staff, signed_in_citizen

HX = {"HX-Request": "true"}
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
NOT_ONE_OF_THEM = "Kun PDF-, JPEG- og PNG-filer kan vedhæftes"
TOO_LARGE = "Filen er for stor: den må højst fylde"
TOO_MANY_PIXELS = "Billedet har for mange pixels"


@dataclass
class Drafts:
    world: object
    a_code: str
    b_code: str
    a_draft: int
    a_line: int
    a_other_line: int
    b_draft: int
    b_line: int


@pytest.fixture
def drafts(team_a, make_draft) -> Drafts:
    """Citizens A and B of Team A's course, each with a draft and budget lines."""
    (a_id, a_code), (b_id, b_code) = team_a.citizens[0], team_a.citizens[1]
    a_draft, a_lines = make_draft(a_id, team_a.course_id, "Buschauffør", [
        {"title": "Kørekort kategori D", "amount": 25000},
        {"title": "Tandbehandling", "amount": 8000}])
    b_draft, b_lines = make_draft(b_id, team_a.course_id, "Tømrer",
                                  [{"title": "Værktøj", "amount": 5000}])
    return Drafts(team_a, a_code, b_code, a_draft, a_lines[0], a_lines[1], b_draft, b_lines[0])


def upload(client, draft_id: int, line_id: int, data: bytes, name: str, *, htmx: bool = True,
           content_type: str = "application/pdf", headers: dict | None = None):
    return client.post(
        f"/drafts/{draft_id}/lines/{line_id}/attachments",
        data={"file": (io.BytesIO(data), name, content_type)},
        headers={**(HX if htmx else {}), **(headers or {})},
        content_type="multipart/form-data")


def download(client, attachment_id: int):
    return client.get(f"/attachments/{attachment_id}", buffered=True)


def attachments(app) -> list[Attachment]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Attachment).order_by(Attachment.id)).all()
        db.session.expunge_all()
        return list(rows)


def stored_files(app) -> list[Path]:
    folder = Path(app.config["ATTACHMENT_DIR"])
    return sorted(folder.iterdir()) if folder.exists() else []


def png_bytes(size: tuple[int, int] = (30, 20), **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "PNG", **save)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A phone-like photo: GPS position, camera make, orientation, an XMP packet, a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    exif[ExifTags.Base.Orientation] = 6  # rotated 90° clockwise
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (56.0, 9.0, 46.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (10.0, 12.0, 13.0)
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 120, 200)).save(
        out, "JPEG", exif=exif, comment=b"Aarhus, Brobjergskolen",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>56,9.77N'
            b'</exif:GPSLatitude></x:xmpmeta>')
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels in a few dozen bytes (a bomb's shape)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


# -- the happy path: stored privately under a random name ---------------------------------------


def test_owner_uploads_a_pdf_stored_under_a_random_private_name(app, citizen_client, drafts):
    response = upload(citizen_client, drafts.a_draft, drafts.a_line, PDF, "Tilbud køreskole.pdf")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="attachments-{drafts.a_line}"' in page
    assert "Vedhæftet: Tilbud køreskole.pdf" in page
    assert "Tilbud køreskole.pdf" in page and "1 kB" in page
    assert "HX-Request" in response.headers["Vary"]

    [row] = attachments(app)
    assert (row.line_id, row.original_name, row.content_type, row.size) == (
        drafts.a_line, "Tilbud køreskole.pdf", "application/pdf", len(PDF))
    assert re.fullmatch(r"[0-9a-f]{32}", row.storage_name)
    [stored] = stored_files(app)
    assert stored.name == row.storage_name
    assert stored.parent == Path(app.config["ATTACHMENT_DIR"])
    assert stored.read_bytes() == PDF
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) & 0o077 == 0


def test_storage_names_are_random_and_not_derived_from_the_name(app, citizen_client, drafts):
    for _ in range(3):
        assert upload(citizen_client, drafts.a_draft, drafts.a_line, PDF,
                      "tilbud.pdf").status_code == 200
    names = [row.storage_name for row in attachments(app)]
    assert len(set(names)) == 3
    assert all("tilbud" not in name and "pdf" not in name for name in names)
    assert sorted(p.name for p in stored_files(app)) == sorted(names)


def test_jpeg_and_png_are_accepted_by_content(app, citizen_client, drafts):
    assert upload(citizen_client, drafts.a_draft, drafts.a_line, jpeg_with_gps(), "foto.jpeg",
                  content_type="image/jpeg").status_code == 200
    assert upload(citizen_client, drafts.a_draft, drafts.a_line, png_bytes(), "skærm.png",
                  content_type="image/png").status_code == 200
    assert [(r.original_name, r.content_type) for r in attachments(app)] == [
        ("foto.jpeg", "image/jpeg"), ("skærm.png", "image/png")]


def test_the_name_gets_the_extension_of_the_true_type(app, citizen_client, drafts):
    """A PNG called .pdf is still a PNG we take; it is stored and sent as a PNG."""
    assert upload(citizen_client, drafts.a_draft, drafts.a_line, png_bytes(),
                  "tilbud.pdf").status_code \
        == 200
    assert upload(citizen_client, drafts.a_draft, drafts.a_line, PDF,
                  "pris.html").status_code == 200
    assert [(r.original_name, r.content_type) for r in attachments(app)] == [
        ("tilbud.png", "image/png"), ("pris.html.pdf", "application/pdf")]


# -- SECURITY.md's files row ---------------------------------------------------------------------


@pytest.mark.parametrize("content", [
    b"<!doctype html><html><script>alert(document.cookie)</script></html>",
    b"\xef\xbb\xbf<html><body onload=alert(1)>",
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>',
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    b"  %PDF-1.7 but not at the start",
    b"MZ\x90\x00 an executable",
], ids=["html", "html-bom", "svg", "svg-xml", "pdf-late", "exe"])
def test_html_or_svg_renamed_pdf_is_refused(app, citizen_client, drafts, content):
    response = upload(citizen_client, drafts.a_draft, drafts.a_line, content, "tilbud.pdf",
                      content_type="application/pdf")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert NOT_ONE_OF_THEM in page
    assert 'aria-invalid="true"' in page
    assert attachments(app) == [] and stored_files(app) == []


def test_refusal_without_javascript_is_flashed_on_the_way_back(app, citizen_client, drafts):
    response = upload(citizen_client, drafts.a_draft, drafts.a_line, b"<svg/>", "x.pdf", htmx=False)
    assert response.status_code == 303
    with citizen_client.session_transaction() as session:
        assert any(NOT_ONE_OF_THEM in message for _, message in session["_flashes"])
    assert attachments(app) == []


@pytest.mark.parametrize(("sent", "shown"), [
    ("../../../etc/passwd.pdf", "passwd.pdf"),
    ("....pdf", "pdf.pdf"),
    ("../", "bilag.pdf"),
    ("", None),  # no name at all: the browser sent no file
    ("\u202efdp.exe", "fdp.exe.pdf"),  # right-to-left override removed
])
def test_path_parts_and_odd_characters_are_removed_from_the_name(app, citizen_client, drafts, sent,
                                                                 shown):
    response = upload(citizen_client, drafts.a_draft, drafts.a_line, PDF, sent)
    if shown is None:
        assert response.status_code == 422
        assert "Vælg først en fil." in response.get_data(as_text=True)
        return
    assert response.status_code == 200
    [row] = attachments(app)
    assert row.original_name == shown
    assert "/" not in row.original_name and "\\" not in row.original_name
    assert ".." not in row.original_name
    # Nothing was written outside the attachment folder.
    [stored] = stored_files(app)
    assert stored.parent == Path(app.config["ATTACHMENT_DIR"])


@pytest.mark.parametrize(("sent", "shown"), [
    # Old browsers sent the whole Windows path (over HTTP the backslashes are quoting escapes).
    ("..\\..\\Windows\\win.ini.pdf", "win.ini.pdf"),
    ("C:\\Users\\Anna\\Documents\\tilbud.pdf", "tilbud.pdf"),
    ("/var/www/../../x.jpeg", "x.jpeg"),
    ("tab\tand\nnewline.JPG", "tab and newline.jpg"),
    ("tilbud\x00.pdf", "tilbud.pdf"),
    (None, "bilag.pdf"),
])
def test_clean_name(sent, shown):
    kind = files.FileKind.PDF if shown.endswith(".pdf") else files.FileKind.JPEG
    assert files.clean_name(sent, kind, "bilag") == shown


def test_a_long_name_is_capped_and_keeps_its_extension(app, citizen_client, drafts):
    assert upload(citizen_client, drafts.a_draft, drafts.a_line, PDF,
                  "å" * 500 + ".PDF").status_code \
        == 200
    [row] = attachments(app)
    assert row.original_name == "å" * files.MAX_STEM + ".pdf"


def test_too_large_is_413_with_a_danish_text_and_nothing_stored(app, citizen_client, drafts):
    app.config["ATTACHMENT_MAX_BYTES"] = 2048
    at_limit = PDF + b"%" * (2048 - len(PDF))
    assert upload(citizen_client, drafts.a_draft, drafts.a_line, at_limit,
                  "ok.pdf").status_code == 200

    response = upload(citizen_client, drafts.a_draft, drafts.a_line, at_limit + b"%", "big.pdf")
    assert response.status_code == 413
    # For htmx a short text the page shows as a message: the form and the rest of the page,
    # with whatever else the citizen typed, stay as they are.
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == f"{TOO_LARGE} 2 kB."
    assert [row.original_name for row in attachments(app)] == ["ok.pdf"]
    assert len(stored_files(app)) == 1

    page = upload(citizen_client, drafts.a_draft, drafts.a_line, at_limit + b"%", "big.pdf",
                  htmx=False)
    assert page.status_code == 413 and TOO_LARGE in page.get_data(as_text=True)


def test_a_body_over_flasks_limit_is_413_with_the_same_text(app, citizen_client, drafts):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = upload(citizen_client, drafts.a_draft, drafts.a_line, PDF + b"%" * 8000, "big.pdf")
    assert response.status_code == 413
    assert response.get_data(as_text=True) == f"{TOO_LARGE} 10 MB."
    assert attachments(app) == [] and stored_files(app) == []


def test_the_default_limit_is_ten_megabytes(app, citizen_client, drafts):
    ten_mb = 10 * 1024 * 1024
    # Encoded by hand: the test client would spool a body this big to a file it never closes.
    boundary = "teten-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"scan.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode() \
        + PDF + b"%" * (ten_mb + 1 - len(PDF)) + f"\r\n--{boundary}--\r\n".encode()
    response = citizen_client.post(f"/drafts/{drafts.a_draft}/lines/{drafts.a_line}/attachments",
                                   data=body, headers=HX,
                                   content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "10 MB" in response.get_data(as_text=True)
    assert attachments(app) == []


def test_gps_and_other_metadata_are_stripped_from_a_jpeg(app, citizen_client, drafts):
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as before:  # the test photo really carries them
        assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert before.getexif()[ExifTags.Base.Make] == "TestPhone"
    assert b"GPSLatitude" in original and b"Brobjergskolen" in original

    assert upload(citizen_client, drafts.a_draft, drafts.a_line, original, "foto.jpg",
                  content_type="image/jpeg").status_code == 200
    [stored] = stored_files(app)
    data = stored.read_bytes()
    for trace in (b"Exif", b"GPS", b"TestPhone", b"Brobjergskolen", b"xmpmeta"):
        assert trace not in data
    with Image.open(io.BytesIO(data)) as after:
        assert after.format == "JPEG"
        assert len(after.getexif()) == 0
        assert "exif" not in after.info and "xmp" not in after.info
        assert after.size == (20, 40)  # turned upright, since the orientation tag is gone
    [row] = attachments(app)
    assert row.size == len(data)


def test_metadata_is_stripped_from_a_png(app, citizen_client, drafts):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Hjemme hos Anna, Vestergade 12")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    original = png_bytes(pnginfo=info, exif=exif)
    assert b"Vestergade" in original and b"eXIf" in original
    assert upload(citizen_client, drafts.a_draft, drafts.a_line, original, "skærm.png",
                  content_type="image/png").status_code == 200
    data = stored_files(app)[0].read_bytes()
    assert b"Vestergade" not in data and b"eXIf" not in data and b"tEXt" not in data
    with Image.open(io.BytesIO(data)) as after:
        assert after.format == "PNG" and after.size == (30, 20)


def test_a_transparent_palette_png_keeps_its_transparency(app, citizen_client, drafts):
    picture = Image.new("P", (8, 8), 0)
    picture.putpalette([255, 255, 255, 0, 0, 0])
    out = io.BytesIO()
    picture.save(out, "PNG", transparency=0)
    assert upload(citizen_client, drafts.a_draft, drafts.a_line, out.getvalue(),
                  "logo.png").status_code \
        == 200
    with Image.open(stored_files(app)[0]) as after:
        assert after.mode == "RGBA" and after.getpixel((0, 0))[3] == 0


@pytest.mark.parametrize(("width", "height"), [
    (8000, 7000),  # 56 megapixels: over our own limit, under Pillow's warning
    (10000, 10000),  # over Image.MAX_IMAGE_PIXELS: Pillow warns — a refusal here, not a warning
    (30000, 30000),  # over twice that: Pillow's DecompressionBombError
])
def test_a_decompression_bomb_is_refused_without_decoding_it(app, citizen_client, drafts, width,
                                                             height):
    before = Image.MAX_IMAGE_PIXELS
    response = upload(citizen_client, drafts.a_draft, drafts.a_line, png_header_only(width, height),
                      "bomb.png", content_type="image/png")
    assert response.status_code == 422
    assert TOO_MANY_PIXELS in response.get_data(as_text=True)
    assert attachments(app) == [] and stored_files(app) == []
    assert Image.MAX_IMAGE_PIXELS == before  # Pillow's global limit is left alone


@pytest.mark.parametrize("content", [b"\xff\xd8\xff\xe0 not really a jpeg",
                                     b"\x89PNG\r\n\x1a\n truncated", b""])
def test_a_broken_or_empty_file_is_refused(app, citizen_client, drafts, content):
    response = upload(citizen_client, drafts.a_draft, drafts.a_line, content, "foto.jpg")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert ("Billedet kunne ikke læses" in text) if content else ("Filen er tom" in text)
    assert attachments(app) == [] and stored_files(app) == []


# -- downloads -----------------------------------------------------------------------------------


def test_download_headers(app, citizen_client, drafts):
    upload(citizen_client, drafts.a_draft, drafts.a_line, PDF, "Tandlæge tilbud.pdf")
    [row] = attachments(app)
    response = download(citizen_client, row.id)
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Tandl%C3%A6ge%20tilbud.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_an_image_is_sent_as_an_image_attachment(app, citizen_client, drafts):
    upload(citizen_client, drafts.a_draft, drafts.a_line, png_bytes(), "kvittering.png")
    [row] = attachments(app)
    response = download(citizen_client, row.id)
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"] == 'attachment; filename=kvittering.png'


def _uploaded_by_a(app, drafts) -> Attachment:
    owner = signed_in_citizen(app, drafts.world)
    assert upload(owner, drafts.a_draft, drafts.a_line, PDF, "tilbud.pdf").status_code == 200
    [row] = attachments(app)
    return row


def _extra_staff(app, drafts, role: Role, email: str) -> None:
    with app.app_context():
        team = db.session.get(Team, drafts.world.team_id)
        services.create_staff(team, email, email, role, PASSWORD, must_change_password=False)
        db.session.commit()


@pytest.mark.parametrize("who", ["con@teama.dk", "fac@teama.dk", "lead@teama.dk"])
def test_those_who_may_see_the_draft_may_download(app, client, drafts, who):
    row = _uploaded_by_a(app, drafts)
    login_staff(client, who)
    assert download(client, row.id).status_code == 200


def test_citizen_b_cannot_download_upload_to_or_delete_from_a(app, client, drafts):
    row = _uploaded_by_a(app, drafts)
    join_citizen(client, drafts.world.course_code, drafts.b_code)
    assert download(client, row.id).status_code == 404
    # A's line through A's draft, and A's line smuggled into B's own draft.
    assert upload(client, drafts.a_draft, drafts.a_line, PDF, "x.pdf").status_code == 404
    assert upload(client, drafts.b_draft, drafts.a_line, PDF, "x.pdf").status_code == 404
    assert client.post(f"/attachments/{row.id}/delete", headers=HX).status_code == 404
    assert [r.id for r in attachments(app)] == [row.id]
    assert len(stored_files(app)) == 1
    # B's own line works.
    assert upload(client, drafts.b_draft, drafts.b_line, PDF, "mit.pdf").status_code == 200


def test_staff_of_another_team_and_another_consultant_get_404(app, client, drafts, make_world):
    row = _uploaded_by_a(app, drafts)
    make_world("Team B")
    login_staff(client, "lead@teamb.dk")
    assert download(client, row.id).status_code == 404
    client.post("/logout")
    _extra_staff(app, drafts, Role.JOB_CONSULTANT, "con2@teama.dk")
    login_staff(client, "con2@teama.dk")  # same team, but not A's own job consultant
    assert download(client, row.id).status_code == 404


def test_staff_cannot_upload_or_delete(app, client, drafts):
    row = _uploaded_by_a(app, drafts)
    login_staff(client, "con@teama.dk")
    assert upload(client, drafts.a_draft, drafts.a_line, PDF, "x.pdf").status_code == 403
    assert client.post(f"/attachments/{row.id}/delete", headers=HX).status_code == 403
    assert len(attachments(app)) == 1


def test_anonymous_gets_nothing(app, client, drafts):
    row = _uploaded_by_a(app, drafts)
    assert download(client, row.id).status_code == 302
    assert upload(client, drafts.a_draft, drafts.a_line, PDF, "x.pdf").status_code == 401


def test_unknown_ids_are_404(app, citizen_client, drafts):
    assert download(citizen_client, 999).status_code == 404
    assert upload(citizen_client, 999, drafts.a_line, PDF, "x.pdf").status_code == 404
    assert upload(citizen_client, drafts.a_draft, 999, PDF, "x.pdf").status_code == 404
    assert citizen_client.post("/attachments/999/delete", headers=HX).status_code == 404


def test_a_missing_file_is_404_not_a_crash(app, client, drafts):
    row = _uploaded_by_a(app, drafts)
    stored_files(app)[0].unlink()
    join_citizen(client, drafts.world.course_code, drafts.a_code)
    assert download(client, row.id).status_code == 404


def test_upload_without_csrf_token_is_refused(app, citizen_client, drafts):
    response = citizen_client.post(f"/drafts/{drafts.a_draft}/lines/{drafts.a_line}/attachments",
                                   data={"file": (io.BytesIO(PDF),
                                                  "x.pdf")}, headers=HX, csrf=False,
                                   content_type="multipart/form-data")
    assert response.status_code == 400
    assert attachments(app) == [] and stored_files(app) == []


# -- delete --------------------------------------------------------------------------------------


def test_delete_removes_the_row_and_the_file(app, citizen_client, drafts):
    upload(citizen_client, drafts.a_draft, drafts.a_line, PDF, "gammel.pdf")
    upload(citizen_client, drafts.a_draft, drafts.a_line, PDF, "ny.pdf")
    old, new = attachments(app)
    response = citizen_client.post(f"/attachments/{old.id}/delete", headers=HX)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Fjernet: gammel.pdf" in page and "ny.pdf" in page
    assert [r.id for r in attachments(app)] == [new.id]
    assert [p.name for p in stored_files(app)] == [new.storage_name]


def test_deleting_a_budget_line_removes_its_files_after_the_commit(app, citizen_client, drafts):
    upload(citizen_client, drafts.a_draft, drafts.a_line, PDF, "tilbud.pdf")
    upload(citizen_client, drafts.a_draft, drafts.a_other_line, PDF, "andet.pdf")
    with app.test_request_context():
        db.session.delete(db.session.get(BudgetLine, drafts.a_line))
        db.session.flush()
        assert len(stored_files(app)) == 2  # not before the commit …
        db.session.rollback()
        assert len(stored_files(app)) == 2  # … and not at all when it is rolled back
        db.session.delete(db.session.get(BudgetLine, drafts.a_line))
        db.session.commit()
    assert [r.original_name for r in attachments(app)] == ["andet.pdf"]
    assert len(stored_files(app)) == 1


def test_removing_a_line_from_its_draft_removes_its_files(app, citizen_client, drafts):
    """The editor removes a line as an orphan of its draft; its files go with it."""
    upload(citizen_client, drafts.a_draft, drafts.a_line, PDF, "tilbud.pdf")
    with app.test_request_context():
        draft = db.session.get(Draft, drafts.a_draft)
        draft.lines.remove(db.session.get(BudgetLine, drafts.a_line))
        db.session.commit()
    assert attachments(app) == [] and stored_files(app) == []


def test_without_javascript_upload_and_delete_go_back_to_the_draft(app, citizen_client, drafts):
    referrer = "http://teten.test/somewhere?x=1"
    response = upload(citizen_client, drafts.a_draft, drafts.a_line, PDF, "tilbud.pdf", htmx=False,
                      headers={"Referer": referrer})
    assert response.status_code == 303
    with app.test_request_context():
        try:
            expected = url_for("budgets.my_draft", _anchor=f"attachments-{drafts.a_line}")
        except BuildError:  # the editor's page is not there yet: back where the form was
            expected = f"/somewhere?x=1#attachments-{drafts.a_line}"
    assert response.headers["Location"] == expected
    with citizen_client.session_transaction() as session:
        assert ("message", "Vedhæftet: tilbud.pdf") in session["_flashes"]
    [row] = attachments(app)
    response = citizen_client.post(f"/attachments/{row.id}/delete",
                                   headers={"Referer": "https://evil.example/phish"})
    assert response.status_code == 303
    assert "evil.example" not in response.headers["Location"]
    assert attachments(app) == [] and stored_files(app) == []


# -- the partial as the editor includes it -------------------------------------------------------


def render_attachments(app, person_id: int, person_kind: type, line_id: int,
                       can_edit: bool) -> str:
    with app.test_request_context():
        g._login_user = db.session.get(person_kind, person_id)  # signed in, as Flask-Login sees it
        line = db.session.get(BudgetLine, line_id)
        # (the context the routes build: the reader's right to edit is worked out there)
        return render_template("budgets/_attachments.html",
                               **{**fragments.attachments_context(line), "can_edit": can_edit})


def test_partial_for_the_owner_lists_and_offers_upload(app, citizen_client, drafts):
    upload(citizen_client, drafts.a_draft, drafts.a_line, PDF + b"%" * 3000,
           "Pris <img src=x onerror=alert(1)>.pdf")
    [row] = attachments(app)
    a_id = drafts.world.citizens[0][0]
    html = render_attachments(app, a_id, Citizen, drafts.a_line, True)
    assert f'href="/attachments/{row.id}"' in html
    assert '<span class="attachment-name" hx-disable>Pris &lt;img src=x onerror=alert(1)&gt;.pdf' \
        in html
    assert "<img" not in html
    assert "4 kB" in html
    assert f'action="/attachments/{row.id}/delete"' in html
    assert 'enctype="multipart/form-data"' in html
    assert f'hx-post="/drafts/{drafts.a_draft}/lines/{drafts.a_line}/attachments"' in html
    assert ('accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"') in html
    assert "capture=" not in html  # a phone offers camera *and* files; capture would force one
    assert "Vedhæft et tilbud, en kvittering eller et billede" in html
    assert "højst 10 MB" in html
    assert 'name="csrf_token"' in html


def test_partial_is_read_only_for_staff_even_if_told_otherwise(app, client, drafts):
    row = _uploaded_by_a(app, drafts)
    html = render_attachments(app, drafts.world.consultant_id, Staff, drafts.a_line, True)
    assert f'href="/attachments/{row.id}"' in html
    assert "<form" not in html
    empty = render_attachments(app, drafts.world.consultant_id, Staff, drafts.a_other_line, False)
    assert "Ingen dokumentation vedhæftet." in empty


@pytest.mark.parametrize(("size", "shown"), [
    (1, "1 kB"), (1024, "1 kB"), (1025, "2 kB"), (350_000, "342 kB"),
    (2_500_000, "2,4 MB"), (10 * 1024 * 1024, "10 MB")])
def test_file_sizes_read_the_danish_way(app, size, shown):
    with app.test_request_context():
        assert file_size(size) == shown


def test_the_attachment_folder_is_configurable(tmp_path, app):
    folder = tmp_path / "elsewhere"
    app.config["ATTACHMENT_DIR"] = str(folder)
    with app.test_request_context():
        assert files.attachment_dir() == folder
    assert folder.is_dir()
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


def test_the_editor_includes_the_partial_on_every_line(app, citizen_client, drafts):
    """Wiring: the citizen's editor shows each line's documentation with the upload form."""
    upload(citizen_client, drafts.a_draft, drafts.a_line, PDF, "tilbud.pdf")
    with app.test_request_context():
        editor_url = url_for("budgets.my_draft")
    page = citizen_client.get(editor_url).get_data(as_text=True)
    for line_id in (drafts.a_line, drafts.a_other_line):
        assert f'id="attachments-{line_id}"' in page
        assert f'action="/drafts/{drafts.a_draft}/lines/{line_id}/attachments"' in page
    assert "tilbud.pdf" in page
