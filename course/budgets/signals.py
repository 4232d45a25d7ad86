"""What the budget tool tells the features above it (blinker; receivers connect in their
feature's ``init_app``). Receivers flush and queue pushes; the route commits and pushes."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent (sender: the draft; ``comment``: the new :class:`~course.budgets.models.DraftComment`)
#: when the citizen or their job consultant writes in a sparring thread, before the commit.
#: The approval queue notifies the other side and pushes the thread to the case's staff.
comment_added = _signals.signal("comment-added")
