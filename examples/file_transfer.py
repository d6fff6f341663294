"""Move a large file in and out of a sandbox, streamed, with progress and checksums.

Neither direction holds the file in memory; a download that fails half-way leaves nothing at
the destination path.

    python examples/file_transfer.py [SIZE_MIB]

Needs rich for its progress bar: ``pip install 'daytona-async[examples]'``.
"""

import hashlib
import os
import sys
import tempfile

import anyio
from daytona_async import AsyncDaytona

try:
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn
except ImportError:  # the SDK alone does not bring rich
    sys.exit("this example needs rich: pip install 'daytona-async[examples]'")


def make_file(path: str, size: int) -> str:
    digest = hashlib.sha256()
    block = os.urandom(1 << 20)
    with open(path, "wb") as f:
        for offset in range(0, size, len(block)):
            chunk = block[: min(len(block), size - offset)]
            f.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


async def main(size_mib: int) -> None:
    size = size_mib << 20
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "data.bin"), os.path.join(tmp, "back.bin")
        sent = make_file(src, size)
        async with AsyncDaytona() as daytona, daytona.sandbox() as sb:
            with Progress(
                *Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn()
            ) as bar:
                up = bar.add_task("upload", total=size)
                await sb.fs.upload(
                    src, "data.bin", progress=lambda done, _total: bar.update(up, completed=done)
                )
                down = bar.add_task("download", total=size)
                await sb.fs.download(
                    "data.bin", dst, progress=lambda done, _total: bar.update(down, completed=done)
                )
        received = sha256_of(dst)
        print("sha256 sent    ", sent)
        print("sha256 received", received)
        if sent != received:
            raise SystemExit("checksums differ")


if __name__ == "__main__":
    anyio.run(main, int(sys.argv[1]) if len(sys.argv) > 1 else 32)
