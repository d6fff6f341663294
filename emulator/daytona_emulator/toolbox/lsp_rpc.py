"""A JSON-RPC 2.0 client over a language server's stdin/stdout (``Content-Length``
framing); every request has a timeout."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from .procs import ProcessTracker

__all__ = ["REQUEST_TIMEOUT", "LspClient", "LspError"]

REQUEST_TIMEOUT = 15.0


class LspError(Exception):
    pass


class LspClient:
    """JSON-RPC 2.0 over a process's stdin/stdout with ``Content-Length`` framing."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self._next = 0
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._reader = asyncio.get_running_loop().create_task(self._read())
        self.capabilities: dict[str, Any] = {}

    async def _read(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        try:
            while True:
                length = -1
                while True:
                    line = await stdout.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if length < 0:
                    continue
                payload = await stdout.readexactly(length)
                try:
                    msg = json.loads(payload)
                except ValueError:
                    continue
                await self._dispatch(msg)
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(LspError("language server exited"))
            self._pending.clear()

    async def _dispatch(self, msg: dict[str, Any]) -> None:
        if "method" in msg:
            if "id" in msg:  # a request from the server: answer null (no client features)
                await self._send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            return
        fut = self._pending.pop(msg.get("id", -1), None)
        if fut is None or fut.done():
            return
        if "error" in msg:
            err = msg["error"] or {}
            fut.set_exception(LspError(str(err.get("message", "language server error"))))
        else:
            fut.set_result(msg.get("result"))

    async def _send(self, msg: dict[str, Any]) -> None:
        stdin = self.proc.stdin
        if stdin is None or stdin.is_closing():
            raise LspError("language server exited")
        body = json.dumps(msg, separators=(",", ":")).encode()
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        try:
            await stdin.drain()
        except (ConnectionError, BrokenPipeError) as exc:
            raise LspError("language server exited") from exc

    async def request(self, method: str, params: Any, limit_s: float = REQUEST_TIMEOUT) -> Any:
        self._next += 1
        rid = self._next
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        try:
            await self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
            return await asyncio.wait_for(fut, limit_s)
        except TimeoutError:
            with contextlib.suppress(LspError):
                await self.notify("$/cancelRequest", {"id": rid})
            raise LspError(
                f"{method}: the language server did not answer in {limit_s:g}s"
            ) from None
        finally:
            self._pending.pop(rid, None)

    async def notify(self, method: str, params: Any) -> None:
        await self._send({"jsonrpc": "2.0", "method": method, "params": params})

    @property
    def alive(self) -> bool:
        return self.proc.returncode is None and not self._reader.done()

    async def aclose(self) -> None:
        if self.alive:
            with contextlib.suppress(LspError, OSError):  # it is killed next anyway
                await self.request("shutdown", None, limit_s=1.0)
                await self.notify("exit", None)
        ProcessTracker.kill_group(self.proc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.proc.wait(), 5)
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
