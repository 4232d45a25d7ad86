"""Uploaded files: attachments of budget lines (documentation of a price: a quote, a screenshot,
a PDF), and — through :func:`store_upload` — the receipts of own-account payouts.

What SECURITY.md asks of uploads, in one place:

* the type is decided by the file's first bytes, never by its name or the browser's
  ``Content-Type``: only PDF, JPEG and PNG get in, so an HTML page or an SVG renamed ``.pdf``
  is refused;
* photos are decoded and encoded again by Pillow, which drops EXIF (GPS position, camera,
  time), XMP and comments; an image whose size in pixels could exhaust memory is refused;
* the name the citizen gave is cleaned (no folders, no ``..``, no control or bidi characters,
  capped) and kept only for display and download; the file itself is stored under a random
  name, readable by the server's user only (0600);
* a removed attachment's file is deleted only after the database commit, so a failed commit
  never leaves a row without its file (see :func:`_forget_files_after_commit`).
"""

from __future__ import annotations

import enum
import io
import logging
import os
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from flask import current_app
from PIL import Image, ImageOps
from sqlalchemy.orm import Session, joinedload, object_session

from course.budgets.models import Attachment, BudgetLine
from course.extensions import db

log = logging.getLogger(__name__)

#: Pixels (width × height) an uploaded picture may have. 50 megapixels is more than any phone
#: takes by default; decoded, that is at most ~200 MB of memory. Pillow's own
#: ``Image.MAX_IMAGE_PIXELS`` check is kept as well and counts as a refusal, never a warning.
MAX_PIXELS = 50_000_000
#: Characters kept of a name's stem; the column holds 200.
MAX_STEM = 120
#: What the upload field accepts: extensions for desktops, types so phones offer the camera
#: (iOS turns a HEIC photo into JPEG when JPEG is what the page asks for).
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


@dataclass(frozen=True)
class _Kind:
    content_type: str
    magic: bytes
    extension: str
    extensions: frozenset[str]
    pillow_formats: frozenset[str]  # empty: not a picture, stored as it came


class FileKind(enum.Enum):
    PDF = _Kind("application/pdf", b"%PDF-", ".pdf", frozenset({".pdf"}), frozenset())
    JPEG = _Kind("image/jpeg", b"\xff\xd8\xff", ".jpg", frozenset({".jpg", ".jpeg"}),
                 frozenset({"JPEG", "MPO"}))  # MPO: a phone's JPEG with a depth map
    PNG = _Kind("image/png", b"\x89PNG\r\n\x1a\n", ".png", frozenset({".png"}),
                frozenset({"PNG"}))


KNOWN_EXTENSIONS = frozenset().union(*(kind.value.extensions for kind in FileKind))


class AttachmentError(Exception):
    """An upload was refused. ``code`` says why: ``missing``, ``empty``, ``too_large``,
    ``type``, ``unreadable_image`` or ``too_many_pixels``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def detect_kind(head: bytes) -> FileKind | None:
    """The kind of file whose first bytes are ``head`` — or ``None`` if it is none we take."""
    for kind in FileKind:
        if head.startswith(kind.value.magic):
            return kind
    return None


def clean_name(raw: str | None, kind: FileKind, fallback: str) -> str:
    """A display name from the name the browser sent: no folders, no ``..``, printable, capped.

    The extension always matches the content (``quote.pdf`` that is really a PNG becomes
    ``quote.png``), so the downloaded file opens in the right program.
    """
    name = unicodedata.normalize("NFC", raw or "")
    # Browsers send a bare name, but old ones send C:\Users\...\name; either way only the last
    # part is kept. Control and format characters (e.g. U+202E, which shows "fdp.exe" as
    # "exe.pdf") are removed, not replaced.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if ch.isspace() else ch for ch in name
                   if ch.isspace() or not unicodedata.category(ch).startswith("C"))
    name = " ".join(name.split()).replace("..", "").strip(" .")
    stem, ext = os.path.splitext(name)
    if ext.lower() not in kind.value.extensions:
        if ext.lower() not in KNOWN_EXTENSIONS:
            stem = name  # "price.html" that is a PDF: "price.html.pdf"
        ext = kind.value.extension  # "photo.pdf" that is a JPEG: "photo.jpg"
    stem = stem.strip(" .")[:MAX_STEM].strip(" .") or fallback
    return stem + ext.lower()


def attachment_dir() -> Path:
    """The folder attachments are stored in (``ATTACHMENT_DIR``), created private if missing."""
    folder = Path(current_app.config["ATTACHMENT_DIR"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def path_of(attachment: Attachment) -> Path:
    """Where ``attachment``'s file lies (see :func:`path_for`)."""
    return path_for(attachment.storage_name)


def _read_limited(stream: IO[bytes], max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise AttachmentError("too_large")
    if not data:
        raise AttachmentError("empty")
    return data


def _clean_picture(data: bytes, kind: FileKind) -> bytes:
    """Decode and re-encode a picture: no EXIF, XMP or comments survive; orientation is kept.

    Pillow warns (``DecompressionBombWarning``) above ``Image.MAX_IMAGE_PIXELS`` and refuses
    above twice that; here any such warning refuses the file too, and so does our own, lower
    :data:`MAX_PIXELS`. Other Pillow warnings (a corrupt EXIF block …) are moot: the metadata
    they concern is being dropped.
    """
    try:
        # catch_warnings changes process-wide filters for a moment; the only effect on another
        # thread would be a warning silenced or raised there during that moment.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind.name]) as picture:
                if picture.format not in kind.value.pillow_formats:
                    raise AttachmentError("type")
                width, height = picture.size
                if width * height > MAX_PIXELS:
                    raise AttachmentError("too_many_pixels")
                picture.load()
                icc_profile = picture.info.get("icc_profile")
                clean = ImageOps.exif_transpose(picture)  # a copy, upright, orientation tag gone
                if kind is FileKind.PNG and ("transparency" in clean.info
                                             or clean.mode == "PA"):
                    clean = clean.convert("RGBA")
                elif kind is FileKind.JPEG and clean.mode not in ("L", "RGB", "CMYK"):
                    clean = clean.convert("RGB")
                # Nothing of the original's metadata goes along, except the colour profile
                # (without it a phone's P3 photo looks washed out; it says nothing about anyone).
                clean.info = {}
                out = io.BytesIO()
                if kind is FileKind.JPEG:
                    clean.save(out, format="JPEG", quality=90, icc_profile=icc_profile)
                else:
                    clean.save(out, format="PNG", optimize=False, icc_profile=icc_profile)
                clean.close()
                return out.getvalue()
    except AttachmentError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise AttachmentError("too_many_pixels") from None
    except Exception:  # any decoder failure means "not a picture we can read"
        raise AttachmentError("unreadable_image") from None


def _write_private(data: bytes) -> str:
    """Write ``data`` under a fresh random name, mode 0600; return the name."""
    folder = attachment_dir()
    while True:
        name = secrets.token_hex(16)
        try:
            fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # pragma: no cover — 128 random bits
            continue
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return name


@dataclass(frozen=True)
class StoredFile:
    """An upload that passed the checks and lies on disk under ``storage_name``."""

    storage_name: str
    original_name: str
    content_type: str
    size: int

    @property
    def is_picture(self) -> bool:
        return self.content_type.startswith("image/")


def store_upload(stream: IO[bytes] | None, filename: str | None, *, max_bytes: int,
                 fallback_name: str) -> StoredFile:
    """Check an uploaded file and store it (the one upload path: attachments and receipts).

    :param stream: the uploaded file's content; only ``max_bytes + 1`` bytes are ever read.
    :param filename: the name the browser sent: cleaned, shown, never used to store or decide.
    :param fallback_name: the stem to show when nothing of ``filename`` is left (translated).
    :raises AttachmentError: the file is missing, empty, too large, not a PDF/JPEG/PNG by its
        content, or a picture that cannot be read or has too many pixels.

    The file is on disk when this returns: the caller adds its row, and calls
    :func:`discard_file` if the flush or the commit fails.
    """
    if stream is None:
        raise AttachmentError("missing")
    data = _read_limited(stream, max_bytes)
    kind = detect_kind(data[:16])
    if kind is None:
        raise AttachmentError("type")
    if kind.value.pillow_formats:
        data = _clean_picture(data, kind)
    return StoredFile(storage_name=_write_private(data),
                      original_name=clean_name(filename, kind, fallback_name),
                      content_type=kind.value.content_type, size=len(data))


def path_for(storage_name: str) -> Path:
    """Where a stored file lies. Storage names are hex we made, never a person's input."""
    if not storage_name.isalnum():
        raise ValueError("not a storage name")
    return attachment_dir() / storage_name


def add_attachment(line: BudgetLine, stream: IO[bytes] | None, filename: str | None, *,
                   max_bytes: int, fallback_name: str) -> Attachment:
    """Store an uploaded file as documentation of ``line`` and add its row (flushed); see
    :func:`store_upload` for the checks and what is raised.

    The file is on disk when this returns; if the caller's commit fails it must call
    :func:`discard_file` (the route does).
    """
    stored = store_upload(stream, filename, max_bytes=max_bytes, fallback_name=fallback_name)
    attachment = Attachment(line=line, storage_name=stored.storage_name,
                            original_name=stored.original_name,
                            content_type=stored.content_type, size=stored.size)
    db.session.add(attachment)
    try:
        db.session.flush()
    except Exception:
        discard_file(stored.storage_name)
        raise
    return attachment


def discard_file(storage_name: str) -> None:
    """Delete a stored file if it is there (a failed upload's, or a deleted attachment's)."""
    if not storage_name.isalnum():
        return
    try:
        (attachment_dir() / storage_name).unlink()
    except FileNotFoundError:
        pass
    except OSError:  # pragma: no cover — logged without the name the citizen gave
        log.exception("could not delete attachment file %s", storage_name)


def delete_attachment(attachment: Attachment) -> None:
    """Remove ``attachment``: its row now (flushed), its file once the transaction commits."""
    db.session.delete(attachment)
    db.session.flush()


def attachment_or_none(attachment_id: int) -> Attachment | None:
    """The attachment with its line and draft loaded (for the access check), or ``None``."""
    return db.session.scalar(
        sa.select(Attachment).where(Attachment.id == attachment_id)
        .options(joinedload(Attachment.line).joinedload(BudgetLine.draft)))


# -- files follow their rows: deleted after the commit, whoever deleted the row ------------------
# A budget line or a draft deleted through the ORM cascades to its attachments (the models say
# ``cascade="all, delete-orphan"``), so the editor's "delete line" removes the files too.

_DOOMED = "teten_doomed_attachment_files"


@sa.event.listens_for(Attachment, "after_delete")
def _remember_deleted_file(mapper, connection, target: Attachment) -> None:
    session = object_session(target)
    if session is not None:
        session.info.setdefault(_DOOMED, set()).add(target.storage_name)


@sa.event.listens_for(Session, "after_commit")
def _forget_files_after_commit(session: Session) -> None:
    for storage_name in session.info.pop(_DOOMED, ()):
        discard_file(storage_name)


@sa.event.listens_for(Session, "after_rollback")
def _keep_files_after_rollback(session: Session) -> None:
    session.info.pop(_DOOMED, None)
