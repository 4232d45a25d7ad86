"""What the approval queue tells the features above it (blinker; receivers connect in their
feature's ``init_app``). Receivers flush and queue pushes; the route commits and pushes."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent (sender: the case, keyword ``staff``: who approved it) by
#: :func:`course.approvals.services.approve` once the approval is flushed, before the commit:
#: the follow-up plan's meeting dates (``Case.follow_up_dates``) become the case's meetings.
case_approved = _signals.signal("case-approved")
