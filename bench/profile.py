"""Where a comment's (or a page's) CPU goes: one room, requests made in-process, profiled.

``make bench`` measures the whole system; this looks inside one request. It creates a
throwaway PostgreSQL database, seeds one room of N with the benchmark's own seeding path,
signs every phone in through the join form (Flask's test client, no sockets connected, so
the pushes cost what rendering and queueing them costs, not their delivery), then posts
comments the way the phones do and prints:

- the CPU per comment (process time), and how it splits into before and after the commit
  that sends the push;
- the SQL statements per comment, before and after that commit;
- the functions with the most cumulative time (cProfile), or a pyinstrument tree.

::

    python -m bench.profile --size 500 --comments 100
    python -m bench.profile --size 53 --sort tottime --top 40
    python -m bench.profile --page /me/budget --lines 15    # the first phone's GET instead
    python -m bench.profile --queue 200 --page '/queue?view=team'   # their consultant's GET
    python -m bench.profile --size 500 --signins --comments 100 --plain  # first sign-ins
    python -m bench.profile --size 500 --signins --returning --plain  # ... back into the round
    python -m bench.profile --size 53 --votes --comments 200   # votes (each a change)
"""

from __future__ import annotations

import argparse
import cProfile
import html
import io
import json
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import infra
from bench.client import _CHOICE, _CSRF_INPUT, _NEXT_PLAN, _SNAPSHOT, COMMENTS

ROOT = Path(__file__).resolve().parent.parent


def _seed(database_url: str, size: int, lines: int, workdir: Path, secret: str,
          queue: int = 0) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
    env.update(FLASK_APP="course", COURSE_DATABASE_URL=database_url, COURSE_SECRET_KEY=secret,
               COURSE_INSTANCE_PATH=str(workdir / "instance"))
    for args in (["-m", "flask", "db", "upgrade"],
                 ["-m", "bench.seed", f"--course=room:{size}:{lines}",
                  *([f"--queue=queue:{queue}"] if queue else []),
                 f"--out={workdir / 'seed.json'}"]):
        subprocess.run([sys.executable, *args], env=env, cwd=ROOT, check=True,
                       capture_output=True)
    courses = json.loads((workdir / "seed.json").read_text())["courses"]
    return {**courses[0], "queue": courses[1] if queue else None}


class Phone:
    """One signed-in phone on Flask's test client."""

    def __init__(self, app: Any, course: dict[str, Any], citizen: dict[str, Any]) -> None:
        self.client = app.test_client()
        self.round_id = course["round_id"]
        page = self.client.get("/").get_data(as_text=True)
        token = html.unescape(_CSRF_INPUT.search(page).group(1))
        response = self.client.post("/join", data={
            "csrf_token": token, "course_code": course["code"],
            "personal_code": citizen["code"]}, headers={"Referer": "http://localhost/"})
        assert response.status_code == 302, response.status_code
        self.read(self.client.get(f"/rounds/{self.round_id}/review",
                                  headers={"HX-Request": "true"}).get_data(as_text=True))
        self.posted = 0

    def read(self, page: str) -> None:
        self.csrf = html.unescape(_CSRF_INPUT.search(page).group(1))
        found = _SNAPSHOT.search(page)
        self.snapshot_id = int(found.group(1)) if found else None
        self.choices: dict[str, list[str]] = {}
        for name, value in _CHOICE.findall(page):
            self.choices.setdefault(name, []).append(value)

    def vote(self, course_id: int, poll_id: int, choice: int) -> int:
        """Vote (or change the vote) in the open poll, as the phone's poll form does."""
        if not getattr(self, "poll_csrf", None):
            page = self.client.get(f"/courses/{course_id}/poll", headers={
                "HX-Request": "true"}).get_data(as_text=True)
            self.poll_csrf = html.unescape(_CSRF_INPUT.search(page).group(1))
        return self.client.post(f"/courses/{course_id}/polls/{poll_id}/vote",
                                data={"choice": str(choice)}, headers={
                                    "X-CSRFToken": self.poll_csrf, "HX-Request": "true",
                                    "Referer": "http://localhost/me"}).status_code

    def comment(self) -> int:
        n = self.posted
        response = self.client.post(f"/rounds/{self.round_id}/review", data={
            "csrf_token": self.csrf, "snapshot_id": str(self.snapshot_id),
            "criterion": self.choices["criterion"][n % len(self.choices["criterion"])],
            "stem": self.choices["stem"][n % len(self.choices["stem"])],
            "text": COMMENTS[n % len(COMMENTS)]},
            headers={"X-CSRFToken": self.csrf, "HX-Request": "true",
                     "Referer": f"http://localhost/rounds/{self.round_id}/review"})
        self.posted += 1
        if response.status_code == 200:
            # the thanks asks for the next plan with its own request, as htmx makes it
            # (hx-trigger="load"): part of what a comment costs
            found = _NEXT_PLAN.search(response.get_data(as_text=True))
            if found:
                self.read(self.client.get(html.unescape(found.group(1)), headers={
                    "HX-Request": "true", "HX-Target": "review-next"}).get_data(as_text=True))
        return response.status_code


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get(
        "TETEN_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--size", type=int, default=53)
    parser.add_argument("--comments", type=int, default=100)
    parser.add_argument("--posters", type=int, default=40, help="phones that post, in turn")
    parser.add_argument("--page", help="profile GETs of this path by the first phone instead; "
                        "{display_token}, {round_id}, {id} (the course) are filled in")
    parser.add_argument("--queue", type=int, default=0,
                        help="also seed a queue of this many submitted plans; --page is then "
                             "asked for by their job consultant (e.g. --page '/queue?view=team')")
    parser.add_argument("--signins", action="store_true",
                        help="profile the day's first sign-ins instead (POST /join of a phone "
                             "not yet checked in: it is checked in and the consoles told); "
                             "--comments of them, at most the room's size")
    parser.add_argument("--returning", action="store_true",
                        help="with --signins: the arriving phones had left the running round, "
                             "so each sign-in seats them again (their plan back on the board "
                             "among the rest of the room)")
    parser.add_argument("--votes", action="store_true",
                        help="profile votes instead: a poll opened in the room, each phone "
                             "voting in turn, every vote a change of its last (--comments "
                             "of them)")
    parser.add_argument("--lines", type=int, default=15,
                        help="budget lines of the first phone's draft")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--plain", action="store_true",
                        help="no profiler: the CPU per comment as it is")
    parser.add_argument("--statements", action="store_true",
                        help="also print the SQL statements of the last comment")
    args = parser.parse_args(argv)

    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="teten-profile-"))
    secret = os.urandom(16).hex()
    url = infra.create_database(args.postgres)
    try:
        course = _seed(url, args.size, args.lines, workdir, secret, args.queue)
        # as the benchmark's servers run (bench/run.py): the consultant signs in with a password
        os.environ.update(COURSE_DATABASE_URL=url, COURSE_SECRET_KEY=secret,
                          COURSE_INSTANCE_PATH=str(workdir / "instance"),
                          COURSE_STAFF_TWO_FACTOR="false")
        poll = None
        if args.votes:
            env = {k: v for k, v in os.environ.items()}
            subprocess.run([sys.executable, "-m", "bench.seed", "--poll", str(course["id"]),
                            f"--out={workdir / 'poll.json'}"], env=env, cwd=ROOT, check=True,
                           capture_output=True)
            poll = json.loads((workdir / "poll.json").read_text())
        import sqlalchemy as sa
        from sqlalchemy import event

        from course import create_app, realtime
        from course.extensions import db

        app = create_app()
        phones = [Phone(app, course, c) for c in course["citizens"][:args.posters]]
        asker = phones[0].client
        if args.queue:
            asker = app.test_client()
            login = asker.get("/login").get_data(as_text=True)
            consultant = course["queue"]["consultant"]
            signed_in = asker.post("/login", data={
                "csrf_token": html.unescape(_CSRF_INPUT.search(login).group(1)),
                "email": consultant["email"], "password": consultant["password"]},
                headers={"Referer": "http://localhost/login"})
            assert signed_in.status_code == 302, signed_in.status_code
        with app.app_context():
            engine = db.engine
            if args.signins:  # nobody has arrived yet today (their seats in the round stay)
                from course.live.models import Attendance

                db.session.execute(sa.delete(Attendance))
                if args.returning:
                    from peerreview.models import RoundParticipant

                    arriving = [c["id"] for c in course["citizens"][:10 + args.comments]]
                    db.session.execute(sa.update(RoundParticipant).where(
                        RoundParticipant.person_ref.in_(arriving)).values(present=False))
                db.session.commit()
        arrivals = iter(course["citizens"])
        counts = {"before": 0, "after": 0}
        phase = ["before"]
        last: list[str] = []

        @event.listens_for(engine, "before_cursor_execute")
        def _count(_conn: Any, _cursor: Any, statement: str, *_a: Any) -> None:
            counts[phase[0]] += 1
            last.append(f"{phase[0]:6} {' '.join(statement.split())[:160]} {_a[0] if _a else ''}")

        original_commit = realtime.commit_and_push
        split = {"before": 0.0, "after": 0.0}
        mark = [0.0]

        def commit_and_push(*a: Any, **k: Any) -> Any:
            # The first commit of a comment request sends the push; what follows is after it.
            if phase[0] == "before":
                now = time.process_time()
                split["before"] += now - mark[0]
                mark[0] = now
                phase[0] = "after"
            return original_commit(*a, **k)

        realtime.commit_and_push = commit_and_push  # the routes call it through the module

        def sign_in() -> int:
            citizen, arriving = next(arrivals), app.test_client()
            page = arriving.get("/").get_data(as_text=True)
            mark[0] = time.process_time()  # the POST alone
            return arriving.post("/join", data={
                "csrf_token": html.unescape(_CSRF_INPUT.search(page).group(1)),
                "course_code": course["code"], "personal_code": citizen["code"]},
                headers={"Referer": "http://localhost/"}).status_code

        def one(i: int) -> None:
            phone = phones[i % len(phones)]
            phase[0] = "before"
            last.clear()
            mark[0] = time.process_time()
            if args.signins:
                status = 200 if sign_in() == 302 else 500
            elif args.page:
                status = asker.get(args.page.format(**course)).status_code
            elif poll is not None:  # a change each time: 1, 2, 1, 2, ... per phone
                status = phone.vote(poll["course_id"], poll["poll_id"],
                                    1 + (i // len(phones)) % 2)
            else:
                status = phone.comment()
            split["after"] += time.process_time() - mark[0]
            if status != 200:
                raise SystemExit(f"request {i}: HTTP {status}")

        for i in range(min(10, args.comments)):  # warm up caches and code paths
            one(i)
        counts.update(before=0, after=0)
        split.update(before=0.0, after=0.0)
        profiler = None
        if args.plain:
            pass
        elif args.pyinstrument:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        else:
            profiler = cProfile.Profile()
            profiler.enable()
        for i in range(10, 10 + args.comments):
            one(i)
        spent = split["before"] + split["after"]
        if args.pyinstrument:
            profiler.stop()
        elif not args.plain:
            profiler.disable()
        n = args.comments
        overhead = "" if args.plain else "; the profiler's overhead included"
        what = ("sign-in back into the round" if args.returning
                else "first sign-in" if args.signins else f"GET {args.page}" if args.page
                else "vote" if args.votes else "comment")
        print(f"room of {args.size}: {n} × {what}, CPU each {spent / n * 1000:.1f} ms "
              f"(before the first commit {split['before'] / n * 1000:.1f} ms, after "
              f"{split['after'] / n * 1000:.1f} ms{overhead})")
        print(f"SQL statements each: {counts['before'] / n:.1f} before the first commit, "
              f"{counts['after'] / n:.1f} after")
        if args.statements:
            print("\n".join(last))
        if args.pyinstrument:
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        elif not args.plain:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())
    finally:
        infra.drop_database(args.postgres, url)


if __name__ == "__main__":
    main()
