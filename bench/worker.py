"""One benchmark worker: a single client, in its own process, driven by ``run.py``.

``python bench/worker.py --client NAME`` reads one JSON command per line on stdin and answers
each with one line ``RESULT {json}`` on stdout. Only the standard library is imported at
module level; the client under test is imported lazily, so the official SDK's worker runs
in ``.bench-venv`` and the others in the project's venv.

Clients (see ``ADAPTERS``): ``daytona_async`` (this project), ``official`` (``daytona``
0.21.8's ``AsyncDaytona``), ``httpx`` and ``aiohttp`` (raw floors: a request and
``json.loads``, no models). ``daytona_async_trio`` and ``httpx_trio`` are the same clients run
under trio instead of asyncio (``Adapter.loop``).

Everything measured here is measured in this process: CPU with ``time.process_time()``
(the server's CPU is not counted), memory from ``/proc/self`` (RSS now, and the peak after
resetting it through ``/proc/self/clear_refs``).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
#: the event loop of this worker's client: "asyncio", or "trio" for the *_trio adapters
LOOP = "asyncio"


async def gather_all(aws: list[Awaitable[Any]]) -> None:
    """Await all concurrently (asyncio.gather, or a trio nursery through anyio)."""
    if LOOP == "asyncio":
        await asyncio.gather(*aws)
        return
    import anyio

    async def run(aw: Awaitable[Any]) -> None:
        await aw

    async with anyio.create_task_group() as tg:
        for aw in aws:
            tg.start_soon(run, aw)


async def with_timeout(aw: Awaitable[Any], seconds: float) -> Any:
    if LOOP == "asyncio":
        return await asyncio.wait_for(aw, seconds)
    import anyio

    with anyio.fail_after(seconds):
        return await aw


# --------------------------------------------------------------------------- memory


def rss_now() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _text_bytes(text: str) -> int:
    """UTF-8 bytes of ``text``: an ASCII str (``isascii`` reads a flag) has one per character,
    so the benchmark's own counting does not re-encode every chunk it is handed."""
    return len(text) if text.isascii() else len(text.encode())


class PeakRSS:
    """Peak RSS over a block: VmHWM after a reset, or a 5 ms sampling thread as fallback."""

    def __enter__(self) -> PeakRSS:
        gc.collect()
        self.base = rss_now()
        self.peak = self.base
        self._hwm = False
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
            self._hwm = self._vmhwm() <= self.base + (1 << 20)
        except OSError:
            self._hwm = False
        self._stop = threading.Event()
        if not self._hwm:
            self._t = threading.Thread(target=self._sample, daemon=True)
            self._t.start()
        return self

    @staticmethod
    def _vmhwm() -> int:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        return 0

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss_now())

    def __exit__(self, *exc: object) -> None:
        if self._hwm:
            self.peak = max(self.peak, self._vmhwm())
        else:
            self._stop.set()
            self._t.join()
            self.peak = max(self.peak, rss_now())

    @property
    def growth(self) -> int:
        return self.peak - self.base


class Profiler:
    """cProfile around a measured block when asked (``"profile": N`` → top N by own time)."""

    def __init__(self, top: int | None) -> None:
        self.top = top
        self.prof: Any = None

    def __enter__(self) -> Profiler:
        if self.top:
            import cProfile

            self.prof = cProfile.Profile()
            self.prof.enable()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.prof is not None:
            self.prof.disable()

    def result(self) -> dict[str, Any]:
        if self.prof is None:
            return {}
        import io
        import pstats

        buf = io.StringIO()
        st = pstats.Stats(self.prof, stream=buf)
        st.sort_stats("tottime").print_stats(self.top)
        st.sort_stats("cumulative").print_stats(self.top)
        return {"profile": buf.getvalue()}


# --------------------------------------------------------------------------- adapters


class Adapter:
    """What every client provides. Methods a client cannot do raise NotImplementedError."""

    name = "?"
    loop = "asyncio"

    def __init__(self, base_url: str, api_key: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.headers = {"Authorization": f"Bearer {api_key}"}
        self.expect_bytes = 1 << 62  # log streaming: size known to the floors

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def get(self, sandbox_id: str) -> Any:
        """A typed GET of one Sandbox (for floors: request + json.loads)."""
        raise NotImplementedError

    async def get_sdk(self, sandbox_id: str) -> Any:
        """The SDK's public 'get a sandbox' call (may do more than the typed GET)."""
        raise NotImplementedError

    def parse_list(self, body: bytes) -> Any:
        raise NotImplementedError

    async def sandbox(self, sandbox_id: str) -> Any:
        return sandbox_id

    async def exec(self, sb: Any, command: str) -> tuple[int, str]:
        raise NotImplementedError

    async def stream_logs(
        self, sb: Any, session_id: str, command: str, on_chunk: Callable[[int], None]
    ) -> None:
        """Start ``command`` in a new session and follow its log to the end."""
        raise NotImplementedError

    async def upload(self, sb: Any, local_path: str, remote_path: str) -> None:
        raise NotImplementedError

    async def download(self, sb: Any, remote_path: str, local_path: str) -> None:
        raise NotImplementedError

    def toolbox(self, sandbox_id: str, sub: str) -> str:
        return f"{self.base_url}/toolbox/{sandbox_id}/toolbox{sub}"


class HttpxAdapter(Adapter):
    name = "httpx"

    async def open(self) -> None:
        import httpx

        self.httpx = httpx
        self.c = httpx.AsyncClient(
            headers=self.headers,
            timeout=httpx.Timeout(300.0),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=100),
        )

    async def close(self) -> None:
        await self.c.aclose()

    async def get(self, sandbox_id: str) -> Any:
        r = await self.c.get(f"{self.base_url}/sandbox/{sandbox_id}")
        r.raise_for_status()
        return json.loads(r.content)

    get_sdk = get

    def parse_list(self, body: bytes) -> Any:
        return json.loads(body)

    async def exec(self, sb: Any, command: str) -> tuple[int, str]:
        r = await self.c.post(self.toolbox(sb, "/process/execute"), json={"command": command})
        r.raise_for_status()
        d = json.loads(r.content)
        return d["exitCode"], d["result"]

    async def stream_logs(
        self, sb: Any, session_id: str, command: str, on_chunk: Callable[[int], None]
    ) -> None:
        r = await self.c.post(self.toolbox(sb, "/process/session"), json={"sessionId": session_id})
        r.raise_for_status()
        r = await self.c.post(
            self.toolbox(sb, f"/process/session/{session_id}/exec"),
            json={"command": command, "runAsync": True},
        )
        r.raise_for_status()
        cid = r.json()["cmdId"]
        url = self.toolbox(sb, f"/process/session/{session_id}/command/{cid}/logs")
        async with self.c.stream("GET", url, params={"follow": "true"}, timeout=None) as resp:
            resp.raise_for_status()
            got = 0
            async for chunk in resp.aiter_raw():
                n = len(chunk.replace(b"\x00", b""))
                on_chunk(n)
                got += n
                if got >= self.expect_bytes:  # the real stream never ends: a floor knows the size
                    break

    async def upload(self, sb: Any, local_path: str, remote_path: str) -> None:
        with open(local_path, "rb") as f:  # noqa: ASYNC230 (a floor: plain file I/O)
            r = await self.c.post(
                self.toolbox(sb, "/files/upload"),
                params={"path": remote_path},
                files={"file": (remote_path, f)},
                timeout=None,
            )
        r.raise_for_status()

    async def download(self, sb: Any, remote_path: str, local_path: str) -> None:
        async with self.c.stream(
            "GET", self.toolbox(sb, "/files/download"), params={"path": remote_path}, timeout=None
        ) as r:
            r.raise_for_status()
            with open(local_path, "wb") as f:  # noqa: ASYNC230
                async for chunk in r.aiter_raw():
                    f.write(chunk)


class AiohttpAdapter(Adapter):
    name = "aiohttp"

    async def open(self) -> None:
        import aiohttp

        self.aiohttp = aiohttp
        self.s = aiohttp.ClientSession(
            headers=self.headers,
            connector=aiohttp.TCPConnector(limit=100),
            timeout=aiohttp.ClientTimeout(total=None, sock_read=300),
        )

    async def close(self) -> None:
        await self.s.close()

    async def get(self, sandbox_id: str) -> Any:
        async with self.s.get(f"{self.base_url}/sandbox/{sandbox_id}") as r:
            r.raise_for_status()
            return json.loads(await r.read())

    get_sdk = get

    def parse_list(self, body: bytes) -> Any:
        return json.loads(body)

    async def exec(self, sb: Any, command: str) -> tuple[int, str]:
        async with self.s.post(
            self.toolbox(sb, "/process/execute"), json={"command": command}
        ) as r:
            r.raise_for_status()
            d = json.loads(await r.read())
        return d["exitCode"], d["result"]

    async def stream_logs(
        self, sb: Any, session_id: str, command: str, on_chunk: Callable[[int], None]
    ) -> None:
        async with self.s.post(
            self.toolbox(sb, "/process/session"), json={"sessionId": session_id}
        ) as r:
            r.raise_for_status()
        async with self.s.post(
            self.toolbox(sb, f"/process/session/{session_id}/exec"),
            json={"command": command, "runAsync": True},
        ) as r:
            r.raise_for_status()
            cid = json.loads(await r.read())["cmdId"]
        url = self.toolbox(sb, f"/process/session/{session_id}/command/{cid}/logs")
        async with self.s.get(url, params={"follow": "true"}) as r:
            r.raise_for_status()
            got = 0
            async for chunk in r.content.iter_any():
                n = len(chunk.replace(b"\x00", b""))
                on_chunk(n)
                got += n
                if got >= self.expect_bytes:
                    break

    async def upload(self, sb: Any, local_path: str, remote_path: str) -> None:
        with open(local_path, "rb") as f:  # noqa: ASYNC230 (a floor: plain file I/O)
            form = self.aiohttp.FormData()
            form.add_field("file", f, filename=remote_path, content_type="application/octet-stream")
            async with self.s.post(
                self.toolbox(sb, "/files/upload"), params={"path": remote_path}, data=form
            ) as r:
                r.raise_for_status()

    async def download(self, sb: Any, remote_path: str, local_path: str) -> None:
        async with self.s.get(
            self.toolbox(sb, "/files/download"), params={"path": remote_path}
        ) as r:
            r.raise_for_status()
            with open(local_path, "wb") as f:  # noqa: ASYNC230
                async for chunk in r.content.iter_chunked(1 << 16):
                    f.write(chunk)


class OfficialAdapter(Adapter):
    """``daytona`` 0.21.8: ``AsyncDaytona`` and its generated aiohttp client underneath."""

    name = "official"

    async def open(self) -> None:
        from daytona import AsyncDaytona, DaytonaConfig
        from daytona_api_client_async import SessionExecuteRequest

        self.SessionExecuteRequest = SessionExecuteRequest
        self.d = AsyncDaytona(
            DaytonaConfig(api_key=self.api_key, api_url=self.base_url, target="us")
        )

    async def close(self) -> None:
        await self.d.close()

    async def get(self, sandbox_id: str) -> Any:
        # the typed GET as the SDK does it: its SandboxApi object → pydantic Sandbox
        return await self.d._sandbox_api.get_sandbox(sandbox_id)

    async def get_sdk(self, sandbox_id: str) -> Any:
        return await self.d.get(sandbox_id)

    def parse_list(self, body: bytes) -> Any:
        # what ApiClient.response_deserialize does for a `List[Sandbox]` response
        return self.d._api_client.deserialize(
            body.decode("utf-8"), "List[Sandbox]", "application/json"
        )

    async def sandbox(self, sandbox_id: str) -> Any:
        return await self.d.get(sandbox_id)

    async def exec(self, sb: Any, command: str) -> tuple[int, str]:
        r = await sb.process.exec(command)
        return int(r.exit_code), r.result

    async def stream_logs(
        self, sb: Any, session_id: str, command: str, on_chunk: Callable[[int], None]
    ) -> None:
        await sb.process.create_session(session_id)
        r = await sb.process.execute_session_command(
            session_id, self.SessionExecuteRequest(command=command, run_async=True)
        )
        await sb.process.get_session_command_logs_async(
            session_id, r.cmd_id, lambda text: on_chunk(_text_bytes(text.replace("\x00", "")))
        )

    async def upload(self, sb: Any, local_path: str, remote_path: str) -> None:
        await sb.fs.upload_file(local_path, remote_path)

    async def download(self, sb: Any, remote_path: str, local_path: str) -> None:
        await sb.fs.download_file(remote_path, local_path)


class DaytonaAsyncAdapter(Adapter):
    """This project: ``daytona_async.AsyncDaytona`` (default transport)."""

    name = "daytona_async"

    async def open(self) -> None:
        import daytona_async

        self.mod = daytona_async
        self._parse: Callable[[bytes], Any] | None = None
        self.d = daytona_async.AsyncDaytona(api_key=self.api_key, api_url=self.base_url)
        if hasattr(self.d, "__aenter__"):
            await self.d.__aenter__()

    async def close(self) -> None:
        await self.d.aclose()

    async def get(self, sandbox_id: str) -> Any:
        return await self.d.get(sandbox_id)

    get_sdk = get

    def parse_list(self, body: bytes) -> Any:
        # the path a `daytona.list()` response takes: the generated endpoint's parser
        # (httpx `response.json()` + `Sandbox.from_dict` per item); the response object is
        # built once, outside the timing, as the transport would have built it
        if self._parse is None:
            import httpx
            from daytona_api.api.sandbox import list_sandboxes

            resp = httpx.Response(200, content=body, headers={"content-type": "application/json"})
            api = self.d.api
            self._parse = lambda _body: list_sandboxes._parse_response(client=api, response=resp)
        return self._parse(body)

    async def sandbox(self, sandbox_id: str) -> Any:
        return await self.d.get(sandbox_id)

    async def exec(self, sb: Any, command: str) -> tuple[int, str]:
        r = await sb.process.exec(command)
        out = getattr(r, "output", None)
        if out is None:
            out = getattr(r, "result", "")
        return int(r.exit_code), out

    async def stream_logs(
        self, sb: Any, session_id: str, command: str, on_chunk: Callable[[int], None]
    ) -> None:
        await sb.process.create_session(session_id)
        cmd = await sb.process.start(session_id, command)
        async for text in cmd.output():
            on_chunk(_text_bytes(text))

    async def upload(self, sb: Any, local_path: str, remote_path: str) -> None:
        await sb.fs.upload(local_path, remote_path)

    async def download(self, sb: Any, remote_path: str, local_path: str) -> None:
        await sb.fs.download(remote_path, local_path)


class DaytonaApiAdapter(Adapter):
    """The generated layer alone (``daytona_api``) on a plain ``httpx.AsyncClient``."""

    name = "daytona_api"

    async def open(self) -> None:
        import httpx
        from daytona_api import AuthenticatedClient
        from daytona_api.api.sandbox import get_sandbox

        self.get_sandbox = get_sandbox
        self.c = AuthenticatedClient(
            base_url=self.base_url, token=self.api_key, timeout=httpx.Timeout(300.0)
        )
        self.c.set_async_httpx_client(
            httpx.AsyncClient(
                base_url=self.base_url,
                headers=self.headers,
                timeout=httpx.Timeout(300.0),
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=100),
            )
        )

    async def close(self) -> None:
        await self.c.get_async_httpx_client().aclose()

    async def get(self, sandbox_id: str) -> Any:
        r = await self.get_sandbox.asyncio_detailed(sandbox_id, client=self.c)
        if r.status_code != 200:
            raise RuntimeError(f"status {r.status_code}")
        return r.parsed

    get_sdk = get

    def parse_list(self, body: bytes) -> Any:
        from daytona_api.models.sandbox import Sandbox

        return [Sandbox.from_dict(item) for item in json.loads(body)]


class DaytonaAsyncTrioAdapter(DaytonaAsyncAdapter):
    """This project under trio (its default transport there: httpcore2 connections)."""

    name = "daytona_async_trio"
    loop = "trio"


class HttpxTrioAdapter(HttpxAdapter):
    """Raw httpx under trio (its own httpcore pool): the floor the SDK had under trio before."""

    name = "httpx_trio"
    loop = "trio"


ADAPTERS: dict[str, type[Adapter]] = {
    a.name: a
    for a in (
        HttpxAdapter,
        AiohttpAdapter,
        OfficialAdapter,
        DaytonaAsyncAdapter,
        DaytonaApiAdapter,
        DaytonaAsyncTrioAdapter,
        HttpxTrioAdapter,
    )
}

# --------------------------------------------------------------------------- tasks


async def fanout(
    fn: Callable[[], Awaitable[Any]], n: int, concurrency: int
) -> tuple[int, str | None]:
    """Run ``fn`` ``n`` times, at most ``concurrency`` at once. Returns (errors, first error)."""
    left = n
    errors = 0
    first: str | None = None

    async def lane() -> None:
        nonlocal left, errors, first
        while left > 0:
            left -= 1
            try:
                await fn()
            except Exception as e:  # count, keep going
                errors += 1
                if first is None:
                    first = f"{type(e).__name__}: {e}"[:300]

    await gather_all([lane() for _ in range(min(concurrency, n))])
    return errors, first


async def task_get(a: Adapter, p: dict[str, Any]) -> dict[str, Any]:
    sid, n, conc = p["sandbox_id"], p["n"], p["concurrency"]
    call = a.get_sdk if p.get("variant") == "sdk" else a.get
    await fanout(lambda: call(sid), p.get("warmup", min(n, 200)), conc)
    gc.collect()
    prof = Profiler(p.get("profile"))
    c0, t0 = time.process_time(), time.perf_counter()
    with prof:
        errors, first = await fanout(lambda: call(sid), n, conc)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "n": n,
        "wall_s": wall,
        "cpu_s": cpu,
        "cpu_per_call_us": cpu / n * 1e6,
        "rps": n / wall,
        "errors": errors,
        "first_error": first,
        **prof.result(),
    }


async def task_parse(a: Adapter, p: dict[str, Any]) -> dict[str, Any]:
    sys.path.insert(0, HERE)
    from canned_server import SANDBOX_LIST_JSON

    body = SANDBOX_LIST_JSON
    loops = p.get("loops", 200)
    parsed = a.parse_list(body)
    assert len(parsed) == 100, len(parsed)

    def timeit(fn: Callable[[], Any]) -> float:
        best = []
        for _ in range(p.get("rounds", 3)):
            t0 = time.perf_counter()
            for _ in range(loops):
                fn()
            best.append((time.perf_counter() - t0) / loops)
        best.sort()
        return best[len(best) // 2]

    # interleave so that drift hits both alike
    js, ms = [], []
    for _ in range(3):
        js.append(timeit(lambda: json.loads(body)))
        ms.append(timeit(lambda: a.parse_list(body)))
    js.sort()
    ms.sort()
    j, m = js[1], ms[1]
    return {
        "bytes": len(body),
        "json_loads_us": j * 1e6,
        "models_us": m * 1e6,
        "ratio": m / j,
        "model_type": type(parsed[0]).__module__ + "." + type(parsed[0]).__qualname__,
    }


async def task_logs(a: Adapter, p: dict[str, Any]) -> dict[str, Any]:
    sb = await a.sandbox(p["sandbox_id"])
    got = 0
    chunks = 0
    t_first = t_last = 0.0

    def on_chunk(n: int) -> None:
        nonlocal got, chunks, t_first, t_last
        if n:
            now = time.perf_counter()
            if not got:
                t_first = now
            t_last = now
            got += n
            chunks += 1

    a.expect_bytes = p["nbytes"]
    prof = Profiler(p.get("profile"))
    with PeakRSS() as mem:
        c0, t0 = time.process_time(), time.perf_counter()
        with prof:
            await with_timeout(
                a.stream_logs(sb, p["session_id"], p["command"], on_chunk), p.get("timeout", 600)
            )
        t_end, cpu = time.perf_counter(), time.process_time() - c0
    nbytes = p["nbytes"]
    to_last = max(t_last - t0, 1e-9)
    return {
        "bytes_expected": nbytes,
        "bytes": got,
        "chunks": chunks,
        "to_last_s": to_last,
        "total_s": t_end - t0,
        "tail_s": t_end - t_last if got else None,
        "mib_s": got / to_last / (1 << 20),
        "cpu_s": cpu,
        "cpu_per_mib_ms": cpu / max(got, 1) * (1 << 20) * 1e3,
        "rss_base": mem.base,
        "rss_peak": mem.peak,
        "rss_growth": mem.growth,
        "errors": 0 if got >= nbytes * 0.99 else 1,
        **prof.result(),
    }


async def task_transfer(a: Adapter, p: dict[str, Any]) -> dict[str, Any]:
    sb = await a.sandbox(p["sandbox_id"])
    size = p["size"]
    direction = p["direction"]
    with PeakRSS() as mem:
        c0, t0 = time.process_time(), time.perf_counter()
        if direction == "upload":
            coro = a.upload(sb, p["local_path"], p["remote_path"])
        else:
            coro = a.download(sb, p["remote_path"], p["local_path"])
        await with_timeout(coro, p.get("timeout", 600))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    out: dict[str, Any] = {
        "size": size,
        "wall_s": wall,
        "mib_s": size / wall / (1 << 20),
        "cpu_s": cpu,
        "rss_base": mem.base,
        "rss_peak": mem.peak,
        "rss_growth": mem.growth,
        "errors": 0,
    }
    if direction == "download":
        got = os.path.getsize(p["local_path"])  # noqa: ASYNC240
        out["bytes"] = got
        if got != size:
            out["errors"] = 1
            out["first_error"] = f"downloaded {got} bytes, expected {size}"
        os.unlink(p["local_path"])
    return out


async def task_execs(a: Adapter, p: dict[str, Any]) -> dict[str, Any]:
    ids = p["sandbox_ids"]
    sbs = [await a.sandbox(i) for i in ids]
    n, command, expect = p["n"], p["command"], p["expect"]
    errors = 0
    first: str | None = None

    async def one(i: int) -> None:
        nonlocal errors, first
        try:
            code, out = await a.exec(sbs[i % len(sbs)], command)
            if code != 0 or expect not in out:
                raise RuntimeError(f"exit {code}, output {out[:80]!r}")
        except Exception as e:
            errors += 1
            if first is None:
                first = f"{type(e).__name__}: {e}"[:300]

    prof = Profiler(p.get("profile"))
    with PeakRSS() as mem:
        c0, t0 = time.process_time(), time.perf_counter()
        with prof:
            await with_timeout(gather_all([one(i) for i in range(n)]), p.get("timeout", 600))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "n": n,
        "sandboxes": len(ids),
        "wall_s": wall,
        "rps": n / wall,
        "cpu_s": cpu,
        "cpu_per_call_us": cpu / n * 1e6,
        "errors": errors,
        "first_error": first,
        "rss_growth": mem.growth,
        **prof.result(),
    }


TASKS = {
    "get": task_get,
    "parse": task_parse,
    "logs": task_logs,
    "transfer": task_transfer,
    "execs": task_execs,
}


async def handle(client: str, cmd: dict[str, Any]) -> dict[str, Any]:
    a = ADAPTERS[client](cmd["base_url"], cmd["api_key"])
    await a.open()
    try:
        return await TASKS[cmd["task"]](a, cmd)
    finally:
        await a.close()


def main() -> int:
    global LOOP
    client = sys.argv[sys.argv.index("--client") + 1]
    LOOP = ADAPTERS[client].loop
    print("READY", flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        try:
            if LOOP == "trio":
                import trio

                res = trio.run(handle, client, cmd)
            else:
                res = asyncio.run(handle(client, cmd))
            res["ok"] = True
        except NotImplementedError:
            res = {"ok": False, "unsupported": True, "error": "not supported by this client"}
        except BaseException as e:
            res = {
                "ok": False,
                "error": f"{type(e).__name__}: {e}"[:500],
                "trace": traceback.format_exc()[-2000:],
            }
        print("RESULT " + json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
