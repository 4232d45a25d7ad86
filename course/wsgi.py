"""The WSGI entry point for production: ``gunicorn -k gevent -w 1 course.wsgi:app``.

One worker per gunicorn process (Flask-SocketIO keeps each socket in one process); scale out
with more processes sharing ``COURSE_SOCKETIO_MESSAGE_QUEUE`` behind a sticky load balancer.
"""

from __future__ import annotations

import gc
import os

from course import create_app

os.environ.setdefault("COURSE_SOCKETIO_ASYNC_MODE", "gevent")
app = create_app()

# A full garbage collection walks every object of the process (all its sockets, the ORM's
# identity map) and stalls every push for tens of milliseconds: measured as the p99 of a
# comment's fan-out (bench/README.md). What start-up made is never garbage: freeze it; and
# collect the young generation less often, so full collections become rare (they still run).
gc.freeze()
gc.set_threshold(50_000, 10, 10)
