"""The benchmark's machinery: a throwaway PostgreSQL database, server processes, /proc readings.

Servers run exactly as in production (README, "At scale"): ``gunicorn -k gevent -w 1`` with
``course.wsgi:app``, one gevent worker per process. The only addition is gunicorn's access log
with the request time (``%(D)s``, microseconds), from which the page timings are read: the
server's own time for a request, the same way for Teten and for the baseline.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(D)s"


# -- PostgreSQL and Redis ----------------------------------------------------------------------


def create_database(admin_url: str) -> str:
    """Create an empty ``teten_bench_<random>`` database and return its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"teten_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    """Drop a database made by :func:`create_database` (and only such a one)."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    assert name and name.startswith("teten_bench_"), name
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def delete_sessions(redis_url: str, session_ids: set[str], prefix: str = "teten:") -> None:
    """Delete exactly the server-side sessions the benchmark's phones were given."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        ids = sorted(session_ids)
        for start in range(0, len(ids), 500):
            client.delete(*(prefix + sid for sid in ids[start:start + 500]))
    finally:
        client.close()


# -- server processes --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_command(port: int, app: str, access_log: Path) -> list[str]:
    """Production's command, plus the access log the page timings are read from."""
    return [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "1", "--no-control-socket",
            "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "3",
            "--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT, app]


@dataclass
class Server:
    """One gunicorn process (its own process group) and its single gevent worker."""

    name: str
    app: str
    env: dict[str, str]
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    worker_pid: int | None = None
    #: Session ids the server handed to the readiness probe (deleted from Redis at the end).
    session_ids: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    @property
    def access_log(self) -> Path:
        return self.workdir / f"{self.name}.access.log"

    def start(self) -> Server:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                gunicorn_command(self.port, self.app, self.access_log), env=self.env, cwd=ROOT,
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        return self

    def wait_ready(self, path: str = "/", timeout: float = 60) -> None:
        """Wait until ``GET path`` answers (any status below 500), then find the worker."""
        import urllib.error
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.logs()}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as response:
                    self.session_ids |= session_cookies(response.headers.get_all("Set-Cookie"))
                    break
            except urllib.error.HTTPError as err:
                if err.code < 500:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{self.name} did not answer in {timeout:.0f} s:\n{self.logs()}")
        self.worker_pid = _only_child(self.process.pid)

    def logs(self, tail: int = 60) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError as err:
            return f"(no log: {err})"
        return "\n".join(f"  [{self.name}] {line}" for line in lines[-tail:])

    def stop(self) -> None:
        """TERM the process group, KILL it after a grace period."""
        process, self.process = self.process, None
        if process is None:
            return
        for sig, wait in ((signal.SIGTERM, 8), (signal.SIGKILL, 5)):
            if process.poll() is not None:
                break
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue

    # -- what the worker costs ----------------------------------------------------------------

    def cpu_seconds(self) -> float:
        assert self.worker_pid is not None
        return cpu_seconds(self.worker_pid)

    def rss_bytes(self) -> int:
        assert self.worker_pid is not None
        return rss_bytes(self.worker_pid)

    def access_mark(self) -> int:
        """Where the access log ends now (read what comes after with :meth:`access_since`)."""
        try:
            return self.access_log.stat().st_size
        except FileNotFoundError:
            return 0

    def access_since(self, mark: int) -> list[tuple[str, str, int, float]]:
        """Access-log lines after ``mark`` as (method, path, status, server milliseconds)."""
        rows = []
        with open(self.access_log, "rb") as log:
            log.seek(mark)
            for raw in log.read().decode(errors="replace").splitlines():
                parts = raw.split()
                if len(parts) == 4 and parts[2].isdigit() and parts[3].isdigit():
                    rows.append((parts[0], parts[1], int(parts[2]), int(parts[3]) / 1000))
        return rows


def session_cookies(headers: list[str] | None, name: str = "teten_session") -> set[str]:
    """The session ids in ``Set-Cookie`` headers."""
    from http.cookies import SimpleCookie

    found = set()
    for header in headers or []:
        cookie = SimpleCookie()
        cookie.load(header)
        if name in cookie and cookie[name].value:
            found.add(cookie[name].value)
    return found


def _only_child(pid: int, timeout: float = 10) -> int:
    """The gunicorn worker: the master's one child process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError(f"no worker under gunicorn {pid}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process, all its threads, in seconds.

    The scheduler's nanosecond counters (``schedstat``) where the kernel has them; otherwise
    ``utime + stime`` from ``/proc/<pid>/stat`` (clock ticks, usually 10 ms).
    """
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            total += int((task / "schedstat").read_text().split()[0])
        return total / 1e9
    except (OSError, ValueError, IndexError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    """Resident set size of a process."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def busy_fraction(seconds: float = 2.0) -> float:
    """How busy the machine's CPUs were over ``seconds`` (0–1), from ``/proc/stat``.

    Taken before the run starts: what other work shares the machine with the benchmark.
    """

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return sum(fields[:8]), idle

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)
