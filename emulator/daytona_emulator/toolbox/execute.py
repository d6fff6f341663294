"""``/process/execute``: one command, tokenised as the daemon does, run without a shell.

Unlike every other toolbox call, the real API does not proxy this one: it calls the daemon and
re-raises its errors, so errors here are Nest-shaped (``{statusCode, ..., error, message}``).
The output kept is capped (``exec_output_limit``); a client that disconnects ends the
command, as the daemon's request context does.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from daytona_emulator.errors import HTTP_EXCEPTION, nest_error
from daytona_emulator.jsonbody import MAX_JSON_BODY, BodyTooLarge, read_body

from .common import Fail, json_response, parse_json_object, truncation_note
from .jail import JailError
from .procs import (
    LIMIT_STATUS,
    IsolationUnavailable,
    ProcessLimitError,
    ProcessTracker,
    tokenise,
)
from .state import Toolbox

__all__ = ["ExecuteApi", "client_gone", "collect_output"]

READ_CHUNK = 64 * 1024
REFUSED_STATUS = 501  # no isolation and no --unsafe-run-commands-on-host (never retried)

log = logging.getLogger("daytona_emulator.toolbox")


async def collect_output(proc: asyncio.subprocess.Process, limit: int) -> tuple[bytes, int]:
    """Read stdout to its end, keeping the first ``limit`` bytes; the count of bytes dropped.

    Reading on past the limit keeps the command from blocking on a full pipe.
    """
    assert proc.stdout is not None
    kept = bytearray()
    dropped = 0
    while chunk := await proc.stdout.read(READ_CHUNK):
        room = max(limit - len(kept), 0)
        kept += chunk[:room]
        dropped += len(chunk) - min(room, len(chunk))
    await proc.wait()
    return bytes(kept), dropped


async def client_gone(request: Request) -> None:
    """Return when the client disconnects (the body has been read: only that can arrive)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


class ExecuteApi:
    def __init__(self, toolbox: Toolbox) -> None:
        self.tb = toolbox

    def routes(self) -> list[BaseRoute]:
        return [Route("/process/execute", self.execute, methods=["POST"])]

    async def execute(self, request: Request) -> Response:
        # not proxied by the real API: errors are Nest-shaped ({statusCode,...,error,message})
        sid = request.path_params["sandboxId"]
        try:  # the API parses this body itself: Express's 100 kB limit, a plain Error (500)
            body = parse_json_object(await read_body(request, MAX_JSON_BODY))
        except BodyTooLarge:
            return nest_error(request, 500, "request entity too large", "Internal Server Error")
        except Fail as exc:
            return nest_error(request, exc.status, exc.message, HTTP_EXCEPTION)
        command = body.get("command")
        if not isinstance(command, str) or not command:
            return nest_error(
                request,
                400,
                "invalid request body: Key: 'ExecuteRequest.Command' Error:Field validation "
                "for 'Command' failed on the 'required' tag",
                HTTP_EXCEPTION,
            )
        if "\x00" in command:  # an argument cannot hold a NUL: refused, never cut
            return nest_error(
                request,
                400,
                "invalid request body: the command contains a NUL byte",
                HTTP_EXCEPTION,
            )
        timeout = body.get("timeout")
        seconds = self.tb.settings.exec_default_timeout
        if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0:
            seconds = float(timeout)
        cwd = body.get("cwd")
        sb = self.tb.sandbox(sid)
        try:
            host_cwd = sb.jail.resolve(cwd if isinstance(cwd, str) and cwd else ".")
        except JailError:
            return json_response({"exitCode": -1, "result": ""})
        argv = tokenise(command)
        if not argv:
            return json_response({"exitCode": -1, "result": ""})
        try:
            proc = await self.tb.tracker.run(
                sid,
                sb.jail,
                argv,
                host_cwd,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
        except ProcessLimitError as exc:
            return nest_error(request, LIMIT_STATUS, str(exc), HTTP_EXCEPTION)
        except IsolationUnavailable as exc:
            return nest_error(request, REFUSED_STATUS, str(exc), HTTP_EXCEPTION)
        except (OSError, ValueError):
            return json_response({"exitCode": -1, "result": ""})
        limit = self.tb.settings.exec_output_limit
        run = asyncio.ensure_future(asyncio.wait_for(collect_output(proc, limit), seconds))
        gone = asyncio.ensure_future(client_gone(request))
        try:
            await asyncio.wait({run, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:  # cancelled (shutdown) or the client left: no process left behind
            if not run.done():
                ProcessTracker.kill_group(proc)
                run.cancel()
            gone.cancel()
        if not run.done() or run.cancelled():  # the client is gone: nobody reads an answer
            await proc.wait()
            return Response(status_code=499)
        try:
            out, dropped = run.result()
        except TimeoutError:
            ProcessTracker.kill_group(proc)
            await proc.wait()
            return nest_error(request, 408, "command execution timeout", HTTP_EXCEPTION)
        code = proc.returncode if proc.returncode is not None else -1
        if code < 0:  # killed by a signal: Go's ExitCode() is -1
            code = -1
        result = out.decode("utf-8", "replace")
        if dropped:
            log.warning(
                "process/execute: %d bytes of output over exec_output_limit dropped", dropped
            )
            result += truncation_note(dropped, limit)
        return json_response({"exitCode": code, "result": result})
