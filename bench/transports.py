"""Client CPU per call of the httpx transports the SDK could use, against one server process.

    .venv/bin/python bench/transports.py [--n 2000] [--concurrency 100] [--repeat 3]
                                         [--server emulator|stub]

The server runs in a subprocess (``python -m daytona_emulator --port 0`` by default, or a
minimal aiohttp stub serving the same Sandbox JSON with ``--server stub``) so its CPU is not
counted. For each client, ``n`` GETs of one sandbox run at ``concurrency`` tasks after a
warm-up; we report client process CPU time (``time.process_time``) per call, wall time, and
the number of TCP connections the client opened. Every client reads the body and decodes the
JSON; the SDK rows also build the generated ``Sandbox`` model (that is what ``get()`` returns).
Each figure is the median of ``repeat`` runs.

Under trio only the transports that run there are measured: httpx's own (httpcore 1.0.9 pool)
and the SDK's ``Httpcore2Transport`` (its default under trio). ``httpx_aiohttp`` and ``pyqwest``
are not dependencies of the project: their rows are measured only where they are installed
(``pip install httpx-aiohttp pyqwest`` into the venv), and skipped with a note otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio
import psutil

if TYPE_CHECKING:
    import httpx

API_KEY = "bench-key"

STUB_SERVER = r"""
import json, sys
from aiohttp import web
SANDBOX = json.dumps({
    "id": "sb-1", "organizationId": "org-1", "snapshot": "daytonaio/sandbox:0.3.0",
    "user": "daytona", "env": {}, "labels": {"a": "b"}, "public": False, "target": "us",
    "cpu": 1, "gpu": 0, "memory": 1, "disk": 3, "state": "started", "errorReason": None,
    "backupState": "None", "autoStopInterval": 15, "autoArchiveInterval": 10080,
    "volumes": [], "createdAt": "2025-06-13T08:05:07.123Z",
    "updatedAt": "2025-06-13T08:05:07.123Z", "class": "small"}).encode()
async def get_sandbox(request):
    return web.Response(body=SANDBOX, content_type="application/json")
async def create(request):
    return web.Response(body=SANDBOX, content_type="application/json")
app = web.Application()
app.router.add_get("/api/sandbox/{id}", get_sandbox)
app.router.add_post("/api/sandbox", create)
async def main():
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(f"READY http://127.0.0.1:{port}/api", flush=True)
    import asyncio
    await asyncio.Event().wait()
import asyncio
asyncio.run(main())
"""


def start_server(kind: str) -> tuple[subprocess.Popen[str], str]:
    if kind == "stub":
        cmd = [sys.executable, "-c", STUB_SERVER]
    else:
        cmd = [sys.executable, "-m", "daytona_emulator", "--port", "0", "--api-key", API_KEY]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"(http://127\.0\.0\.1:\d+(?:/api)?)", line)
        if m:
            url = m.group(1)
            if not url.endswith("/api"):
                url += "/api"
            return proc, url
    proc.kill()
    raise RuntimeError("server did not print its URL")


def create_sandbox_sync(base_url: str) -> str:
    import httpx

    r = httpx.post(
        f"{base_url}/sandbox",
        json={},
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=60,
    )
    r.raise_for_status()
    return str(r.json()["id"])


def client_connections(port: int) -> int:
    proc = psutil.Process()
    return sum(
        1
        for c in proc.net_connections(kind="tcp")
        if c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED
    )


async def run_load(fn: Callable[[], Awaitable[Any]], n: int, concurrency: int) -> None:
    per_task, extra = divmod(n, concurrency)

    async def worker(k: int) -> None:
        for _ in range(k):
            await fn()

    async with anyio.create_task_group() as tg:
        for i in range(concurrency):
            tg.start_soon(worker, per_task + (1 if i < extra else 0))


# -- clients -----------------------------------------------------------------------------


def make_clients(base_url: str, sandbox_id: str) -> dict[str, Callable[[], Any]]:
    """name -> async factory returning (call, aclose)."""
    headers = {"Authorization": f"Bearer {API_KEY}"}
    path = f"/sandbox/{sandbox_id}"

    def over_httpx(
        c: httpx.AsyncClient,
    ) -> tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]:
        async def call() -> Any:
            r = await c.get(path)
            r.raise_for_status()
            return r.json()

        return call, c.aclose

    async def httpx_default() -> tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]:
        import httpx

        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        return over_httpx(httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits))

    async def httpx_aiohttp() -> tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]:
        import httpx
        from httpx_aiohttp import AiohttpTransport

        t = AiohttpTransport(limits=httpx.Limits(max_connections=200))
        return over_httpx(httpx.AsyncClient(base_url=base_url, headers=headers, transport=t))

    async def sdk_httpcore2_transport() -> tuple[
        Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]
    ]:
        import httpx
        from daytona_async._httpcore2 import Httpcore2Transport

        t = Httpcore2Transport(limits=httpx.Limits(max_connections=100))
        return over_httpx(httpx.AsyncClient(base_url=base_url, headers=headers, transport=t))

    async def sdk_h1_transport() -> tuple[
        Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]
    ]:
        import httpx
        from daytona_async._h1_asyncio import H1Transport

        t = H1Transport(limits=httpx.Limits(max_connections=200))
        return over_httpx(httpx.AsyncClient(base_url=base_url, headers=headers, transport=t))

    async def pyqwest() -> tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]:
        import httpx
        from pyqwest import HTTPTransport
        from pyqwest.httpx import AsyncPyqwestTransport

        t = AsyncPyqwestTransport(HTTPTransport(enable_otel=False))
        return over_httpx(httpx.AsyncClient(base_url=base_url, headers=headers, transport=t))

    async def raw_aiohttp() -> tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]:
        import aiohttp

        s = aiohttp.ClientSession(headers=headers, connector=aiohttp.TCPConnector(limit=200))
        url = base_url + path

        async def call() -> Any:
            async with s.get(url) as r:
                r.raise_for_status()
                return json.loads(await r.read())

        return call, s.close

    def sdk(backend: str | None) -> Callable[[], Any]:
        async def factory() -> tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]:
            from daytona_async import AsyncDaytona

            d = AsyncDaytona(api_key=API_KEY, api_url=base_url, backend=backend)

            async def call() -> Any:
                return await d.get(sandbox_id)

            return call, d.aclose

        return factory

    return {
        "httpx default transport": httpx_default,
        "httpx-aiohttp AiohttpTransport": httpx_aiohttp,
        "daytona_async Httpcore2Transport": sdk_httpcore2_transport,
        "daytona_async H1Transport": sdk_h1_transport,
        "pyqwest AsyncPyqwestTransport": pyqwest,
        "raw aiohttp (floor)": raw_aiohttp,
        "SDK get() [httpx backend]": sdk("httpx"),
        "SDK get() [h1 backend]": sdk("h1"),
        "SDK get() [default backend]": sdk(None),
    }


TRIO_OK = {
    "httpx default transport",
    "daytona_async Httpcore2Transport",
    "SDK get() [httpx backend]",
    "SDK get() [default backend]",
}
#: rows that need a package the project does not depend on
OPTIONAL = {
    "httpx-aiohttp AiohttpTransport": "httpx_aiohttp",
    "pyqwest AsyncPyqwestTransport": "pyqwest",
}


def importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


async def measure(
    factory: Callable[[], Any], n: int, concurrency: int, port: int
) -> tuple[float, float, int]:
    call, aclose = await factory()
    try:
        await run_load(call, min(n, 400), concurrency)  # warm-up: pool, imports
        conns = client_connections(port)
        t0, c0 = time.perf_counter(), time.process_time()
        await run_load(call, n, concurrency)
        c1, t1 = time.process_time(), time.perf_counter()
        conns = max(conns, client_connections(port))
    finally:
        await aclose()
    return (c1 - c0) / n * 1000.0, t1 - t0, conns


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--server", choices=["emulator", "stub"], default="emulator")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    os.environ.pop("DAYTONA_LOG", None)
    proc, base_url = start_server(args.server)
    port = int(base_url.rsplit(":", 1)[1].split("/")[0])
    try:
        sandbox_id = create_sandbox_sync(base_url)
        clients = make_clients(base_url, sandbox_id)
        results: dict[str, tuple[float, float, int]] = {}
        for name, module in OPTIONAL.items():
            if not importable(module):
                print(f"(skipped {name}: `{module}` is not installed)", flush=True)
                clients.pop(name)
        plan = [
            (name, backend)
            for backend in ("asyncio", "trio")
            for name in clients
            if not (args.only and args.only not in name)
            and not (backend == "trio" and name not in TRIO_OK)
        ]
        runs: dict[tuple[str, str], list[tuple[float, float, int]]] = {k: [] for k in plan}
        # repeats interleaved across rows, so that drift on a shared machine hits all alike
        for rep in range(args.repeat):
            for name, backend in plan:
                r = anyio.run(
                    measure, clients[name], args.n, args.concurrency, port, backend=backend
                )
                runs[name, backend].append(r)
                print(
                    f"[{rep + 1}/{args.repeat}] {name + ' / ' + backend:48s} {r[0]:7.3f} ms CPU/call",
                    flush=True,
                )
        for (name, backend), rs in runs.items():
            cpu = statistics.median(r[0] for r in rs)
            wall = statistics.median(r[1] for r in rs)
            conns = max(r[2] for r in rs)
            results[f"{name} / {backend}"] = (cpu, wall, conns)
        base_httpx = results.get("httpx default transport / asyncio")
        base_aio = results.get("raw aiohttp (floor) / asyncio")
        base_sdk = results.get("SDK get() [default backend] / asyncio")
        print()
        print(
            f"medians of {args.repeat} interleaved runs, {args.n} GETs at concurrency "
            f"{args.concurrency} ({args.server} server)"
        )
        print(
            f"{'client':48s} {'CPU/call':>9s} {'req/s':>7s} {'conns':>5s} {'/httpx':>7s} "
            f"{'/aiohttp':>8s} {'/SDK asyncio':>12s}"
        )
        for key, (cpu, wall, conns) in results.items():
            r1 = f"{cpu / base_httpx[0]:.2f}x" if base_httpx else "-"
            r2 = f"{cpu / base_aio[0]:.2f}x" if base_aio else "-"
            r3 = f"{cpu / base_sdk[0]:.2f}x" if base_sdk else "-"
            print(
                f"{key:48s} {cpu:7.3f}ms {args.n / wall:7.0f} {conns:5d} {r1:>7s} {r2:>8s} "
                f"{r3:>12s}"
            )
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
