"""Speaker material: the slides or handout an agenda item carries (a PDF's pages rendered to
images, or images), the page on the wall now, and the speaker's display links."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.people.models import Staff
from course.types import UTCDateTime, utcnow


class Material(db.Model):
    """One upload on an agenda item: its pages in order. A PDF is never kept: only the images
    of its pages, rendered on the server when it was uploaded."""

    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    agenda_item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pages: Mapped[list[MaterialPage]] = relationship(
        back_populates="material", order_by="MaterialPage.number",
        cascade="all, delete-orphan")


class MaterialPage(db.Model):
    """One page of a material: an image stored as attachments are (random name, 0600)."""

    __tablename__ = "material_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(
        sa.ForeignKey("materials.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()  #: 1, 2, …
    storage_name: Mapped[str] = mapped_column(sa.String(64))
    content_type: Mapped[str] = mapped_column(sa.String(32))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()

    material: Mapped[Material] = relationship(back_populates="pages")

    __table_args__ = (sa.UniqueConstraint("material_id", "number"),)


class MaterialStage(db.Model):
    """What a course's wall shows of its material: ``material_id`` on page ``page`` while the
    agenda item it belongs to is on (no row, or no material: nothing is up)."""

    __tablename__ = "material_stages"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"),
                                           primary_key=True)
    material_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("materials.id", ondelete="SET NULL"))
    page: Mapped[int] = mapped_column(default=1)


class SpeakerLink(db.Model):
    """A display link for the screen facing the speaker (the token travels in the URL; only
    its hash is kept), made and revoked like a projector's."""

    __tablename__ = "speaker_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[Staff] = relationship()
