"""Who may see and change which draft (object-level rules).

A draft in progress is its owner's, followed by the staff who follow the citizen
(:func:`course.schedule.access.can_follow`). Features above budgets may let more staff read a
draft (:func:`readable_also_by`): the approval queue lets the team's job consultants read a
submitted plan.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, abort, current_app
from flask_babel import gettext as _
from flask_login import current_user

from course.budgets.models import Draft
from course.extensions import db
from course.people.models import Citizen, Staff
from course.schedule.access import can_follow
from course.web import refuse

READERS = "teten.draft_readers"


def readable_also_by(app: Flask, rule: Callable[[Draft], bool]) -> None:
    """Let ``rule`` admit more staff to read (not change) a draft than those following it."""
    app.extensions.setdefault(READERS, []).append(rule)


def can_see_draft_in_progress(draft: Draft) -> bool:
    """A draft in progress: its owner, and the staff following the citizen. Peers never see a
    draft — only round snapshots of it."""
    if isinstance(current_user, Citizen):
        return draft.citizen_id == current_user.id
    return isinstance(current_user, Staff) and can_follow(draft.citizen)


def can_see_draft(draft: Draft) -> bool:
    """A draft in progress (above), or what the features above let more staff read."""
    if can_see_draft_in_progress(draft):
        return True
    return isinstance(current_user, Staff) and any(
        rule(draft) for rule in current_app.extensions.get(READERS, ()))


def can_edit_draft(draft: Draft) -> bool:
    """Only the owner writes their plan."""
    return isinstance(current_user, Citizen) and draft.citizen_id == current_user.id


def writable_draft_or_404(draft_id: int) -> Draft:
    """The current citizen's own draft, to change it: 404 for anyone else's, 409 with a clear
    message while a submitted version is with the job consultants (the draft is read-only)."""
    draft = draft_or_404(draft_id, can_edit_draft)
    ensure_writable(draft)
    return draft


def ensure_writable(draft: Draft) -> None:
    """Refuse a change to a submitted (locked) draft with a translated 409, in the toast: the
    field or line it came from stays as it was."""
    if draft.locked_at is not None:
        abort(refuse(_("Your plan has been submitted and cannot be changed now. If your job "
                       "consultant sends it back, you can change it again."), 409))


def draft_or_404(draft_id: int, rule: Callable[[Draft], bool] = can_see_draft_in_progress
                 ) -> Draft:
    """The draft, if ``rule`` lets the current principal at it; 404 otherwise."""
    draft = db.session.get(Draft, draft_id)
    if draft is None or not rule(draft):
        abort(404)
    return draft
