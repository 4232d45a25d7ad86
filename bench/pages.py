"""Page timings: p50/p95 of the server's own time per request, from gunicorn's access log.

Each page is requested one at a time (after a warm-up), so the figure is the time to build
the page, not time spent queueing behind other requests. The client's round trip is kept
alongside for reference.

The list of pages is :data:`PAGES`: one :class:`PageSpec` per page, which says where the page
is, who asks for it and whether it counts towards the targets. A page that needs more seeding
(e.g. the approval queue with 200 plans) is added here with its ``path`` function; until it
exists it is listed in :data:`NOT_YET` and the output says so.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.client import SESSION_COOKIE
from bench.infra import Server
from bench.stats import percentile


@dataclass(frozen=True)
class PageSpec:
    """One page to time.

    ``path(ctx)`` gives the URL path from the run's context (seeded courses, signed-in
    phones); ``who(ctx)`` gives the request headers (a session cookie, or none);
    ``server`` is ``"teten"`` or ``"baseline"``; ``counts`` says whether the page is held to
    the page targets (``False`` for pages listed for information).
    """

    key: str
    label: str
    server: str
    path: Callable[[dict[str, Any]], str]
    who: Callable[[dict[str, Any]], dict[str, str]]
    counts: bool = True


def _citizen(ctx: dict[str, Any]) -> dict[str, str]:
    return {"Cookie": ctx["editor_phone"].cookie_header}


def _consultant(ctx: dict[str, Any]) -> dict[str, str]:
    return {"Cookie": ctx["consultant_cookie"]}


def _nobody(_ctx: dict[str, Any]) -> dict[str, str]:
    return {}


PAGES = [
    PageSpec("editor_15", "draft editor, 15 lines, folded (GET /me/budget)", "teten",
             lambda ctx: "/me/budget", _citizen),
    PageSpec("editor_15_line", "a budget line of it, opened (GET /drafts/<id>/lines/<id>)",
             "teten", lambda ctx: "/drafts/{draft}/lines/{line}".format(
                 draft=ctx["fanout53"]["editor"]["draft"],
                 line=ctx["fanout53"]["editor"]["lines"][7]),
             lambda ctx: {**_citizen(ctx), "HX-Request": "true"}),
    PageSpec("projector_53", "projector board, 53 participants (GET /projector/<token>)",
             "teten", lambda ctx: f"/projector/{ctx['fanout53']['display_token']}", _nobody),
    PageSpec("queue_200", "approval queue, 200 plans (GET /queue?view=team)", "teten",
             lambda ctx: "/queue?view=team", _consultant),
    PageSpec("mine_53", "an owner's feedback, refetched on a comment (GET /rounds/<id>/mine)",
             "teten", lambda ctx: f"/rounds/{ctx['fanout53']['round_id']}/mine", _citizen,
             counts=False),
    PageSpec("bare", "bare Flask template page (baseline)", "baseline",
             lambda ctx: "/bare", _nobody, counts=False),
    PageSpec("fair", "fair page baseline: session + one indexed query (floor, GET /fair)",
             "floor", lambda ctx: "/fair", _citizen, counts=False),
]
#: The page every counted page's p95 is divided by (``page_p95_fair_ratio_max``).
FAIR = "fair"
#: Pages the issue asks for that cannot be measured yet, with the reason printed in the output.
NOT_YET: dict[str, str] = {}


@dataclass
class PageResult:
    spec: PageSpec
    server_ms: list[float]
    client_ms: list[float]
    #: The server times of each round (the pages interleaved: every page once per round).
    rounds: list[list[float]] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return percentile(self.server_ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.server_ms, 95)


async def time_pages(http: aiohttp.ClientSession, servers: dict[str, Server],
                     ctx: dict[str, Any], seen_sessions: set[str], *, requests: int = 200,
                     warmup: int = 20, rounds: int = 5) -> list[PageResult]:
    """Request every page ``warmup`` times, then ``requests`` times in ``rounds`` rounds, one
    request at a time: each round asks for every page ``requests // rounds`` times, in the
    rotating order of :func:`bench.stats.interleave`, so Teten's pages, the bare page and the
    fair baseline share the machine's moments alike. Server times from the access log (only
    200 answers count). A page asked for without a cookie may be given a new session each
    time: their ids go to ``seen_sessions`` (deleted at the end)."""
    from bench.stats import interleave

    specs = [spec for spec in PAGES if spec.server in servers]
    for spec in specs:
        server = servers[spec.server]
        path, headers = spec.path(ctx), spec.who(ctx)
        for _ in range(warmup):
            async with http.get(server.url + path, headers=headers,
                                allow_redirects=False) as response:
                await response.read()
                _keep_session(response, seen_sessions)
                if response.status != 200:
                    raise RuntimeError(f"{spec.key}: GET {path} answered {response.status}")
    await asyncio.sleep(0.2)  # the warm-up's last log lines, before the marks
    results = {spec.key: PageResult(spec, [], [], [[] for _ in range(rounds)]) for spec in specs}
    per_round = max(1, requests // max(1, rounds))
    for r, key in interleave([spec.key for spec in specs], rounds):
        result = results[key]
        server = servers[result.spec.server]
        path, headers = result.spec.path(ctx), result.spec.who(ctx)
        mark = server.access_mark()
        for _ in range(per_round):
            started = time.monotonic()
            async with http.get(server.url + path, headers=headers,
                                allow_redirects=False) as response:
                await response.read()
                _keep_session(response, seen_sessions)
            result.client_ms.append((time.monotonic() - started) * 1000)
        await asyncio.sleep(0.2)  # gunicorn logs a request just after answering it
        logged = [ms for method, logged_path, status, ms in server.access_since(mark)
                  if method == "GET" and logged_path == path.split("?")[0] and status == 200]
        result.rounds[r] = logged
        result.server_ms += logged
    return [results[spec.key] for spec in specs]


def _keep_session(response: aiohttp.ClientResponse, seen_sessions: set[str]) -> None:
    morsel = response.cookies.get(SESSION_COOKIE)
    if morsel is not None and morsel.value:
        seen_sessions.add(morsel.value)
