"""A minimal canned-response HTTP/1.1 server for the benchmarks (stdlib only).

It answers the handful of Daytona routes the benchmarks use with fixed bytes, as fast as
a pure-Python asyncio server can, so that a client's cost can be told apart from the
emulator's. It is NOT an emulator: no state, no auth check beyond presence of the header.

Routes (all under ``/api``):

- ``GET  /sandbox/{id}``                      one Sandbox (fixed JSON)
- ``GET  /sandbox``                           a list of 100 Sandboxes
- ``POST /toolbox/{id}/toolbox/process/execute``        ``{"exitCode":0,"result":"hi\\n"}``
- ``GET  /toolbox/{id}/toolbox/project-dir``            ``{"dir":"/home/daytona"}``
- ``POST /toolbox/{id}/toolbox/process/session``        201, body discarded
- ``POST /toolbox/{id}/toolbox/process/session/{s}/exec``  202 ``{"cmdId":"cmd-<N>"}`` where
  ``N`` is the number in the command (``bench-log 1048576`` → log of 1 MiB)
- ``GET  /toolbox/{id}/toolbox/process/session/{s}``    a Session with that command
- ``GET  …/session/{s}/command/{c}``                    the command, ``exitCode`` 0
- ``GET  …/session/{s}/command/{c}/logs[?follow=true]`` ``N`` bytes of log text; with
  ``follow=true`` as ``application/octet-stream`` in 1024-byte chunks (the real service's
  framing: one HTTP chunk per 1024-byte daemon read, the last one NUL-padded), then the end
- ``DELETE …/session/{s}``                              204
- ``POST /toolbox/{id}/toolbox/files/upload`` and ``files/bulk-upload``: body read and
  discarded (Content-Length or chunked), 200
- ``GET  /toolbox/{id}/toolbox/files/download?path=…-<N>``  ``N`` bytes (``application/octet-stream``)

Start: ``python bench/canned_server.py [--host 127.0.0.1] [--port 0]``; prints one line
``canned-server listening on http://HOST:PORT/api`` when ready.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import sys
import uuid
from urllib.parse import parse_qs, unquote, urlsplit

ORG_ID = "4c1d8c0e-2b0e-4d6f-9d7a-2f8f3c1e5a10"


def sandbox_dict(i: int) -> dict[str, object]:
    """A realistic Sandbox as the service sends it (every field the schema has)."""
    return {
        "id": str(uuid.UUID(int=0x5A0000 + i)),
        "organizationId": ORG_ID,
        "snapshot": "daytonaio/sandbox:0.3.0",
        "user": "daytona",
        "env": {"PYTHONUNBUFFERED": "1", "MODE": "bench"},
        "labels": {"code-toolbox-language": "python", "bench": "true", "index": str(i)},
        "public": False,
        "target": "us",
        "cpu": 1,
        "gpu": 0,
        "memory": 1,
        "disk": 3,
        "state": "started",
        "errorReason": None,
        "backupState": "None",
        "backupCreatedAt": "2025-06-13T08:05:07.123Z",
        "autoStopInterval": 15,
        "autoArchiveInterval": 10080,
        "runnerDomain": "runner-1.local",
        "volumes": [{"volumeId": "vol-0001", "mountPath": "/data"}],
        "createdAt": "2025-06-13T08:05:07.123Z",
        "updatedAt": "2025-06-13T08:05:07.123Z",
        "class": "small",
    }


SANDBOX_ID = sandbox_dict(0)["id"]
SANDBOX_JSON = json.dumps(sandbox_dict(0), separators=(",", ":")).encode()
SANDBOX_LIST_JSON = json.dumps(
    [sandbox_dict(i) for i in range(100)], separators=(",", ":")
).encode()
EXEC_JSON = b'{"exitCode":0,"result":"hi\\n"}'
PROJECT_DIR_JSON = b'{"dir":"/home/daytona"}'


def _log_block() -> bytes:
    lines = []
    i = total = 0
    while total < (1 << 20):
        line = (
            f"2025-06-13T08:05:{i % 60:02d}.{i % 1000:03d}Z INFO worker[{i % 7}] step {i:07d}: "
            f"processed batch ok (items={i % 97}, ms={i % 13}) — ünïcødé ✓\n".encode()
        )
        lines.append(line)
        total += len(line)
        i += 1
    return b"".join(lines)[: 1 << 20]


LOG_BLOCK = _log_block()  # exactly 1 MiB of log text
# the same MiB pre-framed as 1024 HTTP chunks of 1031 bytes: "400\r\n" + 1024 bytes + "\r\n"
LOG_FRAMED = b"".join(
    b"400\r\n" + LOG_BLOCK[i : i + 1024] + b"\r\n" for i in range(0, len(LOG_BLOCK), 1024)
)

REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
}


def head(status: int, ctype: str | None, length: int | None, extra: str = "") -> bytes:
    h = f"HTTP/1.1 {status} {REASONS.get(status, 'OK')}\r\n"
    if ctype:
        h += f"Content-Type: {ctype}\r\n"
    if length is None:
        h += "Transfer-Encoding: chunked\r\n"
    else:
        h += f"Content-Length: {length}\r\n"
    return (h + extra + "\r\n").encode("latin-1")


def fixed(status: int, body: bytes, ctype: str | None = "application/json") -> bytes:
    return head(status, ctype if body else None, len(body)) + body


RESP_SANDBOX = fixed(200, SANDBOX_JSON)
RESP_SANDBOX_LIST = fixed(200, SANDBOX_LIST_JSON)
RESP_EXEC = fixed(200, EXEC_JSON)
RESP_PROJECT_DIR = fixed(200, PROJECT_DIR_JSON)
RESP_EMPTY_200 = fixed(200, b"")
RESP_EMPTY_201 = fixed(201, b"")
RESP_EMPTY_204 = head(204, None, 0)
RESP_401 = fixed(401, b'{"statusCode":401,"error":"Unauthorized","message":"Unauthorized"}')

TOOLBOX_RE = re.compile(r"^/api/toolbox/[^/]+/toolbox(/.*)$")
SESSION_RE = re.compile(r"^/process/session/([^/]+)(?:/(exec|command/([^/]+)(/logs)?))?$")
NUM_RE = re.compile(r"(\d+)")

# ---------------------------------------------------------------------------------------


class CannedProtocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None
        # request body skipping
        self.body_left = 0  # bytes of a Content-Length body still to discard
        self.chunked = False  # discarding a chunked body
        self.chunk_left = 0  # bytes of current chunk data (+2 for CRLF) to discard
        self.pending: tuple[str, str, dict[str, str]] | None = None  # request awaiting its body
        self.can_write = asyncio.Event()
        self.can_write.set()
        self.streaming = False  # a streamed response is in progress: hold further requests
        self.closing = False

    # -- asyncio callbacks --------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        transport.set_write_buffer_limits(high=1 << 20, low=1 << 18)  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closing = True
        self.can_write.set()

    def pause_writing(self) -> None:
        self.can_write.clear()

    def resume_writing(self) -> None:
        self.can_write.set()

    def data_received(self, data: bytes) -> None:
        # fast path: discarding a large Content-Length body without copying
        if self.body_left and not self.buf:
            if len(data) <= self.body_left:
                self.body_left -= len(data)
                if self.body_left == 0:
                    self._body_done()
                return
            data = data[self.body_left :]
            self.body_left = 0
            self._body_done()
        self.buf += data
        self._process()

    # -- parsing ------------------------------------------------------------------------
    def _process(self) -> None:
        buf = self.buf
        while buf and not self.streaming and not self.closing:
            if self.body_left:
                n = min(self.body_left, len(buf))
                del buf[:n]
                self.body_left -= n
                if self.body_left:
                    return
                self._body_done()
                continue
            if self.chunked:
                if self.chunk_left:
                    n = min(self.chunk_left, len(buf))
                    del buf[:n]
                    self.chunk_left -= n
                    if self.chunk_left:
                        return
                    continue
                i = buf.find(b"\r\n")
                if i < 0:
                    return
                size = int(bytes(buf[:i]).split(b";")[0].strip() or b"0", 16)
                del buf[: i + 2]
                if size == 0:
                    # trailers: expect an empty line
                    j = buf.find(b"\r\n")
                    while j > 0:  # skip trailer lines
                        del buf[: j + 2]
                        j = buf.find(b"\r\n")
                    if j < 0:
                        self.chunk_left = 0
                        return  # wait for the final CRLF (rare; handled loosely)
                    del buf[:2]
                    self.chunked = False
                    self._body_done()
                    continue
                self.chunk_left = size + 2
                continue
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > 65536:
                    self._close()
                return
            head_bytes = bytes(buf[:end])
            del buf[: end + 4]
            lines = head_bytes.decode("latin-1").split("\r\n")
            try:
                method, target, _version = lines[0].split(" ", 2)
            except ValueError:
                self._close()
                return
            headers: dict[str, str] = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            if headers.get("expect", "").lower() == "100-continue":
                self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # type: ignore[union-attr]
            self.pending = (method, target, headers)
            te = headers.get("transfer-encoding", "").lower()
            if "chunked" in te:
                self.chunked = True
                self.chunk_left = 0
                continue
            self.body_left = int(headers.get("content-length", "0") or 0)
            if self.body_left == 0:
                self._body_done()

    def _body_done(self) -> None:
        req = self.pending
        self.pending = None
        if req is None:
            return
        method, target, headers = req
        self._respond(method, target, headers)
        if headers.get("connection", "").lower() == "close" and not self.streaming:
            self._close()

    def _close(self) -> None:
        self.closing = True
        if self.transport is not None:
            self.transport.close()

    # -- routing -----------------------------------------------------------------------
    def _respond(self, method: str, target: str, headers: dict[str, str]) -> None:
        w = self.transport.write  # type: ignore[union-attr]
        if "authorization" not in headers:
            w(RESP_401)
            return
        parts = urlsplit(target)
        path = parts.path
        if path.startswith("/api/sandbox"):
            if method == "GET" and path.count("/") == 3 and not path.endswith("/"):
                w(RESP_SANDBOX)
                return
            if method == "GET" and path in ("/api/sandbox", "/api/sandbox/"):
                w(RESP_SANDBOX_LIST)
                return
            if method == "POST" and path.rstrip("/") == "/api/sandbox":
                w(RESP_SANDBOX)
                return
            if path.endswith("/build-logs"):
                self._stream_log(len(LOG_BLOCK), parse_qs(parts.query).get("follow") == ["true"])
                return
            w(RESP_EMPTY_200)
            return
        m = TOOLBOX_RE.match(path)
        if not m:
            w(
                fixed(
                    404,
                    b'{"statusCode":404,"message":"Cannot '
                    + method.encode()
                    + b" "
                    + path.encode()
                    + b'"}',
                )
            )
            return
        sub = m.group(1)
        if sub == "/process/execute":
            w(RESP_EXEC)
            return
        if sub == "/project-dir":
            w(RESP_PROJECT_DIR)
            return
        if sub == "/process/session":
            if method == "POST":
                w(RESP_EMPTY_201)
            else:
                w(fixed(200, b"[]"))
            return
        sm = SESSION_RE.match(sub)
        if sm:
            sid, kind, cid, logs = sm.groups()
            if kind is None:
                if method == "DELETE":
                    w(RESP_EMPTY_204)
                else:
                    w(fixed(200, json.dumps({"sessionId": unquote(sid), "commands": []}).encode()))
                return
            if kind == "exec":
                # body already discarded: the size comes from a query-less trick: the
                # command text is not needed, every exec gets a 1 MiB log unless the
                # session id carries a size ("...-<bytes>")
                n = _size_from(sid, len(LOG_BLOCK))
                w(
                    fixed(
                        202,
                        json.dumps(
                            {"cmdId": f"cmd-{n}", "output": None, "exitCode": None}
                        ).encode(),
                    )
                )
                return
            n = _size_from(cid or "", len(LOG_BLOCK))
            if logs:
                follow = parse_qs(parts.query).get("follow") == ["true"]
                self._stream_log(n, follow)
                return
            w(
                fixed(
                    200,
                    json.dumps({"id": cid, "command": f"bench-log {n}", "exitCode": 0}).encode(),
                )
            )
            return
        if sub == "/files/download":
            p = parse_qs(parts.query).get("path", [""])[0]
            self._stream_zeros(_size_from(p, 0))
            return
        if sub in ("/files/upload", "/files/bulk-upload"):
            w(RESP_EMPTY_200)
            return
        if sub == "/files/info":
            w(
                fixed(
                    200,
                    b'{"name":"x","isDir":false,"size":0,"modTime":"","mode":"","permissions":"","owner":"","group":""}',
                )
            )
            return
        w(RESP_EMPTY_200)

    # -- streamed bodies -----------------------------------------------------------------
    def _stream_log(self, n: int, follow: bool) -> None:
        if not follow:
            body = (LOG_BLOCK * (n // len(LOG_BLOCK) + 1))[:n]
            self.transport.write(fixed(200, body, "text/plain; charset=utf-8"))  # type: ignore[union-attr]
            return
        self.streaming = True
        asyncio.get_running_loop().create_task(self._follow(n))

    async def _follow(self, n: int) -> None:
        t = self.transport
        assert t is not None
        t.write(head(200, "application/octet-stream", None))
        framed = LOG_FRAMED
        sent = 0
        while sent + len(LOG_BLOCK) <= n and not self.closing:
            await self.can_write.wait()
            t.write(framed)
            sent += len(LOG_BLOCK)
        rest = n - sent
        if rest and not self.closing:
            full, tail = divmod(rest, 1024)
            t.write(framed[: full * 1031])
            if tail:
                last = LOG_BLOCK[full * 1024 : full * 1024 + tail].ljust(1024, b"\x00")
                t.write(b"400\r\n" + last + b"\r\n")
        if not self.closing:
            t.write(b"0\r\n\r\n")
        self._stream_done()

    def _stream_zeros(self, n: int) -> None:
        self.transport.write(head(200, "application/octet-stream", n))  # type: ignore[union-attr]
        if n:
            self.streaming = True
            asyncio.get_running_loop().create_task(self._zeros(n))

    async def _zeros(self, n: int) -> None:
        t = self.transport
        assert t is not None
        block = bytes(1 << 20)
        left = n
        while left and not self.closing:
            await self.can_write.wait()
            k = min(left, len(block))
            t.write(block if k == len(block) else block[:k])
            left -= k
        self._stream_done()

    def _stream_done(self) -> None:
        self.streaming = False
        if self.buf and not self.closing:
            self._process()


def _size_from(text: str, default: int) -> int:
    nums = NUM_RE.findall(text)
    return int(nums[-1]) if nums else default


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(CannedProtocol, host, port, backlog=2048, reuse_address=True)
    sock = server.sockets[0]
    h, p = sock.getsockname()[:2]
    print(f"canned-server listening on http://{h}:{p}/api", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args(argv)
    asyncio.run(serve(args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
