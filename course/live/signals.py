"""What the running day tells the features above it (blinker; receivers connect in their
feature's ``init_app``). Receivers flush and queue pushes; the route commits and pushes."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent (sender: the course) when a citizen is checked in or marked as left, with ``citizen``
#: and ``present``; a running feedback round follows it (:mod:`course.rounds`).
presence_changed = _signals.signal("presence-changed")

#: Sent (sender: the course) when the running day moves to another item, starts or ends, with
#: ``running`` (the running day, or None when none runs); what belongs to an item (an idea
#: wall prepared on it) ends with it (:mod:`course.ideas`).
day_moved = _signals.signal("day-moved")
