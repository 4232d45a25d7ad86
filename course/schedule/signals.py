"""What the schedule feature tells the features above it (blinker; receivers connect in their
feature's ``init_app``). Receivers flush and queue pushes; the route commits and pushes."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent (sender: the course) after an agenda item was added, changed, moved or deleted, before
#: the commit. During a running day the console, the projector and the phones follow.
agenda_changed = _signals.signal("agenda-changed")
