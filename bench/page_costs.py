"""The benchmark's pages in-process, before and after a change (issue 19): one seeded database
(as ``make bench`` seeds it: a room of 53 with a 15-line draft, a queue of 200 plans), the
pages asked for through Flask's test client from whichever checkout runs it; per page the wall
time, the CPU time, the SQL statements and their wall time, the Jinja render's wall time, and
the page's HTML with its per-request tokens (CSRF, nonce, the countdown's clock) blanked, so
two checkouts' renders can be compared byte for byte. Not part of ``make bench``.

::

    python -m bench.page_costs seed DIR                  # a database, DIR/seed.json, DIR/env.json
    cd OTHER_CHECKOUT && python /path/to/bench/page_costs.py run DIR before 200
    python -m bench.page_costs run DIR after 200       # DIR/after/*.html; DETAIL=1: per statement
    cmp DIR/before/editor.html DIR/after/editor.html
    python -m bench.page_costs profile DIR editor      # cProfile of one page, course/ only
    python -m bench.page_costs drop DIR                # the database dropped

``PAGES=editor,queue`` times only those pages. The checkout that runs it is the one imported
(its directory goes first on ``sys.path``); translations must be compiled in it.
"""
import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.getcwd())

from bench import infra  # noqa: E402
from bench.client import _CSRF_INPUT  # noqa: E402

ADMIN = os.environ.get("TETEN_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def seed(d: Path) -> None:
    d.mkdir(parents=True, exist_ok=True)
    url = infra.create_database(ADMIN)
    secret = os.urandom(16).hex()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
    env.update(FLASK_APP="course", COURSE_DATABASE_URL=url, COURSE_SECRET_KEY=secret,
               COURSE_INSTANCE_PATH=str(d / "instance"))
    for args in (["-m", "flask", "db", "upgrade"],
                 ["-m", "bench.seed", "--course=fanout53:53:15", "--queue=queue200:200",
                  f"--out={d / 'seed.json'}"]):
        subprocess.run([sys.executable, *args], env=env, check=True)
    (d / "env.json").write_text(json.dumps({"url": url, "secret": secret}))


NORMALISE = [
    (re.compile(r'name="csrf_token" value="[^"]*"'), 'name="csrf_token" value="X"'),
    (re.compile(r'"X-CSRFToken": ?"[^"]*"'), '"X-CSRFToken": "X"'),
    (re.compile(r'X-CSRFToken&#34;: ?&#34;[^&]*&#34;'), 'X-CSRFToken&#34;: &#34;X&#34;'),
    (re.compile(r'nonce="[^"]*"'), 'nonce="X"'),
    (re.compile(r'data-remaining="-?\d+" data-server-now="\d+"\s*data-ends-at="\d+"'
                r'(\s*role="timer" aria-live="off">)-?[\d:]+<'),
     r'data-remaining="X" data-server-now="X" data-ends-at="X"\1X<'),
    (re.compile(r'<meta name="csrf-token" content="[^"]*"'), '<meta name="csrf-token" content="X"'),
]


def run(d: Path, tag: str, n: int) -> None:
    env = json.loads((d / "env.json").read_text())
    os.environ.update(COURSE_STAFF_TWO_FACTOR="false", COURSE_DATABASE_URL=env["url"],
                      COURSE_SECRET_KEY=env["secret"], COURSE_INSTANCE_PATH=str(d / "instance"))
    courses = json.loads((d / "seed.json").read_text())["courses"]
    room, queue = courses[0], courses[1]
    from flask import templating
    from sqlalchemy import event

    import course
    from course import create_app
    from course.extensions import db
    print("course from", course.__file__)
    app = create_app()
    phone = app.test_client()
    page = phone.get("/").get_data(as_text=True)
    token = html.unescape(_CSRF_INPUT.search(page).group(1))
    r = phone.post("/join", data={"csrf_token": token, "course_code": room["code"],
                                  "personal_code": room["citizens"][0]["code"]},
                   headers={"Referer": "http://localhost/"})
    assert r.status_code == 302, r.status_code
    staff = app.test_client()
    login = staff.get("/login").get_data(as_text=True)
    r = staff.post("/login", data={
        "csrf_token": html.unescape(_CSRF_INPUT.search(login).group(1)),
        "email": queue["consultant"]["email"], "password": queue["consultant"]["password"]},
        headers={"Referer": "http://localhost/login"})
    assert r.status_code == 302, (r.status_code, r.headers.get("Location"))
    nobody = app.test_client()
    ed = room["editor"]
    pages = {
        "editor": (phone, "/me/budget", {}),
        "line": (phone, f"/drafts/{ed['draft']}/lines/{ed['lines'][7]}", {"HX-Request": "true"}),
        "projector": (nobody, f"/projector/{room['display_token']}", {}),
        "queue": (staff, "/queue?view=team", {}),
        "projector-fresh": (None, f"/projector/{room['display_token']}", {}),
        "mine": (phone, f"/rounds/{room['round_id']}/mine", {}),
    }
    with app.app_context():
        engine = db.engine
    stat = {"n": 0, "sql": 0.0, "t0": 0.0, "render": 0.0}

    @event.listens_for(engine, "before_cursor_execute")
    def _b(*a):
        stat["n"] += 1
        stat["t0"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _a(conn, cursor, statement, *a):
        dt = time.perf_counter() - stat["t0"]
        stat["sql"] += dt
        key = " ".join(statement.split())[:110]
        stat.setdefault("per", {}).setdefault(key, []).append(dt)

    original = templating._render

    def timed(*a, **k):
        t = time.perf_counter()
        try:
            return original(*a, **k)
        finally:
            stat["render"] += time.perf_counter() - t
    templating._render = timed

    out = d / tag
    out.mkdir(exist_ok=True)
    class Fresh:
        def get(self, path, headers):
            return app.test_client().get(path, headers=headers)
    only = os.environ.get("PAGES")
    for name, (client, path, headers) in pages.items():
        if only and name not in only.split(","):
            continue
        client = client or Fresh()
        for _ in range(15):
            resp = client.get(path, headers=headers)
            assert resp.status_code == 200, (name, resp.status_code, resp.headers.get("Location"))
        text = resp.get_data(as_text=True)
        for pattern, repl in NORMALISE:
            text = pattern.sub(repl, text)
        (out / f"{name}.html").write_text(text)
        stat.update(n=0, sql=0.0, render=0.0, per={})
        walls, cpus = [], []
        prof = globals().get("_PROFILER")
        profiling = prof is not None and os.environ.get("HARNESS_PROFILE") == name
        if prof is not None and not profiling:
            continue
        if profiling:
            prof.enable()
        for _ in range(n):
            t, c = time.perf_counter(), time.process_time()
            client.get(path, headers=headers)
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        if profiling:
            prof.disable()
        walls.sort()
        print(f"{name:10} wall p50 {walls[n // 2] * 1000:6.2f} ms"
              f"  mean {sum(walls) / n * 1000:6.2f}"
              f"  cpu {sum(cpus) / n * 1000:6.2f}  sql-wall {stat['sql'] / n * 1000:5.2f}"
              f"  render {stat['render'] / n * 1000:5.2f}  statements {stat['n'] / n:.1f}")
        if os.environ.get("DETAIL"):
            for key, times in stat["per"].items():
                print(f"    {sum(times) / n * 1000:6.3f} ms  x{len(times) / n:.0f}  {key}")


def profile(d: Path, name: str, n: int = 100, pattern: str = "course/") -> None:
    import cProfile
    import pstats
    os.environ["HARNESS_PROFILE"] = name
    prof = cProfile.Profile()
    globals()["_PROFILER"] = prof
    run(d, "prof", n)
    st = pstats.Stats(prof)
    st.sort_stats("cumulative").print_stats(pattern, 60)


if __name__ == "__main__":
    if sys.argv[1] == "drop":
        infra.drop_database(ADMIN, json.loads((Path(sys.argv[2]) / "env.json").read_text())["url"])
    elif sys.argv[1] == "profile":
        profile(Path(sys.argv[2]), sys.argv[3], 100,
                sys.argv[4] if len(sys.argv) > 4 else "course/")
    elif sys.argv[1] == "seed":
        seed(Path(sys.argv[2]))
    else:
        run(Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 200)
