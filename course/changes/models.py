"""Minor changes after approval (docs/method.md: the whole amount at once "with the possibility
of minor changes later").

A :class:`ChangeRequest` is the citizen's proposal to change their approved plan: the whole
new plan content (in the :class:`course.approvals.models.PlanVersion` format), proposed on the
decided version it names (``base_version_id``), with the citizen's reason. The job consultant
approves it — a new plan version, decided — or refuses it with a reason. One open proposal per
case at a time.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from course.approvals.models import Case, PlanVersion
    from course.people.models import Staff


class ChangeState(enum.StrEnum):
    PROPOSED = "proposed"  # with the job consultant
    APPROVED = "approved"  # a new plan version, decided
    REFUSED = "refused"  # with the job consultant's reason
    WITHDRAWN = "withdrawn"  # taken back by the citizen before the decision


class ChangeRequest(db.Model):
    """The citizen's proposal to change their approved plan, and the decision on it."""

    __tablename__ = "change_requests"
    __table_args__ = (
        # named in full: PostgreSQL names the index after it, and plan_versions has a
        # "case_number" already
        sa.UniqueConstraint("case_id", "number", name="uq_change_requests_case_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    #: 1, 2, … per case.
    number: Mapped[int]
    #: The decided version the change was proposed on: a proposal on a version that is no
    #: longer the decided one is stale.
    base_version_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_versions.id"))
    #: The whole new plan, as a plan version holds it (``lines``, ``total``, ``cap`` …).
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    #: Why the citizen asks for the change.
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[ChangeState] = mapped_column(str_enum(ChangeState),
                                               default=ChangeState.PROPOSED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    #: Why it was refused (required), or a note with the approval.
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: The plan version an approval made.
    version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan_versions.id"))

    case: Mapped[Case] = relationship()
    decided_by: Mapped[Staff | None] = relationship()
    version: Mapped[PlanVersion | None] = relationship(foreign_keys=[version_id])

    @property
    def is_open(self) -> bool:
        return self.state == ChangeState.PROPOSED

    def __repr__(self) -> str:
        return f"<ChangeRequest {self.id} case {self.case_id} #{self.number} {self.state}>"
