"""A followed log resumed after a dropped connection delivers every byte once, also when the
command's output itself holds NUL bytes (issue 23: the resume skip applied before the NULs were
stripped repeated output, 6312 bytes delivered for 6000). The SDK strips NULs (the daemon's
padding) and counts what it delivered after stripping; on a resume the replayed log must be
skipped by that same count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from daytona_async._streams import FollowOptions, FollowStats, follow_bytes

from .test_streams_unit import FakeLog

pytestmark = pytest.mark.anyio

PY = "python3"

#: 6000 bytes of output, about one in seven a NUL of the program's own
SCRIPT = (
    "import sys,time\n"
    "out=sys.stdout.buffer\n"
    "for i in range(200):\n"
    "    out.write(b'%05d\\x00ab\\x00\\x00c' % i + b'\\x00' * 3 + b'x' * 15 + b'\\n'); out.flush()\n"
    "    (i % 25 == 0) and time.sleep(0.01)\n"
)
RAW = b"".join(b"%05d\x00ab\x00\x00c" % i + b"\x00" * 3 + b"x" * 15 + b"\n" for i in range(200))
EXPECTED = RAW.replace(b"\x00", b"")


def test_the_command_output_holds_nul_bytes() -> None:
    assert len(RAW) == 6000 and RAW.count(b"\x00") == 1200


async def test_a_resumed_log_with_nul_bytes_in_the_output_repeats_nothing(
    emulator_factory: Callable[..., Any], client_factory: Callable[..., Any]
) -> None:
    from daytona_emulator.settings import FaultSettings

    # half the follow streams are cut after 4096 bytes (a proxy dropping the connection)
    server = emulator_factory(
        faults=FaultSettings(cut_stream=0.5, cut_after_bytes=4096, paths=("/logs",), seed=4)
    )
    async with client_factory(server) as daytona:
        sb = await daytona.create(timeout=60)
        process = sb.process
        await process.create_session("nul")
        reconnects = 0
        for run in range(10):
            cmd = await process.start("nul", f'{PY} -c "{SCRIPT}"')
            out = b"".join([chunk async for chunk in cmd.output_bytes(timeout=30)])
            assert len(out) == len(EXPECTED), f"run {run}: {len(out)} bytes for {len(EXPECTED)}"
            assert out == EXPECTED, f"run {run}"
            assert cmd.stream_stats is not None
            reconnects += cmd.stream_stats.reconnects
            if reconnects >= 2:
                break
        assert reconnects >= 1  # the resume was exercised


class NulLog(FakeLog):
    """The fake daemon, whose probe declares the log's length without its NULs (as the SDK's
    own probe counts it)."""

    async def total_bytes(self, delivered: int) -> int | None:
        return len(self.data) - self.data.count(b"\x00")


@pytest.mark.parametrize("receivable", [False, True])
@pytest.mark.parametrize("cuts", [[100], [2500, 4000], [17, 18, 19, 5000]])
async def test_follow_resumes_output_holding_nul_bytes_without_repeat(
    receivable: bool, cuts: list[int]
) -> None:
    """The same over a fake daemon (NUL-padded messages, replayed from the start on every
    connection), cut inside output bytes, inside the program's NULs and inside padding."""
    log = NulLog(msg=64, batch=3)
    log.write(RAW)
    log.exit()
    log.cut_after = cuts
    stats = FollowStats()
    out = bytearray()
    async for chunk in follow_bytes(
        log.open_receivable if receivable else log.open,
        log,
        options=FollowOptions(reconnect_backoff=0.001),
        stats=stats,
    ):
        out += chunk
    assert len(out) == len(EXPECTED)
    assert bytes(out) == EXPECTED
    assert stats.reconnects == len(cuts)
