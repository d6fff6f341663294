"""The cost of the emulator's sandbox isolation (issue 24), as ratios within one run.

* ``execs``: N concurrent ``process/execute`` calls spread over S sandboxes, on an emulator that
  isolates commands vs one started with ``--unsafe-run-commands-on-host`` (direct execution),
  interleaved rounds, medians; the ratio isolated / direct (goal <= 1.5x).
* ``create``: the time to create and start a sandbox (``POST /sandbox`` answers once it is
  started; isolated: with its disk image), and to its first exec (which starts the sandbox's
  namespaces).
* ``spawn``: the cost of one command at the process level, sequentially: a plain spawn, a
  ``bwrap`` per command, and ``nsenter`` + ``setpriv`` + ``env`` into a holder's namespaces (what
  the emulator does).

    python bench/isolation.py [--n 1000] [--sandboxes 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

API_KEY = "bench-key"
# room for the sandboxes (the default organization's quota is 10 CPUs)
QUOTA = (
    *("--quota totalCpuQuota=100000 --quota totalMemoryQuota=100000".split()),
    *("--quota totalDiskQuota=1000000".split()),
)


def _create(base_url: str, n: int) -> tuple[list[str], list[float]]:
    import httpx

    ids, took = [], []
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=120
    ) as c:
        for _ in range(n):
            t0 = time.perf_counter()
            r = c.post("/sandbox", json={})
            took.append(time.perf_counter() - t0)
            if r.status_code != 200 or r.json().get("state") != "started":
                raise RuntimeError(f"create sandbox: {r.status_code} {r.text[:300]}")
            ids.append(r.json()["id"])
    return ids, took


def exec_limits() -> Any:
    """The pool of the concurrent execs (an ``httpx.Limits``).

    Idle connections are let go after the SDK's ``KEEPALIVE_EXPIRY`` (2 s), well before the
    emulator's keep-alive (uvicorn's 5 s). With httpx's default (5 s, the same as the server's)
    the loaded client sent a POST on a connection that uvicorn's keep-alive timer was closing
    at that moment; the kernel answered the request bytes with a reset (``ReadError``): 6 to 10
    execs in 3,000 isolated, where the slower execs leave connections idle longer.
    """
    import httpx
    from daytona_async._wire import KEEPALIVE_EXPIRY

    return httpx.Limits(
        max_connections=200, max_keepalive_connections=200, keepalive_expiry=KEEPALIVE_EXPIRY
    )


async def _execs(base_url: str, ids: list[str], n: int) -> tuple[float, int]:
    """Seconds for ``n`` concurrent execs over the sandboxes; failures."""
    import httpx

    limits = exec_limits()
    async with httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=600,
        limits=limits,
    ) as c:

        async def one(i: int) -> bool:
            sid = ids[i % len(ids)]
            try:
                r = await c.post(
                    f"/toolbox/{sid}/toolbox/process/execute", json={"command": "echo hi"}
                )
            except httpx.HTTPError as exc:
                print(f"exec {i}: {type(exc).__name__}: {exc}", file=sys.stderr)
                return False
            if r.status_code != 200:
                print(f"exec {i}: {r.status_code} {r.text[:200]}", file=sys.stderr)
            return r.status_code == 200 and r.json().get("result") == "hi\n"

        t0 = time.perf_counter()
        ok = await asyncio.gather(*(one(i) for i in range(n)))
        return time.perf_counter() - t0, ok.count(False)


async def _first_exec(base_url: str, ids: list[str]) -> list[float]:
    import httpx

    out = []
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=120
    ) as c:
        for sid in ids:
            t0 = time.perf_counter()
            await c.post(f"/toolbox/{sid}/toolbox/process/execute", json={"command": "true"})
            out.append(time.perf_counter() - t0)
    return out


def _spawn_costs(runs: int) -> dict[str, float]:
    """Milliseconds per command, sequential, at the process level."""
    from daytona_emulator.isolation import bwrap_argv, probe

    status = probe()
    out: dict[str, float] = {}

    def per(argv: list[str]) -> float:
        t0 = time.perf_counter()
        for _ in range(runs):
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        return (time.perf_counter() - t0) / runs * 1000

    out["direct"] = per(["/bin/true"])
    if not status.available:
        return out
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        base = bwrap_argv(status, root, hostname="bench")
        out["bwrap_per_command"] = per([*base, "--", "/bin/true"])
        holder = subprocess.Popen([*base, "--", "/bin/sh", "-c", "exec cat"], stdin=subprocess.PIPE)
        try:
            time.sleep(0.3)
            import psutil  # type: ignore[import-untyped]

            inner = psutil.Process(holder.pid).children()[0].pid
            enter = [status.nsenter, f"--target={inner}", "-m", "-u", "-i", "-p", "-r", "--wd"]
            drop = [status.setpriv, "--no-new-privs", "--bounding-set=-all", "--inh-caps=-all"]
            out["nsenter"] = per([*enter, "/bin/true"])
            out["nsenter_setpriv_env"] = per(
                [*enter, *drop, "--", status.env, "-C", "/tmp", "--", "/bin/true"]
            )
        finally:
            holder.kill()
            holder.wait()
    return out


def measure(n: int = 1000, sandboxes: int = 20, rounds: int = 3) -> dict[str, Any]:
    from daytona_emulator.testing import EmulatorProcess

    res: dict[str, Any] = {"n": n, "sandboxes": sandboxes, "rounds": rounds}
    with (
        EmulatorProcess(*QUOTA, api_key=API_KEY) as iso,
        EmulatorProcess(
            *QUOTA, "--unsafe-run-commands-on-host", "--no-disk-quota", api_key=API_KEY
        ) as direct,
    ):
        iso_ids, iso_create = _create(iso.base_url, sandboxes)
        dir_ids, dir_create = _create(direct.base_url, sandboxes)
        res["create_s"] = {
            "isolated": statistics.median(iso_create),
            "direct": statistics.median(dir_create),
        }
        res["first_exec_s"] = {
            "isolated": statistics.median(asyncio.run(_first_exec(iso.base_url, iso_ids))),
            "direct": statistics.median(asyncio.run(_first_exec(direct.base_url, dir_ids))),
        }
        times: dict[str, list[float]] = {"isolated": [], "direct": []}
        errors = {"isolated": 0, "direct": 0}
        for _ in range(rounds):  # interleaved: the machine's noise hits both
            for name, url, ids in (
                ("isolated", iso.base_url, iso_ids),
                ("direct", direct.base_url, dir_ids),
            ):
                took, failed = asyncio.run(_execs(url, ids, n))
                times[name].append(took)
                errors[name] += failed
        res["execs_s"] = {k: statistics.median(v) for k, v in times.items()}
        res["execs_errors"] = errors
        res["ratio"] = res["execs_s"]["isolated"] / res["execs_s"]["direct"]
    res["spawn_ms"] = _spawn_costs(100)
    return res


def report_lines(res: dict[str, Any]) -> list[str]:
    e, c, f = res["execs_s"], res["create_s"], res["first_exec_s"]
    ok = "met" if res["ratio"] <= 1.5 else "NOT met"
    lines = [
        "### Sandbox isolation (issue 24)",
        "",
        "| figure | isolated | direct (`--unsafe-run-commands-on-host`) | ratio |",
        "|---|---|---|---|",
        f"| {res['n']} concurrent execs over {res['sandboxes']} sandboxes (s, median of "
        f"{res['rounds']}) | {e['isolated']:.2f} | {e['direct']:.2f} | "
        f"{res['ratio']:.2f}x (goal <= 1.5x: {ok}) |",
        f"| create + start a sandbox (ms, median) | {c['isolated'] * 1000:.0f} | "
        f"{c['direct'] * 1000:.0f} | {c['isolated'] / c['direct']:.2f}x |",
        f"| its first exec (starts the namespaces; ms) | {f['isolated'] * 1000:.0f} | "
        f"{f['direct'] * 1000:.0f} | {f['isolated'] / f['direct']:.2f}x |",
        "",
        "Per command at the process level (ms, sequential): "
        + ", ".join(f"{k} {v:.1f}" for k, v in res["spawn_ms"].items())
        + f". Exec errors: {res['execs_errors']}.",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--sandboxes", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    a = ap.parse_args(argv)
    res = measure(a.n, a.sandboxes, a.rounds)
    print("\n".join(report_lines(res)))
    if a.json:
        print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
