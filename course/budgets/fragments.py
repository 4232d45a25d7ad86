"""The budget tool's parts on other features' pages (see :data:`course.web.page_parts`)."""

from __future__ import annotations

from typing import Any

from course.budgets import services
from course.budgets.access import can_see_draft_in_progress
from course.people.models import Citizen


def citizen_page_part(_page: str, *, citizen: Citizen) -> dict[str, Any]:
    """The participant page (schedule) says whether the citizen has started a plan, and links
    to it for those who follow the citizen."""
    draft = services.draft_of(citizen)
    return {"draft": draft if draft and can_see_draft_in_progress(draft) else None,
            "draft_started": draft is not None}
