"""Teten as production serves it (``course.wsgi:app``), counting its SQL (issue 19's
``comment_sql_statements``).

PostgreSQL's ``pg_stat_statements`` would count on the server's side, but it must be preloaded
(``shared_preload_libraries``), which the shared PostgreSQL of a development machine is not.
So the count is taken the way ``tests/test_query_counts.py`` takes it, inside the process:
SQLAlchemy's ``before_cursor_execute`` on every engine (the request's ORM session and the
session store's own connections alike), plus the transactions (``begin``) and the pool's
checkouts (a checkout pings only a connection idle for 10 s, course/database.py).

``GET /__bench/sql`` answers the counters as JSON; the benchmark reads them before and after
each comment, one comment at a time with no screen connected, so every statement counted
belongs to that comment. This process is used for nothing else (the listeners cost time).
"""

from __future__ import annotations

import json
import re
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from course.wsgi import app as teten

counts = {"statements": 0, "transactions": 0, "checkouts": 0}
#: Statements by their shape (verb and first table), to say which ones a comment runs.
shapes: Counter[str] = Counter()
_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+([\w.\"]+)", re.IGNORECASE)


def shape(statement: str) -> str:
    """``SELECT web_sessions``, ``INSERT comments``, ... (the verb and the first table)."""
    words = statement.split(None, 1)
    verb = words[0].upper() if words else "?"
    table = _TABLE.search(statement)
    return f"{verb} {table.group(1).strip(chr(34)) if table else ''}".strip()


@sa.event.listens_for(Engine, "before_cursor_execute")
def _statement(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
    counts["statements"] += 1
    shapes[shape(statement)] += 1


@sa.event.listens_for(Engine, "begin")
def _begin(*_args: object) -> None:
    counts["transactions"] += 1


@sa.event.listens_for(Pool, "checkout")
def _checkout(*_args: object) -> None:
    counts["checkouts"] += 1


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/__bench/sql":
        body = json.dumps({**counts, "shapes": dict(shapes)}).encode()
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body]
    return teten(environ, start_response)
