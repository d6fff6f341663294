"""Upload of a build context to the emulator's object storage: client cost per S3 library.

    .venv/bin/python bench/image_upload.py [--mib 100] [--clients sdk,obstore,aiobotocore,aioboto3]

The emulator runs in its own process (its moto S3 server with it), so nothing it does counts
for the client. Each client runs in a fresh worker process that measures:

- ``import_s``: wall time of importing the client library (cold process, warm disk cache);
- ``upload_s`` and ``MiB/s``: one upload of a ``--mib`` MiB file (random bytes, not
  compressible) after the credentials came from ``GET /object-storage/push-access``;
- ``cpu_s``: the worker's user+system CPU time during the upload;
- ``rss_growth_MiB``: peak RSS during the upload minus RSS just before it (imports done).

Each worker adds a file of its own to the context, so every ``sdk`` run really uploads;
``sdk-unchanged`` measures a second ``prepare_image`` of a context already in storage
(archive and hash only: nothing is uploaded). A discarded ``obstore`` upload warms the
fresh moto server up first.

``sdk`` is this project's path (``AsyncDaytona.prepare_image``: deterministic tar, SHA-256,
existence check, multipart upload with obstore); the others upload the same file with the
library's plain streaming call: ``obstore.put`` (multipart), ``aiobotocore``'s ``put_object``
with the file as body (one PUT), ``aioboto3``'s ``upload_fileobj`` (managed multipart).
Library-missing clients are reported as skipped. Prints a Markdown table and JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CLIENTS = ("sdk", "sdk-unchanged", "obstore", "aiobotocore", "aioboto3")
IMPORTS = {
    "sdk": "daytona_async._build_context, obstore.store",
    "sdk-unchanged": "daytona_async._build_context, obstore.store",
    "obstore": "obstore, obstore.store",
    "aiobotocore": "aiobotocore.session",
    "aioboto3": "aioboto3",
}


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class _PeakRss:
    """Samples RSS every 5 ms in a thread (ru_maxrss would include anything before)."""

    def __init__(self) -> None:
        self.peak = _rss_mib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss_mib())

    def __enter__(self) -> _PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mib())


async def _upload(client: str, access: dict[str, str], path: Path, key: str, src: Path) -> None:
    url, bucket = access["storageUrl"], access["bucket"]
    creds = {
        "aws_access_key_id": access["accessKey"],
        "aws_secret_access_key": access["secret"],
        "aws_session_token": access["sessionToken"],
    }
    if client.startswith("sdk"):
        from daytona_async import AsyncDaytona, Image

        async with AsyncDaytona(api_key=access["apiKey"], api_url=access["apiUrl"]) as daytona:
            await daytona.prepare_image(Image.base("alpine:3.20").add_local_dir(src, "/data"))
    elif client == "obstore":
        import obstore
        from obstore.store import S3Store

        store = S3Store(
            bucket,
            endpoint=url,
            access_key_id=creds["aws_access_key_id"],
            secret_access_key=creds["aws_secret_access_key"],
            session_token=creds["aws_session_token"],
            region="us-east-1",
            virtual_hosted_style_request=False,
            client_options={"allow_http": True},
        )
        await obstore.put_async(store, key, path, chunk_size=8 << 20, max_concurrency=4)
    elif client == "aiobotocore":
        from aiobotocore.session import get_session

        async with get_session().create_client(
            "s3", endpoint_url=url, region_name="us-east-1", **creds
        ) as s3:
            with path.open("rb") as f:
                await s3.put_object(Bucket=bucket, Key=key, Body=f)
    elif client == "aioboto3":
        import aioboto3

        async with aioboto3.Session().client(
            "s3", endpoint_url=url, region_name="us-east-1", **creds
        ) as s3:
            with path.open("rb") as f:
                await s3.upload_fileobj(f, bucket, key)


def worker(client: str, access_json: str, data_dir: str, mib: int) -> dict[str, Any]:
    import asyncio

    access = json.loads(access_json)
    src = Path(data_dir)
    path = src / "blob.bin"
    start = time.perf_counter()
    try:
        for module in IMPORTS[client].split(", "):
            __import__(module)
    except ImportError as exc:
        return {"client": client, "skipped": f"not installed ({exc.name})"}
    import_s = time.perf_counter() - start
    key = f"{access['organizationId']}/bench-{client}-{os.getpid()}/context.tar"
    # a context of its own (else the SDK finds the previous worker's upload and skips it)
    nonce = src / f"nonce-{os.getpid()}"
    nonce.write_text(client)
    try:
        if client == "sdk-unchanged":  # measured: the second prepare of the same context
            asyncio.run(_upload(client, access, path, key, src))
        return _measure(client, access, path, key, src, mib, import_s)
    finally:
        nonce.unlink()


def _measure(
    client: str, access: dict[str, str], path: Path, key: str, src: Path, mib: int, import_s: float
) -> dict[str, Any]:
    import asyncio

    rss0 = _rss_mib()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    with _PeakRss() as peak:
        t0 = time.perf_counter()
        asyncio.run(_upload(client, access, path, key, src))
        upload_s = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {
        "client": client,
        "import_s": round(import_s, 3),
        "upload_s": round(upload_s, 3),
        "MiB/s": round(mib / upload_s, 1),
        "cpu_s": round(cpu, 3),
        "rss_growth_MiB": round(peak.peak - rss0, 1),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mib", type=int, default=100)
    p.add_argument("--clients", default=",".join(CLIENTS))
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--access", help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.access, args.data, args.mib)))
        return

    import httpx
    from daytona_emulator.testing import EmulatorProcess

    results = []
    with tempfile.TemporaryDirectory() as data, EmulatorProcess() as emu:
        with open(Path(data) / "blob.bin", "wb") as f:
            for _ in range(args.mib):
                f.write(os.urandom(1 << 20))
        access = httpx.get(
            f"{emu.base_url}/object-storage/push-access",
            headers={"Authorization": f"Bearer {emu.api_key}"},
            timeout=60,
        ).json()
        access.update(apiKey=emu.api_key, apiUrl=emu.base_url)
        # the first upload to a fresh moto server is slower (lazy imports there): warm it up
        for client in ["obstore", *args.clients.split(",")]:
            out = subprocess.run(
                [sys.executable, __file__, "--worker", client, "--mib", str(args.mib),
                 "--access", json.dumps(access), "--data", data],
                capture_output=True, text=True, check=False, timeout=600,
            )  # fmt: skip
            if out.returncode != 0:
                results.append({"client": client, "error": out.stderr.strip()[-300:]})
                continue
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        results.pop(0)
    cols = ["client", "import_s", "upload_s", "MiB/s", "cpu_s", "rss_growth_MiB"]
    print(f"Upload of a {args.mib} MiB build context to the emulator's S3 (moto)\n")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in results:
        if "client" in r and "import_s" in r:
            print("| " + " | ".join(str(r[c]) for c in cols) + " |")
        else:
            print(f"| {r['client']} | {r.get('skipped') or r.get('error')} |")
    print("\n" + json.dumps(results))


if __name__ == "__main__":
    main()
