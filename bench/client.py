"""A lean load client: phones and projectors over aiohttp, speaking Engine.IO 4 / Socket.IO 5.

python-socketio's own client costs about 1.7× the CPU of a minimal websocket client, enough
to make the client the bottleneck on a 2-core machine. This one speaks only what a screen
needs, straight over one websocket (no polling upgrade):

- ``0{...}`` the server's open packet; ``40`` / ``40{auth}`` connects the default namespace
  (``44{...}`` refuses it); ``2`` is the server's ping, answered with ``3``;
- ``42[event, data]`` an event. A screen never sends one: Teten disconnects a socket sending
  more than 20 events in 10 s, and a real screen sends none while it is up to date.

Arrival times are taken with :func:`time.monotonic` the moment a frame is read, before it is
parsed. Phones sign in and post over HTTP exactly as the browser does (the join form, htmx's
``X-CSRFToken`` and ``HX-Request`` headers, the review form's fields).
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

#: The audience rooms' names end so (``course:<id>:participants``); the baseline's too.
AUDIENCE_STREAMS = (":participants", ":projector")
SESSION_COOKIE = "teten_session"
DEVICE_COOKIE = "teten_device"

_CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_SNAPSHOT = re.compile(r'name="snapshot_id" value="(\d+)"')
_CHOICE = re.compile(r'name="(criterion|stem)" value="([a-z0-9_]+)"')
_HX_GET = re.compile(r'hx-get="([^"]+)"')
#: The thanks for a comment asks for the reviewer's next plan with its own request.
_NEXT_PLAN = re.compile(r'id="review-next"[^>]*hx-get="([^"]+)"')
_LOADS_ITSELF = 'hx-trigger="load'

#: Comments as reviewers write them (≈ 100–200 characters): the size of a real comment.
COMMENTS = [
    "Jeg kan godt lide, at du har tænkt over, hvordan kørekortet giver dig flere job at søge. "
    "Måske kan du skrive, hvilke firmaer du vil kontakte først?",
    "Dit mål er tydeligt, og posterne passer til det. Hvad nu hvis prisen stiger – har du et "
    "tilbud fra mere end én skole?",
    "Jeg ønsker, at du skriver lidt mere om, hvad du gør de første uger efter kurset, så "
    "jobkonsulenten kan se planen hænge sammen.",
    "Det er realistisk og godt gennemtænkt. Jeg ville selv starte med arbejdstøjet, så du kan "
    "tage vagter med det samme.",
]


def new_http() -> aiohttp.ClientSession:
    """One HTTP client for many phones: each phone sends its own cookies (no shared jar).

    No connection limit: every open websocket holds one of the connector's connections. Idle
    keep-alive connections are dropped after 1 s, before gunicorn drops them (after 2 s): a
    request sent on a connection the server is just closing would fail for nothing.
    """
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=1.0),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=60),
    )


class Refused(Exception):
    """The server refused a socket, a sign-in or a request."""


# -- sockets ----------------------------------------------------------------------------------


#: What the projector waits for: any part of the round board (see :class:`Screen`).
PROJECTOR_TARGET = "round-"


@dataclass
class Screen:
    """One connected screen (a phone or a projector) and the pushes it received.

    ``target`` is the start of the fragment targets it waits for (``round-ping`` on a phone;
    ``round-`` on the projector: after a comment it gets the board's parts the comment changed,
    ``round-<id>-total`` and the plan's tile, after anything else the whole ``round-board``).
    The screen watches its audience's stream (the room whose name ends in ``:participants`` or
    ``:projector``; a phone also has a personal one): every ``live:fragments`` message on it
    carrying such a target is recorded in ``arrivals`` as
    ``seq -> arrival time``, and reported to ``on_arrival``. ``follow``, if given, gets every
    pushed fragment that loads itself (``hx-trigger="load"``, on any of the screen's streams),
    to do what htmx does with it.
    """

    name: str
    target: str
    on_arrival: Callable[[Screen, str, int, float], None] | None = None
    follow: Callable[[str], None] | None = None
    streams: dict[str, int] = field(default_factory=dict)
    arrivals: dict[int, float] = field(default_factory=dict)
    sizes: list[int] = field(default_factory=list)
    #: The watched stream and its sequence number at the hello.
    stream: str = ""
    hello_seq: int = 0
    closed_by_server: bool = False
    _ws: aiohttp.ClientWebSocketResponse | None = None
    _reader: asyncio.Task | None = None
    _hello: asyncio.Event = field(default_factory=asyncio.Event)

    async def connect(self, http: aiohttp.ClientSession, base: str, *, cookie: str | None = None,
                      auth: dict[str, Any] | None = None, timeout: float = 30) -> None:
        """Open the websocket, connect the namespace and wait for the server's hello."""
        url = base.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        headers = {"Origin": base}
        if cookie:
            headers["Cookie"] = cookie
        self._ws = await http.ws_connect(url, headers=headers, autoping=True, max_msg_size=0,
                                         compress=0, timeout=aiohttp.ClientWSTimeout(ws_close=5))
        opened = await asyncio.wait_for(self._ws.receive_str(), timeout)
        if not opened.startswith("0"):
            raise Refused(f"{self.name}: no open packet: {opened[:80]}")
        await self._ws.send_str("40" + (json.dumps(auth) if auth else ""))
        self._reader = asyncio.create_task(self._read())
        try:
            await asyncio.wait_for(self._hello.wait(), timeout)
        except TimeoutError:
            raise Refused(f"{self.name}: no hello (closed: {self.closed_by_server})") from None
        if self.closed_by_server:
            raise Refused(f"{self.name}: refused")
        if not self.stream:
            raise Refused(f"{self.name}: no audience stream in {self.streams}")

    async def _read(self) -> None:
        assert self._ws is not None
        ws = self._ws
        async for message in ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = message.data
            now = time.monotonic()
            if data.startswith("42"):
                self._event(data, now)
            elif data == "2":
                await ws.send_str("3")
            elif data.startswith(("44", "41")):
                self.closed_by_server = True
                self._hello.set()
                break
        self._hello.set()

    def _event(self, data: str, now: float) -> None:
        event, payload = json.loads(data[2:])[:2]
        if event == "live:fragments":
            if payload["stream"] == self.stream and any(
                    f.get("target", "").startswith(self.target)
                    for f in payload["fragments"]):
                seq = payload["seq"]
                self.arrivals[seq] = now
                self.sizes.append(len(data))
                if self.on_arrival is not None:
                    self.on_arrival(self, payload["stream"], seq, now)
            if self.follow is not None:
                for fragment in payload["fragments"]:
                    if _LOADS_ITSELF in fragment.get("html", ""):
                        self.follow(fragment["html"])
        elif event == "live:hello":
            self.streams = payload.get("streams", {})
            for stream, seq in self.streams.items():
                if stream.endswith(AUDIENCE_STREAMS):
                    self.stream, self.hello_seq = stream, seq
            self._hello.set()

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)


async def connect_all(http: aiohttp.ClientSession, screens: list[tuple[Screen, str, dict]],
                      concurrency: int = 25) -> None:
    """Connect many screens, a few at a time (a room arriving, not a connection storm)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(screen: Screen, base: str, kwargs: dict) -> None:
        async with gate:
            await screen.connect(http, base, **kwargs)

    await asyncio.gather(*(one(s, b, k) for s, b, k in screens))


async def close_all(screens: list[Screen]) -> None:
    await asyncio.gather(*(s.close() for s in screens), return_exceptions=True)


# -- phones over HTTP -------------------------------------------------------------------------


@dataclass
class Phone:
    """A citizen's phone: its cookies, CSRF token and the plan it was sent to review."""

    base: str
    course_code: str
    personal_code: str
    round_id: int
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    snapshot_id: int | None = None
    choices: dict[str, list[str]] = field(default_factory=dict)
    posted: int = 0
    post_times: list[float] = field(default_factory=list)
    #: The next plan's URL the thanks for the last comment asked for, not yet fetched.
    next_plan_url: str | None = None

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    @property
    def session_id(self) -> str:
        return self.cookies.get(SESSION_COOKIE, "")

    def _keep(self, response: aiohttp.ClientResponse) -> None:
        for name, morsel in response.cookies.items():
            if name in (SESSION_COOKIE, DEVICE_COOKIE):
                self.cookies[name] = morsel.value

    async def _get(self, http: aiohttp.ClientSession, path: str,
                   headers: dict[str, str] | None = None) -> tuple[int, str]:
        async with http.get(self.base + path, allow_redirects=False,
                            headers={"Cookie": self.cookie_header, **(headers or {})}) as r:
            self._keep(r)
            return r.status, await r.text()

    async def join(self, http: aiohttp.ClientSession, seen_sessions: set[str]) -> None:
        """Sign in on the front page with the course code and the personal code."""
        status, page = await self._get(http, "/")
        seen_sessions.add(self.session_id)
        match = _CSRF_INPUT.search(page)
        if status != 200 or not match:
            raise Refused(f"front page: HTTP {status}")
        form = {"csrf_token": html.unescape(match.group(1)), "course_code": self.course_code,
                "personal_code": self.personal_code}
        async with http.post(self.base + "/join", data=form, allow_redirects=False,
                             headers={"Cookie": self.cookie_header,
                                      "Referer": self.base + "/"}) as r:
            self._keep(r)
            seen_sessions.add(self.session_id)
            if r.status != 302:
                raise Refused(f"join {self.personal_code}: HTTP {r.status}")

    async def load_review(self, http: aiohttp.ClientSession) -> None:
        """Open the review region as htmx does: whose plan to review, the form and its token."""
        status, page = await self._get(http, f"/rounds/{self.round_id}/review",
                                       {"HX-Request": "true"})
        if status != 200:
            raise Refused(f"review: HTTP {status}")
        self._read_form(page)

    def _read_form(self, page: str) -> None:
        token = _CSRF_INPUT.search(page)
        if token:
            self.csrf = html.unescape(token.group(1))
        snapshot = _SNAPSHOT.search(page)
        if snapshot:  # else "no plan needs you now": comments on plans one had are still taken
            self.snapshot_id = int(snapshot.group(1))
        choices: dict[str, list[str]] = {}
        for name, value in _CHOICE.findall(page):
            choices.setdefault(name, []).append(value)
        if choices:
            self.choices = choices

    async def post_comment(self, http: aiohttp.ClientSession,
                           follow: bool = True) -> tuple[int, float, float]:
        """POST one comment as the review form does; returns (status, start, end) times.

        When the thanks asks for the next plan with its own request, ``follow`` makes it now
        (as htmx does); without, its URL is kept in ``next_plan_url`` for
        :meth:`load_next_plan`."""
        if self.snapshot_id is None or not self.csrf:
            raise Refused("no plan to review")
        n = self.posted
        criteria = self.choices.get("criterion") or ["effect"]
        stems = self.choices.get("stem") or ["like"]
        form = {"csrf_token": self.csrf, "snapshot_id": str(self.snapshot_id),
                "criterion": criteria[n % len(criteria)], "stem": stems[n % len(stems)],
                "text": COMMENTS[n % len(COMMENTS)]}
        # As the browser sends it; over HTTPS, Flask-WTF also checks the Referer.
        headers = {"Cookie": self.cookie_header, "X-CSRFToken": self.csrf,
                   "HX-Request": "true", "HX-Target": "review",
                   "Referer": f"{self.base}/rounds/{self.round_id}/review"}
        started = time.monotonic()
        async with http.post(f"{self.base}/rounds/{self.round_id}/review", data=form,
                             headers=headers, allow_redirects=False) as r:
            page = await r.text()
            ended = time.monotonic()
            self._keep(r)
            status = r.status
        self.posted += 1
        self.post_times.append(started)
        if status == 200:
            self._read_form(page)
            found = _NEXT_PLAN.search(page)
            self.next_plan_url = html.unescape(found.group(1)) if found else None
            if follow:  # as htmx does (hx-trigger="load"): part of what a comment costs
                await self.load_next_plan(http)
        return status, started, ended

    async def load_next_plan(self, http: aiohttp.ClientSession) -> None:
        """GET the next plan the thanks for a comment asked for (if it asked)."""
        if self.next_plan_url is None:
            return
        url, self.next_plan_url = self.next_plan_url, None
        status, page = await self._get(http, url, {"HX-Request": "true",
                                                   "HX-Target": "review-next"})
        if status == 200:
            self._read_form(page)

    def follower(self, http: aiohttp.ClientSession, log: Refetches) -> Callable[[str], None]:
        """What htmx does with a pushed fragment that loads itself (``hx-trigger="load"``, e.g.
        the ping telling a plan's owner to refetch their feedback): GET its ``hx-get`` URL with
        this phone's cookie; for :attr:`Screen.follow`."""

        def follow(fragment: str) -> None:
            match = _HX_GET.search(fragment)
            if match:
                log.start(self._refetch(http, html.unescape(match.group(1)), log))

        return follow

    async def _refetch(self, http: aiohttp.ClientSession, path: str, log: Refetches) -> None:
        started = time.monotonic()
        try:
            status, _page = await self._get(http, path, {"HX-Request": "true"})
        except (aiohttp.ClientError, OSError, TimeoutError):
            status = 0
        log.done(status, (time.monotonic() - started) * 1000)

    def recent_posts(self, now: float, window: float = 60.0) -> int:
        """Comments sent in the last ``window`` seconds (Teten allows 6 a minute per reviewer)."""
        return sum(1 for t in self.post_times if now - t < window)


@dataclass
class Refetches:
    """The GETs phones made because a pushed fragment told them to (:meth:`Phone.follower`)."""

    ms: list[float] = field(default_factory=list)
    failed: int = 0
    _running: set[asyncio.Task] = field(default_factory=set)

    def start(self, request: Any) -> None:
        task = asyncio.ensure_future(request)
        self._running.add(task)  # a running task must be referenced, or it may be collected
        task.add_done_callback(self._running.discard)

    def done(self, status: int, ms: float) -> None:
        if status == 200:
            self.ms.append(ms)
        else:
            self.failed += 1

    async def drain(self) -> None:
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)


async def sign_in_staff(http: aiohttp.ClientSession, base: str, email: str, password: str,
                        seen_sessions: set[str]) -> str:
    """Sign a staff member in as the login form does (one password check); their cookie."""
    async with http.get(base + "/login", allow_redirects=False) as r:
        page = await r.text()
        cookie = r.cookies.get(SESSION_COOKIE)
    match = _CSRF_INPUT.search(page)
    if cookie is None or not match:
        raise Refused("login page without a session or a form")
    header = f"{SESSION_COOKIE}={cookie.value}"
    form = {"csrf_token": html.unescape(match.group(1)), "email": email, "password": password}
    async with http.post(base + "/login", data=form, allow_redirects=False,
                         headers={"Cookie": header, "Referer": base + "/login"}) as r:
        if r.status != 302:
            raise Refused(f"staff sign-in: HTTP {r.status}")
        cookie = r.cookies.get(SESSION_COOKIE) or cookie  # a new session id at sign-in
    seen_sessions.add(cookie.value)
    return f"{SESSION_COOKIE}={cookie.value}"


async def join_all(http: aiohttp.ClientSession, phones: list[Phone], seen_sessions: set[str],
                   concurrency: int = 8, review: bool = True) -> None:
    """Sign every phone in (and open its review region), a few at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(phone: Phone) -> None:
        async with gate:
            await phone.join(http, seen_sessions)
            if review:
                await phone.load_review(http)

    await asyncio.gather(*(one(p) for p in phones))
