"""sandbox.process against the emulator (real execution): exec with shell semantics,
sessions, CommandHandle output streaming (asyncio and trio)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import aclosing
from typing import Any

import anyio
import pytest
from daytona_async._process import CommandTimeoutError
from daytona_async.errors import ConflictError, NotFoundError

pytestmark = pytest.mark.anyio

PY = "python3"

# 1000 writes of 7 bytes each (cutting multi-byte characters anywhere), flushed one by one
MULTIBYTE_SCRIPT = (
    "import sys,time\n"
    "data=('héllo 你好 🙂🚀 ✓ 𝄞 '*400).encode()[:6998].ljust(7000, b'.')\n"
    "out=sys.stdout.buffer\n"
    "for i in range(0,7000,7):\n"
    "    out.write(data[i:i+7]); out.flush()\n"
    "    (i % 700 == 0) and time.sleep(0.005)\n"
)
# 6998 bytes end on a character boundary; padded to 7000 with ASCII
MULTIBYTE_EXPECTED = ("héllo 你好 🙂🚀 ✓ 𝄞 " * 400).encode()[:6998].ljust(7000, b".")


async def test_exec_shell_semantics(sandbox: Any) -> None:
    p = sandbox.process
    r = await p.exec("echo 'a  b' \"c $((1+2))\" | tr a-z A-Z; printf '%s\\n' \"$HOME\" >/dev/null")
    assert (r.exit_code, r.output) == (0, "A  B C 3\n")
    r = await p.exec("echo one\necho 'two' && exit 4")
    assert (r.exit_code, r.output) == (4, "one\ntwo\n")
    r = await p.exec(
        'printf "%s|%s|%s" "$A" "$B" "$C"',
        env={"A": "x y  z", "B": 'it\'s "q" $HOME `id`', "C": "l1\nl2\n"},
    )
    assert r.output == 'x y  z|it\'s "q" $HOME `id`|l1\nl2\n'
    r = await p.exec("echo 你好 🙂")
    assert r.output == "你好 🙂\n"


async def test_code_run(sandbox: Any) -> None:
    """Python source runs byte for byte, with argv, env and the exec result type."""
    from daytona_async import ExecResult
    from daytona_async.errors import InvalidArgumentError

    p = sandbox.process
    code = (
        "import os, sys\n"
        "print('argv', sys.argv[1:])\n"
        "print('env', os.environ['GREETING'])\n"
        'print("quotes \' \\" $HOME `x` \u00e9")\n'
        "sys.stderr.write('to stderr\\n')\n"
        "sys.exit(3)\n"
    )
    r = await p.code_run(code, argv=["a b", "$x", "'q'"], env={"GREETING": "hi there"})
    assert isinstance(r, ExecResult)
    assert r.exit_code == 3
    assert r.output == (
        "argv ['a b', '$x', \"'q'\"]\nenv hi there\nquotes ' \" $HOME `x` é\nto stderr\n"
    )
    assert (await p.code_run("print(6 * 7)")) == ExecResult(0, "42\n")
    r = await p.code_run("raise ValueError('boom')")
    assert r.exit_code == 1 and "ValueError: boom" in r.output
    with pytest.raises(CommandTimeoutError):
        await p.code_run("import time; time.sleep(30)", timeout=1)
    with pytest.raises(InvalidArgumentError):
        await p.code_run("print(1)", argv="not-a-list")  # type: ignore[arg-type]


async def test_exec_cwd_and_project_dir(sandbox: Any) -> None:
    # the emulator is not a container: `pwd` prints a host path ending in the sandbox path
    p = sandbox.process
    home = await p.project_dir()
    assert (await p.exec("pwd")).output.strip().endswith(home)
    await sandbox.fs.mkdir("sub/dir")
    assert (await p.exec("pwd", cwd="sub/dir")).output.strip().endswith(f"{home}/sub/dir")
    assert (await p.exec("pwd", cwd="/tmp")).output.strip().endswith("/tmp")


async def test_exec_timeout(sandbox: Any) -> None:
    start = anyio.current_time()
    with pytest.raises(CommandTimeoutError) as info:
        await sandbox.process.exec("sleep 5", timeout=1)
    assert anyio.current_time() - start < 4
    assert isinstance(info.value, TimeoutError)


async def test_sessions_lifecycle(sandbox: Any) -> None:
    p = sandbox.process
    await p.create_session("s1")
    with pytest.raises(ConflictError):
        await p.create_session("s1")
    assert any(s.session_id == "s1" for s in await p.list_sessions())
    r = await p.run("s1", "cd /tmp && export V=42")
    assert r.exit_code == 0
    r = await p.run("s1", 'echo "$V $(pwd)"')
    assert r.exit_code == 0 and r.output.startswith("42 ") and r.output.endswith("/tmp\n")
    r = await p.run("s1", "echo err >&2; exit 3")
    assert (r.exit_code, r.output) == (3, "err\n")
    session = await p.get_session("s1")
    assert len(session.commands or []) == 3
    await p.delete_session("s1")
    with pytest.raises(NotFoundError):
        await p.get_session("s1")


async def test_multibyte_output_byte_identical(sandbox: Any) -> None:
    p = sandbox.process
    await p.create_session("mb")
    script = MULTIBYTE_SCRIPT.replace("'", "'\"'\"'")
    cmd = await p.start("mb", f"{PY} -c '{script}'")
    raw = b"".join([chunk async for chunk in cmd.output_bytes(timeout=30)])
    assert raw == MULTIBYTE_EXPECTED
    cmd2 = await p.start("mb", f"{PY} -c '{script}'")
    text = "".join([t async for t in cmd2.output(timeout=30)])
    assert text.encode() == MULTIBYTE_EXPECTED
    assert await cmd2.wait(timeout=10) == 0
    assert (await cmd2.logs()).encode() == MULTIBYTE_EXPECTED


async def test_output_holding_nul_bytes_ends_without_reconnects(sandbox: Any) -> None:
    # the full log declares 4 bytes, 3 are delivered (NULs are stripped as padding): the end
    # check counts the log instead of trusting its declared length
    p = sandbox.process
    await p.create_session("nul")
    cmd = await p.start("nul", "printf 'a\\000b\\n'")
    text = "".join([t async for t in cmd.output(timeout=30)])
    assert text == "ab\n"
    assert cmd.stream_stats is not None and cmd.stream_stats.reconnects == 0


async def test_run_lines_callback(sandbox: Any) -> None:
    p = sandbox.process
    await p.create_session("lines")
    seen: list[str] = []

    async def on_output(line: str) -> None:
        seen.append(line)

    r = await p.run(
        "lines",
        "for i in 1 2 3; do echo line$i; done; printf tail",
        on_output=on_output,
        lines=True,
    )
    assert r.exit_code == 0 and r.output == ""
    assert seen == ["line1", "line2", "line3", "tail"]


async def test_output_is_live_and_ends_promptly(sandbox: Any) -> None:
    """Output arrives before the command ends; the iterator ends < 1 s after the exit (the
    emulator, like the service, never ends the follow stream by itself)."""
    p = sandbox.process
    await p.create_session("live")
    lags: list[float] = []
    for _ in range(5):
        cmd = await p.start(
            "live",
            f"{PY} -c 'import time\nfor i in range(3):\n    print(i, flush=True); time.sleep(0.15)\n"
            'print("T", time.time(), flush=True)\'',
        )
        first_at: float | None = None
        text = ""
        async for piece in cmd.output(timeout=20):
            if first_at is None:
                first_at = time.time()
            text += piece
        ended = time.time()
        exited = float(text.strip().split("T ")[1])
        assert first_at is not None and first_at < exited - 0.2  # live, not at the end
        lags.append(ended - exited)
        assert cmd.exit_code == 0
    print(f"exit -> end of iteration: median {statistics.median(lags):.3f}s max {max(lags):.3f}s")
    assert max(lags) < 1.0


async def test_cancelled_consumer_returns_connection(sandbox: Any, daytona: Any) -> None:
    p = sandbox.process
    await p.create_session("cancel")
    transport = daytona.context.transport
    await p.exec("true")  # warm up the pool
    before = transport.pool_stats()["in_use"]
    cmd = await p.start("cancel", "for i in $(seq 1 100); do echo $i; sleep 0.05; done")
    got: list[str] = []
    with anyio.move_on_after(0.5):
        async for piece in cmd.output():
            got.append(piece)
    assert got
    await anyio.sleep(0.05)
    assert transport.pool_stats()["in_use"] == before

    # break out early with aclosing: closed at once too (another session: the first
    # command still runs in its session's shell)
    await p.create_session("cancel2")
    cmd = await p.start("cancel2", "for i in $(seq 1 100); do echo $i; sleep 0.05; done")
    async with aclosing(cmd.output()) as out:
        async for _ in out:
            break
    await anyio.sleep(0.05)
    assert transport.pool_stats()["in_use"] == before


async def test_cut_stream_resumes(
    emulator_factory: Callable[..., Any], client_factory: Callable[..., Any]
) -> None:
    from daytona_emulator.settings import FaultSettings

    server = emulator_factory(
        faults=FaultSettings(cut_stream=0.5, cut_after_bytes=4096, paths=("/logs",), seed=4)
    )
    async with client_factory(server) as daytona:
        sb = await daytona.create(timeout=60)
        p = sb.process
        await p.create_session("cut")
        total_reconnects = 0
        for n in range(4):
            cmd = await p.start(
                "cut",
                f"{PY} -c 'import sys,time\nfor i in range(400):\n"
                '    sys.stdout.write("%05d \\u00e9\\u4f60\\U0001f642 xxxxxxxxxxxxxxxxxxxx\\n" % i)\n'
                "    sys.stdout.flush(); (i % 50 == 0) and time.sleep(0.01)'",
            )
            text = "".join([t async for t in cmd.output(timeout=30)])
            expected = "".join(f"{i:05d} é你🙂 xxxxxxxxxxxxxxxxxxxx\n" for i in range(400))
            assert text == expected, f"run {n}"
            assert cmd.stream_stats is not None
            total_reconnects += cmd.stream_stats.reconnects
        assert total_reconnects >= 1


async def test_two_hundred_sandboxes(emulator_process_factory: Callable[..., Any]) -> None:
    """200 sandboxes, each running one session command whose output is streamed, at once
    (``daytona.gather``); the emulator runs in its own process."""
    import httpx
    from daytona_async import AsyncDaytona
    from daytona_async._wire import KEEPALIVE_EXPIRY

    url, key, _ = emulator_process_factory(
        "--quota",
        "totalCpuQuota=1000",
        "--quota",
        "totalMemoryQuota=1000",
        "--quota",
        "totalDiskQuota=10000",
        "--transition-delay",
        "0.01",
    )
    # every live follow stream holds a connection, and its exit polls need another one:
    # the pool must be larger than the number of concurrent streams. Idle connections expire
    # well before uvicorn's 5 s keep-alive: a POST is never re-sent once it may have been read,
    # so one sent on a connection the server is closing would fail (the SDK's default)
    limits = httpx.Limits(
        max_connections=1000, max_keepalive_connections=1000, keepalive_expiry=KEEPALIVE_EXPIRY
    )
    async with AsyncDaytona(api_key=key, api_url=url, limits=limits) as daytona:
        start = anyio.current_time()

        async def one(i: int) -> int:
            sb = await daytona.create(timeout=120)
            try:
                await sb.process.create_session("s")
                r = await sb.process.run("s", f"echo {i}; exit {i % 7}", timeout=60)
                assert r.output == f"{i}\n"
                return r.exit_code
            finally:
                await sb.delete()

        codes = await daytona.gather(one, range(200), concurrency=200)
        elapsed = anyio.current_time() - start
    print(f"\n200 sandboxes, one streamed session command each: {elapsed:.2f}s")
    assert codes == [i % 7 for i in range(200)]
