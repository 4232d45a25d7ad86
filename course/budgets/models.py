"""A citizen's budget draft: goal, motivation, budget lines with change theories, strategy.

Every free-text field is saved on its own (autosave), and each field carries a version in
``field_versions``: a save based on a stale version of *the same field* is a conflict, while
edits to different fields from two tabs both stand (see ``budgets.services.save_field``).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from course.people.models import Citizen, Staff
    from course.schedule.models import Course


class Category(enum.StrEnum):
    EDUCATION = "education"  # uddannelse/kursus
    DRIVING_LICENCE = "driving_licence"  # kørekort
    TOOLS = "tools"  # værktøj og udstyr
    HEALTH = "health"  # sundhed: tandbehandling, terapi …
    CLOTHING = "clothing"  # tøj
    TRANSPORT = "transport"
    OTHER = "other"


class PaymentMethod(enum.StrEnum):
    INVOICE = "invoice"  # faktura til kommunen
    OWN_ACCOUNT = "own_account"  # udlæg / egen konto, med kvittering


class StrategyKind(enum.StrEnum):
    CONTINUE = "continue"  # fortsætte
    STOP = "stop"  # holde op med
    START = "start"  # begynde at


class Draft(db.Model):
    """One draft per citizen (a citizen belongs to one course)."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(sa.ForeignKey("citizens.id", ondelete="CASCADE"),
                                            unique=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    goal: Mapped[str] = mapped_column(sa.String(300), default="")
    motivation: Mapped[str] = mapped_column(sa.Text, default="")  # markdown
    motivation_shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set while a submitted version is with the job consultants (or approved / ended): the
    #: draft is read-only. Sending the plan back clears it.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    citizen: Mapped[Citizen] = relationship()
    course: Mapped[Course] = relationship()
    lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="draft", order_by="BudgetLine.position", cascade="all, delete-orphan")
    strategy: Mapped[list[StrategyItem]] = relationship(
        back_populates="draft", order_by="StrategyItem.position", cascade="all, delete-orphan")


class BudgetLine(db.Model):
    """One budget line (budgetpost) with its price, documentation and change theory."""

    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id", ondelete="CASCADE"),
                                          index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(160), default="")
    category: Mapped[Category] = mapped_column(str_enum(Category), default=Category.OTHER)
    amount: Mapped[int | None]  # whole kroner
    need_date: Mapped[date | None]
    price_source: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Why the line has no documentation (a quote, a screenshot), when it has none.
    no_documentation: Mapped[str] = mapped_column(sa.String(500), default="",
                                                  server_default="")
    payment_method: Mapped[PaymentMethod] = mapped_column(
        str_enum(PaymentMethod), default=PaymentMethod.INVOICE)
    private: Mapped[bool] = mapped_column(default=False)
    #: The change theory: this line → this change → better chances of a job; and assumptions.
    change: Mapped[str] = mapped_column(sa.Text, default="")
    job_effect: Mapped[str] = mapped_column(sa.Text, default="")
    assumptions: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    draft: Mapped[Draft] = relationship(back_populates="lines")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="line", order_by="Attachment.created_at", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("amount IS NULL OR amount > 0", name="amount_positive"),
    )

    @property
    def has_change_theory(self) -> bool:
        return bool(self.change.strip() and self.job_effect.strip())


class StrategyItem(db.Model):
    """One item of the personal strategy: something to continue, stop or start doing."""

    __tablename__ = "strategy_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[StrategyKind] = mapped_column(str_enum(StrategyKind))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.String(500), default="")

    draft: Mapped[Draft] = relationship(back_populates="strategy")


class FieldVersion(db.Model):
    """The version of one saved field (``draft:7:goal``, ``line:12:amount``, ``strategy:3:text``).

    A save names the version it was based on; the server bumps it only if it still matches
    (an atomic compare-and-set), so two writers of the same field never overwrite silently.
    """

    __tablename__ = "field_versions"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    version: Mapped[int] = mapped_column(default=1)


class Attachment(db.Model):
    """Documentation of a price (a quote, a screenshot, a PDF), stored under a random name."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_lines.id", ondelete="CASCADE"),
                                         index=True)
    storage_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    line: Mapped[BudgetLine] = relationship(back_populates="attachments")


class DraftComment(db.Model):
    """A message in the sparring between a citizen and their job consultant on a draft: on
    the whole plan (``line_id`` empty) or on one budget line — each is a thread. Written by
    the job consultant (``author_id``) or by the citizen whose draft it is
    (``citizen_author_id``), never both."""

    __tablename__ = "draft_comments"
    __table_args__ = (
        sa.CheckConstraint("(author_id IS NULL) <> (citizen_author_id IS NULL)",
                           name="one_author"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id", ondelete="CASCADE"),
                                          index=True)
    line_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("budget_lines.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    citizen_author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("citizens.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[Staff | None] = relationship(foreign_keys=[author_id])
    citizen_author: Mapped[Citizen | None] = relationship(foreign_keys=[citizen_author_id])
