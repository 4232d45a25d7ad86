"""``make bench``: Teten's benchmarks on the production setup, against its floor and a bare
baseline (issue 19).

What runs, in order (about 5–6 minutes on 2 cores):

1. a fresh PostgreSQL database (``teten_bench_<random>``), migrated and seeded by
   ``bench/seed.py``: a room of 53, a room of 500 and 30 rooms of 50, each in an open round;
2. a Teten process (``gunicorn -k gevent -w 1 course.wsgi:app``, PostgreSQL, sessions in
   PostgreSQL) on which every fan-out phone signs in, the bare server and the floor;
3. SQL statements per comment, counted on a Teten process of its own
   (``bench/counted_wsgi.py``);
4. feedback fan-out for N = 53 and N = 500: Teten, the floor (``bench/floor_server.py``) and
   the bare server (``bench/baseline_server.py``), each on a fresh process with its room
   connected, run **interleaved in blocks** (``--rounds`` rounds of one ``--block`` of
   comments per server, the order rotating), messages of Teten's sizes; memory per connected
   screen; at the largest N, ``--storms`` reconnect storms per server (CPU per connect);
5. page timings, Teten's pages, the bare page and the fair page baseline (a session and one
   indexed query, on the floor) interleaved in ``--page-rounds`` rounds (``bench/pages.py``);
6. many rooms: two Teten processes sharing Redis (message queue) and PostgreSQL, 30 rooms of
   50 phones commenting at a workshop's rate (``bench/multi.py``);
7. the table, ``bench/results/latest.json`` (issue 19's keys, each with its spread over the
   blocks) and the plot ``bench/results/latest.png``.

Everything the run creates is removed afterwards: the database (kept with ``--keep``), the
sessions of its phones (by id), the server processes and their temporary folder (kept, with
the servers' logs, when the run fails).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import client, fanout, infra, multi, pages, report, votes

RESULTS = Path(__file__).resolve().parent / "results"


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Run:
    """One benchmark run: its settings, database, servers and what it measured."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.workdir = Path(tempfile.mkdtemp(prefix="teten-bench-"))
        self.secret = secrets.token_hex(16)
        self.channel = f"teten-bench-{secrets.token_hex(4)}"
        self.database_url = ""
        self.servers: list[infra.Server] = []
        self.session_ids: set[str] = set()
        self.results: dict[str, Any] = {"fanout": {}, "pages": [], "multi_by_routing": {},
                                        "signin": {}, "sql": []}
        self.keep_logs = args.keep

    # -- processes -------------------------------------------------------------------------------

    def env(self, name: str, **settings: str) -> dict[str, str]:
        """A server's environment: ours without any ``COURSE_*``, plus the run's settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
        env.update(FLASK_APP="course", PYTHONUNBUFFERED="1",
                   COURSE_DATABASE_URL=self.database_url,
                   COURSE_SECRET_KEY=self.secret,
                   COURSE_INSTANCE_PATH=str(self.workdir / f"instance-{name}"),
                   COURSE_STAFF_TWO_FACTOR="false")
        env.update({f"COURSE_{k}": v for k, v in settings.items()})
        return env

    def python(self, *args: str, name: str = "setup") -> None:
        done = subprocess.run([sys.executable, *args], env=self.env(name), cwd=infra.ROOT,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")

    def start(self, name: str, app: str, **settings: str) -> infra.Server:
        server = infra.Server(name, app, self.env(name, **settings), self.workdir).start()
        self.servers.append(server)
        return server

    def stop(self, *servers: infra.Server) -> None:
        for server in servers:
            server.stop()
            self.session_ids |= server.session_ids
            if server in self.servers:
                self.servers.remove(server)

    # -- the run -----------------------------------------------------------------------------------

    def prepare(self) -> dict[str, dict[str, Any]]:
        """Database, migrations and seed; returns the seeded courses by key."""
        self.database_url = infra.create_database(self.args.postgres)
        _log(f"database {self.database_url.rsplit('/', 1)[1]}: migrating and seeding")
        self.python("-m", "flask", "db", "upgrade")
        specs = [f"fanout{n}:{n}:15" if n == 53 else f"fanout{n}:{n}" for n in self.args.sizes]
        if 53 not in self.args.sizes:
            specs.append("fanout53:53:15")  # the pages need it
        if self.args.only_multi:
            specs = []
        if not self.args.skip_multi:
            specs += [f"room{r:02d}:{self.args.multi_phones}"
                      for r in range(1, self.args.multi_rooms + 1)]
        queues = [] if self.args.skip_pages or self.args.only_multi else ["queue200:200"]
        out = self.workdir / "seeded.json"
        started = time.monotonic()
        self.python("-m", "bench.seed", *(f"--course={s}" for s in specs),
                    *(f"--queue={q}" for q in queues), f"--out={out}")
        seeded = json.loads(out.read_text())["courses"]
        _log(f"seeded {len(seeded)} courses, "
             f"{sum(len(c.get('citizens', [])) + c.get('plans', 0) for c in seeded)} citizens "
             f"in {time.monotonic() - started:.0f} s")
        return {course["key"]: course for course in seeded}

    async def single_process(self, courses: dict[str, dict[str, Any]]) -> None:
        """Statements per comment, the fan-out for each N and the pages.

        Phones sign in on one Teten process (which then serves the pages); each fan-out runs
        Teten, the floor and the bare server on fresh processes, interleaved in blocks, so that
        the memory a room's sockets take is not hidden in memory the sign-ins left free and
        every ratio compares figures taken in the same minutes. Sessions live in PostgreSQL,
        so a phone's cookie is good on every process (the floor's too).
        """
        signin = self.start("teten", "course.wsgi:app")
        bare = self.start("baseline", "bench.baseline_server:app")
        floor = self.start("floor", "bench.floor_server:app")
        for server in (signin, bare, floor):
            server.wait_ready()
        async with client.new_http() as http:
            phones_by_course = {}
            for key in sorted({f"fanout{n}" for n in self.args.sizes} | {"fanout53"}):
                course = courses[key]
                phones = [client.Phone(signin.url, course["code"], c["code"],
                                       course["round_id"]) for c in course["citizens"]]
                started = time.monotonic()
                posters = phones[:self.args.posters]
                await client.join_all(http, posters, self.session_ids, review=True)
                await client.join_all(http, phones[len(posters):], self.session_ids,
                                      review=False)
                took = time.monotonic() - started
                _log(f"{key}: {len(phones)} phones signed in in {took:.0f} s")
                self.results["signin"][key] = {"phones": len(phones), "seconds": round(took, 1)}
                phones_by_course[key] = phones
            if self.args.sql_comments:
                await self.count_statements(http, phones_by_course["fanout53"])
            for n in self.args.sizes:
                await self.fanout_interleaved(http, courses[f"fanout{n}"],
                                              phones_by_course[f"fanout{n}"])
            if self.args.vote_rounds:
                for n in self.args.sizes:
                    await self.votes_interleaved(http, courses[f"fanout{n}"],
                                                 phones_by_course[f"fanout{n}"])
            if not self.args.skip_pages:
                _log("pages (Teten, bare and the fair baseline interleaved)")
                for phone in phones_by_course["fanout53"]:
                    phone.base = signin.url
                consultant = courses["queue200"]["consultant"]
                ctx = {"fanout53": courses["fanout53"],
                       "editor_phone": phones_by_course["fanout53"][0],
                       "consultant_cookie": await client.sign_in_staff(
                           http, signin.url, consultant["email"], consultant["password"],
                           self.session_ids)}
                self.results["pages"] = await pages.time_pages(
                    http, {"teten": signin, "baseline": bare, "floor": floor}, ctx,
                    self.session_ids, requests=self.args.page_requests,
                    rounds=self.args.page_rounds)
        self.stop(signin, bare, floor)

    async def count_statements(self, http: Any, phones: list[client.Phone]) -> None:
        """SQL statements per comment on a Teten process that counts them
        (``bench/counted_wsgi.py``): one comment at a time, no screen connected."""
        counted = self.start("teten-counted", "bench.counted_wsgi:app")
        counted.wait_ready()
        posters = [p for p in phones if p.snapshot_id is not None]
        for phone in posters:
            phone.base = counted.url

        async def read() -> dict[str, Any]:
            async with http.get(counted.url + "/__bench/sql") as response:
                return await response.json()

        def delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
            return {**{k: after[k] - before[k] for k in ("statements", "transactions",
                                                         "checkouts")},
                    "shapes": {k: v - before["shapes"].get(k, 0)
                               for k, v in after["shapes"].items()
                               if v != before["shapes"].get(k, 0)}}

        await posters[0].post_comment(http)  # the first comment loads code and fills caches
        per_comment: list[dict[str, Any]] = []
        for i in range(self.args.sql_comments):
            phone = posters[(i + 1) % len(posters)]
            before = await read()
            status, _started, _answered = await phone.post_comment(http, follow=False)
            middle = await read()
            asked = phone.next_plan_url is not None
            await phone.load_next_plan(http)
            after = await read()
            if status == 200:
                per_comment.append({**delta(before, middle),
                                    "next_plan": delta(middle, after) if asked else None})
        self.results["sql"] = per_comment
        counts = sorted(c["statements"] for c in per_comment)
        _log(f"SQL per comment (N=53): statements {counts[0]}–{counts[-1]} "
             f"over {len(counts)} comments")
        self.stop(counted)

    async def fanout_interleaved(self, http: Any, course: dict[str, Any],
                                 phones: list[client.Phone]) -> None:
        """Fan-out to N phones and a projector: Teten, the floor and the bare server, each on
        a fresh process, interleaved in blocks (``--rounds`` × ``--block`` comments each)."""
        n = len(phones)
        teten = self.start(f"teten-fanout{n}", "course.wsgi:app")
        floor = self.start(f"floor-fanout{n}", "bench.floor_server:app")
        bare = self.start(f"baseline-fanout{n}", "bench.baseline_server:app")
        for server in (teten, floor, bare):
            server.wait_ready()
        for phone in phones:
            phone.base = teten.url
        posters = [p for p in phones if p.snapshot_id is not None]

        def teten_screens(count: int) -> list[tuple[client.Screen, str, dict]]:
            screens = [(client.Screen(f"phone{i}", "round-ping"), teten.url,
                        {"cookie": p.cookie_header}) for i, p in enumerate(phones[:count])]
            screens.append((client.Screen("projector", client.PROJECTOR_TARGET), teten.url,
                            {"auth": {"display": course["display_token"]}}))
            return screens

        def floor_screens(count: int) -> list[tuple[client.Screen, str, dict]]:
            screens = [(client.Screen(f"phone{i}", "round-ping"), floor.url,
                        {"cookie": p.cookie_header}) for i, p in enumerate(phones[:count])]
            screens.append((client.Screen("projector", client.PROJECTOR_TARGET), floor.url,
                            {"auth": {"room": "projector"}}))
            return screens

        def bare_screens(count: int) -> list[tuple[client.Screen, str, dict]]:
            screens = [(client.Screen(f"phone{i}", "round-ping"), bare.url,
                        {"auth": {"room": "participants"}}) for i in range(count)]
            screens.append((client.Screen("projector", client.PROJECTOR_TARGET), bare.url,
                            {"auth": {"room": "projector"}}))
            return screens

        connected: dict[str, list[client.Screen]] = {}
        sizes = fanout.sizes_seen(lambda: connected.get("teten", []))
        systems = [
            fanout.System("teten", teten, teten_screens, fanout.teten_poster(http, posters)),
            fanout.System("floor", floor, floor_screens,
                          fanout.floor_poster(http, floor.url, posters, sizes)),
            fanout.System("baseline", bare, bare_screens,
                          fanout.lazy_baseline_poster(http, bare.url, sizes)),
        ]
        storms = self.args.storms if n == max(self.args.sizes) else 0
        _log(f"fan-out N={n}: Teten, floor and bare interleaved, {self.args.rounds} rounds of "
             f"{self.args.block} comments each, {storms} reconnect storms")
        results = await fanout.measure_interleaved(
            http, systems, n=n, rounds=self.args.rounds, block=self.args.block,
            burst=self.args.burst, storms=storms, screens=connected, log=_log)
        for name, result in results.items():
            self.results["fanout"][(name, n)] = result
        _log(f"fan-out N={n}: CPU per comment Teten {results['teten'].cpu_per_comment_ms:.1f} "
             f"ms, floor {results['floor'].cpu_per_comment_ms:.1f} ms, bare "
             f"{results['baseline'].cpu_per_comment_ms:.1f} ms; message sizes "
             f"{results['teten'].sizes} / {results['floor'].sizes}")
        self.stop(teten, floor, bare)

    async def votes_interleaved(self, http: Any, course: dict[str, Any],
                                phones: list[client.Phone]) -> None:
        """N phones vote within ``--vote-spread`` seconds, round after round: Teten (a poll
        opened in the room, its results on the projector) and the bare server, each on a
        fresh process, the rounds interleaved (``bench/votes.py``)."""
        n = len(phones)
        out = self.workdir / f"poll-{n}.json"
        self.python("-m", "bench.seed", "--poll", str(course["id"]), f"--out={out}")
        poll = json.loads(out.read_text())
        teten = self.start(f"teten-votes{n}", "course.wsgi:app")
        bare = self.start(f"baseline-votes{n}", "bench.baseline_server:app")
        for server in (teten, bare):
            server.wait_ready()
        for phone in phones:
            phone.base = teten.url
        await votes.load_forms(http, teten.url, phones, course["id"])
        screens: dict[str, votes.CountScreen] = {}

        def teten_screens() -> tuple[list, tuple]:
            screens["teten"] = votes.CountScreen("projector", votes.POLL_TARGET)
            return ([(votes.CountScreen(f"phone{i}", "poll"), teten.url,
                      {"cookie": p.cookie_header}) for i, p in enumerate(phones)],
                    (screens["teten"], teten.url, {"auth": {"display": course["display_token"]}}))

        def bare_screens() -> tuple[list, tuple]:
            return ([(votes.CountScreen(f"phone{i}", "poll"), bare.url,
                      {"auth": {"room": "participants"}}) for i in range(n)],
                    (votes.CountScreen("projector", votes.POLL_TARGET), bare.url,
                     {"auth": {"room": "projector"}}))

        def teten_message_bytes() -> int:  # the bare server's messages are Teten's size
            sizes = screens["teten"].sizes if "teten" in screens else []
            return sizes[-1] if sizes else 1200

        systems = [
            votes.VoteSystem("teten", teten, votes.teten_voter(
                http, teten.url, phones, course["id"], poll["poll_id"]), teten_screens),
            votes.VoteSystem("baseline", bare, votes.bare_voter(
                http, bare.url, teten_message_bytes), bare_screens),
        ]
        _log(f"votes N={n}: Teten and bare interleaved, {self.args.vote_rounds} rounds each, "
             f"every phone voting within {self.args.vote_spread:g} s")
        result = await votes.measure(http, systems, n=n, rounds=self.args.vote_rounds,
                                     options=poll["options"], spread_s=self.args.vote_spread,
                                     log=_log)
        self.results.setdefault("votes", {})[n] = votes.summarise(result)
        self.stop(teten, bare)

    async def many_rooms(self, courses: dict[str, dict[str, Any]]) -> None:
        """The many-rooms run once per routing (``--multi-routing``), each on two fresh
        processes: with ``course`` they own courses (``COURSE_WORKERS=2``), with ``ip`` not."""
        rooms = [courses[f"room{r:02d}"] for r in range(1, self.args.multi_rooms + 1)]
        for routing in self.args.multi_routing:
            settings = {"SOCKETIO_MESSAGE_QUEUE": self.args.redis,
                        "SOCKETIO_CHANNEL": self.channel}
            cluster = []
            for index, name in enumerate(("a", "b")):
                owning = {"WORKERS": "2", "WORKER_INDEX": str(index)} \
                    if routing == "course" else {}
                cluster.append(self.start(f"teten-{routing}-{name}", "course.wsgi:app",
                                          **settings, **owning))
            for server in cluster:
                server.wait_ready()
            self.results["multi_by_routing"][routing] = await multi.run(
                cluster, rooms, self.session_ids, seconds=self.args.multi_seconds,
                rate_scale=self.args.multi_scale, routing=routing, refetch=self.args.refetch,
                log=_log)
            self.stop(*cluster)

    def cleanup(self) -> None:
        for server in list(self.servers):
            self.stop(server)
        if self.session_ids:
            infra.delete_sessions(self.args.redis, self.session_ids)
        if self.database_url and not self.args.keep:
            infra.drop_database(self.args.postgres, self.database_url)
        if self.keep_logs:
            _log(f"kept the servers' logs in {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
        if self.args.keep:
            _log(f"kept the database {self.database_url}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get(
        "TETEN_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="an admin connection that may create and drop databases")
    parser.add_argument("--redis", default=os.environ.get(
        "TETEN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",") if x],
                        default=[53, 500], help="room sizes for the fan-out (default 53,500)")
    parser.add_argument("--rounds", type=int, default=10,
                        help="fan-out rounds: one block of each server (Teten, floor, bare) "
                             "per round, interleaved")
    parser.add_argument("--block", type=int, default=10,
                        help="comments per block (one at a time)")
    parser.add_argument("--storms", type=int, default=3,
                        help="reconnect storms per server at the largest N (connect cost)")
    parser.add_argument("--sql-comments", type=int, default=10,
                        help="comments whose SQL statements are counted (0: skip)")
    parser.add_argument("--burst", type=int, default=60,
                        help="comments per fan-out throughput phase")
    parser.add_argument("--posters", type=int, default=100,
                        help="phones of a fan-out room that post (the rest only listen)")
    parser.add_argument("--page-requests", type=int, default=200)
    parser.add_argument("--page-rounds", type=int, default=5,
                        help="the page requests are split into this many interleaved rounds")
    parser.add_argument("--multi-rooms", type=int, default=30)
    parser.add_argument("--multi-phones", type=int, default=50)
    parser.add_argument("--multi-seconds", type=float, default=75,
                        help="wall time of the many-rooms run")
    parser.add_argument("--multi-scale", type=float, default=1.0,
                        help="comment rate as a multiple of one per phone per 30 s")
    parser.add_argument("--refetch", action="store_true",
                        help="many rooms: phones GET what a pushed fragment that loads itself "
                             "points to (hx-trigger=load), as htmx does; off: the issue "
                             "measures the push")
    parser.add_argument("--vote-rounds", type=int, default=5,
                        help="votes: measured rounds per server and room size (0: skip)")
    parser.add_argument("--vote-spread", type=float, default=5.0,
                        help="votes: every phone votes within this many seconds")
    parser.add_argument("--multi-routing", default=list(multi.ROUTINGS),
                        type=lambda s: [r for r in s.split(",") if r],
                        help="many rooms: how a room's devices are spread over the two "
                             "processes, run in this order (default course,ip): course = on "
                             "the process that owns the course (multi_p99_ms), ip = phone i on "
                             "process i %% 2 (multi_ip_p99_ms)")
    parser.add_argument("--skip-multi", action="store_true")
    parser.add_argument("--only-multi", action="store_true",
                        help="only the many-rooms run (no fan-out, votes, pages or SQL count)")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--keep", action="store_true",
                        help="keep the database and the servers' logs")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    return parser.parse_args(argv)


async def _main(run: Run, courses: dict[str, dict[str, Any]]) -> None:
    if not run.args.only_multi:
        await run.single_process(courses)
    if not run.args.skip_multi:
        await run.many_rooms(courses)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    run = Run(args)
    busy = infra.busy_fraction()
    if busy > 0.15:
        _log(f"the machine is {busy:.0%} busy before the run: expect noisy figures")
    run.results["busy_before"] = busy
    run.results["loadavg_start"] = [round(x, 2) for x in os.getloadavg()]
    run.results["code"] = report.code_version()  # before the run: what the servers load
    began = time.time()
    try:
        courses = run.prepare()
        asyncio.run(_main(run, courses))
    except BaseException:
        for server in run.servers:
            print(server.logs(), file=sys.stderr)
        run.keep_logs = True
        raise
    finally:
        run.cleanup()
    summary = report.build(run.results, args, began)
    print(report.table(summary))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    plot = args.out.with_suffix(".png")
    if report.plot(run.results, plot):
        _log(f"wrote {args.out} and {plot}")
    else:
        _log(f"wrote {args.out} (no plot: matplotlib is not installed)")


if __name__ == "__main__":
    main()
