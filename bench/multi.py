"""Many rooms: two Teten processes behind a (simulated) balancer, Redis and PostgreSQL.

30 rooms of 50 phones and a projector each, routed one of two ways (:data:`ROUTINGS`):

- ``course`` (the documented topology, docs/deploy.md): the processes own courses
  (``COURSE_WORKERS=2``, ``COURSE_WORKER_INDEX`` 0 and 1) and every device of a room — its
  phones' sign-in, pages, comments and sockets, and its projector — talks to the process that
  owns the room's course (``course id % 2``), as nginx routes them by the course cookie and the
  socket URL's ``course``. A push to the room's phones and projector stays in that process.
- ``ip`` (a plain sticky balancer, ``ip_hash``): the processes own no course, and a room's
  phones are spread over both: phone *i* talks to process ``i % 2`` for everything, the room's
  projector to process ``r % 2``. A push reaches half of its room through Redis from the other
  process.

**The workload** is a workshop's rate: one comment per phone per 30 s on average, with bursts.
Each phone comments at random (Poisson) at one per 40 s; on top of that each room has a burst
a minute, in which half of its phones comment within 3 s (the facilitator says "now write your
comments"): 25 burst comments per room per minute, one per phone per 120 s, so the mean is one
per phone per 30 s. ``rate_scale`` multiplies both (2.0 = twice a workshop's rate); the run's
wall time is ``seconds`` (75 s by default: the real rate, a shorter session).

A room's comments are sent one after another (the next POST starts when the previous one
answered), so each push is matched to its comment by the room's sequence number; the time a
comment waited for its room's previous one is reported as the send delay (it is not part of
the latency, which runs from the start of the POST to the arrival on each screen).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench import client
from bench.fanout import Phase, Sent
from bench.infra import Server

BASE_PERIOD = 40.0  # seconds between a phone's own comments, on average
BURST_SHARE = 0.5  # of a room's phones comment in a burst
BURST_SECONDS = 3.0
BURST_PERIOD = 60.0  # seconds between a room's bursts
GRACE = 5.0
#: How a room's devices are spread over the processes (see the module's docstring).
ROUTINGS = ("course", "ip")


@dataclass
class RoomRun:
    """One room: its phones (each on its process), its screens and the comments it sent."""

    course: dict[str, Any]
    phones: list[client.Phone]
    screens: list[client.Screen] = field(default_factory=list)
    plan: list[tuple[float, int]] = field(default_factory=list)  # (offset, phone index)
    seqs: dict[str, int] = field(default_factory=dict)
    sent: list[tuple[float, float, float, dict[str, int]]] = field(default_factory=list)
    failed: int = 0
    skipped: int = 0

    def resync(self) -> None:
        """The newest sequence number any of the room's screens got, per stream."""
        for stream, group in self.streams().items():
            self.seqs[stream] = max([self.seqs.get(stream, 0)] + [
                seq for screen in group for seq in screen.arrivals])

    def streams(self) -> dict[str, list[client.Screen]]:
        grouped: dict[str, list[client.Screen]] = {}
        for screen in self.screens:
            grouped.setdefault(screen.stream, []).append(screen)
        return grouped


@dataclass
class MultiResult:
    routing: str
    rooms: int
    phones: int
    seconds: float
    rate_scale: float
    phase: Phase
    send_delay_ms: list[float]
    comments_planned: int
    #: Planned comments not sent: the reviewer was at Teten's limit of 6 a minute.
    comments_skipped: int
    cpu_seconds: dict[str, float]
    rss_per_client_bytes: float
    refetches: client.Refetches | None = None


def plan_comments(room: RoomRun, seconds: float, scale: float, rng: random.Random) -> None:
    """When each phone of the room comments (offsets from the start, in order)."""
    plan = []
    for index in range(len(room.phones)):
        t = rng.expovariate(scale / BASE_PERIOD)
        while t < seconds:
            plan.append((t, index))
            t += rng.expovariate(scale / BASE_PERIOD)
    bursts = max(1, round(seconds * scale / BURST_PERIOD))
    for _ in range(bursts):
        begins = rng.uniform(2.0, max(2.0, seconds - BURST_SECONDS - 2.0))
        for index in rng.sample(range(len(room.phones)), int(len(room.phones) * BURST_SHARE)):
            plan.append((begins + rng.uniform(0, BURST_SECONDS), index))
    room.plan = sorted(plan)


async def _room_worker(http: Any, room: RoomRun, start: float, deadline: float) -> None:
    """Send a room's comments in order, each at its planned time or as soon as the previous
    one answered; what is still unsent at ``deadline`` stays unsent (the server fell behind)."""
    for offset, index in room.plan:
        delay = start + offset - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if time.monotonic() > deadline:
            break
        phone = room.phones[index]
        if phone.recent_posts(time.monotonic()) >= 5:
            room.skipped += 1  # Teten allows 6 a minute; a real reviewer would still be typing
            continue
        seqs = {stream: seq + 1 for stream, seq in room.seqs.items()}
        try:
            status, started, answered = await phone.post_comment(http)
        except (client.Refused, aiohttp.ClientError, OSError, TimeoutError):
            # Whether the server took the comment is unknown: count it failed and take the
            # room's sequence numbers from what its screens received since.
            room.failed += 1
            await asyncio.sleep(2.0)
            room.resync()
            continue
        if status != 200:
            room.failed += 1
            continue
        room.seqs = seqs
        room.sent.append((start + offset, started, answered, seqs))


async def run(cluster: list[Server], courses: list[dict[str, Any]], session_ids: set[str], *,
              seconds: float, rate_scale: float, log: Callable[[str], None],
              routing: str = "ip", refetch: bool = False, seed: int = 7) -> MultiResult:
    """``cluster[i]`` must be the process started with ``COURSE_WORKER_INDEX`` *i* for the
    ``course`` routing."""
    if routing not in ROUTINGS:
        raise ValueError(routing)
    rng = random.Random(seed)
    rooms = []
    for course in courses:
        owner = cluster[course["id"] % len(cluster)]
        phones = [client.Phone((owner if routing == "course" else cluster[i % len(cluster)]).url,
                               course["code"], c["code"], course["round_id"])
                  for i, c in enumerate(course["citizens"])]
        rooms.append(RoomRun(course, phones))
    # The phones sign in at most 8 at a time per process, whatever the routing, so that both
    # routings start alike (sign-in is not what is measured). Sixteen at once on one process
    # once locked up its connection pool — a request held its connection while the session
    # store waited for a second — until course/sessions.py saved on one (376a05c).
    by_process: dict[str, list[client.Phone]] = {}
    for room in rooms:
        for phone in room.phones:
            by_process.setdefault(phone.base, []).append(phone)
    everyone = [p for room in rooms for p in room.phones]
    async with client.new_http() as http:
        began = time.monotonic()
        await asyncio.gather(*(client.join_all(http, phones, session_ids, concurrency=8)
                               for phones in by_process.values()))
        log(f"many rooms ({routing}): {len(everyone)} phones signed in on {len(cluster)} processes "
            f"in {time.monotonic() - began:.0f} s")

        rss0 = sum(server.rss_bytes() for server in cluster)
        connections = []
        refetches = client.Refetches() if refetch else None
        for r, room in enumerate(rooms):
            for i, phone in enumerate(room.phones):
                screen = client.Screen(f"{room.course['key']}-phone{i}", "round-ping",
                                       follow=phone.follower(http, refetches)
                                       if refetches else None)
                room.screens.append(screen)
                connections.append((screen, phone.base, {"cookie": phone.cookie_header}))
            projector = client.Screen(f"{room.course['key']}-projector",
                                      client.PROJECTOR_TARGET)
            room.screens.append(projector)
            projector_on = (cluster[room.course["id"] % len(cluster)] if routing == "course"
                            else cluster[r % len(cluster)])
            connections.append((projector, projector_on.url,
                                {"auth": {"display": room.course["display_token"]}}))
        began = time.monotonic()
        await client.connect_all(http, connections)
        await asyncio.sleep(1.0)
        rss_per_client = (sum(s.rss_bytes() for s in cluster) - rss0) / len(connections)
        log(f"many rooms ({routing}): {len(connections)} screens connected "
            f"in {time.monotonic() - began:.0f} s; {seconds:.0f} s of comments")

        for room in rooms:
            for stream, group in room.streams().items():
                room.seqs[stream] = max(s.hello_seq for s in group)
            plan_comments(room, seconds, rate_scale, rng)
        cpu0 = {s.name: s.cpu_seconds() for s in cluster}
        client0 = time.process_time()
        start = time.monotonic() + 0.5
        deadline = start + seconds + 5.0
        await asyncio.gather(*(_room_worker(http, room, start, deadline) for room in rooms))
        if refetches is not None:
            await refetches.drain()
        cpu = {s.name: s.cpu_seconds() - cpu0[s.name] for s in cluster}
        client_cpu = time.process_time() - client0
        await asyncio.sleep(GRACE)
        phase = _account(rooms)
        phase.cpu_seconds = sum(cpu.values())
        phase.client_cpu_seconds = client_cpu
        await client.close_all([s for room in rooms for s in room.screens])

    delays = [(started - planned) * 1000
              for room in rooms for planned, started, _answered, _seqs in room.sent]
    return MultiResult(routing, len(rooms), len(everyone), seconds, rate_scale, phase, delays,
                       sum(len(room.plan) for room in rooms),
                       sum(room.skipped for room in rooms), cpu, rss_per_client, refetches)


def _account(rooms: list[RoomRun]) -> Phase:
    phase = Phase()
    first = last = None
    for room in rooms:
        streams = room.streams()
        phase.failed_posts += room.failed
        for _planned, started, answered, seqs in room.sent:
            phase.post_ms.append((answered - started) * 1000)
            first = started if first is None else min(first, started)
            arrival = phase.count(started, seqs, streams)
            if arrival is not None:
                last = arrival if last is None else max(last, arrival)
            phase.sent.append(Sent(started, answered, seqs))
    if first is not None and last is not None:
        phase.wall_seconds = last - first
    return phase

