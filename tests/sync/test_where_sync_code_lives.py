"""Where sync code runs: many threads sharing one client, a thread already running an event
loop, web-framework worker threads; Ctrl-C in the middle of a call; close() leaving no thread
or connection behind."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import anyio.to_thread
import httpx
import psutil
import pytest
from daytona_async import ClientClosedError, Daytona, Sandbox
from daytona_async._sync_runtime import SyncUsageError
from daytona_emulator.testing import EmulatorServer

from .conftest import SECRET_KEY


def _client_connections(port: int) -> int:
    """This process's TCP connections to the emulator's port (its client side)."""
    conns = psutil.Process().net_connections(kind="tcp")
    return sum(1 for c in conns if c.raddr and c.raddr.port == port)


def _port(server: EmulatorServer) -> int:
    return int(server.port)


def test_32_threads_share_one_client(daytona: Daytona, sb: Sandbox) -> None:
    sb.fs.upload(b"shared", "shared.txt")

    def work(i: int) -> list[str]:
        out = []
        for j in range(31):
            if j % 10 == 0:
                out.append(sb.process.exec(f"echo {i}-{j}").output.strip())
            elif j % 3 == 0:
                out.append(daytona.get(sb.id).state or "")
            else:
                out.append(sb.fs.download_bytes("shared.txt").decode())
        return out

    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(work, range(32)))
    assert len(results) == 32
    for i, out in enumerate(results):
        assert out[0] == f"{i}-0" and out[10] == f"{i}-10"
        assert out[3] == "started" and out[1] == "shared"
    assert sum(len(r) for r in results) == 32 * 31


def test_inside_a_running_event_loop(daytona: Daytona, sb: Sandbox) -> None:
    async def notebook_cell() -> str:
        # sync calls from a coroutine (a notebook cell, an async app's helper): no "event
        # loop is already running"; the portal's loop is another one
        sb.fs.upload(b"from a loop", "loop.txt")
        return sb.fs.download_bytes("loop.txt").decode() + "/" + sb.process.exec("echo x").output

    assert asyncio.run(notebook_cell()) == "from a loop/x\n"


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_in_web_framework_worker_threads(daytona: Daytona, sb: Sandbox, backend: str) -> None:
    # a web framework runs sync endpoints in worker threads of its event loop
    # (Starlette/FastAPI: anyio.to_thread.run_sync), many at once
    def endpoint(i: int) -> str:
        return sb.process.exec(f"echo req{i}").output.strip()

    async def server() -> list[str]:
        results: list[str] = [""] * 8
        async with anyio.create_task_group() as tg:
            for i in range(8):

                async def handle(i: int = i) -> None:
                    results[i] = await anyio.to_thread.run_sync(endpoint, i)

                tg.start_soon(handle)
        return results

    assert anyio.run(server, backend=backend) == [f"req{i}" for i in range(8)]


def test_gather_runs_sync_functions_in_threads(daytona: Daytona, sb: Sandbox) -> None:
    seen: set[int] = set()

    def job(n: int) -> int:
        seen.add(threading.get_ident())
        return int(sb.process.exec(f"echo $(({n} * 2))").output)

    assert daytona.gather(job, range(6), concurrency=3) == [0, 2, 4, 6, 8, 10]
    assert threading.get_ident() not in seen


def test_callback_calling_the_client_is_refused_not_hung(sb: Sandbox) -> None:
    errors: list[BaseException] = []

    def progress(done: int, total: int | None) -> None:
        try:
            sb.fs.exists("x")
        except SyncUsageError as err:
            errors.append(err)

    sb.fs.upload(b"abc", "cb.txt", progress=progress)
    assert errors and isinstance(errors[0], SyncUsageError)


def test_close_leaves_no_thread_or_connection(emulator: EmulatorServer) -> None:
    port = _port(emulator)
    threads_before = {t.ident for t in threading.enumerate()}
    d = Daytona(api_key=emulator.api_key, api_url=emulator.base_url)
    assert {t.ident for t in threading.enumerate()} == threads_before  # nothing until used
    sb = d.create()
    sb.process.create_session("s")
    cmd = sb.process.start("s", "while true; do echo x; sleep 0.05; done")
    stream = cmd.output(lines=True)
    assert next(stream) == "x"  # a follow stream left open

    def many(i: int) -> str | None:
        return d.get(sb.id).state

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(many, range(40))) == {"started"}

    async def from_a_loop() -> str | None:  # this thread cannot drive: the helper thread does
        return d.get(sb.id).state

    assert asyncio.run(from_a_loop()) == "started"
    assert d._portal.running  # the helper thread
    assert _client_connections(port) > 0
    sb.delete()

    d.close()
    extra = [t.name for t in threading.enumerate() if t.ident not in threads_before]
    # the in-process emulator's child watchers wait for its killed commands: not the client's
    assert [name for name in extra if not name.startswith("asyncio-waitpid")] == []
    assert _client_connections(port) == 0
    assert list(stream) == []  # the client's close ended the stream
    with pytest.raises(ClientClosedError):
        d.get(sb.id)


def test_close_ends_a_stream_being_read_in_another_thread(emulator: EmulatorServer) -> None:
    d = Daytona(api_key=emulator.api_key, api_url=emulator.base_url)
    sb = d.create()
    sb.process.create_session("s")
    cmd = sb.process.start("s", "sleep 60")  # silent: the reader waits inside next()
    outcome: list[object] = []
    started = threading.Event()

    def reader() -> None:
        started.set()
        try:
            outcome.append(list(cmd.output()))
        except ClientClosedError as err:
            outcome.append(err)

    t = threading.Thread(target=reader)
    t.start()
    started.wait()
    time.sleep(0.3)  # the reader is blocked on the follow stream (not a timing assertion)
    sb.delete()
    d.close()
    t.join(30)
    assert not t.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], ClientClosedError | list)


# -- Ctrl-C ---------------------------------------------------------------------------------

SCRIPT = """
import sys
from daytona_async import Daytona

tag = sys.argv[1]
phase = sys.argv[2]
d = Daytona()
try:
    if phase == "create":
        print("creating", flush=True)
        with d.sandbox(labels={"ctrlc": tag}, timeout=120) as sb:
            print("never", flush=True)
    elif phase == "waiting":
        import threading
        with d.sandbox(labels={"ctrlc": tag}) as sb:
            print("created", sb.id, flush=True)
            # another thread's call drives the client's loop: this one waits for it
            def other():
                try:
                    sb.process.exec("sleep 62")
                except Exception:
                    pass
            threading.Thread(target=other, daemon=True).start()
            while not sb.process.exec("pgrep -f 'sleep 62' || true").output.strip():
                pass
            sb.process.exec("sleep 61")
            print("never", flush=True)
    else:
        with d.sandbox(labels={"ctrlc": tag}) as sb:
            print("created", sb.id, flush=True)
            sb.process.exec("sleep 60")
            print("never", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
finally:
    d.close()
print("closed", flush=True)
"""


def _tagged(server: EmulatorServer, tag: str) -> list[dict[str, object]]:
    resp = httpx.get(
        f"{server.base_url}/sandbox",
        params={"labels": f'{{"ctrlc": "{tag}"}}'},
        headers=server.headers,
    )
    resp.raise_for_status()
    return [s for s in resp.json() if s["labels"].get("ctrlc") == tag]


def _run_and_interrupt(
    server: EmulatorServer, tmp_path: Path, phase: str, ready: Callable[[str, str], bool]
) -> tuple[str, str]:
    script = tmp_path / "ctrlc.py"
    script.write_text(SCRIPT)
    tag = uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAYTONA_")}
    env.update(DAYTONA_API_URL=server.base_url, DAYTONA_API_KEY=server.api_key)
    proc = subprocess.Popen(
        [sys.executable, str(script), tag, phase],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        deadline = time.monotonic() + 60
        while not ready(first, tag):
            assert time.monotonic() < deadline, "the script never got to the interesting point"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    return tag, first + out


def test_ctrl_c_during_a_call_in_a_sandbox_block_deletes_the_sandbox(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    def exec_running(first: str, tag: str) -> bool:
        # the sandbox exists and its `sleep 60` is running (seen from the host)
        if not first.startswith("created"):
            return False
        return any("sleep 60" in " ".join(p.info["cmdline"] or []) for p in _procs())

    tag, out = _run_and_interrupt(emulator, tmp_path, "exec", exec_running)
    assert "interrupted" in out and "never" not in out and out.rstrip().endswith("closed")
    sandbox_id = out.split()[1]
    states = {str(s["id"]): s["state"] for s in _tagged(emulator, tag)}
    assert states.get(sandbox_id) in (None, "destroying", "destroyed"), states


def test_ctrl_c_while_waiting_for_another_threads_loop_deletes_the_sandbox(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    def waiting(first: str, tag: str) -> bool:
        cmdlines = [" ".join(p.info["cmdline"] or []) for p in _procs()]
        return first.startswith("created") and any("sleep 61" in c for c in cmdlines)

    tag, out = _run_and_interrupt(emulator, tmp_path, "waiting", waiting)
    assert "interrupted" in out and "never" not in out and out.rstrip().endswith("closed")
    sandbox_id = out.split()[1]
    states = {str(s["id"]): s["state"] for s in _tagged(emulator, tag)}
    assert states.get(sandbox_id) in (None, "destroying", "destroyed"), states


def test_ctrl_c_while_the_sandbox_is_being_created_deletes_it(
    emulator_slow: EmulatorServer, tmp_path: Path
) -> None:
    def being_created(first: str, tag: str) -> bool:
        return first.startswith("creating") and bool(_tagged(emulator_slow, tag))

    tag, out = _run_and_interrupt(emulator_slow, tmp_path, "create", being_created)
    assert "interrupted" in out and "never" not in out
    left = [s for s in _tagged(emulator_slow, tag) if s["state"] not in ("destroying", "destroyed")]
    assert left == []


def _procs() -> list[psutil.Process]:
    """This test process's descendants (the emulator's toolbox runs commands as children)."""
    out = []
    for p in psutil.Process().children(recursive=True):
        try:
            p.info = {"cmdline": p.cmdline()}
        except psutil.Error:
            continue
        out.append(p)
    return out


@pytest.fixture(scope="module")
def emulator_slow() -> Iterator[EmulatorServer]:
    """An emulator whose sandboxes take seconds to start (time to press Ctrl-C)."""
    with EmulatorServer(api_key=SECRET_KEY, transition_delay=3.0) as server:
        yield server
