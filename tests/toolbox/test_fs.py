"""sandbox.fs against the emulator: round trips, the file operations, progress, and a download
cut midway that leaves nothing at the destination."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from daytona_async.errors import BadRequestError, ConflictError, DaytonaError, NotFoundError

pytestmark = pytest.mark.anyio


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def read(path: str | Path) -> bytes:
    return Path(path).read_bytes()


async def test_round_trips(sandbox: Any, tmp_path: Path) -> None:
    fs = sandbox.fs
    data = os.urandom(3 * 1024 * 1024 + 17)
    local = tmp_path / "src.bin"
    local.write_bytes(data)
    progress: list[tuple[int, int | None]] = []
    await fs.upload(str(local), "rt/a.bin", progress=lambda d, t: progress.append((d, t)))
    assert progress[-1] == (len(data), len(data))
    assert await fs.download_bytes("rt/a.bin") == data

    async def gen() -> AsyncIterator[bytes]:
        for i in range(0, len(data), 100_000):
            yield data[i : i + 100_000]

    await fs.upload(gen(), "rt/b.bin")
    down: list[tuple[int, int | None]] = []
    out = await fs.download(
        "rt/b.bin", tmp_path / "b.bin", progress=lambda d, t: down.append((d, t))
    )
    assert read(out) == data
    assert down[-1] == (len(data), len(data))
    assert not [n for n in names(tmp_path) if n.endswith(".part")]
    # into an existing directory, under the remote base name
    out = await fs.download("rt/a.bin", tmp_path)
    assert out == str(tmp_path / "a.bin")

    await fs.upload_many([(b"one", "rt/many/1.txt"), (b"two", "/tmp/rt-2.txt")])
    assert await fs.download_bytes("rt/many/1.txt") == b"one"
    assert await fs.download_bytes("/tmp/rt-2.txt") == b"two"

    async with fs.stream("rt/a.bin") as s:
        assert s.size == len(data)
        h = hashlib.sha256()
        async for chunk in s:
            h.update(chunk)
    assert h.digest() == hashlib.sha256(data).digest()


async def test_operations(sandbox: Any) -> None:
    fs = sandbox.fs
    home = await fs.project_dir()
    await fs.mkdir("ops/dir", 0o750)
    info = await fs.info("ops/dir")
    assert info.is_dir and info.permissions.endswith("750")
    await fs.upload(b"hello world\nsecond line hello\n", "ops/dir/f.txt")
    await fs.upload(b"nothing here\n", "ops/dir/g.md")
    names = sorted(e.name for e in await fs.list("ops/dir"))
    assert names == ["f.txt", "g.md"]
    assert await fs.exists("ops/dir/f.txt") and not await fs.exists("ops/none")

    matches = await fs.find("ops", "hello")
    assert sorted((Path(m.file).name, int(m.line)) for m in matches) == [("f.txt", 1), ("f.txt", 2)]
    assert sorted(await fs.search("ops", "*.txt")) == [f"{home}/ops/dir/f.txt"]
    assert await fs.search("ops", "*.nothing") == []

    results = await fs.replace(["ops/dir/f.txt", "ops/missing.txt"], "hello", "bye")
    assert [bool(r.success) for r in results] == [True, False]
    assert await fs.download_bytes("ops/dir/f.txt") == b"bye world\nsecond line bye\n"

    await fs.chmod("ops/dir/f.txt", 0o600)
    assert (await fs.info("ops/dir/f.txt")).permissions.endswith("600")

    await fs.move("ops/dir/g.md", "ops/g2.md")
    with pytest.raises(ConflictError):
        await fs.move("ops/g2.md", "ops/dir/f.txt")
    with pytest.raises(NotFoundError):
        await fs.info("ops/dir/g.md")

    with pytest.raises(BadRequestError):
        await fs.delete("ops/dir")  # a directory needs recursive=True
    await fs.delete("ops/g2.md")
    await fs.delete("ops", recursive=True)
    assert not await fs.exists("ops")


async def test_cut_download_leaves_no_file(
    emulator_factory: Callable[..., Any], client_factory: Callable[..., Any], tmp_path: Path
) -> None:
    """Every response is cut after 1000 bytes: each resume gains only 1000 bytes, so the
    download gives up (typed error) — and nothing is left at the destination, for every form
    of download."""
    from daytona_async._fs import MAX_RESUMES
    from daytona_emulator.settings import FaultSettings

    server = emulator_factory(
        faults=FaultSettings(cut_stream=1.0, cut_after_bytes=1000, paths=("/files/download",))
    )
    async with client_factory(server) as daytona:
        sb = await daytona.create(timeout=60)
        await sb.fs.upload(os.urandom(1_000_000), "big.bin")
        dst = tmp_path / "dst.bin"
        with pytest.raises(DaytonaError):
            await sb.fs.download("big.bin", dst)
        assert not dst.exists()
        dst.write_bytes(b"previous")
        with pytest.raises(DaytonaError):
            await sb.fs.download("big.bin", dst)
        assert read(dst) == b"previous"
        assert names(tmp_path) == ["dst.bin"]
        with pytest.raises(DaytonaError):
            await sb.fs.download_bytes("big.bin")
        got = bytearray()
        with pytest.raises(DaytonaError):
            async with sb.fs.stream("big.bin") as s:
                async for chunk in s:
                    got += chunk
        assert s.resumes == MAX_RESUMES and len(got) == s.received < 1_000_000

        # cancelled midway, after bytes arrived: the same
        seen: list[int] = []
        with anyio.CancelScope() as scope:

            def progress(done: int, total: int | None) -> None:
                seen.append(done)
                scope.cancel()

            await sb.fs.download("big.bin", tmp_path / "x.bin", progress=progress)
        assert scope.cancelled_caught and seen and seen[0] > 0
        assert names(tmp_path) == ["dst.bin"]


async def test_cut_download_resumes_with_range(
    emulator_factory: Callable[..., Any], client_factory: Callable[..., Any], tmp_path: Path
) -> None:
    """Every response is cut after 300 kB: the download resumes where it stopped (a Range
    request guarded by If-Range) and the result is byte for byte the file."""
    from daytona_emulator.settings import FaultSettings

    server = emulator_factory(
        faults=FaultSettings(cut_stream=1.0, cut_after_bytes=300_000, paths=("/files/download",))
    )
    data = os.urandom(1_000_000)
    async with client_factory(server) as daytona:
        sb = await daytona.create(timeout=60)
        await sb.fs.upload(data, "big.bin")
        async with sb.fs.stream("big.bin") as s:
            got = b"".join([chunk async for chunk in s])
        assert got == data and s.resumes == 3 and s.received == s.size == len(data)
        assert await sb.fs.download_bytes("big.bin") == data
        dst = await sb.fs.download("big.bin", tmp_path)
        assert read(dst) == data and names(tmp_path) == ["big.bin"]


async def test_uploads_retried_through_503s(
    emulator_factory: Callable[..., Any], client_factory: Callable[..., Any], tmp_path: Path
) -> None:
    """40 % of the bulk uploads answer 503 (seeded): every upload of a replayable source
    (bytes, a path, a seekable file) still lands, byte for byte."""
    import io

    from daytona_emulator.settings import FaultSettings

    server = emulator_factory(
        faults=FaultSettings(seed=7, unavailable=0.4, paths=("/files/bulk-upload",))
    )
    local = tmp_path / "local.bin"
    payloads = [os.urandom(50_000 + i) for i in range(6)]
    async with client_factory(server, max_retries=12) as daytona:
        sb = await daytona.create(timeout=60)
        for i, data in enumerate(payloads):
            src: Any
            if i % 3 == 0:
                src = data
            elif i % 3 == 1:
                local.write_bytes(data)
                src = local
            else:
                src = io.BytesIO(data)
            await sb.fs.upload(src, f"up/{i}.bin")
        for i, data in enumerate(payloads):
            assert await sb.fs.download_bytes(f"up/{i}.bin") == data
    assert server.app.fault_injector.counts["unavailable"] >= 2
