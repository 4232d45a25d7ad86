"""Votes at room scale (issue 20, point 4): N phones vote within a few seconds.

Every phone of a seeded room votes once in a round, the votes spread evenly over
``--vote-spread`` seconds (5 by default: a room answering a poll); in the next round each
changes its vote (every vote after the first round is a change, which is what costs: the
counts move): in round r every phone votes for option r mod 4. A projector watches the
poll's results on its stream.

Teten coalesces the counts: after a vote is committed the projector (and the consoles) get the
counts at once, or one trailing push follows within 300 ms (``course/polls/pushes.py``). The
bare server (``bench/baseline_server.py``, ``POST /vote``) counts in memory and broadcasts
every vote to the projector, messages of Teten's size: no database, no coalescing.

Per round and server:

- **final ms**: from the last vote sent to the projector showing the round's final counts
  (parsed from the pushed fragment, ``class="poll-count"``), the figure a facilitator sees;
- **deliveries**: messages the projector and the phones received during the round (Teten's
  phones get none: a vote pings no phone);
- **CPU per vote**: the server process's CPU over the round (its trailing push included)
  divided by the votes.

Rounds alternate Teten and bare (the order rotating), so both are measured in the same
minutes; ratios are taken per round and reported with their spread.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench import client
from bench.infra import Server
from bench.stats import interleave, percentile, ratio, spread

#: The projector's poll region (``render_for(course_id, "poll", …)``) and the bare server's.
POLL_TARGET = "poll"
_COUNT = re.compile(r'class="poll-count">(\d+) ')


@dataclass
class CountScreen(client.Screen):
    """A screen that keeps, for the poll's fragments, when each arrived and the counts it
    showed (``seen``), and counts every message it received on any stream (``messages``)."""

    seen: list[tuple[float, list[int]]] = field(default_factory=list)
    messages: int = 0

    def _event(self, data: str, now: float) -> None:
        event, payload = json.loads(data[2:])[:2]
        if event == "live:fragments":
            self.messages += 1
            for fragment in payload["fragments"]:
                if fragment.get("target", "") == self.target:
                    self.sizes.append(len(data))
                    self.seen.append((now, [int(c) for c in _COUNT.findall(
                        fragment.get("html", ""))]))
            return
        super()._event(data, now)


@dataclass
class VoteRound:
    system: str
    votes: int
    failed: int
    final_ms: float  #: last vote sent → the projector shows the final counts (NaN: never)
    cpu_seconds: float
    projector_messages: int
    phone_messages: int

    @property
    def cpu_per_vote_ms(self) -> float:
        return self.cpu_seconds / self.votes * 1000 if self.votes else float("nan")


@dataclass
class VoteResult:
    n: int
    spread_s: float
    rounds: dict[str, list[VoteRound]] = field(default_factory=dict)


Vote = Callable[[int, int], Awaitable[int]]  # (phone index, choice 0-based) → HTTP status


def teten_voter(http: aiohttp.ClientSession, base: str, phones: list[client.Phone],
                course_id: int, poll_id: int) -> Vote:
    async def vote(i: int, choice: int) -> int:
        phone = phones[i]
        async with http.post(f"{base}/courses/{course_id}/polls/{poll_id}/vote",
                             data={"choice": str(choice + 1)}, allow_redirects=False,
                             headers={"Cookie": phone.cookie_header, "X-CSRFToken": phone.csrf,
                                      "HX-Request": "true", "HX-Target": "phone-poll",
                                      "Referer": f"{base}/me"}) as r:
            await r.read()
            return r.status
    return vote


def bare_voter(http: aiohttp.ClientSession, base: str, message_bytes: Callable[[], int]) -> Vote:
    async def vote(i: int, choice: int) -> int:
        async with http.post(f"{base}/vote", json={
                "voter": i, "choice": choice, "bytes": message_bytes()}) as r:
            await r.read()
            return r.status
    return vote


async def load_forms(http: aiohttp.ClientSession, base: str, phones: list[client.Phone],
                     course_id: int) -> None:
    """Each phone opens its poll region once, as the phone page does (its CSRF token)."""
    gate = asyncio.Semaphore(8)

    async def one(phone: client.Phone) -> None:
        async with gate:
            status, page = await phone._get(http, f"/courses/{course_id}/poll",
                                            {"HX-Request": "true"})
            found = client._CSRF_INPUT.search(page)
            if status != 200 or not found:
                raise client.Refused(f"poll region: HTTP {status}")
            phone.csrf = html.unescape(found.group(1))

    await asyncio.gather(*(one(p) for p in phones))


async def vote_round(system: str, server: Server, vote: Vote, projector: CountScreen,
                     phones: list[CountScreen], n: int, round_no: int, options: int,
                     spread_s: float, timeout: float = 15.0) -> VoteRound:
    """One round: every phone votes for option ``round`` mod ``options`` (each changing its
    vote of the round before), evenly over ``spread_s`` seconds; waits for the projector to
    show the final counts — all N on that option, which no earlier moment of the round shows."""
    choices = [round_no % options] * n
    expected = [choices.count(k) for k in range(options)]
    projector.seen.clear()
    before_projector = projector.messages
    before_phones = sum(p.messages for p in phones)
    cpu0 = server.cpu_seconds()
    start = time.monotonic()
    sent_at: list[float] = []

    async def one(i: int) -> int:
        await asyncio.sleep(max(0.0, start + spread_s * i / n - time.monotonic()))
        sent_at.append(time.monotonic())
        return await vote(i, choices[i])

    statuses = await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
    last_sent = max(sent_at)
    deadline = time.monotonic() + timeout
    final_at = None
    while final_at is None and time.monotonic() < deadline:
        final_at = next((t for t, counts in projector.seen if counts == expected), None)
        if final_at is None:
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.4)  # a trailing push still due is part of what the votes cost
    cpu = server.cpu_seconds() - cpu0
    failed = sum(1 for s in statuses if not (isinstance(s, int) and s in (200, 204)))
    return VoteRound(system, n, failed,
                     (final_at - last_sent) * 1000 if final_at is not None else float("nan"),
                     cpu, projector.messages - before_projector,
                     sum(p.messages for p in phones) - before_phones)


@dataclass
class VoteSystem:
    name: str
    server: Server
    vote: Vote
    #: (phone screens, projector screen) to connect: screen, base URL, connect kwargs.
    screens: Callable[[], tuple[list[tuple[CountScreen, str, dict]],
                                tuple[CountScreen, str, dict]]]


async def measure(http: aiohttp.ClientSession, systems: list[VoteSystem], *, n: int,
                  rounds: int, options: int, spread_s: float,
                  log: Callable[[str], None]) -> VoteResult:
    result = VoteResult(n, spread_s, {s.name: [] for s in systems})
    connected: dict[str, tuple[list[CountScreen], CountScreen]] = {}
    try:
        for system in systems:
            phone_specs, projector_spec = system.screens()
            await client.connect_all(http, [*phone_specs, projector_spec])
            connected[system.name] = ([s for s, _b, _k in phone_specs], projector_spec[0])
        # Teten's first round records every phone's first vote; the measured rounds that
        # follow are all changes (one warm-up round per system, not counted).
        by_name = {s.name: s for s in systems}
        for system in systems:
            phones, projector = connected[system.name]
            await vote_round(system.name, system.server, system.vote, projector, phones, n,
                             0, options, spread_s)
        for round_no, name in interleave([s.name for s in systems], rounds):
            phones, projector = connected[name]
            measured = await vote_round(name, by_name[name].server, by_name[name].vote,
                                        projector, phones, n, round_no + 1, options, spread_s)
            result.rounds[name].append(measured)
            log(f"votes N={n} round {round_no + 1} {name}: final {measured.final_ms:.0f} ms "
                f"after the last vote, {measured.projector_messages} projector messages, "
                f"CPU {measured.cpu_per_vote_ms:.2f} ms per vote, {measured.failed} failed")
    finally:
        for phones, projector in connected.values():
            await client.close_all([*phones, projector])
    return result


def summarise(result: VoteResult) -> dict[str, Any]:
    """Per server: the final-count latency (p50, p99 and spread over the rounds), the
    deliveries and the CPU per vote; Teten's ratios to bare taken per round."""
    out: dict[str, Any] = {"n": result.n, "spread_s": result.spread_s}
    for name, rounds in result.rounds.items():
        finals = [r.final_ms for r in rounds]
        out[name] = {
            "rounds": len(rounds), "votes_per_round": result.n,
            "failed_votes": sum(r.failed for r in rounds),
            "final_ms": {"p50": round(percentile(finals, 50), 1),
                         "p99": round(percentile(finals, 99), 1), **spread(finals)},
            "projector_messages_per_round": spread([r.projector_messages for r in rounds]),
            "phone_messages_per_round": spread([r.phone_messages for r in rounds]),
            "cpu_per_vote_ms": spread([r.cpu_per_vote_ms for r in rounds]),
        }
    teten, bare = result.rounds.get("teten", []), result.rounds.get("baseline", [])
    pairs = list(zip(teten, bare, strict=False))
    out["cpu_per_vote_ratio"] = spread([ratio(t.cpu_per_vote_ms, b.cpu_per_vote_ms)
                                        for t, b in pairs])
    out["final_ms_ratio"] = spread([ratio(t.final_ms, b.final_ms) for t, b in pairs])
    return out
