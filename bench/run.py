"""Side-by-side benchmarks: daytona_async vs the official ``daytona`` SDK, with raw floors.

One run, one process tree (``make bench``):

- servers, each in its own process: the emulator (``python -m daytona_emulator``) and a
  canned-response server (``bench/canned_server.py``) that separates client cost from
  server cost;
- clients, each in its own worker process (``bench/worker.py``) with the venv that has
  it: ``daytona_async`` (this project, ``.venv``), ``official`` (``daytona==0.21.8`` in
  ``.bench-venv``, created here on first use), raw ``httpx`` and raw ``aiohttp`` as floors;
- repeats are interleaved across clients; figures are medians; ratios compare clients in
  the same run. The table goes to ``bench/results/latest.md`` (and ``latest.json``).

See ``bench/README.md`` for what each figure means and how it is measured.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import hashlib
import json
import os
import platform
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MAIN_PY = Path(sys.executable)
BENCH_VENV = ROOT / ".bench-venv"
OFFICIAL_REQ = HERE / "requirements-official.txt"
API_KEY = "bench-key-0123456789"

BENCHMARKS = ("imports", "get", "parse", "logs", "transfer", "execs", "sync", "isolation")
ALL_CLIENTS = ("daytona_async", "official", "httpx", "aiohttp", "daytona_async_trio", "httpx_trio")
#: the same clients under trio: typed GET and log following only (imports, parsing, transfers
#: and execs do not depend on the event loop, or not enough to pay for the time)
TRIO_CLIENTS = {"daytona_async_trio": "daytona_async", "httpx_trio": "httpx"}
# run after the import in the same probe: constructing a client is when a lazily importing
# package pays for what it deferred
CONSTRUCT = {
    "daytona_async": "m.AsyncDaytona(api_key='k', api_url='http://127.0.0.1:9/api')",
    "official": "m.AsyncDaytona(m.DaytonaConfig(api_key='k', api_url='http://127.0.0.1:9/api', target='us'))",
    "httpx": "m.AsyncClient()",
}
IMPORT_MODULES = {
    "daytona_async": "daytona_async",
    "official": "daytona",
    "httpx": "httpx",
    "aiohttp": "aiohttp",
}
LABEL = {
    "daytona_async": "daytona_async",
    "official": "official daytona 0.21.8",
    "official_sdk": "official `AsyncDaytona.get`",
    "httpx": "raw httpx (floor)",
    "aiohttp": "raw aiohttp (floor)",
    "daytona_api": "daytona_api + httpx pool",
    "daytona_async_trio": "daytona_async under trio",
    "httpx_trio": "raw httpx under trio (floor)",
}
MiB = 1 << 20


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ the official SDK's venv


def ensure_bench_venv(allow_create: bool = True) -> Path | None:
    """``.bench-venv`` with ``daytona==0.21.8``; created (and re-created when
    ``requirements-official.txt`` changes) the first time it is needed. Returns its python."""
    py = BENCH_VENV / "bin" / "python"
    digest = hashlib.sha256(OFFICIAL_REQ.read_bytes()).hexdigest()[:16]
    stamp = BENCH_VENV / f".installed-{digest}"
    if stamp.exists() and py.exists():
        return py
    if not allow_create:
        return None
    log(f"creating {BENCH_VENV.name} with {OFFICIAL_REQ.name} (once; ~30 s)")
    base = getattr(sys, "_base_executable", sys.executable)
    try:
        if not py.exists():
            subprocess.run([base, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run(
            [
                str(py),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                str(OFFICIAL_REQ),
            ],
            check=True,
        )
    except (subprocess.CalledProcessError, OSError) as e:
        log(f"could not set up {BENCH_VENV.name}: {e}; the official SDK is skipped")
        return None
    for old in BENCH_VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()
    return py


def can_import(py: Path, module: str) -> bool:
    r = subprocess.run([str(py), "-c", f"import {module}"], capture_output=True, timeout=60)
    return r.returncode == 0


# ------------------------------------------------------------------ processes


class Server:
    """A server subprocess that prints one ready line containing its base URL."""

    def __init__(
        self, name: str, argv: list[str], ready_prefix: str, timeout: float = 60.0
    ) -> None:
        self.name = name
        self.proc = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            start_new_session=True,
        )
        self.url = ""
        self._stderr: list[str] = []
        threading.Thread(target=self._drain_err, daemon=True).start()
        q: queue.Queue[str | None] = queue.Queue()

        def read_out() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                q.put(line)
            q.put(None)

        threading.Thread(target=read_out, daemon=True).start()
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = q.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise RuntimeError(f"{name}: no ready line within {timeout:.0f} s") from None
            if line is None:
                raise RuntimeError(f"{name} exited: {''.join(self._stderr)[-1500:]}")
            if line.startswith(ready_prefix):
                self.url = line.strip().split()[-1]
                break

    def _drain_err(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._stderr.append(line)
            del self._stderr[:-200]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)  # our own process group only
                self.proc.wait(timeout=5)


class Worker:
    """A client's worker process; commands in, one RESULT line out per command."""

    def __init__(self, client: str, py: Path) -> None:
        self.client, self.py = client, py
        self._start()

    def _start(self) -> None:
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        for k in (
            "DAYTONA_API_KEY",
            "DAYTONA_JWT_TOKEN",
            "DAYTONA_API_URL",
            "DAYTONA_ORGANIZATION_ID",
        ):
            env.pop(k, None)
        self.proc = subprocess.Popen(
            [str(self.py), str(HERE / "worker.py"), "--client", self.client],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tempfile.gettempdir(),
            env=env,
            start_new_session=True,
        )
        self.q: queue.Queue[str | None] = queue.Queue()
        self.err: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()
        line = self.q.get(timeout=120)
        if line is None or not line.startswith("READY"):
            raise RuntimeError(f"worker {self.client} did not start: {''.join(self.err)[-1500:]}")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.q.put(line)
        self.q.put(None)

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.err.append(line)
            del self.err[:-100]

    def call(self, cmd: dict[str, Any], timeout: float) -> dict[str, Any]:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(cmd) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.restart()
            return {"ok": False, "error": "worker died"}
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.q.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                log(
                    f"{self.client}: {cmd['task']} timed out after {timeout:.0f} s; restarting the worker"
                )
                self.restart()
                return {"ok": False, "error": f"timeout after {timeout:.0f} s"}
            if line is None:
                err = "".join(self.err)[-800:]
                self.restart()
                return {"ok": False, "error": f"worker died: {err}"}
            if line.startswith("RESULT "):
                return json.loads(line[7:])

    def restart(self) -> None:
        self.stop()
        self._start()

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)  # the worker's own group
                self.proc.wait(timeout=5)


# ------------------------------------------------------------------ helpers


def median(xs: list[float]) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x: float | None, spec: str = ".2f", unit: str = "") -> str:
    return "n/a" if x is None else f"{x:{spec}}{unit}"


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**not met**")


def setup_emulator_sandboxes(base_url: str, n: int) -> list[str]:
    """Create ``n`` started sandboxes on the emulator through plain HTTP."""
    import httpx

    ids: list[str] = []
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=60
    ) as c:
        for i in range(n):
            r = c.post("/sandbox", json={"labels": {"bench": "true", "i": str(i)}})
            if r.status_code not in (200, 201):
                raise RuntimeError(f"create sandbox: {r.status_code} {r.text[:300]}")
            sid = r.json()["id"]
            for _ in range(300):
                st = c.get(f"/sandbox/{sid}").json().get("state")
                if st == "started":
                    break
                time.sleep(0.1)
            ids.append(sid)
    return ids


# ------------------------------------------------------------------ the run


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.a = args
        self.results: dict[str, Any] = {
            "meta": {},
            "imports": {},
            "get": [],
            "parse": [],
            "logs": [],
            "transfer": [],
            "execs": [],
            "notes": [],
        }
        self.workers: dict[str, Worker] = {}
        self.pythons: dict[str, Path] = {}
        self.servers: dict[str, dict[str, Any]] = {}
        self.tmp = Path(
            tempfile.mkdtemp(
                prefix="daytona-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None
            )
        )
        self._procs: list[Server] = []

    def note(self, msg: str) -> None:
        log(msg)
        self.results["notes"].append(msg)

    # -- setup ---------------------------------------------------------------------
    def resolve_clients(self) -> None:
        off_py = None
        if "official" in self.a.clients:
            off_py = ensure_bench_venv(allow_create=not self.a.no_setup)
            if off_py is None or not can_import(off_py, "daytona"):
                self.note(
                    "official SDK not available (.bench-venv missing or broken): its columns are n/a"
                )
                off_py = None
        for c in self.a.clients:
            if c == "official":
                if off_py:
                    self.pythons[c] = off_py
                continue
            module = TRIO_CLIENTS.get(c, c)
            for py in [MAIN_PY, *([off_py] if off_py and c in ("httpx", "aiohttp") else [])]:
                if can_import(py, module):
                    self.pythons[c] = py
                    break
            else:
                self.note(f"client {c}: `import {module}` fails in every venv: its columns are n/a")
        for c, py in self.pythons.items():
            where = (
                ".bench-venv"
                if BENCH_VENV in py.parents
                else ("project venv" if py == MAIN_PY else str(py))
            )
            log(f"client {c}: {where}")

    def start_servers(self) -> None:
        if "canned" in self.a.servers:
            s = Server(
                "canned",
                [str(MAIN_PY), str(HERE / "canned_server.py"), "--port", "0"],
                "canned-server listening on",
            )
            self._procs.append(s)
            self.servers["canned"] = {
                "url": s.url,
                "sandbox": "00000000-0000-0000-0000-0000005a0000",
                "exec_sandboxes": ["00000000-0000-0000-0000-0000005a0000"],
                "proc": s,
            }
            log(f"canned server at {s.url}")
        if "emulator" in self.a.servers:
            if not can_import(MAIN_PY, "daytona_emulator.__main__"):
                self.note(
                    "emulator not available (`python -m daytona_emulator` is not importable yet): its rows are n/a"
                )
                return
            data = self.tmp / "emulator-data"
            data.mkdir()
            try:
                s = Server(
                    "emulator",
                    [
                        str(MAIN_PY),
                        "-m",
                        "daytona_emulator",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        "0",
                        "--api-key",
                        API_KEY,
                        "--data-dir",
                        str(data),
                        # room for the exec sandboxes (the default org quota is 10 CPUs)
                        *("--quota totalCpuQuota=100000 --quota totalMemoryQuota=100000".split()),
                        *("--quota totalDiskQuota=1000000".split()),
                    ],
                    "daytona-emulator listening on",
                )
            except RuntimeError as e:
                self.note(f"emulator did not start: {e}")
                return
            self._procs.append(s)
            log(f"emulator at {s.url}")
            try:
                ids = setup_emulator_sandboxes(s.url, max(1, self.a.exec_sandboxes))
            except Exception as e:  # the emulator's control plane may not be complete yet
                self.note(
                    f"emulator: could not create sandboxes ({type(e).__name__}: {e}); its rows are n/a"
                )
                s.stop()
                return
            self.servers["emulator"] = {
                "url": s.url,
                "sandbox": ids[0],
                "exec_sandboxes": ids,
                "proc": s,
            }

    def worker(self, client: str) -> Worker | None:
        base = "official" if client == "official_sdk" else client
        if base not in self.pythons:
            return None
        if base not in self.workers:
            self.workers[base] = Worker(base, self.pythons[base])
        return self.workers[base]

    def call(
        self, client: str, server: str, cmd: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]:
        w = self.worker(client)
        if w is None:
            return {"ok": False, "error": "client not available"}
        full = {
            "base_url": self.servers[server]["url"] if server else "http://127.0.0.1:9/api",
            "api_key": API_KEY,
            **cmd,
        }
        res = w.call(full, timeout or self.a.timeout)
        if not res.get("ok") and not res.get("unsupported"):
            log(f"{client} {cmd['task']} on {server or '-'}: {res.get('error')}")
        return res

    def close(self) -> None:
        for w in self.workers.values():
            w.stop()
        for s in self._procs:
            s.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- benchmarks ------------------------------------------------------------------
    def clients(self, *extra: str, trio: bool = False) -> list[str]:
        """The available clients; those under trio only with ``trio=True``."""
        return [
            c for c in self.a.clients if c in self.pythons and (trio or c not in TRIO_CLIENTS)
        ] + [e for e in extra if e.split("_")[0] in self.pythons]

    def bench_imports(self) -> None:
        samples: dict[str, list[dict[str, Any]]] = {c: [] for c in self.clients()}
        for i in range(self.a.import_repeats + 1):  # the first round compiles .pyc files: discarded
            for c in samples:
                r = subprocess.run(
                    [
                        str(self.pythons[c]),
                        str(HERE / "import_probe.py"),
                        IMPORT_MODULES.get(c, c),
                        *([CONSTRUCT[c]] if c in CONSTRUCT else []),
                    ],
                    capture_output=True,
                    text=True,
                    cwd=tempfile.gettempdir(),
                    timeout=120,
                )
                if r.returncode != 0:
                    log(f"import {c}: {r.stderr.strip()[-300:]}")
                    continue
                if i:
                    samples[c].append(json.loads(r.stdout.strip().splitlines()[-1]))
        for c, ss in samples.items():
            if ss:
                self.results["imports"][c] = {
                    "module": IMPORT_MODULES.get(c, c),
                    "import_s": median([s["import_s"] for s in ss]),
                    "rss_after": median([s["rss_after"] for s in ss]),
                    "rss_delta": median([s["rss_after"] - s["rss_before"] for s in ss]),
                    "first_client_s": median(
                        [s["import_s"] + s["then_s"] for s in ss if "then_s" in s]
                    ),
                    "rss_then": median([s["rss_then"] for s in ss if "rss_then" in s]),
                    "samples": len(ss),
                }
        if self.a.importtime:
            for c in samples:
                self.results["imports"].setdefault(c, {})["top"] = importtime_top(
                    self.pythons[c], IMPORT_MODULES.get(c, c)
                )

    def bench_get(self, reps: int) -> None:
        modes = [("sequential", 1, self.a.get_n_seq), ("concurrency 100", 100, self.a.get_n)]
        for server in self.servers:
            for mode, conc, n in modes:
                runs: dict[str, list[dict[str, Any]]] = {
                    c: [] for c in self.clients("official_sdk", trio=True)
                }
                for _ in range(reps):
                    for c in runs:
                        cmd = {
                            "task": "get",
                            "sandbox_id": self.servers[server]["sandbox"],
                            "n": n,
                            "concurrency": conc,
                            "variant": "sdk" if c == "official_sdk" else "typed",
                        }
                        r = self.call(c, server, cmd)
                        if r.get("ok"):
                            runs[c].append(r)
                for c, rs in runs.items():
                    self.results["get"].append(
                        agg(
                            rs,
                            server=server,
                            mode=mode,
                            client=c,
                            n=n,
                            concurrency=conc,
                            keys=("cpu_per_call_us", "rps", "wall_s"),
                            sum_keys=("errors",),
                        )
                    )

    def bench_parse(self, reps: int) -> None:
        runs: dict[str, list[dict[str, Any]]] = {c: [] for c in self.clients()}
        for _ in range(reps):
            for c in runs:
                r = self.call(c, "", {"task": "parse", "loops": self.a.parse_loops})
                if r.get("ok"):
                    runs[c].append(r)
        for c, rs in runs.items():
            row = agg(rs, client=c, keys=("json_loads_us", "models_us", "ratio"))
            row["model_type"] = rs[0]["model_type"] if rs else None
            self.results["parse"].append(row)

    def bench_logs(self, reps: int) -> None:
        nbytes = self.a.log_mib * MiB
        command = f"yes 'the quick brown fox jumps over the lazy dog 0123456789 ünïcødé ✓' | head -c {nbytes}"
        for server in self.servers:
            runs: dict[str, list[dict[str, Any]]] = {c: [] for c in self.clients(trio=True)}
            for rep in range(reps):
                for c in runs:
                    cmd = {
                        "task": "logs",
                        "sandbox_id": self.servers[server]["sandbox"],
                        "nbytes": nbytes,
                        "session_id": f"bench-{c.replace('_', '-')}-{rep}-{int(time.time() * 1000) % 100000}-{nbytes}",
                        "command": command,
                        "timeout": self.a.timeout - 10,
                    }
                    r = self.call(c, server, cmd)
                    if r.get("ok"):
                        runs[c].append(r)
                    elif not r.get("unsupported"):
                        runs[c].append({"errors": 1, "first_error": r.get("error")})
            for c, rs in runs.items():
                self.results["logs"].append(
                    agg(
                        rs,
                        server=server,
                        client=c,
                        nbytes=nbytes,
                        keys=(
                            "mib_s",
                            "cpu_per_mib_ms",
                            "rss_growth",
                            "tail_s",
                            "bytes",
                            "total_s",
                        ),
                        sum_keys=("errors",),
                        max_keys=("rss_growth",),
                    )
                )

    def bench_transfer(self, reps: int) -> None:
        size = self.a.transfer_mib * MiB
        src = self.tmp / "upload-src.bin"
        if not src.exists():
            with open(src, "wb") as f:  # sparse: reading it costs the client, not the disk
                f.truncate(size)
        for server in self.servers:
            runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for _rep in range(reps):
                for c in self.clients():
                    remote = f"/home/daytona/bench-{c}-{size}"
                    for direction in ("upload", "download"):
                        cmd = {
                            "task": "transfer",
                            "direction": direction,
                            "sandbox_id": self.servers[server]["sandbox"],
                            "size": size,
                            "local_path": str(src)
                            if direction == "upload"
                            else str(self.tmp / f"download-{c}.bin"),
                            "remote_path": remote,
                            "timeout": self.a.timeout - 10,
                        }
                        r = self.call(c, server, cmd)
                        runs.setdefault((c, direction), [])
                        if r.get("ok"):
                            runs[(c, direction)].append(r)
                        elif not r.get("unsupported"):
                            runs[(c, direction)].append(
                                {"errors": 1, "first_error": r.get("error")}
                            )
            for (c, direction), rs in runs.items():
                self.results["transfer"].append(
                    agg(
                        rs,
                        server=server,
                        client=c,
                        direction=direction,
                        size=size,
                        keys=("mib_s", "cpu_s", "rss_growth"),
                        sum_keys=("errors",),
                        max_keys=("rss_growth",),
                    )
                )

    def bench_execs(self, reps: int) -> None:
        for server in self.servers:
            ids = self.servers[server]["exec_sandboxes"]
            runs: dict[str, list[dict[str, Any]]] = {c: [] for c in self.clients()}
            for _ in range(reps):
                for c in runs:
                    cmd = {
                        "task": "execs",
                        "sandbox_ids": ids,
                        "n": self.a.exec_n,
                        "command": "echo hi",
                        "expect": "hi",
                        "timeout": self.a.timeout - 10,
                    }
                    r = self.call(c, server, cmd)
                    if r.get("ok"):
                        runs[c].append(r)
                    elif not r.get("unsupported"):
                        runs[c].append({"errors": self.a.exec_n, "first_error": r.get("error")})
            for c, rs in runs.items():
                self.results["execs"].append(
                    agg(
                        rs,
                        server=server,
                        client=c,
                        n=self.a.exec_n,
                        sandboxes=len(ids),
                        keys=("wall_s", "rps", "cpu_per_call_us"),
                        sum_keys=("errors",),
                    )
                )

    def bench_sync(self, reps: int) -> None:
        """The sync face vs the async client, in one process (bench/sync_face.py): client CPU
        per typed GET, and 1000 calls from 32 threads on one sync client."""
        canned = self.servers.get("canned")
        if canned is None:
            self.note("sync: needs the canned server; row n/a")
            return
        n = 300 if self.a.quick else 2000
        cmd = [str(MAIN_PY), str(HERE / "sync_face.py"), "--url", canned["url"]]
        cmd += ["--sandbox", canned["sandbox"], "--n", str(n), "--repeats", str(reps), "--json"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        if proc.returncode not in (0, 1) or not proc.stdout.strip():
            self.note(f"sync: bench/sync_face.py failed: {proc.stderr[-500:]}")
            return
        self.results["sync"] = json.loads(proc.stdout)

    def bench_isolation(self, repeats: int) -> None:
        """Sandbox isolation vs direct execution (issue 24): bench/isolation.py."""
        sys.path.insert(0, str(HERE))
        import isolation as iso_bench  # bench/isolation.py

        self.results["isolation"] = iso_bench.measure(self.a.exec_n, self.a.exec_sandboxes, repeats)

    def run(self) -> dict[str, Any]:
        a = self.a
        meta = self.results["meta"]
        meta.update(
            date=_dt.datetime.now().isoformat(timespec="seconds"),
            python=platform.python_version(),
            cpus=os.cpu_count(),
            machine=platform.machine(),
            quick=a.quick,
            repeats=a.repeats,
            only=list(a.only),
            clients=list(a.clients),
        )
        self.resolve_clients()
        if any(b in a.only for b in ("get", "logs", "transfer", "execs", "sync")):
            self.start_servers()
        meta["servers"] = list(self.servers)
        steps = [
            ("imports", lambda: self.bench_imports()),
            ("parse", lambda: self.bench_parse(a.repeats)),
            ("get", lambda: self.bench_get(a.repeats)),
            ("logs", lambda: self.bench_logs(a.repeats)),
            ("execs", lambda: self.bench_execs(a.heavy_repeats)),
            ("transfer", lambda: self.bench_transfer(a.heavy_repeats)),
            ("sync", lambda: self.bench_sync(a.repeats)),
            ("isolation", lambda: self.bench_isolation(a.heavy_repeats)),
        ]
        for name, fn in steps:
            if name in a.only:
                t0 = time.monotonic()
                log(f"--- {name}")
                fn()
                log(f"--- {name} done in {time.monotonic() - t0:.0f} s")
        return self.results


def agg(
    rs: list[dict[str, Any]],
    keys: tuple[str, ...] = (),
    sum_keys: tuple[str, ...] = (),
    max_keys: tuple[str, ...] = (),
    **fixed: Any,
) -> dict[str, Any]:
    row: dict[str, Any] = dict(fixed)
    ok = [r for r in rs if "first_error" not in r or r.get("ok")]
    row["runs"] = len([r for r in rs if r.get("ok")])
    for k in keys:
        row[k] = median([r[k] for r in ok if r.get(k) is not None])
    for k in max_keys:
        vals = [r[k] for r in ok if r.get(k) is not None]
        row[k + "_max"] = max(vals) if vals else None
    for k in sum_keys:
        row[k] = sum(int(r.get(k) or 0) for r in rs) if rs else None
    firsts = [r.get("first_error") for r in rs if r.get("first_error")]
    row["first_error"] = firsts[0] if firsts else None
    return row


def importtime_top(py: Path, module: str, top: int = 12) -> list[tuple[str, float]]:
    """The heaviest imports under ``module`` (``python -X importtime``): (name, cumulative ms),
    only the top two levels of nesting below it."""
    r = subprocess.run(
        [str(py), "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
        timeout=120,
    )
    rows: list[tuple[str, float]] = []
    for line in r.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cum, name = line[len("import time:") :].split("|")
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        if 1 <= depth <= 2:
            rows.append((name.strip(), int(cum) / 1000))
    rows.sort(key=lambda x: -x[1])
    return rows[:top]


# ------------------------------------------------------------------ report

TARGETS_DOC = "issue 7 §5"


def find(rows: list[dict[str, Any]], **kw: Any) -> dict[str, Any] | None:
    for r in rows:
        if all(r.get(k) == v for k, v in kw.items()):
            return r
    return None


def delivered(g: dict[str, Any]) -> str:
    if g.get("bytes") is None:
        return "n/a"
    return f"{int(g['bytes']):,} / {g['nbytes']:,}"


def mib(x: float | None) -> str:
    return "n/a" if x is None else f"{x / MiB:.1f} MiB"


def report(res: dict[str, Any]) -> str:
    m = res["meta"]
    out: list[str] = []
    out.append(f"## Benchmarks ({m['date']}{', --quick' if m.get('quick') else ''})")
    out.append("")
    out.append(
        f"{m['cpus']} CPUs, Python {m['python']}, servers: {', '.join(m.get('servers') or ['none'])}. "
        f"Medians of {m['repeats']} interleaved runs (transfers and execs: fewer, see below); "
        "client CPU is measured inside the client's own process. Ratios compare clients of the same run."
    )
    out.append("")
    # ---- targets
    out.append("### Targets (issues 7 and 14)")
    out.append("")
    out.append("| target | measured | goal | result |")
    out.append("|---|---|---|---|")
    imp = res["imports"]
    ours_i, off_i = imp.get("daytona_async", {}), imp.get("official", {})
    r = ratio(ours_i.get("import_s"), off_i.get("import_s"))
    if "imports" in m.get("only", BENCHMARKS):
        out.append(
            f"| `import daytona_async` vs `import daytona` | {fmt(ours_i.get('import_s'), '.3f', ' s')} vs "
            f"{fmt(off_i.get('import_s'), '.3f', ' s')} = {fmt(r, '.3f', '×')} | ≤ 0.15× | "
            f"{met(None if r is None else r <= 0.15)} |"
        )
    if r is not None:
        out.append(
            f"| (same, issue 14's goal) | {fmt(r, '.4f', '×')} | ≤ 0.01× | {met(r <= 0.01)} |"
        )
    r2 = ratio(ours_i.get("first_client_s"), off_i.get("first_client_s"))
    if r2 is not None:
        out.append(
            f"| (same, import + constructing the client) | {fmt(ours_i.get('first_client_s'), '.3f', ' s')} vs "
            f"{fmt(off_i.get('first_client_s'), '.3f', ' s')} = {fmt(r2, '.3f', '×')} | ≤ 0.1× | "
            f"{met(r2 <= 0.1)} |"
        )
    # issue 14: the SDK's typed GET and log following against the raw aiohttp floor
    for mode in ("concurrency 100", "sequential"):
        o = find(res["get"], server="canned", mode=mode, client="daytona_async")
        fl = find(res["get"], server="canned", mode=mode, client="aiohttp")
        if o and fl:
            r = ratio(o.get("cpu_per_call_us"), fl.get("cpu_per_call_us"))
            out.append(
                f"| client CPU per typed GET vs the raw aiohttp floor, {mode} (canned) | "
                f"{fmt(o.get('cpu_per_call_us'), '.0f', ' µs')} vs {fmt(fl.get('cpu_per_call_us'), '.0f', ' µs')}"
                f" = {fmt(r, '.2f', '×')} | ≤ 1.5× | {met(None if r is None else r <= 1.5)} |"
            )
    o = find(res["logs"], server="canned", client="daytona_async")
    fl = find(res["logs"], server="canned", client="aiohttp")
    if o and fl:
        r = ratio(o.get("mib_s"), fl.get("mib_s"))
        out.append(
            f"| log following MiB/s vs the raw aiohttp floor (canned) | {fmt(o.get('mib_s'), '.1f')} vs "
            f"{fmt(fl.get('mib_s'), '.1f')} = {fmt(r, '.2f', '×')} | ≥ 0.8× | "
            f"{met(None if r is None else r >= 0.8)} |"
        )
    for server in ("canned", "emulator"):
        o = find(res["get"], server=server, mode="concurrency 100", client="daytona_async")
        f = find(res["get"], server=server, mode="concurrency 100", client="official")
        if o or f:
            r = ratio((o or {}).get("cpu_per_call_us"), (f or {}).get("cpu_per_call_us"))
            out.append(
                f"| client CPU per typed GET at concurrency 100 ({server}) | "
                f"{fmt((o or {}).get('cpu_per_call_us'), '.0f', ' µs')} vs {fmt((f or {}).get('cpu_per_call_us'), '.0f', ' µs')}"
                f" = {fmt(r, '.2f', '×')} | ≤ 0.6× | {met(None if r is None else r <= 0.6)} |"
            )
    for server in ("canned", "emulator"):
        for mode in ("concurrency 100", "sequential"):
            t = find(res["get"], server=server, mode=mode, client="daytona_async_trio")
            o = find(res["get"], server=server, mode=mode, client="daytona_async")
            if t and o:
                r = ratio(t.get("cpu_per_call_us"), o.get("cpu_per_call_us"))
                out.append(
                    f"| client CPU per typed GET under trio vs asyncio, {mode} ({server}) | "
                    f"{fmt(t.get('cpu_per_call_us'), '.0f', ' µs')} vs {fmt(o.get('cpu_per_call_us'), '.0f', ' µs')}"
                    f" = {fmt(r, '.2f', '×')} | ≤ 1.5× | {met(None if r is None else r <= 1.5)} |"
                )
    p = find(res["parse"], client="daytona_async")
    if p:
        out.append(
            f"| parsing 100 sandboxes vs `json.loads` of the same bytes | {fmt(p.get('models_us'), '.0f', ' µs')} vs "
            f"{fmt(p.get('json_loads_us'), '.0f', ' µs')} = {fmt(p.get('ratio'), '.2f', '×')} | ≤ 2× | "
            f"{met(None if p.get('ratio') is None else p['ratio'] <= 2)} |"
        )
    for server in ("canned", "emulator"):
        o = find(res["logs"], server=server, client="daytona_async")
        f = find(res["logs"], server=server, client="official")
        if o or f:
            r = ratio((o or {}).get("mib_s"), (f or {}).get("mib_s"))
            out.append(
                f"| log streaming MiB/s ({server}) | {fmt((o or {}).get('mib_s'), '.1f')} vs "
                f"{fmt((f or {}).get('mib_s'), '.1f')} = {fmt(r, '.2f', '×')} | ≥ 2× | "
                f"{met(None if r is None else r >= 2)} |"
            )
    for server in ("canned", "emulator"):
        t = find(res["logs"], server=server, client="daytona_async_trio")
        o = find(res["logs"], server=server, client="daytona_async")
        if t and o:
            r = ratio(t.get("mib_s"), o.get("mib_s"))
            out.append(
                f"| log following under trio vs asyncio, MiB/s ({server}) | {fmt(t.get('mib_s'), '.1f')} vs "
                f"{fmt(o.get('mib_s'), '.1f')} = {fmt(r, '.2f', '×')} | ≥ 0.67× | "
                f"{met(None if r is None else r >= 1 / 1.5)} |"
            )
    for server in ("canned", "emulator"):
        rows = [
            t for t in res["transfer"] if t["server"] == server and t["client"] == "daytona_async"
        ]
        if rows:
            size = rows[0]["size"]
            g = [t.get("rss_growth_max") for t in rows]
            errs = sum(t.get("errors") or 0 for t in rows)
            worst = None if any(x is None for x in g) else max(g)
            out.append(
                f"| {size // MiB} MiB upload + download, client RSS growth ({server}) | "
                f"up {mib(next((t.get('rss_growth_max') for t in rows if t['direction'] == 'upload'), None))}, "
                f"down {mib(next((t.get('rss_growth_max') for t in rows if t['direction'] == 'download'), None))}"
                f"{f', {errs} errors' if errs else ''} | < 64 MiB{'' if size >= 1 << 30 else ' (at 1 GiB)'} | "
                f"{met(None if worst is None else (worst < 64 * MiB and not errs))} |"
            )
    for server in ("emulator", "canned"):
        o = find(res["execs"], server=server, client="daytona_async")
        if o:
            e = o.get("errors")
            out.append(
                f"| {o['n']} concurrent execs ({server}) | {e} errors in {o['runs']} runs, "
                f"{fmt(o.get('wall_s'), '.2f', ' s')} each | 0 errors | {met(None if e is None or not o['runs'] else e == 0)} |"
            )
    out.append("")
    # ---- imports
    if imp:
        out.append("### Cold import")
        out.append("")
        out.append(
            "| client | module | import time | vs official | RSS after import | RSS added by the import "
            "| import + construct a client | RSS then |"
        )
        out.append("|---|---|---|---|---|---|---|---|")
        for c, d in imp.items():
            if "import_s" not in d:
                continue
            fc = d.get("first_client_s")
            out.append(
                f"| {LABEL.get(c, c)} | `{d['module']}` | {fmt(d['import_s'] * 1e3, '.0f', ' ms')} | "
                f"{fmt(ratio(d['import_s'], off_i.get('import_s')), '.3f', '×')} | {mib(d['rss_after'])} | "
                f"{mib(d['rss_delta'])} | {fmt(None if fc is None else fc * 1e3, '.0f', ' ms')} | "
                f"{mib(d.get('rss_then'))} |"
            )
        out.append("")
        tops = {c: d["top"] for c, d in imp.items() if d.get("top")}
        for c, top in tops.items():
            out.append(
                f"Slowest imports under `{imp[c].get('module', c)}` (cumulative ms, `-X importtime`): "
                + ", ".join(f"`{n}` {ms:.0f}" for n, ms in top[:10])
            )
            out.append("")
    # ---- get
    if res["get"]:
        out.append("### Typed GET of one Sandbox")
        out.append("")
        out.append(
            "| server | mode | client | calls | client CPU / call | requests/s | CPU vs official | errors |"
        )
        out.append("|---|---|---|---|---|---|---|---|")
        for g in res["get"]:
            f = find(res["get"], server=g["server"], mode=g["mode"], client="official")
            out.append(
                f"| {g['server']} | {g['mode']} | {LABEL.get(g['client'], g['client'])} | {g['n']} | "
                f"{fmt(g.get('cpu_per_call_us'), '.0f', ' µs')} | {fmt(g.get('rps'), '.0f')} | "
                f"{fmt(ratio(g.get('cpu_per_call_us'), (f or {}).get('cpu_per_call_us')), '.2f', '×')} | "
                f"{g.get('errors') if g.get('runs') else 'n/a'} |"
            )
        out.append("")
    if res["parse"]:
        out.append("### Parsing a list of 100 sandboxes (in-process)")
        out.append("")
        out.append("| client | into | parse | `json.loads` of the same bytes | ratio |")
        out.append("|---|---|---|---|---|")
        for p in res["parse"]:
            out.append(
                f"| {LABEL.get(p['client'], p['client'])} | `{p.get('model_type')}` | {fmt(p.get('models_us'), '.0f', ' µs')} | "
                f"{fmt(p.get('json_loads_us'), '.0f', ' µs')} | {fmt(p.get('ratio'), '.2f', '×')} |"
            )
        out.append("")
    if res["logs"]:
        n = res["logs"][0]["nbytes"]
        out.append(f"### Log streaming ({n // MiB} MiB of command output, follow)")
        out.append("")
        out.append(
            "| server | client | MiB/s | vs official | client CPU / MiB | peak RSS growth | end after last byte | bytes delivered | errors |"
        )
        out.append("|---|---|---|---|---|---|---|---|---|")
        for g in res["logs"]:
            f = find(res["logs"], server=g["server"], client="official")
            out.append(
                f"| {g['server']} | {LABEL.get(g['client'], g['client'])} | {fmt(g.get('mib_s'), '.1f')} | "
                f"{fmt(ratio(g.get('mib_s'), (f or {}).get('mib_s')), '.2f', '×')} | {fmt(g.get('cpu_per_mib_ms'), '.1f', ' ms')} | "
                f"{mib(g.get('rss_growth_max'))} | {fmt(g.get('tail_s'), '.2f', ' s')} | "
                f"{delivered(g)} | "
                f"{g.get('errors') if g.get('runs') else 'n/a'} |"
            )
        out.append("")
    if res["transfer"]:
        size = res["transfer"][0]["size"]
        out.append(f"### File transfer ({size // MiB} MiB)")
        out.append("")
        out.append(
            "| server | direction | client | MiB/s | client CPU | client RSS growth (max) | errors |"
        )
        out.append("|---|---|---|---|---|---|---|")
        for t in res["transfer"]:
            out.append(
                f"| {t['server']} | {t['direction']} | {LABEL.get(t['client'], t['client'])} | {fmt(t.get('mib_s'), '.0f')} | "
                f"{fmt(t.get('cpu_s'), '.2f', ' s')} | {mib(t.get('rss_growth_max'))} | "
                f"{t.get('errors') if t.get('errors') is not None else 'n/a'} |"
            )
        out.append("")
    if res["execs"]:
        out.append("### Concurrent execs end to end")
        out.append("")
        out.append(
            "| server | client | execs | sandboxes | wall | execs/s | client CPU / exec | errors (all runs) |"
        )
        out.append("|---|---|---|---|---|---|---|---|")
        for e in res["execs"]:
            out.append(
                f"| {e['server']} | {LABEL.get(e['client'], e['client'])} | {e['n']} | {e['sandboxes']} | "
                f"{fmt(e.get('wall_s'), '.2f', ' s')} | {fmt(e.get('rps'), '.0f')} | {fmt(e.get('cpu_per_call_us'), '.0f', ' µs')} | "
                f"{e.get('errors') if e.get('errors') is not None else 'n/a'} |"
            )
        out.append("")
    if res.get("sync"):
        from sync_face import report as sync_report

        out.append(sync_report(res["sync"]))
    errs = []
    for sect in ("get", "logs", "transfer", "execs"):
        for row in res[sect]:
            if row.get("first_error"):
                errs.append(
                    f"- {sect} / {row.get('server')} / {row['client']}: {row['first_error']}"
                )
    if errs or res["notes"]:
        out.append("### Notes")
        out.append("")
        out.extend(f"- {n}" for n in res["notes"])
        out.extend(errs)
        out.append("")
    if res.get("isolation"):  # issue 24
        sys.path.insert(0, str(HERE))
        import isolation as iso_bench  # bench/isolation.py

        out += ["", *iso_bench.report_lines(res["isolation"])]
    return "\n".join(out)


# ------------------------------------------------------------------ CLI


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="daytona_async vs the official SDK, with raw floors (see bench/README.md)"
    )
    ap.add_argument("--quick", action="store_true", help="small sizes and 1 repeat: a smoke run")
    ap.add_argument(
        "--only", default=",".join(BENCHMARKS), help=f"comma list of {','.join(BENCHMARKS)}"
    )
    ap.add_argument("--skip", default="", help="comma list of benchmarks to leave out")
    ap.add_argument(
        "--clients",
        default=",".join(ALL_CLIENTS),
        help=f"comma list of {','.join(ALL_CLIENTS)} (and daytona_api)",
    )
    ap.add_argument(
        "--no-official",
        action="store_true",
        help="leave the official SDK out (no .bench-venv needed)",
    )
    ap.add_argument(
        "--no-setup",
        action="store_true",
        help="never create .bench-venv (skip the official SDK if missing)",
    )
    ap.add_argument("--servers", default="canned,emulator", help="comma list of canned,emulator")
    ap.add_argument(
        "--repeats", type=int, default=None, help="runs per figure (default 5, quick 1)"
    )
    ap.add_argument(
        "--heavy-repeats",
        type=int,
        default=None,
        help="runs for transfers and execs (default 3, quick 1)",
    )
    ap.add_argument(
        "--import-repeats",
        type=int,
        default=None,
        help="fresh processes per import figure (default 7)",
    )
    ap.add_argument(
        "--importtime", action="store_true", help="also list the slowest imports (-X importtime)"
    )
    ap.add_argument(
        "--get-n", type=int, default=None, help="calls at concurrency 100 (default 2000)"
    )
    ap.add_argument("--get-n-seq", type=int, default=None, help="sequential calls (default 500)")
    ap.add_argument("--parse-loops", type=int, default=None)
    ap.add_argument("--log-mib", type=int, default=None, help="MiB of log to stream (default 64)")
    ap.add_argument(
        "--transfer-mib", type=int, default=None, help="MiB per upload/download (default 1024)"
    )
    ap.add_argument("--exec-n", type=int, default=None, help="concurrent execs (default 1000)")
    ap.add_argument(
        "--exec-sandboxes",
        type=int,
        default=None,
        help="emulator sandboxes the execs spread over (default 20)",
    )
    ap.add_argument(
        "--timeout", type=float, default=None, help="seconds per worker command (default 600)"
    )
    ap.add_argument(
        "--out",
        default=str(HERE / "results" / "latest.md"),
        help="markdown output (a .json is written beside)",
    )
    a = ap.parse_args(argv)
    q = a.quick
    defaults = dict(
        repeats=1 if q else 5,
        heavy_repeats=1 if q else 3,
        import_repeats=2 if q else 7,
        get_n=200 if q else 2000,
        get_n_seq=50 if q else 500,
        parse_loops=10 if q else 50,
        log_mib=4 if q else 64,
        transfer_mib=16 if q else 1024,
        exec_n=100 if q else 1000,
        exec_sandboxes=4 if q else 20,
        timeout=60 if q else 600,
    )
    for k, v in defaults.items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    skip = {s for s in a.skip.split(",") if s}
    a.only = [b for b in a.only.split(",") if b and b not in skip]
    bad = [b for b in a.only if b not in BENCHMARKS]
    if bad:
        ap.error(f"unknown benchmark(s): {bad}")
    a.clients = [c for c in a.clients.split(",") if c and not (a.no_official and c == "official")]
    a.servers = [s for s in a.servers.split(",") if s]
    return a


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    b = Bench(a)
    try:
        res = b.run()
    finally:
        b.close()
    md = report(res)
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(md + "\n")
    out.with_suffix(".json").write_text(json.dumps(res, indent=1, default=str))
    print(md)
    log(f"written {out} and {out.with_suffix('.json').name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
