"""What the people feature tells the features above it (blinker; receivers connect in their
feature's ``init_app``). Receivers flush and queue pushes; the route commits and pushes."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent (sender: the citizen) after a citizen signs in with their codes, before the commit.
#: The running day checks them in when the sign-in falls on one of the course's meetings.
citizen_signed_in = _signals.signal("citizen-signed-in")

#: Sent (sender: the citizen) when staff record the citizen's yes or no, before the commit:
#: where the citizen stands in the process has changed.
participation_changed = _signals.signal("participation-changed")
