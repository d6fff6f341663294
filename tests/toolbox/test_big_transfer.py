"""1 GiB up and down with bounded client memory. The emulator runs in a subprocess so that its
memory is not counted; the client's RSS is sampled throughout."""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

GiB = 1024**3
BLOCK = 1024 * 1024
SIZE = int(os.environ.get("DAYTONA_BIG_TRANSFER_BYTES", GiB))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def emulator_process(emulator_process_factory: Any) -> tuple[str, str, Path]:
    url, key, data_dir = emulator_process_factory()
    return url, key, Path(data_dir)


def blocks(size: int) -> Iterator[bytes]:
    base = random.Random(1234).randbytes(BLOCK)
    done = 0
    i = 0
    while done < size:
        k = (i * 7919) % BLOCK
        block = base[k:] + base[:k]
        block = block[: size - done]
        done += len(block)
        i += 1
        yield block


class RssSampler:
    def __init__(self) -> None:
        import psutil

        self.proc = psutil.Process()
        self.base = self.proc.memory_info().rss
        self.peak = self.base

    async def run(self) -> None:
        while True:
            self.peak = max(self.peak, self.proc.memory_info().rss)
            await anyio.sleep(0.05)

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.base) / 2**20


async def test_one_gib_up_and_down(emulator_process: tuple[str, str, Path], tmp_path: Path) -> None:
    from daytona_async import AsyncDaytona

    url, key, _data_dir = emulator_process
    expected = hashlib.sha256()
    for b in blocks(SIZE):
        expected.update(b)
    sent = hashlib.sha256()

    async def source() -> AsyncIterator[bytes]:
        for b in blocks(SIZE):
            sent.update(b)
            yield b

    async with AsyncDaytona(api_key=key, api_url=url) as daytona:
        sb = await daytona.create(timeout=60)
        sampler = RssSampler()
        async with anyio.create_task_group() as tg:
            tg.start_soon(sampler.run)
            t0 = anyio.current_time()
            await sb.fs.upload(source(), "big.bin", timeout=300)
            up = anyio.current_time() - t0
            got = hashlib.sha256()
            t0 = anyio.current_time()
            async with sb.fs.stream("big.bin", timeout=300) as s:
                async for chunk in s:
                    got.update(chunk)
            down = anyio.current_time() - t0
            t0 = anyio.current_time()
            local = await sb.fs.download("big.bin", tmp_path / "big.bin", timeout=300)
            down_file = anyio.current_time() - t0
            tg.cancel_scope.cancel()
        await sb.delete()
    on_disk = hashlib.sha256()
    async with await anyio.open_file(local, "rb") as f:
        while chunk := await f.read(BLOCK):
            on_disk.update(chunk)
    mib = SIZE / 2**20
    print(
        f"\n1 GiB: upload {mib / up:.0f} MiB/s, stream download {mib / down:.0f} MiB/s, "
        f"download to file {mib / down_file:.0f} MiB/s, client RSS growth "
        f"{sampler.growth_mib:.1f} MiB"
    )
    assert sent.hexdigest() == expected.hexdigest()
    assert got.hexdigest() == expected.hexdigest()
    assert on_disk.hexdigest() == expected.hexdigest()
    assert sampler.growth_mib < 64
