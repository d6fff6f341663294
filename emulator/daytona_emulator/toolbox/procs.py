"""Processes the toolbox starts: limits, process groups, the environment, ``process/execute``.

Every process (an ``execute`` command, a session's shell, a ``git`` run, a language server) is
started through :class:`ProcessTracker` in a new session (``setsid``), so that it leads its own
process group; killing that group kills whatever the process started, unless a descendant
left the group on purpose (``setsid``/``setpgid``), which the emulator does not chase.

Each group is also written to ``<data dir>/toolbox-process-groups`` (its id and its leader's
start time): an emulator that was killed with ``-9`` leaves them behind, and the next start
on the same data dir kills them (a group whose number now belongs to a newer process is left
alone).

The sandbox is **not** a container: processes run as the emulator's user with the sandbox's
root as the place they start in (cwd under the root, ``HOME=<root>/home/daytona``), but they
can reach any host path they like. Only the file API is jailed (see ``jail.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil  # type: ignore[import-untyped]
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from daytona_emulator.errors import HTTP_EXCEPTION, nest_error
from daytona_emulator.settings import EmulatorSettings

from .common import Fail, json_response, read_json
from .jail import Jail, JailError

if TYPE_CHECKING:
    from .runtime import ToolboxRuntime

__all__ = ["ProcessLimitError", "ProcessTracker", "routes", "sandbox_env", "tokenise"]

LIMIT_STATUS = 429
READ_CHUNK = 64 * 1024

log = logging.getLogger("daytona_emulator.toolbox")


class ProcessLimitError(Exception):
    """Too many live processes (per sandbox or in total)."""


class ProcessTracker:
    def __init__(self, settings: EmulatorSettings) -> None:
        self.settings = settings
        self.live: dict[str, set[asyncio.subprocess.Process]] = {}
        # process groups started per sandbox, kept while a member may still be alive
        self.groups: dict[str, set[int]] = {}
        self.total = 0
        self._reapers: set[asyncio.Task[None]] = set()
        self.records = GroupRecords(settings.data_dir / "toolbox-process-groups")

    def kill_leftovers(self) -> int:
        """Kill the process groups a previous run on this data dir left behind (blocking)."""
        return self.records.kill_leftovers()

    def count(self, sandbox_id: str) -> int:
        return len(self.live.get(sandbox_id, ()))

    def check(self, sandbox_id: str) -> None:
        limit = self.settings.max_processes_per_sandbox
        if self.count(sandbox_id) >= limit:
            raise ProcessLimitError(
                f"too many processes: the sandbox already runs {limit} (the limit)"
            )
        if self.total >= self.settings.max_processes_total:
            raise ProcessLimitError(
                f"too many processes: the emulator already runs "
                f"{self.settings.max_processes_total} (the limit)"
            )

    async def spawn(
        self, sandbox_id: str, argv: list[str], **kwargs: Any
    ) -> asyncio.subprocess.Process:
        """Start ``argv`` in its own process group (raises :class:`ProcessLimitError`,
        ``OSError`` when it cannot be started)."""
        self.check(sandbox_id)
        self._prune(sandbox_id)
        proc = await asyncio.create_subprocess_exec(*argv, start_new_session=True, **kwargs)
        self.live.setdefault(sandbox_id, set()).add(proc)
        self.groups.setdefault(sandbox_id, set()).add(proc.pid)
        self.records.add(proc.pid)
        self.total += 1
        task = asyncio.get_running_loop().create_task(self._reap(sandbox_id, proc))
        self._reapers.add(task)
        task.add_done_callback(self._reapers.discard)
        return proc

    async def _reap(self, sandbox_id: str, proc: asyncio.subprocess.Process) -> None:
        try:
            await proc.wait()
        finally:
            procs = self.live.get(sandbox_id)
            if procs is not None and proc in procs:
                procs.discard(proc)
                self.total -= 1
                if not procs:
                    del self.live[sandbox_id]

    def _prune(self, sandbox_id: str) -> None:
        groups = self.groups.get(sandbox_id)
        if not groups:
            return
        live_pids = {p.pid for p in self.live.get(sandbox_id, ())}
        for pgid in list(groups):
            if pgid in live_pids:
                continue
            try:
                os.killpg(pgid, 0)
            except (ProcessLookupError, PermissionError):
                groups.discard(pgid)
                self.records.discard(pgid)

    @staticmethod
    def kill_group(proc: asyncio.subprocess.Process) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    async def kill_sandbox(self, sandbox_id: str) -> None:
        """Kill every process group started for the sandbox and wait for the leaders."""
        for pgid in self.groups.pop(sandbox_id, set()):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
            self.records.discard(pgid)
        procs = list(self.live.get(sandbox_id, ()))
        for proc in procs:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(proc.wait(), 5)

    async def aclose(self) -> None:
        for sid in list(set(self.groups) | set(self.live)):
            await self.kill_sandbox(sid)
        for task in list(self._reapers):
            task.cancel()
        self.records.clear()


class GroupRecords:
    """The process groups of this run, on disk: ``<pgid> <leader start time>`` a line.

    Spawning appends a line; the file is rewritten from memory when it holds far more lines
    than live groups.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.live: dict[int, float] = {}
        self._lines = 0

    def add(self, pgid: int) -> None:
        try:
            created: float = psutil.Process(pgid).create_time()
        except psutil.Error:  # already gone: nothing to record
            return
        self.live[pgid] = created
        with open(self.path, "a", encoding="ascii") as f:
            f.write(f"{pgid} {created!r}\n")
        self._lines += 1
        if self._lines > 1024 and self._lines > 4 * len(self.live):
            self._rewrite()

    def discard(self, pgid: int) -> None:
        self.live.pop(pgid, None)

    def clear(self) -> None:
        self.live.clear()
        self._rewrite()

    def _rewrite(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(f"{g} {t!r}\n" for g, t in self.live.items()), encoding="ascii")
        os.replace(tmp, self.path)
        self._lines = len(self.live)

    def kill_leftovers(self) -> int:
        try:
            text = self.path.read_text(encoding="ascii")
        except FileNotFoundError:
            return 0
        killed = 0
        for line in text.splitlines():
            try:
                pgid_s, created_s = line.split()
                pgid, created = int(pgid_s), float(created_s)
            except ValueError:
                log.warning("%s: unreadable line %r skipped", self.path, line)
                continue
            if pgid in self.live or not _still_ours(pgid, created):
                continue
            try:
                os.killpg(pgid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
        self._rewrite()
        if killed:
            log.warning("killed %d process group(s) left by a previous run", killed)
        return killed


def _still_ours(pgid: int, created: float) -> bool:
    """False when the group's number now names a process started after ours (reused)."""
    try:
        started: float = psutil.Process(pgid).create_time()
        return abs(started - created) < 0.01
    except psutil.NoSuchProcess:
        return True  # the leader is gone; its children may still hold the group
    except psutil.Error:
        return False


def tokenise(command: str) -> list[str]:
    """The daemon's tokeniser: split on spaces; ``'`` and ``"`` quote (the other one is
    literal inside), no backslash escapes, quotes dropped."""
    args: list[str] = []
    cur: list[str] = []
    quote: str | None = None
    in_token = False
    for ch in command:
        if quote is not None:
            if ch == quote:
                quote = None
            else:
                cur.append(ch)
        elif ch in "'\"":
            quote = ch
            in_token = True
        elif ch == " ":
            if in_token:
                args.append("".join(cur))
                cur = []
                in_token = False
        else:
            cur.append(ch)
            in_token = True
    if in_token:
        args.append("".join(cur))
    return args


def sandbox_env(jail: Jail, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a sandbox process: the emulator's, minus its own ``DAYTONA_*``
    variables (never leak the emulator's API key into a sandbox), with ``HOME`` in the
    sandbox."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAYTONA_")}
    home = str(jail.root / "home" / "daytona")
    env["HOME"] = home
    env.pop("PWD", None)
    env.pop("OLDPWD", None)
    env.setdefault("LANG", "C.UTF-8")
    if extra:
        env.update(extra)
    return env


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


def routes(rt: ToolboxRuntime) -> list[BaseRoute]:
    async def execute(request: Request) -> Response:
        # not proxied by the real API: errors are Nest-shaped ({statusCode,...,error,message})
        sid = request.path_params["sandboxId"]
        try:
            body = await read_json(request)
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
        timeout = body.get("timeout")
        seconds = rt.settings.exec_default_timeout
        if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0:
            seconds = float(timeout)
        cwd = body.get("cwd")
        sb = rt.sandbox(sid)
        try:
            host_cwd = sb.jail.resolve(cwd if isinstance(cwd, str) and cwd else ".")
        except JailError:
            return json_response({"exitCode": -1, "result": ""})
        argv = tokenise(command)
        if not argv:
            return json_response({"exitCode": -1, "result": ""})
        try:
            proc = await rt.tracker.spawn(
                sid,
                argv,
                cwd=str(host_cwd),
                env=sandbox_env(sb.jail),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
        except ProcessLimitError as exc:
            return nest_error(request, LIMIT_STATUS, str(exc), HTTP_EXCEPTION)
        except (OSError, ValueError):
            return json_response({"exitCode": -1, "result": ""})
        limit = rt.settings.exec_output_limit
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
            result += (
                f"\n[daytona-emulator: output truncated: {dropped} more bytes were not kept "
                f"(exec_output_limit is {limit} bytes)]\n"
            )
        return json_response({"exitCode": code, "result": result})

    return [Route("/process/execute", execute, methods=["POST"])]
