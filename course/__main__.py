"""``python -m course``: serve Teten with Socket.IO on the development server (threading).

This is what ``make run`` uses. Production serves with gunicorn and gevent (see README).
"""

from __future__ import annotations

import argparse

from course import create_app
from course.extensions import socketio


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    app = create_app()
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True,
                 use_reloader=False, log_output=False)


if __name__ == "__main__":
    main()
