"""The sync face's cost: client CPU per typed GET (``get(sandbox_id)``) through the sync
``Daytona`` vs the async ``AsyncDaytona`` in the same process and run, plus one alternative
portal for comparison, and 1000 calls from 32 threads sharing one sync client.

    python bench/sync_face.py [--url URL --sandbox ID] [--n 2000] [--repeats 5] [--json]

Without ``--url`` it starts ``bench/canned_server.py`` (a canned-response server in its own
process, so the CPU measured here is the client's alone: the process's CPU time, which counts
the portal's thread too). Repeats are interleaved; figures are medians; the ratio compares the
sync face with the async client of the same run.

Portals compared:
- ``sync face``: the SDK's (``daytona_async._sync_runtime.Portal``: an asyncio loop in a
  thread, ``run_coroutine_threadsafe`` plus an anyio cancel scope per call);
- ``anyio BlockingPortal``: ``anyio.from_thread.start_blocking_portal`` and ``portal.call``
  on an ``AsyncDaytona`` (what the SDK would use off the shelf).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
API_KEY = "bench-key-0123456789"
CANNED_SANDBOX = "00000000-0000-0000-0000-0000005a0000"


def start_canned() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "canned_server.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise RuntimeError(f"canned server did not start: {line!r}")
    return proc, line.split("listening on", 1)[1].strip()


def cpu_per_call_async(url: str, sid: str, n: int) -> float:
    from daytona_async import AsyncDaytona

    async def main() -> float:
        async with AsyncDaytona(api_key=API_KEY, api_url=url) as d:
            for _ in range(20):  # warm: connection open, modules loaded
                await d.get(sid)
            t0 = time.process_time()
            for _ in range(n):
                await d.get(sid)
            return (time.process_time() - t0) / n * 1e6

    return asyncio.run(main())


def cpu_per_call_sync(url: str, sid: str, n: int) -> float:
    from daytona_async import Daytona

    with Daytona(api_key=API_KEY, api_url=url) as d:
        for _ in range(20):
            d.get(sid)
        t0 = time.process_time()
        for _ in range(n):
            d.get(sid)
        return (time.process_time() - t0) / n * 1e6


def cpu_per_call_anyio_portal(url: str, sid: str, n: int) -> float:
    from anyio.from_thread import start_blocking_portal
    from daytona_async import AsyncDaytona

    d = AsyncDaytona(api_key=API_KEY, api_url=url)
    with start_blocking_portal("asyncio") as portal:
        try:
            for _ in range(20):
                portal.call(d.get, sid)
            t0 = time.process_time()
            for _ in range(n):
                portal.call(d.get, sid)
            return (time.process_time() - t0) / n * 1e6
        finally:
            portal.call(d.aclose)


def threads_run(url: str, sid: str, calls: int, threads: int) -> dict[str, Any]:
    from daytona_async import Daytona

    errors: list[str] = []
    per_thread = [calls // threads + (1 if i < calls % threads else 0) for i in range(threads)]
    with Daytona(api_key=API_KEY, api_url=url) as d:
        d.get(sid)
        start = threading.Barrier(threads)

        def work(k: int) -> int:
            start.wait()
            done = 0
            for _ in range(k):
                try:
                    if d.get(sid).id == sid:
                        done += 1
                except Exception as exc:  # counted, reported
                    errors.append(f"{type(exc).__name__}: {exc}")
            return done

        t0, c0 = time.perf_counter(), time.process_time()
        with ThreadPoolExecutor(threads) as pool:
            ok = sum(pool.map(work, per_thread))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "calls": calls,
        "threads": threads,
        "ok": ok,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "wall_s": wall,
        "calls_per_s": calls / wall,
        "cpu_per_call_us": cpu / calls * 1e6,
    }


def measure(url: str, sid: str, n: int, repeats: int) -> dict[str, Any]:
    runs: dict[str, list[float]] = {"async": [], "sync face": [], "anyio BlockingPortal": []}
    fns = {
        "async": cpu_per_call_async,
        "sync face": cpu_per_call_sync,
        "anyio BlockingPortal": cpu_per_call_anyio_portal,
    }
    for _ in range(repeats):
        for name, fn in fns.items():
            runs[name].append(fn(url, sid, n))
    med = {name: statistics.median(xs) for name, xs in runs.items()}
    return {
        "n": n,
        "repeats": repeats,
        "cpu_per_call_us": med,
        "runs": runs,
        "ratio_sync_vs_async": med["sync face"] / med["async"],
        "ratio_anyio_portal_vs_async": med["anyio BlockingPortal"] / med["async"],
        "threads": threads_run(url, sid, 1000, 32),
    }


def report(res: dict[str, Any]) -> str:
    med = res["cpu_per_call_us"]
    t = res["threads"]
    lines = [
        "### Sync face (client CPU per typed GET, canned server)",
        "",
        f"{res['n']} sequential `get(id)` per run, median of {res['repeats']} interleaved runs.",
        "",
        "| client | client CPU / call | vs async | goal |",
        "|---|---|---|---|",
        f"| async `AsyncDaytona` | {med['async']:.0f} µs | 1.00× | |",
        f"| sync `Daytona` (the SDK's portal) | {med['sync face']:.0f} µs | "
        f"{res['ratio_sync_vs_async']:.2f}× | ≤ 1.5× "
        f"{'met' if res['ratio_sync_vs_async'] <= 1.5 else 'NOT met'} |",
        f"| anyio BlockingPortal (alternative) | {med['anyio BlockingPortal']:.0f} µs | "
        f"{res['ratio_anyio_portal_vs_async']:.2f}× | |",
        "",
        f"{t['calls']} calls from {t['threads']} threads on one sync `Daytona`: {t['ok']} ok, "
        f"**{t['errors']} errors**, {t['calls_per_s']:.0f} calls/s, "
        f"{t['cpu_per_call_us']:.0f} µs client CPU / call"
        + (f" (first error: {t['first_error']})" if t["first_error"] else ""),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url")
    p.add_argument("--sandbox", default=CANNED_SANDBOX)
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    a = p.parse_args(argv)
    server = None
    url = a.url
    if url is None:
        server, url = start_canned()
    try:
        res = measure(url, a.sandbox, a.n, a.repeats)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
    print(json.dumps(res) if a.json else report(res))
    return 0 if res["threads"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
