"""What the running day tells the features above it (blinker; receivers connect in their
feature's ``init_app``). Receivers flush and queue pushes; the route commits and pushes."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent (sender: the course) when a citizen is checked in or marked as left, with ``citizen``
#: and ``present``; a running feedback round follows it (:mod:`course.rounds`).
presence_changed = _signals.signal("presence-changed")

#: Sent (sender: the course) after the now region was queued for every screen, with
#: ``item_changed`` (the item on now may have moved); the speaker material follows it
#: (:mod:`course.material`).
now_pushed = _signals.signal("now-pushed")

#: Sent (sender: the course) after a change to the questions was queued; the speaker's view
#: follows it (:mod:`course.material`).
questions_pushed = _signals.signal("questions-pushed")
