"""200 MiB up and down through the toolbox with flat server memory. The emulator runs in a
subprocess so that its RSS is its own; data is generated and checked as a stream."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from daytona_emulator.testing import EmulatorProcess

MiB = 1024 * 1024
SIZE = int(os.environ.get("DAYTONA_TOOLBOX_TRANSFER_BYTES", 200 * MiB))
BLOCK = MiB


def blocks(size: int) -> Iterator[bytes]:
    base = os.urandom(BLOCK)
    done = 0
    i = 0
    while done < size:
        k = (i * 7919) % BLOCK
        block = (base[k:] + base[:k])[: size - done]
        done += len(block)
        i += 1
        yield block


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[tuple[str, str, psutil.Process]]:
    with EmulatorProcess(api_key="transfer-key", data_dir=tmp_path / "emu") as emu:
        yield emu.base_url, emu.api_key, psutil.Process(emu.pid)


class Sampler:
    def __init__(self, proc: psutil.Process) -> None:
        self.proc = proc
        self.base = proc.memory_info().rss
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.02)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.base) / MiB


def test_200_mib_up_and_down(emulator: tuple[str, str, psutil.Process]) -> None:
    url, key, server = emulator
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as api:
        sid = api.post("/sandbox", json={}).json()["id"]
    tb = f"{url}/toolbox/{sid}/toolbox"
    sent = hashlib.sha256()
    boundary = "----emulator-transfer-boundary"

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        for b in blocks(SIZE):
            sent.update(b)
            yield b
        yield f"\r\n--{boundary}--\r\n".encode()

    with httpx.Client(headers=headers, timeout=120) as c:
        # warm up: the first request's allocations are not the transfer's
        c.post(f"{tb}/files/upload", params={"path": "warm"}, files={"file": ("w", b"w")})
        with Sampler(server) as up_rss:
            t0 = time.perf_counter()
            r = c.post(
                f"{tb}/files/upload",
                params={"path": "/home/daytona/big.bin"},
                content=body(),
                headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            )
            up = time.perf_counter() - t0
        assert r.status_code == 200, r.text
        got = hashlib.sha256()
        n = 0
        with Sampler(server) as down_rss:
            t0 = time.perf_counter()
            with c.stream("GET", f"{tb}/files/download", params={"path": "big.bin"}) as resp:
                assert resp.status_code == 200
                assert resp.headers["content-type"] == "application/octet-stream"
                for chunk in resp.iter_bytes():
                    got.update(chunk)
                    n += len(chunk)
            down = time.perf_counter() - t0
    mib = SIZE / MiB
    print(
        f"\n{mib:.0f} MiB: upload {mib / up:.0f} MiB/s (server RSS +{up_rss.growth_mib:.1f} MiB), "
        f"download {mib / down:.0f} MiB/s (server RSS +{down_rss.growth_mib:.1f} MiB)"
    )
    assert n == SIZE and got.hexdigest() == sent.hexdigest()
    assert up_rss.growth_mib < 64 and down_rss.growth_mib < 64
