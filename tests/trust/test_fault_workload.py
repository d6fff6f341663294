"""1000 mixed operations at concurrency 100 under ~10 % injected faults (429, 503, 502, drops
before and after the server read the request, cut download and log streams), on asyncio and
trio.

Counted on the server, not from what the SDK says: sandboxes per create (by label), runs per
exec and session command (each appends a unique token to a file in its sandbox), uploaded
file contents. Reports and asserts 0 lost, 0 duplicated, 0 untyped errors, 0 leaked
connections/processes.

"Lost" means the caller was told an operation succeeded and the server shows no effect;
operations that end in a typed error (e.g. ``OutcomeUnknownError``) are reported, and for them
the server may show the effect once or not at all — never twice.
"""

from __future__ import annotations

import gc
import random
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import psutil
import pytest
from daytona_async import AsyncDaytona, DaytonaError
from daytona_emulator import faults as faults_module
from daytona_emulator.settings import FaultSettings
from daytona_emulator.testing import EmulatorServer

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

OPERATIONS = 1000
CONCURRENCY = 100
SANDBOXES = 20
FILE_SIZE = 64 * 1024  # streamed downloads (larger than the cut point of a cut stream)
MIX = {"create": 100, "exec": 300, "follow": 100, "upload": 150, "download": 150, "get": 200}
FOLLOW_LINES = 200  # ~8 kB of output: past the cut point of a cut stream
FAULTS = FaultSettings(
    seed=2026,
    rate_limit=0.02,
    retry_after=0.05,
    unavailable=0.02,
    bad_gateway=0.02,
    drop_before=0.02,
    drop_after=0.02,
    cut_stream=0.1,
    paths=("/sandbox", "/toolbox"),
)


def _home(server: EmulatorServer, sandbox_id: str) -> Path:
    return Path(server.settings.sandboxes_dir) / sandbox_id / "root" / "home" / "daytona"


def _client_connections(port: int) -> int:
    me = psutil.Process()
    return sum(
        1
        for c in me.net_connections(kind="tcp")
        if c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED
    )


async def _settle(check: Any, bound: float = 15.0) -> None:
    """Wait (bounded) until ``check()`` is true: connections and processes end on their own
    clocks (keep-alive close, process exit), a leaked one never does."""
    for _ in range(int(bound / 0.05)):
        if check():
            return
        await anyio.sleep(0.05)


async def test_1000_operations_under_faults(
    anyio_backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the injector counts its faults but not the streams it cuts: count connection closes
    closes = Counter[str]()
    close_connection = faults_module._close_connection

    async def counting_close(receive: Any, send: Any) -> None:
        closes["closed"] += 1
        await close_connection(receive, send)

    monkeypatch.setattr(faults_module, "_close_connection", counting_close)
    server = EmulatorServer(
        api_key="trust-key", data_dir=tmp_path, transition_delay=0.001, faults=FAULTS
    )
    server.start()
    me = psutil.Process()
    fds_at_start = me.num_fds()
    try:
        async with AsyncDaytona(
            api_key=server.api_key, api_url=server.base_url, max_retries=5, timeout=60
        ) as d:
            await d.organizations.update_quota(
                server.organization_id,
                total_cpu_quota=10_000,
                total_memory_quota=10_000,
                total_disk_quota=100_000,
            )
        report = await _workload(server, anyio_backend, closes)
    finally:
        server.stop()
    await _settle(lambda: not me.children(recursive=True))
    report["leaked processes"] = len(me.children(recursive=True))
    await _settle(lambda: me.num_fds() <= fds_at_start)
    report["fds before/after (server stopped)"] = (fds_at_start, me.num_fds())
    print(f"\n{anyio_backend}: {report}")
    assert report["untyped errors"] == {}
    assert report["lost"] == 0
    assert report["duplicated sandboxes"] == 0
    assert report["duplicated exec runs"] == 0
    assert report["leaked connections"] == 0
    assert report["leaked processes"] == 0
    assert me.num_fds() <= fds_at_start, report["fds before/after (server stopped)"]
    assert sum(report["faults injected"].values()) >= OPERATIONS * 0.05


async def _workload(server: EmulatorServer, backend: str, closes: Counter[str]) -> dict[str, Any]:
    rng = random.Random(7)
    ops = [kind for kind, n in MIX.items() for _ in range(n)]
    rng.shuffle(ops)
    outcomes: Counter[str] = Counter()
    typed: Counter[str] = Counter()
    untyped: Counter[str] = Counter()
    created: dict[int, str] = {}  # create index -> sandbox id the caller got
    exec_ok: dict[str, str] = {}  # token -> sandbox id, the caller saw success
    exec_unknown: dict[str, str] = {}  # token -> sandbox id, the caller got an error
    uploads_ok: dict[tuple[str, str], bytes] = {}
    wrong_downloads = 0
    wrong_streams = 0  # a followed output with a line lost, repeated or garbled
    payload = bytes(rng.getrandbits(8) for _ in range(FILE_SIZE))
    fds_before = psutil.Process().num_fds()

    async with AsyncDaytona(
        api_key=server.api_key, api_url=server.base_url, max_retries=5, timeout=60
    ) as d:
        # the fixed sandboxes the other operations work in (created under faults too)
        pool: list[Any] = []
        while len(pool) < SANDBOXES:
            try:
                sb = await d.create(labels={"batch": "trust-pool"}, timeout=60)
            except DaytonaError:
                continue
            pool.append(sb)
            for _ in range(20):  # the file downloads read, uploaded until it sticks
                try:
                    await sb.fs.upload(payload, "fixed.bin")
                    break
                except DaytonaError:
                    continue
        server.app.fault_injector.counts.clear()
        closes.clear()
        limiter = anyio.Semaphore(CONCURRENCY)

        async def one(i: int, kind: str) -> None:
            nonlocal wrong_downloads, wrong_streams
            sb = pool[i % SANDBOXES]
            token = uuid.uuid4().hex
            async with limiter:
                try:
                    if kind == "create":
                        new = await d.create(labels={"batch": "trust", "i": str(i)}, timeout=60)
                        created[i] = new.id
                    elif kind == "exec":
                        try:
                            r = await sb.process.exec(f'echo {token} >> "$HOME/runs"')
                        except DaytonaError:
                            exec_unknown[token] = sb.id
                            raise
                        assert r.exit_code == 0, r
                        exec_ok[token] = sb.id
                    elif kind == "follow":
                        # a session command whose live output is followed to its end
                        try:
                            await sb.process.create_session(f"f{token}")
                            cmd = await sb.process.start(
                                f"f{token}",
                                f'echo {token} >> "$HOME/runs"; '
                                f"for i in $(seq 1 {FOLLOW_LINES}); do echo line-$i-{token}; done",
                            )
                        except DaytonaError:
                            exec_unknown[token] = sb.id
                            raise
                        exec_ok[token] = sb.id
                        lines = [line async for line in cmd.output(lines=True, timeout=30)]
                        expected = [f"line-{n}-{token}" for n in range(1, FOLLOW_LINES + 1)]
                        if lines != expected:
                            wrong_streams += 1
                    elif kind == "upload":
                        data = token.encode() * 8
                        await sb.fs.upload(data, f"up/{token}")
                        uploads_ok[(sb.id, token)] = data
                    elif kind == "download":
                        if await sb.fs.download_bytes("fixed.bin") != payload:
                            wrong_downloads += 1
                    else:
                        assert (await d.get(sb.id)).id == sb.id
                    outcomes["ok"] += 1
                except DaytonaError as err:
                    outcomes["typed error"] += 1
                    typed[f"{kind}: {type(err).__name__}"] += 1
                except Exception as err:  # counted: must stay empty
                    outcomes["untyped error"] += 1
                    untyped[f"{kind}: {type(err).__name__}: {err}"] += 1

        t0 = time.monotonic()
        async with anyio.create_task_group() as tg:
            for i, kind in enumerate(ops):
                tg.start_soon(one, i, kind)
        elapsed = time.monotonic() - t0
        faults = dict(server.app.fault_injector.counts)
        faults["cut_stream"] = (
            closes["closed"] - faults.get("drop_before", 0) - faults.get("drop_after", 0)
        )
    gc.collect()
    await _settle(lambda: _client_connections(server.port) == 0)

    # what the server has, read directly (no faults)
    rows = [
        sb
        for sb in server.app.state.control.store.all("sandboxes")
        if sb.get("labels", {}).get("batch") == "trust" and sb["state"] != "destroyed"
    ]
    by_index = Counter(sb["labels"]["i"] for sb in rows)
    existing = {sb["id"] for sb in rows}
    runs: Counter[str] = Counter()
    for sb in pool:
        runs_file = _home(server, sb.id) / "runs"
        if runs_file.exists():
            runs.update(runs_file.read_text().split())
    lost_creates = sum(1 for sid in created.values() if sid not in existing)
    lost_execs = sum(1 for token in exec_ok if runs[token] != 1)
    lost_uploads = sum(
        1
        for (sid, token), data in uploads_ok.items()
        if not (_home(server, sid) / "up" / token).is_file()
        or (_home(server, sid) / "up" / token).read_bytes() != data
    )
    return {
        "backend": backend,
        "operations": OPERATIONS,
        "seconds": round(elapsed, 1),
        "outcomes": dict(outcomes),
        "typed errors": dict(typed),
        "untyped errors": dict(untyped),
        "faults injected": faults,
        "lost": lost_creates + lost_execs + lost_uploads + wrong_downloads + wrong_streams,
        "duplicated sandboxes": sum(c - 1 for c in by_index.values()),
        "orphan sandboxes (create raised, sandbox exists)": len(
            {sb["labels"]["i"] for sb in rows} - {str(i) for i in created}
        ),
        "duplicated exec runs": sum(1 for t in [*exec_ok, *exec_unknown] if runs[t] > 1),
        "exec errors that ran once / not at all": (
            sum(1 for t in exec_unknown if runs[t] == 1),
            sum(1 for t in exec_unknown if runs[t] == 0),
        ),
        "leaked connections": _client_connections(server.port),
        "fds before/after (server running)": (fds_before, psutil.Process().num_fds()),
    }
