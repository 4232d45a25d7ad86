"""Speaker material: uploads checked and rendered to page images, the page on the wall, and
the speaker's display links. Flush, never commit (the routes commit, then push).

What an upload must pass (SECURITY.md's rules for uploads, through
:func:`course.budgets.files.store_upload`, the one upload path):

* at most :data:`MAX_BYTES` in all and :data:`MAX_PAGES` pages;
* each file's type by its content: a PDF, a JPEG or a PNG (a renamed HTML page is refused);
* a PDF is opened by PDFium (no script of it runs: no form environment is made) and each page
  rendered to an image at most :data:`PAGE_WIDTH` wide; an encrypted or broken PDF is refused;
  the PDF itself is never stored, so it can never be served to a browser;
* every page image (rendered, or uploaded) goes through ``store_upload``: decoded and encoded
  again by Pillow (no EXIF, no metadata), stored under a random name, mode 0600.
"""

from __future__ import annotations

import io
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TypeVar

import sqlalchemy as sa
from flask import Flask, current_app
from PIL import Image

from course.budgets import files
from course.extensions import db
from course.live.day import running_day
from course.material.models import Material, MaterialPage, MaterialStage, SpeakerLink
from course.people import codes
from course.people.models import Staff
from course.schedule.models import AgendaItem, Course
from course.types import utcnow

#: The most an upload (all its files together) may weigh.
MAX_BYTES = 20 * 1024 * 1024
#: The most pages a material may have.
MAX_PAGES = 100
#: A rendered page's width in pixels (a projector's), and the most a tall page may be.
PAGE_WIDTH = 1920
PAGE_MAX_HEIGHT = 2720
#: The most files one upload may carry.
MAX_FILES = 100

T = TypeVar("T")


class MaterialError(Exception):
    """A refused material operation; ``code`` names the reason (course.material.labels)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its content stream and the name the browser sent."""

    stream: IO[bytes]
    filename: str | None


# -- rendering ------------------------------------------------------------------------------------


def render_pdf(data: bytes) -> list[bytes]:
    """The pages of a PDF as JPEG images, each at most :data:`PAGE_WIDTH` wide.

    :raises MaterialError: ``encrypted`` (a password is asked), ``broken`` (PDFium cannot
        read it, or it has no pages), ``too_many_pages``.
    """
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if getattr(err, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise MaterialError("encrypted") from None
        raise MaterialError("broken") from None
    try:
        count = len(document)
        if count == 0:
            raise MaterialError("broken")
        if count > MAX_PAGES:
            raise MaterialError("too_many_pages")
        images = []
        for index in range(count):
            page = document[index]
            try:
                width, height = page.get_size()
                if width <= 0 or height <= 0:
                    raise MaterialError("broken")
                scale = min(PAGE_WIDTH / width, PAGE_MAX_HEIGHT / height)
                bitmap = page.render(scale=scale)
                picture = bitmap.to_pil().convert("RGB")
                out = io.BytesIO()
                picture.save(out, format="JPEG", quality=88)
                images.append(out.getvalue())
            finally:
                page.close()
        return images
    except MaterialError:
        raise
    except Exception:  # any failure while rendering: a PDF we cannot show
        raise MaterialError("broken") from None
    finally:
        document.close()


def _store_page(data: bytes, name: str) -> files.StoredFile:
    try:
        return files.store_upload(io.BytesIO(data), name, max_bytes=MAX_BYTES,
                                  fallback_name="page")
    except files.AttachmentError as err:
        raise MaterialError(err.code) from None


def _size_of(stored: files.StoredFile) -> tuple[int, int]:
    with Image.open(files.path_for(stored.storage_name)) as picture:
        return picture.size


@dataclass(frozen=True)
class _Page:
    stored: files.StoredFile
    width: int
    height: int


def _render_and_store(app: Flask, contents: list[tuple[bytes, files.FileKind, str | None]]
                      ) -> list[_Page]:
    """Render the PDFs, check the pictures and store every page (see :func:`add_material`);
    the files stored are removed again if anything is refused. Touches no database session:
    it may run in a thread of its own (:func:`_off_the_loop`)."""
    stored: list[files.StoredFile] = []
    with app.app_context():
        try:
            for data, kind, filename in contents:
                if kind is files.FileKind.PDF:
                    pages = render_pdf(data)
                    if len(stored) + len(pages) > MAX_PAGES:
                        raise MaterialError("too_many_pages")
                    stored.extend(_store_page(page, "page.jpg") for page in pages)
                else:
                    if len(stored) + 1 > MAX_PAGES:
                        raise MaterialError("too_many_pages")
                    stored.append(_store_page(data, filename or "page"))
            return [_Page(page, *_size_of(page)) for page in stored]
        except BaseException:
            for page in stored:
                files.discard_file(page.storage_name)
            raise


#: The one native thread PDFs are rendered in under gevent (PDFium is not thread-safe, and a
#: long render on the gevent loop would stall every socket of the process); made when first
#: needed. Without gevent (threads) a lock keeps renders one at a time.
_render_pool = None
_render_lock = threading.Lock()


def _off_the_loop(work: Callable[..., T], *args: object) -> T:
    """Run ``work`` where it blocks no other request: under gevent in a native thread of its
    own (one render at a time), else in this thread, one render at a time."""
    global _render_pool
    from gevent import monkey

    if monkey.is_module_patched("threading"):
        if _render_pool is None:
            from gevent.threadpool import ThreadPool

            _render_pool = ThreadPool(1)
        return _render_pool.apply(work, args)
    with _render_lock:
        return work(*args)


def add_material(course: Course, item: AgendaItem, by: Staff, uploads: list[Upload], *,
                 fallback_name: str) -> Material:
    """Check the uploaded files, render and store their pages, and add the material (flushed).

    :raises MaterialError: ``missing``, ``empty``, ``too_large``, ``too_many_files``, ``type``
        (not a PDF, JPEG or PNG by its content), ``unreadable_image``, ``too_many_pixels``,
        ``encrypted``, ``broken``, ``too_many_pages``.
    Stored files are removed again if anything is refused.
    """
    uploads = [u for u in uploads if u.stream is not None and (u.filename or "").strip()]
    if not uploads:
        raise MaterialError("missing")
    if len(uploads) > MAX_FILES:
        raise MaterialError("too_many_files")
    contents: list[tuple[bytes, files.FileKind, str | None]] = []
    left = MAX_BYTES
    for upload in uploads:
        data = upload.stream.read(left + 1)
        if len(data) > left:
            raise MaterialError("too_large")
        if not data:
            raise MaterialError("empty")
        left -= len(data)
        kind = files.detect_kind(data[:16])
        if kind is None:
            raise MaterialError("type")
        contents.append((data, kind, upload.filename))
    pages = _off_the_loop(_render_and_store, current_app._get_current_object(), contents)
    try:
        first = contents[0]
        material = Material(course_id=course.id, agenda_item_id=item.id,
                            name=files.clean_name(first[2], first[1], fallback_name),
                            created_by_id=by.id)
        db.session.add(material)
        for number, page in enumerate(pages, start=1):
            material.pages.append(MaterialPage(
                number=number, storage_name=page.stored.storage_name,
                content_type=page.stored.content_type, width=page.width, height=page.height))
        db.session.flush()
    except BaseException:
        for page in pages:
            files.discard_file(page.stored.storage_name)
        raise
    return material


def delete_material(material: Material) -> None:
    """Remove a material: its rows now (flushed), its page files once the transaction commits."""
    db.session.delete(material)
    db.session.flush()


# -- reading ---------------------------------------------------------------------------------------


def material_in_course(course: Course, material_id: int) -> Material | None:
    material = db.session.get(Material, material_id)
    return material if material is not None and material.course_id == course.id else None


def by_item(course: Course) -> dict[int, list[Material]]:
    """The materials of each agenda item of the course (by item id), oldest first."""
    found: dict[int, list[Material]] = {}
    for material in db.session.scalars(sa.select(Material).where(
            Material.course_id == course.id).order_by(Material.created_at, Material.id)):
        found.setdefault(material.agenda_item_id, []).append(material)
    return found


def for_item(item_id: int) -> list[Material]:
    return list(db.session.scalars(sa.select(Material).where(
        Material.agenda_item_id == item_id).order_by(Material.created_at, Material.id)))


def current_item_id(course_id: int) -> int | None:
    running = running_day(course_id)
    return running.current_item_id if running is not None else None


@dataclass(frozen=True)
class Shown:
    """The page on the wall now: its material, its number and how many there are."""

    material: Material
    page: MaterialPage

    @property
    def number(self) -> int:
        return self.page.number

    @property
    def count(self) -> int:
        return len(self.material.pages)


def shown(course_id: int) -> Shown | None:
    """The page on the wall now — only while the item its material belongs to is on."""
    stage = db.session.get(MaterialStage, course_id)
    if stage is None or stage.material_id is None:
        return None
    material = db.session.get(Material, stage.material_id)
    if material is None or not material.pages:
        return None
    if material.agenda_item_id != current_item_id(course_id):
        return None  # it ended with its item
    number = min(max(stage.page, 1), len(material.pages))
    return Shown(material, material.pages[number - 1])


def page_in_course(course_id: int, page_id: int) -> MaterialPage | None:
    page = db.session.get(MaterialPage, page_id)
    if page is None or page.material.course_id != course_id:
        return None
    return page


def is_shown(course_id: int, page: MaterialPage) -> bool:
    now = shown(course_id)
    return now is not None and now.page.id == page.id


# -- the wall -------------------------------------------------------------------------------------


def _stage(course_id: int) -> MaterialStage:
    """The course's stage row, locked until the commit and read afresh (two page turns at once
    — the console's clicker and the speaker's — go one after the other, neither lost)."""
    stage = db.session.scalar(sa.select(MaterialStage).where(
        MaterialStage.course_id == course_id).with_for_update()
        .execution_options(populate_existing=True))
    if stage is None:
        stage = MaterialStage(course_id=course_id, material_id=None, page=1)
        db.session.add(stage)
    return stage


def put_up(material: Material) -> None:
    """Put a material on the wall at its first page (only while its item is on).

    :raises MaterialError: ``not_now`` (its item is not the one on now).
    """
    if material.agenda_item_id != current_item_id(material.course_id):
        raise MaterialError("not_now")
    stage = _stage(material.course_id)
    stage.material_id = material.id
    stage.page = 1
    db.session.flush()


def take_down(course_id: int) -> None:
    """Take the material off the wall."""
    stage = db.session.get(MaterialStage, course_id)
    if stage is not None and stage.material_id is not None:
        stage.material_id = None
        stage.page = 1
        db.session.flush()


def turn(course_id: int, step: int) -> Shown:
    """Go ``step`` pages forward or back; at the first or last page it stays there.

    :raises MaterialError: ``not_shown`` (nothing is on the wall).
    """
    stage = _stage(course_id)
    if shown(course_id) is None:
        raise MaterialError("not_shown")
    material = db.session.get(Material, stage.material_id)
    stage.page = min(max(stage.page + step, 1), len(material.pages))
    db.session.flush()
    result = shown(course_id)
    assert result is not None
    return result


def follow_item(course_id: int) -> bool:
    """The day moved on: a material whose item is no longer on is taken down. True if it was."""
    stage = db.session.get(MaterialStage, course_id)
    if stage is None or stage.material_id is None:
        return False
    material = db.session.get(Material, stage.material_id)
    if material is not None and material.agenda_item_id == current_item_id(course_id):
        return False
    stage.material_id = None
    stage.page = 1
    db.session.flush()
    return True


# -- the speaker's display links -------------------------------------------------------------


def create_speaker_link(course: Course, creator: Staff) -> tuple[SpeakerLink, str]:
    """A new link for the screen facing the speaker; returns the link and its token."""
    token = secrets.token_urlsafe(24)
    link = SpeakerLink(course_id=course.id, token_hash=codes.token_hash(token),
                       created_by_id=creator.id)
    db.session.add(link)
    db.session.flush()
    return link, token


def speaker_link_for_token(token: str | None) -> SpeakerLink | None:
    """The live (not revoked) speaker link with this token."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    return db.session.scalar(sa.select(SpeakerLink).where(
        SpeakerLink.token_hash == codes.token_hash(token), SpeakerLink.revoked_at.is_(None)))


def revoke_speaker_link(link: SpeakerLink) -> None:
    link.revoked_at = link.revoked_at or utcnow()
    db.session.flush()


def live_speaker_links(course: Course) -> list[SpeakerLink]:
    return list(db.session.scalars(sa.select(SpeakerLink).where(
        SpeakerLink.course_id == course.id, SpeakerLink.revoked_at.is_(None))
        .order_by(SpeakerLink.created_at, SpeakerLink.id)))


# -- files follow their rows: deleted after the commit ------------------------------------------

_DOOMED = "teten_doomed_material_files"


@sa.event.listens_for(AgendaItem, "before_delete")
def _remember_files_of_item(mapper, connection, target: AgendaItem) -> None:
    """An agenda item deleted takes its material with it (the database cascades the rows);
    their files go once that is committed."""
    session = sa.orm.object_session(target)
    if session is None:
        return
    names = connection.execute(sa.select(MaterialPage.storage_name).join(Material).where(
        Material.agenda_item_id == target.id)).scalars().all()
    session.info.setdefault(_DOOMED, set()).update(names)


@sa.event.listens_for(MaterialPage, "after_delete")
def _remember_deleted_file(mapper, connection, target: MaterialPage) -> None:
    session = sa.orm.object_session(target)
    if session is not None:
        session.info.setdefault(_DOOMED, set()).add(target.storage_name)


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _forget_files_after_commit(session: sa.orm.Session) -> None:
    for storage_name in session.info.pop(_DOOMED, ()):
        files.discard_file(storage_name)


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _keep_files_after_rollback(session: sa.orm.Session) -> None:
    session.info.pop(_DOOMED, None)
