"""The benchmark's output: the summary (``latest.json``), the printed table and the plot."""

from __future__ import annotations

import argparse
import math
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench.fanout import FanoutResult, Phase
from bench.pages import FAIR, NOT_YET, PageResult
from bench.stats import block_ratios, percentile, ratio, spread, windows

#: Issue 19's targets: key → (comparison, limit, what it means).
TARGETS: dict[str, tuple[str, float, str]] = {
    "comment_cpu_floor_ratio_53": ("<=", 1.5, "53 phones: worker CPU per comment, Teten / floor"),
    "comment_cpu_floor_ratio_500": ("<=", 1.5,
                                    "500 phones: worker CPU per comment, Teten / floor"),
    "comment_sql_statements": ("<=", 4, "SQL statements per comment (session/user included)"),
    "fanout_53_p99_ms": ("<=", 25.0, "53 phones + projector: p99 POST start → last screen (ms)"),
    "fanout_500_p99_ratio": ("<=", 1.5, "500 phones: p99 last screen, Teten / bare"),
    "multi_p99_ms": ("<=", 50.0, "30 rooms × 50 phones, 2 processes routed by course: p99 "
                     "POST start → last screen (ms)"),
    "multi_lost": ("==", 0, "30 rooms × 50 phones, 2 processes routed by course: lost "
                   "deliveries"),
    "connect_ms_ratio": ("<=", 2.0, "CPU per socket connect (reconnect storm), Teten / bare"),
    "page_p95_fair_ratio_max": ("<=", 3.0,
                                "pages: the slowest page's p95 / the fair baseline's p95"),
    "memory_per_phone_ratio": ("<=", 1.5, "memory per connected screen, Teten / bare"),
}
#: Issue 7's figures, kept for comparison with earlier runs (no longer targets).
EARLIER = ("page_p95_ms_max", "page_p95_ratio_max", "cpu_per_screen_ratio")
#: The many-rooms run per routing (bench/multi.py): the summary's section and key prefix.
#: ``course`` is the documented topology (the targets); ``ip`` a plain sticky balancer, for
#: comparison.
MULTI_KEYS = {"course": "multi", "ip": "multi_ip"}
#: Figures beside the targets, with their spread: many rooms behind a plain sticky balancer.
COMPARISON = {"multi_ip_p99_ms": "30 rooms × 50 phones, 2 processes, phones spread by address "
                                 "(ip_hash): p99 POST start → last screen (ms)",
              "multi_ip_lost": "the same: lost deliveries"}
#: The many-rooms run has no blocks: its spread is over this many windows of equal time.
MULTI_WINDOWS = 5
PERCENTILES = (50, 95, 99)


def _r(value: float, digits: int = 2) -> float | None:
    """Rounded for JSON; ``None`` for a figure that could not be measured."""
    return None if value is None or math.isnan(value) else round(value, digits)


def _phase(phase: Phase) -> dict[str, Any]:
    return {
        "comments": len(phase.sent),
        "failed_posts": phase.failed_posts,
        "delivery_ms": {f"p{q}": _r(percentile(phase.deliveries_ms, q)) for q in PERCENTILES},
        "last_screen_ms": {f"p{q}": _r(percentile(phase.last_screen_ms, q))
                           for q in PERCENTILES},
        "post_answered_ms": {f"p{q}": _r(percentile(phase.post_ms, q)) for q in PERCENTILES},
        "expected_deliveries": phase.expected,
        "lost": phase.lost,
        "server_cpu_s": _r(phase.cpu_seconds, 3),
        "client_cpu_s": _r(phase.client_cpu_seconds, 3),
        "wall_s": _r(phase.wall_seconds, 3),
    }


def _fanout(result: FanoutResult) -> dict[str, Any]:
    blocks = {}
    if result.blocks:
        blocks = {"blocks": {
            "cpu_per_comment_ms": _spread(_block_cpu(result)),
            "last_screen_p99_ms": _spread([percentile(b.last_screen_ms, 99)
                                           for b in result.blocks])}}
    if result.connect_cpu_ms:
        blocks["connect_cpu_ms"] = _spread(result.connect_cpu_ms)
    return {
        "screens": result.n + 1,
        "latency_phase": _phase(result.latency),
        "throughput_phase": _phase(result.throughput),
        "deliveries_per_s": _r(result.deliveries_per_second, 0),
        "server_cpu_per_comment_ms": _r(result.cpu_per_comment_ms, 3),
        "rss_per_screen_kB": _r(result.rss_per_client_bytes / 1024, 1),
        "message_bytes": result.sizes,
        **blocks,
        **_refetches(result.refetches),
    }


def _block_cpu(result: FanoutResult) -> list[float]:
    """Worker CPU per comment (ms) in each block."""
    return [b.cpu_seconds / len(b.sent) * 1000 if b.sent else math.nan for b in result.blocks]


def _spread(values: list[float], digits: int = 2) -> dict[str, Any]:
    return {k: (v if k == "n" else _r(v, digits)) for k, v in spread(values).items()}


def _refetches(log: Any) -> dict[str, Any]:
    """The phones' GETs after pushes that load themselves (``--refetch`` only)."""
    if log is None:
        return {}
    return {"refetches": {"requests": len(log.ms), "failed": log.failed,
                          "p50_ms": _r(percentile(log.ms, 50)),
                          "p95_ms": _r(percentile(log.ms, 95))}}


def machine(postgres_url: str | None = None) -> dict[str, Any]:
    """Where the figures come from."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory_gb = round(kb / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    packages = {}
    for name in ("gunicorn", "gevent", "flask-socketio", "python-socketio", "python-engineio",
                 "simple-websocket", "psycopg", "sqlalchemy", "aiohttp"):
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory_gb,
            "system": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "postgresql": _postgres_version(postgres_url),
            "packages": packages, "load_client": "same machine, one asyncio process",
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}


def _postgres_version(url: str | None) -> str | None:
    """The server's version (not the client's)."""
    if not url:
        return None
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # the figure is informative only
        return None


def code_version() -> dict[str, Any]:
    """The commit measured, and whether the working tree had changes on top of it.

    ``TETEN_BENCH_COMMIT`` names it for a run from an exported tree (``git archive``).
    """
    if os.environ.get("TETEN_BENCH_COMMIT"):
        return {"commit": os.environ["TETEN_BENCH_COMMIT"], "changed_files": 0}
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10, check=False).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                cwd=root, capture_output=True, text=True, timeout=10,
                                check=False).stdout
    except OSError:
        return {"commit": None, "changed_files": None}
    return {"commit": commit or None, "changed_files": len(status.splitlines())}


def build(results: dict[str, Any], args: argparse.Namespace, began: float) -> dict[str, Any]:
    """The summary written to ``latest.json`` (issue 7's keys at the top)."""
    fan: dict[tuple[str, int], FanoutResult] = results["fanout"]
    summary: dict[str, Any] = {key: None for key in (*TARGETS, *COMPARISON, *EARLIER)}
    summary["when"] = datetime.fromtimestamp(began, UTC).isoformat(timespec="seconds")
    summary["machine"] = machine(args.postgres)
    summary["machine"]["busy_before_run"] = _r(results.get("busy_before", math.nan))
    summary["machine"]["loadavg_at_end"] = summary["machine"].pop("loadavg_at_start")
    summary["machine"]["loadavg_at_start"] = results.get("loadavg_start")
    summary["duration_s"] = round(datetime.now(UTC).timestamp() - began)
    summary["code"] = results.get("code") or code_version()

    spreads: dict[str, Any] = {}
    fanout: dict[str, Any] = {}
    for n in sorted({n for _system, n in fan}):
        entry: dict[str, Any] = {}
        for system in ("teten", "floor", "baseline"):
            if (system, n) in fan:
                entry[system] = _fanout(fan[(system, n)])
        teten, base = fan.get(("teten", n)), fan.get(("baseline", n))
        if teten and base:
            entry["ratio"] = {
                f"{kind}_p{q}": _r(ratio(percentile(getattr(teten.latency, attr), q),
                                         percentile(getattr(base.latency, attr), q)))
                for kind, attr in (("delivery", "deliveries_ms"),
                                   ("last_screen", "last_screen_ms"))
                for q in PERCENTILES}
        fanout[str(n)] = entry
    summary["fanout"] = fanout
    # Each phone signs in over HTTP (front page, join form, its review region where it posts).
    summary["signin"] = results.get("signin", {})

    # Issue 19: every ratio per block (a round's blocks ran side by side), then its spread.
    for n in (53, 500):
        teten, floor = fan.get(("teten", n)), fan.get(("floor", n))
        if teten and floor and teten.blocks and floor.blocks:
            spreads[f"comment_cpu_floor_ratio_{n}"] = _spread(
                block_ratios(_block_cpu(teten), _block_cpu(floor)))
    if ("teten", 53) in fan:
        teten = fan[("teten", 53)]
        summary["fanout_53_p99_ms"] = _r(percentile(teten.latency.last_screen_ms, 99))
        spreads["fanout_53_p99_ms"] = _spread([percentile(b.last_screen_ms, 99)
                                               for b in teten.blocks])
    if ("teten", 500) in fan and ("baseline", 500) in fan:
        teten, base = fan[("teten", 500)], fan[("baseline", 500)]
        spreads["fanout_500_p99_ratio"] = _spread(block_ratios(
            [percentile(b.last_screen_ms, 99) for b in teten.blocks],
            [percentile(b.last_screen_ms, 99) for b in base.blocks]))
    sizes = sorted({n for _system, n in fan})
    big = max(sizes) if sizes else None
    if big and ("teten", big) in fan and ("baseline", big) in fan:
        teten, base = fan[("teten", big)], fan[("baseline", big)]
        if teten.connect_cpu_ms and base.connect_cpu_ms:
            spreads["connect_ms_ratio"] = _spread(block_ratios(teten.connect_cpu_ms,
                                                               base.connect_cpu_ms))
            summary["connect_cpu_ms"] = {"n": big + 1, **{
                system: _spread(fan[(system, big)].connect_cpu_ms, 3)
                for system in ("teten", "floor", "baseline") if (system, big) in fan}}
    sql = results.get("sql") or []
    if sql:
        spreads["comment_sql_statements"] = _spread([c["statements"] for c in sql], 1)
        summary["comment_sql"] = {
            "comments": len(sql), "counted": "SQLAlchemy before_cursor_execute in the "
            "Teten process (bench/counted_wsgi.py), as tests/test_query_counts.py counts; "
            "pg_stat_statements is not preloaded on this PostgreSQL",
            "transactions": _spread([c["transactions"] for c in sql], 1),
            "pool_checkouts": _spread([c["checkouts"] for c in sql], 1),
            "by_shape_last_comment": dict(sorted(sql[-1].get("shapes", {}).items()))}
        asked = [c["next_plan"] for c in sql if c.get("next_plan")]
        if asked:  # the thanks asks for the next plan with its own request (not counted above)
            summary["comment_sql"]["next_plan_request"] = {
                "comments_that_asked": len(asked),
                "statements": _spread([c["statements"] for c in asked], 1),
                "transactions": _spread([c["transactions"] for c in asked], 1),
                "by_shape_last": dict(sorted(asked[-1].get("shapes", {}).items()))}

    if len(sizes) >= 2:
        low, high = sizes[0], sizes[-1]
        slopes = {}
        for system in ("teten", "floor", "baseline"):
            a, b = fan.get((system, low)), fan.get((system, high))
            if a and b:
                # Extra CPU per comment for each extra screen: the marginal cost of a delivery.
                slopes[system] = (b.cpu_per_comment_ms - a.cpu_per_comment_ms) * 1000 / (
                    b.n - a.n)
        summary["cpu_per_extra_screen_us"] = {k: _r(v, 1) for k, v in slopes.items()}
        if "teten" in slopes and "baseline" in slopes:
            summary["cpu_per_screen_ratio"] = _r(ratio(slopes["teten"], slopes["baseline"]))
    if big and ("teten", big) in fan and ("baseline", big) in fan:
        t, b = fan[("teten", big)], fan[("baseline", big)]
        summary["memory_per_phone_kB"] = {"n": big, "teten": _r(t.rss_per_client_bytes / 1024, 1),
                                          "baseline": _r(b.rss_per_client_bytes / 1024, 1)}
        if ("floor", big) in fan:
            summary["memory_per_phone_kB"]["floor"] = _r(
                fan[("floor", big)].rss_per_client_bytes / 1024, 1)
        # One reading per process: the spread is over the room sizes (each a fresh process).
        spreads["memory_per_phone_ratio"] = _spread([
            ratio(fan[("teten", n)].rss_per_client_bytes,
                  fan[("baseline", n)].rss_per_client_bytes)
            for n in sizes if ("teten", n) in fan and ("baseline", n) in fan])
        summary["memory_per_phone_ratio"] = _r(ratio(t.rss_per_client_bytes,
                                                     b.rss_per_client_bytes))

    page_results: list[PageResult] = results["pages"]
    bare = next((p for p in page_results if p.spec.key == "bare"), None)
    fair = next((p for p in page_results if p.spec.key == FAIR), None)
    pages = []
    for page in page_results:
        pages.append({"key": page.spec.key, "page": page.spec.label,
                      "counts_for_target": page.spec.counts, "requests": len(page.server_ms),
                      "server_p50_ms": _r(page.p50), "server_p95_ms": _r(page.p95),
                      "client_p50_ms": _r(percentile(page.client_ms, 50)),
                      "p95_ratio_to_bare": _r(ratio(page.p95, bare.p95)) if bare else None,
                      "p95_ratio_to_fair": _r(ratio(page.p95, fair.p95)) if fair else None,
                      "p95_by_round_ms": _spread([percentile(r, 95) for r in page.rounds])})
    summary["pages"] = pages
    summary["pages_not_measured"] = NOT_YET
    counted = [p for p in pages if p["counts_for_target"] and p["server_p95_ms"] is not None]
    if counted:
        summary["page_p95_ms_max"] = max(p["server_p95_ms"] for p in counted)
        ratios = [p["p95_ratio_to_bare"] for p in counted if p["p95_ratio_to_bare"] is not None]
        summary["page_p95_ratio_max"] = max(ratios) if ratios else None
    if fair and fair.rounds:
        counting = [p for p in page_results if p.spec.counts]
        by_round = []
        for r, fair_ms in enumerate(fair.rounds):
            per_page = [ratio(percentile(p.rounds[r], 95), percentile(fair_ms, 95))
                        for p in counting if len(p.rounds) > r and p.rounds[r]]
            by_round.append(max(per_page) if per_page else math.nan)
        spreads["page_p95_fair_ratio_max"] = _spread(by_round)

    for routing, multi in results.get("multi_by_routing", {}).items():
        key = MULTI_KEYS[routing]
        phase = multi.phase
        summary[key] = {
            "routing": routing,
            "rooms": multi.rooms, "phones": multi.phones, "processes": len(multi.cpu_seconds),
            "seconds": multi.seconds, "rate_scale": multi.rate_scale,
            "comments_planned": multi.comments_planned,
            "comments_skipped_rate_limit": multi.comments_skipped,
            "comments_not_sent_in_time": multi.comments_planned - multi.comments_skipped
            - len(phase.sent) - phase.failed_posts,
            **_phase(phase),
            "comments_per_s": _r(len(phase.sent) / multi.seconds, 1),
            "deliveries_per_s": _r(phase.delivered / phase.wall_seconds
                                   if phase.wall_seconds else math.nan, 0),
            "send_delay_ms": {f"p{q}": _r(percentile(multi.send_delay_ms, q))
                              for q in PERCENTILES},
            "server_cpu_s_by_process": {k: _r(v, 2) for k, v in multi.cpu_seconds.items()},
            "server_cpu_per_comment_ms": _r(phase.cpu_seconds / len(phase.sent) * 1000
                                            if phase.sent else math.nan, 3),
            "rss_per_screen_kB": _r(multi.rss_per_client_bytes / 1024, 1),
            **_refetches(multi.refetches),
        }
        summary[f"{key}_lost"] = phase.lost
        summary[f"{key}_p99_ms"] = _r(percentile(phase.last_screen_ms, 99))
        spreads[f"{key}_p99_ms"] = _spread([percentile(w, 99) for w in windows(
            phase.last_screen_at, MULTI_WINDOWS)])
        spreads[f"{key}_lost"] = _spread([sum(w) for w in windows(phase.lost_at,
                                                                  MULTI_WINDOWS)], 0)
    for n, entry in sorted(results.get("votes", {}).items()):
        # Issue 20, point 4: N phones vote within a few seconds (bench/votes.py).
        summary.setdefault("votes", {})[str(n)] = entry
        if "teten" in entry:
            summary[f"vote_{n}_final_p99_ms"] = entry["teten"]["final_ms"]["p99"]
            summary[f"vote_{n}_cpu_ratio"] = _r(entry["cpu_per_vote_ratio"]["median"])
    # A ratio's value is its median over the blocks; the SQL count's, over the comments.
    for key in TARGETS:
        if key in spreads and summary.get(key) is None:
            summary[key] = spreads[key]["median"]
    summary["spread"] = spreads
    summary["spread_over"] = {
        "comment_cpu_floor_ratio_*": "the rounds: Teten's block ÷ the floor's block of the round",
        "comment_sql_statements": "the counted comments",
        "fanout_53_p99_ms": "Teten's blocks (the value is the p99 of all its blocks' comments)",
        "fanout_500_p99_ratio": "the rounds: Teten's block p99 ÷ the bare server's",
        "multi_*": f"{MULTI_WINDOWS} windows of equal time (one run, not interleaved); "
                   "multi_ip_* the same run with the phones spread by address",
        "connect_ms_ratio": "the reconnect storms at the largest N",
        "page_p95_fair_ratio_max": "the page rounds",
        "memory_per_phone_ratio": "the room sizes (the value is the largest N's)"}
    summary["targets"] = {key: _judge(key, summary.get(key)) for key in TARGETS}
    summary["settings"] = {k: v for k, v in vars(args).items()
                           if k not in ("postgres", "redis", "out")}
    return summary


def _judge(key: str, value: Any) -> dict[str, Any]:
    op, limit, meaning = TARGETS[key]
    met = None if value is None else (value <= limit if op == "<=" else value == limit)
    return {"value": value, "target": f"{op} {limit:g}", "met": met, "meaning": meaning}


# -- the printed table -------------------------------------------------------------------------


def _f(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(summary: dict[str, Any]) -> str:
    out: list[str] = []
    m = summary["machine"]
    out.append("")
    out.append(f"Teten benchmark — {summary['when']} — {m['cpu']}, {m['cores']} cores, "
               f"{m['memory_gb']} GB; CPUs {_f((m['busy_before_run'] or 0) * 100, 0)} % busy "
               f"before the run (other work on the machine), load average "
               f"{m['loadavg_at_start']} at the start, {m['loadavg_at_end']} at the end")
    out.append("")
    for n, entry in summary.get("fanout", {}).items():
        t, fl, b = entry.get("teten"), entry.get("floor"), entry.get("baseline")
        if not t:
            continue
        out.append(f"Feedback fan-out, N = {n} phones + projector "
                   f"({t['latency_phase']['comments']} comments one at a time per server, "
                   f"interleaved in blocks; {t['throughput_phase']['comments']} back to back)")
        out.append(f"  {'':40}{'Teten':>10}{'floor':>10}{'bare':>10}{'T/floor':>8}{'T/bare':>8}")

        def row(label: str, pick: Any, digits: int = 1,
                systems: tuple[Any, ...] = (t, fl, b)) -> str:
            tv, fv, bv = (pick(x) if x else None for x in systems)
            nums = [v if isinstance(v, float | int) else None for v in (tv, fv, bv)]
            rf = ratio(nums[0], nums[1]) if None not in nums[:2] and nums[1] else None
            rb = ratio(nums[0], nums[2]) if None not in nums[::2] and nums[2] else None
            return (f"  {label:40}{_f(tv, digits):>10}{_f(fv, digits):>10}{_f(bv, digits):>10}"
                    f"{_f(rf, 2):>8}{_f(rb, 2):>8}")

        for kind, label in (("delivery", "each delivery"), ("last_screen", "last screen")):
            for q in PERCENTILES:
                out.append(row(f"{label} p{q} (ms)",
                               lambda x, k=kind, q=q: x["latency_phase"][f"{k}_ms"][f"p{q}"]))
        out.append(row("POST answered p50 (ms)",
                       lambda x: x["latency_phase"]["post_answered_ms"]["p50"]))
        out.append(row("deliveries per second (burst)", lambda x: x["deliveries_per_s"], 0))
        out.append(row("server CPU per comment (ms)",
                       lambda x: x["server_cpu_per_comment_ms"], 2))
        out.append(row("  per block: min", lambda x: x["blocks"]["cpu_per_comment_ms"]["min"],
                       2))
        out.append(row("  per block: max", lambda x: x["blocks"]["cpu_per_comment_ms"]["max"],
                       2))
        if "connect_cpu_ms" in t:
            out.append(row("CPU per socket connect (ms, median)",
                           lambda x: x.get("connect_cpu_ms", {}).get("median"), 2))
        out.append(row("memory per connected screen (kB)", lambda x: x["rss_per_screen_kB"]))
        out.append(row("message size (bytes, phones)",
                       lambda x: x["message_bytes"].get("phones"), 0))
        out.append(row("message size (bytes, projector)",
                       lambda x: x["message_bytes"].get("projector"), 0))
        out.append(row("lost deliveries",
                       lambda x: x["latency_phase"]["lost"] + x["throughput_phase"]["lost"], 0))
        out.append("")
    for n, entry in summary.get("votes", {}).items():
        t, b = entry.get("teten"), entry.get("baseline")
        if not t or not b:
            continue
        out.append(f"Votes, N = {n} phones voting within {entry['spread_s']:g} s "
                   f"({t['rounds']} rounds per server, interleaved; every vote a change)")
        out.append(f"  {'':48}{'Teten':>10}{'bare':>10}{'T/bare':>8}")
        for label, pick, digits in (
                ("last vote → final counts on projector p50 (ms)",
                 lambda x: x["final_ms"]["p50"], 0),
                ("last vote → final counts on projector p99 (ms)",
                 lambda x: x["final_ms"]["p99"], 0),
                ("projector messages per round (median)",
                 lambda x: x["projector_messages_per_round"]["median"], 0),
                ("phone messages per round (median, all phones)",
                 lambda x: x["phone_messages_per_round"]["median"], 0),
                ("server CPU per vote (ms, median of rounds)",
                 lambda x: x["cpu_per_vote_ms"]["median"], 2),
                ("failed votes", lambda x: x["failed_votes"], 0)):
            tv, bv = pick(t), pick(b)
            rb = ratio(tv, bv) if isinstance(tv, float | int) and isinstance(
                bv, float | int) and bv else None
            out.append(f"  {label:48}{_f(tv, digits):>10}{_f(bv, digits):>10}{_f(rb, 2):>8}")
        cpu = entry["cpu_per_vote_ratio"]
        out.append(f"  CPU per vote, Teten / bare per round: {_f(cpu['median'], 2)} "
                   f"({_f(cpu['min'], 2)}–{_f(cpu['max'], 2)})")
        out.append("")
    for key, signin in summary.get("signin", {}).items():
        out.append(f"Sign-in of a room ({key}): {signin['phones']} phones in "
                   f"{signin['seconds']} s (8 at a time, one process)")
    if "cpu_per_extra_screen_us" in summary:
        s = summary["cpu_per_extra_screen_us"]
        out.append(f"Cost per extra screen (CPU slope 53 → 500): Teten {_f(s.get('teten'))} µs, "
                   f"baseline {_f(s.get('baseline'))} µs")
    if "memory_per_phone_kB" in summary:
        mem = summary["memory_per_phone_kB"]
        out.append(f"Memory per connected screen (N = {mem['n']}): Teten {_f(mem['teten'])} kB, "
                   f"baseline {_f(mem['baseline'])} kB")
    out.append("")
    if summary.get("pages"):
        out.append("Pages (server time from gunicorn's access log, one request at a time)")
        out.append(f"  {'':62}{'p50 ms':>8}{'p95 ms':>8}{'/bare':>7}{'/fair':>7}")
        for p in summary["pages"]:
            note = "" if p["counts_for_target"] else "  (for information)"
            out.append(f"  {p['page'][:62]:62}{_f(p['server_p50_ms'], 2):>8}"
                       f"{_f(p['server_p95_ms'], 2):>8}{_f(p['p95_ratio_to_bare'], 1):>7}"
                       f"{_f(p.get('p95_ratio_to_fair'), 1):>7}{note}")
        for reason in summary.get("pages_not_measured", {}).values():
            out.append(f"  not measured: {reason}")
        out.append("")
    for key in MULTI_KEYS.values():
        multi = summary.get(key)
        if not multi:
            continue
        how = ("every device of a room on its course's owner (COURSE_WORKERS=2)"
               if multi["routing"] == "course" else "phone i of a room on process i % 2")
        out.append(f"Many rooms, routed by {multi['routing']} ({key}_p99_ms: {how}): "
                   f"{multi['rooms']} rooms × {multi['phones'] // multi['rooms']} "
                   f"phones + projectors, {multi['processes']} processes, Redis + PostgreSQL, "
                   f"{multi['seconds']:.0f} s at {multi['rate_scale']:g}× one comment per phone "
                   f"per 30 s")
        spread_p99 = summary["spread"].get(f"{key}_p99_ms", {})
        out.append(f"  p99 last screen {_f(summary.get(f'{key}_p99_ms'))} ms (windows "
                   f"{_f(spread_p99.get('min'))}–{_f(spread_p99.get('max'))} ms), lost "
                   f"{summary.get(f'{key}_lost')}")
        out.append(f"  comments sent {multi['comments']} of {multi['comments_planned']} "
                   f"planned ({multi['comments_per_s']}/s; not sent before the end "
                   f"{multi['comments_not_sent_in_time']}, skipped at the rate limit "
                   f"{multi['comments_skipped_rate_limit']}), failed POSTs "
                   f"{multi['failed_posts']}; deliveries {multi['expected_deliveries']}, "
                   f"lost {multi['lost']}")
        d, ls, post = multi["delivery_ms"], multi["last_screen_ms"], multi["post_answered_ms"]
        out.append(f"  each delivery p50/p95/p99 {_f(d['p50'])}/{_f(d['p95'])}/{_f(d['p99'])} ms;"
                   f" last screen {_f(ls['p50'])}/{_f(ls['p95'])}/{_f(ls['p99'])} ms; POST "
                   f"answered {_f(post['p50'])}/{_f(post['p95'])}/{_f(post['p99'])} ms")
        sd = multi["send_delay_ms"]
        out.append(f"  send delay (waiting for the room's previous comment) p50/p99 "
                   f"{_f(sd['p50'])}/{_f(sd['p99'])} ms; server CPU "
                   f"{multi['server_cpu_s_by_process']} s, "
                   f"{_f(multi['server_cpu_per_comment_ms'], 2)} ms per comment; client CPU "
                   f"{_f(multi['client_cpu_s'])} s")
        if "refetches" in multi:
            f = multi["refetches"]
            out.append(f"  phones refetching after pushes: {f['requests']} GETs, p50 "
                       f"{_f(f['p50_ms'])} ms, p95 {_f(f['p95_ms'])} ms, failed {f['failed']}")
        out.append("")
    if summary.get("comment_sql"):
        sql = summary["comment_sql"]
        out.append(f"SQL per comment (N = 53, {sql['comments']} comments): statements "
                   f"{_f(summary['spread']['comment_sql_statements']['min'], 0)}–"
                   f"{_f(summary['spread']['comment_sql_statements']['max'], 0)}, transactions "
                   f"{_f(sql['transactions']['median'], 0)}, pool checkouts (none pinged: "
                   f"only a connection idle for 10 s is) "
                   f"{_f(sql['pool_checkouts']['median'], 0)}; counted in-process "
                   f"(bench/counted_wsgi.py)")
        out.append("  " + ", ".join(f"{k} ×{v}" for k, v in sql["by_shape_last_comment"].items()))
        if "next_plan_request" in sql:
            nxt = sql["next_plan_request"]
            out.append(f"  then the next plan's own GET (asked for by the thanks, "
                       f"{nxt['comments_that_asked']} comments): statements "
                       f"{_f(nxt['statements']['min'], 0)}–{_f(nxt['statements']['max'], 0)}: "
                       + ", ".join(f"{k} ×{v}" for k, v in nxt["by_shape_last"].items()))
        out.append("")
    out.append("Targets (issue 19): value, and its spread — median [p25–p75] (min–max), n")
    for key, judged in summary["targets"].items():
        verdict = {True: "met", False: "MISSED", None: "not measured"}[judged["met"]]
        sp = summary.get("spread", {}).get(key)
        spread_text = (f"{_f(sp['median'], 2)} [{_f(sp['p25'], 2)}–{_f(sp['p75'], 2)}] "
                       f"({_f(sp['min'], 2)}–{_f(sp['max'], 2)}), n={sp['n']}") if sp else "–"
        out.append(f"  {key:28}{_f(judged['value'], 2):>8}  {judged['target']:6} {verdict:13}"
                   f"{spread_text}")
        out.append(f"  {'':28}{'':8}  {judged['meaning']}")
    out.append("Beside the targets: value, and its spread (as above)")
    for key, meaning in COMPARISON.items():
        sp = summary.get("spread", {}).get(key)
        spread_text = (f"{_f(sp['median'], 2)} [{_f(sp['p25'], 2)}–{_f(sp['p75'], 2)}] "
                       f"({_f(sp['min'], 2)}–{_f(sp['max'], 2)}), n={sp['n']}") if sp else "–"
        out.append(f"  {key:28}{_f(summary.get(key), 2):>8}  {'':20}{spread_text}")
        out.append(f"  {'':28}{'':8}  {meaning}")
    out.append("Earlier figures (issue 7): " + ", ".join(
        f"{key} {_f(summary.get(key), 2)}" for key in EARLIER))
    out.append("")
    return "\n".join(out)


# -- the plot ------------------------------------------------------------------------------------


def plot(results: dict[str, Any], path: Path) -> bool:
    """Latency distributions (empirical CDFs) and page times; ``False`` without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fan: dict[tuple[str, int], FanoutResult] = results["fanout"]
    sizes = sorted({n for _s, n in fan})
    fig, axes = plt.subplots(1, 3, figsize=(17, 6.4))
    colours = {53: "tab:blue", 500: "tab:red"}
    ax, ax2 = axes[0], axes[1]
    for axis, figures in ((ax, "deliveries_ms"), (ax2, "last_screen_ms")):
        for n in sizes:
            for system, style in (("teten", "-"), ("baseline", ":")):
                result = fan.get((system, n))
                if result:
                    _ecdf(axis, getattr(result.latency, figures), f"{system}, N={n}", style,
                          colours.get(n, "tab:green"))
    ax.set_title("Fan-out: POST start → each screen")
    for routing, multi in results.get("multi_by_routing", {}).items():
        _ecdf(ax2, multi.phase.last_screen_ms, f"30 rooms × 50, 2 processes, by {routing}",
              "-" if routing == "course" else ":", "tab:purple")
    ax2.set_title("POST start → last screen of the comment")
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    for a, target in ((ax, None), (ax2, 25)):
        a.set_xscale("log")
        # plain numbers at the decades only: labels on every minor tick overlap
        a.xaxis.set_major_formatter(ScalarFormatter())
        a.xaxis.set_minor_formatter(NullFormatter())
        a.set_xlabel("ms")
        a.set_ylabel("fraction")
        a.grid(True, which="both", alpha=0.3)
        if target:
            a.axvline(target, color="grey", lw=0.8, ls="--")
        if a.get_legend_handles_labels()[0]:
            a.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    ax3 = axes[2]
    page_results: list[PageResult] = results["pages"]
    if page_results:
        ax3.boxplot([p.server_ms for p in page_results], vert=False, whis=(5, 95),
                    showfliers=False)
        ax3.set_yticks(range(1, len(page_results) + 1), [p.spec.key for p in page_results])
        ax3.axvline(25, color="grey", lw=0.8, ls="--")
        ax3.set_xlabel("server ms (box: p25–p75, whiskers: p5–p95)")
        ax3.set_title("Pages")
        ax3.grid(True, alpha=0.3)
    else:
        ax3.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def _ecdf(ax: Any, values: list[float], label: str, style: str, colour: str) -> None:
    if not values:
        return
    ordered = sorted(values)
    n = len(ordered)
    ax.step(ordered, [(i + 1) / n for i in range(n)], style, where="post", color=colour,
            label=f"{label} (p99 {percentile(values, 99):.1f} ms)")
