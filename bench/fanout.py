"""Feedback fan-out: one room, N phones and a projector; one comment at a time, then a burst.

The same measuring loop drives Teten and the baseline; only ``post`` differs (a reviewer's
comment through the review form, or the baseline's ``POST /broadcast``).

1. **Latency.** A comment is posted; the loop waits until every screen has the push it caused
   (or a time-out), pauses a few milliseconds, and posts the next. Each delivery's latency is
   *arrival − start of the POST*; a comment's *last screen* is the slowest of its deliveries.
   Server CPU per comment is the worker's CPU over this phase divided by the comments.
2. **Throughput.** Comments are posted back to back, one in flight (the next POST starts when
   the previous one answered), without waiting for deliveries: deliveries per second is
   everything delivered over the time from the first POST to the last arrival.

Pushes are matched to comments by sequence number: each comment advances the phones' stream
and the projector's stream by one, and only one POST is in flight at a time. A delivery that
has not arrived a few seconds after the phase ended is lost.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp

from bench.client import Phone, Refetches, Refused, Screen, close_all, connect_all
from bench.infra import Server

#: A comment not fully delivered after this long is given up on (its missing ones are lost).
DELIVERY_TIMEOUT = 5.0
#: After a phase, how long late pushes may still arrive before they count as lost.
GRACE = 3.0


@dataclass
class Sent:
    """One comment (or baseline broadcast) and the sequence numbers its push carries."""

    started: float
    answered: float
    seqs: dict[str, int]


@dataclass
class Phase:
    """What one phase measured."""

    sent: list[Sent] = field(default_factory=list)
    #: Every delivery's latency (ms), phones and projector together.
    deliveries_ms: list[float] = field(default_factory=list)
    #: Per comment: POST start to the last screen (ms); only comments delivered everywhere.
    last_screen_ms: list[float] = field(default_factory=list)
    post_ms: list[float] = field(default_factory=list)
    expected: int = 0
    lost: int = 0
    failed_posts: int = 0
    #: Per comment delivered everywhere: (POST start, last screen ms), for time windows.
    last_screen_at: list[tuple[float, float]] = field(default_factory=list)
    #: Per comment: (POST start, deliveries lost), for time windows.
    lost_at: list[tuple[float, int]] = field(default_factory=list)
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    client_cpu_seconds: float = 0.0

    @property
    def delivered(self) -> int:
        return self.expected - self.lost

    def count(self, started: float, seqs: dict[str, int],
              screens: dict[str, list[Screen]]) -> float | None:
        """Match one comment's pushes (each room's sequence number) to the screens that should
        have had them: every delivery's latency, the losses and — if every screen got it — the
        last screen's latency. Returns the last arrival (``None`` if nothing arrived)."""
        slowest, complete, last = 0.0, True, None
        lost_before = self.lost
        for stream, seq in seqs.items():
            for screen in screens[stream]:
                self.expected += 1
                arrival = screen.arrivals.get(seq)
                if arrival is None:
                    self.lost += 1
                    complete = False
                    continue
                latency = (arrival - started) * 1000
                self.deliveries_ms.append(latency)
                slowest = max(slowest, latency)
                last = arrival if last is None else max(last, arrival)
        self.lost_at.append((started, self.lost - lost_before))
        if complete:
            self.last_screen_ms.append(slowest)
            self.last_screen_at.append((started, slowest))
        return last


@dataclass
class FanoutResult:
    system: str
    n: int
    latency: Phase
    throughput: Phase
    rss_per_client_bytes: float
    sizes: dict[str, int]
    #: The phones' GETs after pushes that load themselves, as a browser does (``--refetch``).
    refetches: Refetches | None = None
    #: Interleaved runs: one latency phase per block, in the order of the rounds.
    blocks: list[Phase] = field(default_factory=list)
    #: Interleaved runs: worker CPU per socket connect (ms), one figure per reconnect storm.
    connect_cpu_ms: list[float] = field(default_factory=list)

    @property
    def cpu_per_comment_ms(self) -> float:
        done = len(self.latency.sent)
        return self.latency.cpu_seconds / done * 1000 if done else float("nan")

    @property
    def deliveries_per_second(self) -> float:
        return self.throughput.delivered / self.throughput.wall_seconds \
            if self.throughput.wall_seconds else float("nan")


class Waiter:
    """Counts arrivals per (stream, seq) so the loop can wait for one comment's deliveries."""

    def __init__(self) -> None:
        self._remaining: dict[tuple[str, int], int] = {}
        self._done = asyncio.Event()

    def expect(self, seqs: dict[str, int], screens_per_stream: dict[str, int]) -> None:
        self._remaining = {(s, q): screens_per_stream[s] for s, q in seqs.items()}
        self._done.clear()

    def arrived(self, _screen: Screen, stream: str, seq: int, _now: float) -> None:
        key = (stream, seq)
        if key in self._remaining:
            self._remaining[key] -= 1
            if self._remaining[key] <= 0:
                del self._remaining[key]
                if not self._remaining:
                    self._done.set()

    async def wait(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._done.wait(), timeout)
            return True
        except TimeoutError:
            return False


Post = Callable[[], Awaitable[tuple[int, float, float]]]


class Room:
    """The connected screens of one room and the stream sequence numbers they stand at."""

    def __init__(self, screens: list[Screen], refetches: Refetches | None = None) -> None:
        self.screens = screens
        self.refetches = refetches
        self.waiter = Waiter()
        for screen in screens:
            screen.on_arrival = self.waiter.arrived
        self.by_stream: dict[str, list[Screen]] = {}
        self.seqs: dict[str, int] = {}
        for screen in screens:
            self.by_stream.setdefault(screen.stream, []).append(screen)
            self.seqs[screen.stream] = max(self.seqs.get(screen.stream, 0), screen.hello_seq)
        self.counts = {stream: len(group) for stream, group in self.by_stream.items()}

    def next_seqs(self) -> dict[str, int]:
        return {stream: seq + 1 for stream, seq in self.seqs.items()}

    async def run(self, post: Post, comments: int, server: Server, *, wait: bool) -> Phase:
        """Post ``comments`` times; with ``wait``, one comment's deliveries before the next."""
        phase = Phase()
        cpu0, client0, wall0 = server.cpu_seconds(), time.process_time(), time.monotonic()
        for _ in range(comments):
            seqs = self.next_seqs()
            self.waiter.expect(seqs, self.counts)
            status, started, answered = await post()
            if status not in (200, 204):
                phase.failed_posts += 1
                continue
            self.seqs = seqs
            phase.sent.append(Sent(started, answered, seqs))
            phase.post_ms.append((answered - started) * 1000)
            if wait:
                await self.waiter.wait(DELIVERY_TIMEOUT)
                await asyncio.sleep(random.uniform(0.005, 0.015))
        if not wait:
            await self.waiter.wait(DELIVERY_TIMEOUT)  # the last comment
        if self.refetches is not None:
            await self.refetches.drain()  # the work a comment caused, all of it
        phase.cpu_seconds = server.cpu_seconds() - cpu0
        phase.client_cpu_seconds = time.process_time() - client0
        await asyncio.sleep(GRACE if not wait else 0.5)
        self._account(phase, wall0)
        return phase

    def _account(self, phase: Phase, wall0: float) -> None:
        last_arrival = wall0
        for sent in phase.sent:
            arrival = phase.count(sent.started, sent.seqs, self.by_stream)
            if arrival is not None:
                last_arrival = max(last_arrival, arrival)
        if phase.sent:
            phase.wall_seconds = last_arrival - phase.sent[0].started


def teten_poster(http: aiohttp.ClientSession, phones: list[Phone]) -> Post:
    """Reviewers take turns; nobody comes near Teten's limit of 6 comments a minute."""
    turn = 0

    async def post() -> tuple[int, float, float]:
        nonlocal turn
        for _ in range(len(phones) * 2):
            phone = phones[turn % len(phones)]
            turn += 1
            if phone.recent_posts(time.monotonic()) < 5:
                return await phone.post_comment(http)
            if turn % len(phones) == 0:
                await asyncio.sleep(1.0)
        raise Refused("every reviewer is at the rate limit: use more reviewers")

    return post


def baseline_poster(http: aiohttp.ClientSession, base: str, sizes: dict[str, int]) -> Post:
    async def post() -> tuple[int, float, float]:
        started = time.monotonic()
        async with http.post(base + "/broadcast", json=sizes) as response:
            await response.read()
            return response.status, started, time.monotonic()

    return post


async def measure(system: str, server: Server, http: aiohttp.ClientSession,
                  screens_for: Callable[[int], list[tuple[Screen, str, dict]]], post: Post, *,
                  n: int, comments: int, burst: int, warmup: int = 5,
                  settle: float = 1.0, refetches: Refetches | None = None) -> FanoutResult:
    """Memory per screen, a warm-up, then the latency and the throughput phases.

    ``screens_for(k)`` makes the connections of ``k`` phones and the projector. A few are
    connected and closed first, so that code loaded on first use is not counted as the
    sockets' memory; then the worker's RSS is read before and after connecting the room.
    """
    first = screens_for(3)
    await connect_all(http, first)
    await close_all([s for s, _, _ in first])
    await asyncio.sleep(settle)
    rss0 = server.rss_bytes()
    connections = screens_for(n)
    await connect_all(http, connections)
    screens = [s for s, _, _ in connections]
    await asyncio.sleep(settle)
    rss_per_client = (server.rss_bytes() - rss0) / len(screens)
    try:
        room = Room(screens, refetches)
        await room.run(post, warmup, server, wait=True)
        latency = await room.run(post, comments, server, wait=True)
        throughput = await room.run(post, burst, server, wait=False)
    finally:
        await close_all(screens)
    sizes: dict[str, int] = {}
    for stream, group in room.by_stream.items():
        got = sorted(size for screen in group for size in screen.sizes)
        sizes["projector" if stream.endswith("projector") else "phones"] = \
            got[len(got) // 2] if got else 0
    return FanoutResult(system, n, latency, throughput, rss_per_client, sizes, refetches)


# -- interleaved: Teten, the floor and the bare server side by side ----------------------------


@dataclass
class System:
    """One server of an interleaved run: how to connect its room and how to post a comment."""

    name: str
    server: Server
    screens_for: Callable[[int], list[tuple[Screen, str, dict]]]
    post: Post | None = None


def merged(phases: list[Phase]) -> Phase:
    """The blocks of one system taken together (their comments, deliveries and CPU)."""
    out = Phase()
    for phase in phases:
        out.sent += phase.sent
        out.deliveries_ms += phase.deliveries_ms
        out.last_screen_ms += phase.last_screen_ms
        out.last_screen_at += phase.last_screen_at
        out.lost_at += phase.lost_at
        out.post_ms += phase.post_ms
        out.expected += phase.expected
        out.lost += phase.lost
        out.failed_posts += phase.failed_posts
        out.cpu_seconds += phase.cpu_seconds
        out.wall_seconds += phase.wall_seconds
        out.client_cpu_seconds += phase.client_cpu_seconds
    return out


async def _connect(http: aiohttp.ClientSession, system: System, n: int) -> tuple[list[Screen],
                                                                                float]:
    """Connect a room of ``n`` phones and a projector; the worker's CPU per connect (ms)."""
    connections = system.screens_for(n)
    cpu0 = system.server.cpu_seconds()
    await connect_all(http, connections)
    cpu = system.server.cpu_seconds() - cpu0
    return [s for s, _, _ in connections], cpu * 1000 / len(connections)


async def measure_interleaved(http: aiohttp.ClientSession, systems: list[System], *, n: int,
                              rounds: int, block: int, burst: int, storms: int = 0,
                              warmup: int = 5, settle: float = 1.0,
                              screens: dict[str, list[Screen]] | None = None,
                              log: Callable[[str], None] = print) -> dict[str, FanoutResult]:
    """Every system's room connected at once, then ``rounds`` rounds of one block of ``block``
    comments per system, in the rotating order of :func:`bench.stats.interleave`.

    Before the blocks: memory per screen (a few screens connected and closed first, as in
    :func:`measure`) and ``storms`` reconnect storms (the whole room closes and connects
    again, the systems interleaved), each giving the worker's CPU per socket connect. After
    the blocks, each system's throughput phase. ``post`` must be set on every system. The
    floor's and the bare server's posts need Teten's message sizes: Teten comes first in
    ``systems`` (its warm-up runs first) and ``screens`` (the connected screens by system,
    filled here) lets :func:`sizes_seen` read them.
    """
    from bench.stats import interleave

    screens = {} if screens is None else screens
    rss: dict[str, float] = {}
    connect_ms: dict[str, list[float]] = {s.name: [] for s in systems}
    try:
        for system in systems:
            first = system.screens_for(3)
            await connect_all(http, first)
            await close_all([s for s, _, _ in first])
            await asyncio.sleep(settle)
            rss0 = system.server.rss_bytes()
            screens[system.name], _ = await _connect(http, system, n)
            await asyncio.sleep(settle)
            rss[system.name] = (system.server.rss_bytes() - rss0) / len(screens[system.name])
        for storm, name in interleave([s.name for s in systems], storms):
            system = next(s for s in systems if s.name == name)
            await close_all(screens[name])
            await asyncio.sleep(settle)
            screens[name], per_connect = await _connect(http, system, n)
            connect_ms[name].append(per_connect)
            log(f"fan-out N={n}: reconnect storm {storm + 1}/{storms}, {name}: "
                f"{per_connect:.2f} ms CPU per connect")
        rooms = {s.name: Room(screens[s.name]) for s in systems}
        for system in systems:
            assert system.post is not None, system.name
            await rooms[system.name].run(system.post, warmup, system.server, wait=True)
        blocks: dict[str, list[Phase]] = {s.name: [] for s in systems}
        for r, name in interleave([s.name for s in systems], rounds):
            system = next(s for s in systems if s.name == name)
            blocks[name].append(await rooms[name].run(system.post, block, system.server,
                                                      wait=True))
            if name == systems[-1].name and (r + 1) % 5 == 0:
                log(f"fan-out N={n}: {r + 1}/{rounds} rounds")
        throughput = {s.name: await rooms[s.name].run(s.post, burst, s.server, wait=False)
                      for s in systems}
    finally:
        await close_all([s for group in screens.values() for s in group])
    results = {}
    for system in systems:
        sizes: dict[str, int] = {}
        for stream, group in rooms[system.name].by_stream.items():
            got = sorted(size for screen in group for size in screen.sizes)
            sizes["projector" if stream.endswith("projector") else "phones"] = \
                got[len(got) // 2] if got else 0
        results[system.name] = FanoutResult(
            system.name, n, merged(blocks[system.name]), throughput[system.name],
            rss[system.name], sizes, blocks=blocks[system.name],
            connect_cpu_ms=connect_ms[system.name])
    return results


def floor_poster(http: aiohttp.ClientSession, base: str, phones: list[Phone],
                 sizes: Callable[[], dict[str, int]]) -> Post:
    """The floor's comment: a reviewer's cookie (its session is loaded), a text, and the
    sizes of Teten's messages (read when posting: known after Teten's warm-up)."""
    turn = 0

    async def post() -> tuple[int, float, float]:
        nonlocal turn
        phone = phones[turn % len(phones)]
        turn += 1
        started = time.monotonic()
        async with http.post(base + "/comment", json={**sizes(), "text": f"Kommentar {turn}"},
                             headers={"Cookie": phone.cookie_header}) as response:
            await response.read()
            return response.status, started, time.monotonic()

    return post


def lazy_baseline_poster(http: aiohttp.ClientSession, base: str,
                         sizes: Callable[[], dict[str, int]]) -> Post:
    """:func:`baseline_poster` with Teten's sizes read when posting."""

    async def post() -> tuple[int, float, float]:
        started = time.monotonic()
        async with http.post(base + "/broadcast", json=sizes()) as response:
            await response.read()
            return response.status, started, time.monotonic()

    return post


def sizes_seen(screens: Callable[[], list[Screen]]) -> Callable[[], dict[str, int]]:
    """The median message size per audience on Teten's screens so far (200 before any)."""

    def sizes() -> dict[str, int]:
        out = {"phones": 200, "projector": 200}
        for kind, ending in (("phones", ":participants"), ("projector", ":projector")):
            got = sorted(size for screen in screens() if screen.stream.endswith(ending)
                         for size in screen.sizes)
            if got:
                out[kind] = got[len(got) // 2]
        return out

    return sizes
