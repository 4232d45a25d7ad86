"""The WSGI entry point for production: ``gunicorn -k gevent -w 1 course.wsgi:app``.

One worker per gunicorn process (Flask-SocketIO keeps each socket in one process); scale out
with more processes sharing ``COURSE_SOCKETIO_MESSAGE_QUEUE`` behind a sticky load balancer.
"""

from __future__ import annotations

import os

from course import create_app

os.environ.setdefault("COURSE_SOCKETIO_ASYNC_MODE", "gevent")
app = create_app()
