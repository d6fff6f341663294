"""``/process/session*``: long-lived shells fed through stdin, as the daemon does.

Each session is one shell (``bash``, else ``sh``; the daemon prefers ``zsh`` when present) in
its own process group, cwd ``~/.daytona`` (the daemon's swapped-argument quirk), reading
commands from a pipe. Each command gets a directory ``~/sessions/<session>/<command>/`` with
``output.log`` (stdout+stderr) and ``exit_code``, and is fed to the shell as one line::

    __dtn_ec=<dir>/exit_code; { eval "$(< <dir>/command.sh)"; } > <dir>/output.log 2>&1 </dev/null; \
        echo "$?" > <dir>/exit_code; __dtn_ec=; echo <marker> <command id>

so ``cd``/``export``/functions persist. Differences from the daemon, chosen for robustness:

* the command text is ``eval``-ed from ``command.sh`` instead of being pasted inline, so a
  syntax error is reported in the command's log (exit code 2) instead of breaking the shell's
  input, and a heredoc or an unbalanced quote cannot swallow the bookkeeping that follows;
* its stdin is ``/dev/null`` (the daemon leaves the shell's stdin, so a command that reads
  stdin swallows the following commands);
* an ``exit N`` in a command records ``N`` (an EXIT trap writes the exit code file) and the
  next command of the session starts a fresh shell (the daemon's session is dead for good);
* completion is signalled by a marker line on the shell's stdout, so a sync exec answers as
  soon as the command ends (the daemon polls the exit code file every 50 ms); the exit code
  file is still polled as a fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shlex
import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute

from .common import (
    Fail,
    daemon_routes,
    empty,
    json_response,
    query,
    read_json,
    require,
    truncation_note,
)
from .fsio import open_regular, open_regular_fd
from .jail import Jail
from .procs import LIMIT_STATUS, IsolationUnavailable, ProcessLimitError, ProcessTracker
from .state import Sandbox, Toolbox

__all__ = ["Command", "Session", "SessionsApi"]

log = logging.getLogger("daytona_emulator.toolbox")

MARKER = b"\x1edtn-done "
REFUSED_STATUS = 501  # no isolation and no --unsafe-run-commands-on-host (never retried)
CHUNK = 1024
POLL = 0.02  # the daemon's tail interval at EOF
IDLE_POLL = 0.25  # after a second without output, followers poll this slowly
FALLBACK_POLL = 0.1
WATCH_FALLBACK = 5.0  # with inotify: a follower re-checks its flags at least this often

SHELL_PROLOGUE = 'trap \'__dtn_s=$?; [ -n "$__dtn_ec" ] && echo "$__dtn_s" > "$__dtn_ec"\' EXIT\n'


def pick_shell() -> list[str]:
    bash = shutil.which("bash")
    if bash:
        return [bash, "--noprofile", "--norc"]
    return [shutil.which("sh") or "/bin/sh"]


class Command:
    def __init__(self, cmd_id: str, command: str, directory: Path, jail: Jail) -> None:
        self.id = cmd_id
        self.command = command
        self.dir = directory
        self.jail = jail
        self.exit_code: int | None = None
        self.done = asyncio.Event()
        self.on_exit: Callable[[Path], None] | None = None

    @property
    def log(self) -> Path:
        return self.dir / "output.log"

    @property
    def exit_file(self) -> Path:
        return self.dir / "exit_code"

    def resolved(self, name: str) -> Path:
        """The host path of the command's file ``name`` as the sandbox sees it now: the
        sandbox's processes may have swapped any part of it for a symlink, which the jail
        follows inside the root, never out of it (blocking)."""
        return _in_jail(self.jail, self.dir / name)

    def poll_exit_file(self) -> int | None:
        """Read ``exit_code`` (fallback when the marker was missed)."""
        if self.exit_code is None:
            try:
                with open_regular(self.resolved("exit_code")) as f:
                    text = f.read(64).decode("ascii", "replace").strip()
            except OSError:
                return None
            if text.lstrip("-").isdigit():
                self.set_exit(int(text))
        return self.exit_code

    def set_exit(self, code: int) -> None:
        if self.exit_code is None:
            self.exit_code = code
        self.done.set()
        if self.on_exit is not None:
            self.on_exit(self.log)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "command": self.command}
        if self.exit_code is not None:
            out["exitCode"] = self.exit_code
        return out


class Session:
    def __init__(self, sandbox: Sandbox, session_id: str, directory: Path) -> None:
        self.sandbox = sandbox
        self.id = session_id
        self.dir = directory
        self.commands: dict[str, Command] = {}
        self.closed = asyncio.Event()
        self.proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self.read_cmd = "cat "

    @property
    def tracker(self) -> ProcessTracker:
        return self.sandbox.toolbox.tracker

    async def start_shell(self) -> None:
        jail = self.sandbox.jail
        cwd = jail.root / "home" / "daytona" / ".daytona"
        await self.sandbox.run_sync(lambda: cwd.mkdir(parents=True, exist_ok=True))
        shell = pick_shell()
        proc = await self.tracker.run(
            self.sandbox.id,
            jail,
            shell,
            cwd,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self.proc = proc
        # bash reads the command file without a fork; a POSIX sh needs cat
        self.read_cmd = "< " if os.path.basename(shell[0]) == "bash" else "cat "
        assert proc.stdin is not None
        proc.stdin.write(SHELL_PROLOGUE.encode())
        self._reader = asyncio.get_running_loop().create_task(self._read(proc))

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        try:
            while True:
                try:
                    line = await proc.stdout.readline()
                except ValueError:  # an over-long line of shell noise
                    continue
                if not line:
                    break
                if line.startswith(MARKER):
                    cmd = self.commands.get(line[len(MARKER) :].strip().decode())
                    if cmd is not None:
                        await self.sandbox.run_sync(cmd.poll_exit_file)
                        if cmd.exit_code is None:
                            cmd.set_exit(-1)
        finally:
            await proc.wait()
            # the shell is gone: every unfinished command gets its recorded code or the
            # shell's fate (128+signal, as a shell reports a killed child)
            rc = proc.returncode or 0
            fallback = 128 - rc if rc < 0 else rc
            for cmd in list(self.commands.values()):
                if cmd.exit_code is None:
                    await self.sandbox.run_sync(cmd.poll_exit_file)
                    if cmd.exit_code is None and not self.closed.is_set():
                        with contextlib.suppress(OSError):
                            await self.sandbox.run_sync(_write_exit, cmd, fallback)
                        cmd.set_exit(fallback)

    @property
    def alive(self) -> bool:
        return (
            self.proc is not None
            and self.proc.returncode is None
            and not (self._reader is not None and self._reader.done())
        )

    async def execute(self, command: str) -> Command:
        async with self._lock:
            if not self.alive:
                await self.start_shell()
            cmd_id = str(uuid.uuid4())
            cmd_dir = self.dir / cmd_id
            jail = self.sandbox.jail

            def prepare() -> None:  # through the jail: the sessions folder is the sandbox's
                host = _in_jail(jail, cmd_dir)
                host.mkdir(parents=True, exist_ok=True)
                (host / "command.sh").write_text(command + "\n")
                (host / "output.log").touch()

            await self.sandbox.run_sync(prepare)
            cmd = Command(cmd_id, command, cmd_dir, jail)
            cmd.on_exit = self.sandbox.toolbox.watcher.wake
            self.commands[cmd_id] = cmd
            q = shlex.quote
            # the shell sees the sandbox's paths when isolated, the host's otherwise
            seen = self.sandbox.jail.to_sandbox if self.tracker.mode == "isolated" else str
            exit_file, log_file = q(seen(cmd.exit_file)), q(seen(cmd.log))
            line = (
                f"__dtn_ec={exit_file}; "
                f'{{ eval "$({self.read_cmd}{q(seen(cmd_dir / "command.sh"))})"; }} '
                f"> {log_file} 2>&1 </dev/null; "
                f'echo "$?" > {exit_file}; __dtn_ec=; '
                f"printf '\\036dtn-done %s\\n' {q(cmd_id)}\n"
            )
            assert self.proc is not None and self.proc.stdin is not None
            try:
                self.proc.stdin.write(line.encode())
                await self.proc.stdin.drain()
            except (BrokenPipeError, ConnectionResetError):
                cmd.set_exit(-1)
            return cmd

    async def wait(self, cmd: Command) -> int | None:
        """Wait for the command's exit code; ``None`` when the session is deleted first."""
        while cmd.exit_code is None:
            if self.closed.is_set():
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(cmd.done.wait(), FALLBACK_POLL)
            if cmd.exit_code is None:
                await self.sandbox.run_sync(cmd.poll_exit_file)
        return cmd.exit_code

    async def close(self, remove_logs: bool) -> None:
        self.closed.set()
        for cmd in self.commands.values():
            self.sandbox.toolbox.watcher.wake(cmd.log)
        if self.proc is not None:
            ProcessTracker.kill_group(self.proc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.proc.wait(), 5)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if remove_logs:
            jail = self.sandbox.jail
            await self.sandbox.run_sync(
                lambda: shutil.rmtree(_in_jail(jail, self.dir), ignore_errors=True)
            )

    def to_json(self) -> dict[str, Any]:
        return {"sessionId": self.id, "commands": [c.to_json() for c in self.commands.values()]}


def _in_jail(jail: Jail, host: Path) -> Path:
    """``host`` (a path under the root, lexically) resolved again through the jail."""
    return jail.resolve(jail.to_sandbox(host))


def _write_exit(cmd: Command, code: int) -> None:
    fd = os.open(
        cmd.resolved("exit_code"),
        os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
        0o644,
    )
    try:
        os.write(fd, f"{code}\n".encode())
    finally:
        os.close(fd)


def _valid_id(value: str) -> bool:
    return bool(value) and "/" not in value and "\x00" not in value and value not in (".", "..")


async def follow_log(
    session: Session, cmd: Command, fd: int, *, pad: bool, end_on_exit: bool
) -> AsyncIterator[bytes]:
    """Tail ``output.log`` (open as ``fd``, closed here): 1024-byte reads, each one message
    (NUL-padded to 1024 bytes when ``pad``). Ends when the session is deleted, or
    (``end_on_exit``) once the command exited and its log is drained; the caller's
    disconnect cancels it."""
    watcher = session.sandbox.toolbox.watcher
    wd = watcher.acquire(cmd.log)
    try:
        idle_since: float | None = None
        loop = asyncio.get_running_loop()
        while True:
            data = os.read(fd, CHUNK)  # a small read of a regular file: no real blocking
            if data:
                idle_since = None
                yield data + b"\x00" * (CHUNK - len(data)) if pad else data
                continue
            if session.closed.is_set():
                return
            exited = cmd.exit_code is not None
            fut = watcher.arm(wd)
            data = os.read(fd, CHUNK)  # written since the read above?
            if data:
                watcher.disarm(wd, fut)
                idle_since = None
                yield data + b"\x00" * (CHUNK - len(data)) if pad else data
                continue
            if end_on_exit and exited:  # the exit code is written after the last output
                watcher.disarm(wd, fut)
                return
            if wd is not None:  # woken by writes, the exit, the session's end
                await watcher.wait(wd, fut, WATCH_FALLBACK)
                continue
            now = loop.time()
            if idle_since is None:
                idle_since = now
            await asyncio.sleep(POLL if now - idle_since < 1.0 else IDLE_POLL)
    finally:
        watcher.release(cmd.log, wd)
        os.close(fd)


class SessionsApi:
    """``/process/session*``; the sessions of each sandbox live here."""

    def __init__(self, toolbox: Toolbox) -> None:
        self.tb = toolbox
        self.sessions: dict[str, dict[str, Session]] = {}  # sandbox id -> session id -> ...

    def routes(self) -> list[BaseRoute]:
        base = "/process/session"
        return daemon_routes(
            [
                ("POST", base, self.create),
                ("GET", base, self.list_sessions),
                ("GET", base + "/{sessionId}", self.get_session),
                ("DELETE", base + "/{sessionId}", self.delete_session),
                ("POST", base + "/{sessionId}/exec", self.execute),
                ("GET", base + "/{sessionId}/command/{commandId}", self.get_command),
                ("GET", base + "/{sessionId}/command/{commandId}/logs", self.logs),
            ]
        )

    def of(self, sb: Sandbox) -> dict[str, Session]:
        return self.sessions.setdefault(sb.id, {})

    async def sandbox_stopped(self, sandbox_id: str) -> None:
        """Kill the sandbox's session shells; their logs stay (the files remain)."""
        for session in self.sessions.pop(sandbox_id, {}).values():
            try:
                await session.close(remove_logs=False)
            except Exception:
                log.exception("closing session %s of sandbox %s failed", session.id, sandbox_id)

    def session_of(self, request: Request) -> Session:
        sb = self.tb.sandbox_of(request)
        session = self.of(sb).get(request.path_params["sessionId"])
        if session is None:
            raise Fail(404, "session not found")
        return session

    def command_of(self, request: Request, session: Session) -> Command:
        cmd = session.commands.get(request.path_params["commandId"])
        if cmd is None:
            raise Fail(404, "command not found")
        return cmd

    async def create(self, request: Request) -> Response:
        body = await read_json(request)
        require(body, "CreateSessionRequest", {"sessionId": "SessionId"})
        session_id = body["sessionId"]
        if not isinstance(session_id, str) or not _valid_id(session_id):
            raise Fail(400, "invalid session id")
        sb = self.tb.sandbox_of(request)
        if session_id in self.of(sb):
            raise Fail(409, "session already exists")
        try:  # a JailError (an id too long for a file name) is an OSError: answered below
            directory = await sb.run_sync(
                lambda: sb.jail.resolve(f"/home/daytona/sessions/{session_id}")
            )
        except OSError as exc:
            raise Fail(400, f"failed to start the session shell: {exc.strerror}") from None
        session = Session(sb, session_id, directory)
        self.of(sb)[session_id] = session
        try:
            await sb.run_sync(lambda: directory.mkdir(parents=True, exist_ok=True))
            await session.start_shell()
        except ProcessLimitError as exc:
            self.of(sb).pop(session_id, None)
            raise Fail(LIMIT_STATUS, str(exc)) from None
        except IsolationUnavailable as exc:
            self.of(sb).pop(session_id, None)
            raise Fail(REFUSED_STATUS, str(exc)) from None
        except OSError as exc:
            self.of(sb).pop(session_id, None)
            raise Fail(400, f"failed to start the session shell: {exc.strerror}") from None
        return empty(201)

    async def list_sessions(self, request: Request) -> Response:
        sb = self.tb.sandbox_of(request)
        return json_response([s.to_json() for s in self.of(sb).values()])

    async def get_session(self, request: Request) -> Response:
        return json_response(self.session_of(request).to_json())

    async def delete_session(self, request: Request) -> Response:
        sb = self.tb.sandbox_of(request)
        session = self.session_of(request)
        self.of(sb).pop(session.id, None)
        await session.close(remove_logs=True)
        return empty(204)

    async def execute(self, request: Request) -> Response:
        body = await read_json(request)
        session = self.session_of(request)
        command = body.get("command")
        if not isinstance(command, str) or command == "":
            raise Fail(400, "command cannot be empty")
        run_async = bool(body.get("runAsync")) or bool(body.get("async"))
        try:
            cmd = await session.execute(command)
        except ProcessLimitError as exc:
            raise Fail(LIMIT_STATUS, str(exc)) from None
        except IsolationUnavailable as exc:
            raise Fail(REFUSED_STATUS, str(exc)) from None
        except OSError as exc:
            raise Fail(400, f"failed to start the session shell: {exc.strerror}") from None
        if run_async:
            return json_response({"cmdId": cmd.id, "output": None, "exitCode": None}, 202)
        code = await session.wait(cmd)
        if code is None:
            raise Fail(400, "session cancelled")
        limit = self.tb.settings.exec_output_limit
        kept, dropped = await session.sandbox.run_sync(
            lambda: _log_head(cmd.resolved("output.log"), limit)
        )
        output = kept.decode("utf-8", "replace")
        if dropped:
            output += truncation_note(dropped, limit)
        return json_response({"cmdId": cmd.id, "output": output, "exitCode": code})

    async def get_command(self, request: Request) -> Response:
        session = self.session_of(request)
        cmd = self.command_of(request, session)
        if cmd.exit_code is None:
            await session.sandbox.run_sync(cmd.poll_exit_file)
        return json_response(cmd.to_json())

    async def logs(self, request: Request) -> Response:
        session = self.session_of(request)
        cmd = self.command_of(request, session)
        if query(request, "follow") != "true":
            log_path = await session.sandbox.run_sync(cmd.resolved, "output.log")
            return await _whole_log_response(session.sandbox, log_path)
        try:
            fd = await session.sandbox.run_sync(lambda: open_regular_fd(cmd.resolved("output.log")))
        except OSError as exc:
            raise Fail(400, f"open output.log: {exc.strerror}") from None
        stream = follow_log(
            session,
            cmd,
            fd,
            pad=self.tb.settings.nul_padding,
            end_on_exit=self.tb.settings.follow_logs_end_on_exit,
        )
        return StreamingResponse(stream, media_type="application/octet-stream")


def _log_head(path: Path, limit: int) -> tuple[bytes, int]:
    """The first ``limit`` bytes of a command's log, and how many more it holds."""
    try:
        with open_regular(path) as f:
            kept = f.read(limit)
            return kept, max(os.fstat(f.fileno()).st_size - len(kept), 0)
    except FileNotFoundError:
        return b"", 0


_LOG_CHUNK = 256 * 1024


async def _whole_log_response(sandbox: Sandbox, path: Path) -> Response:
    """The whole log as one body with its length (the daemon's answer; a cut of the stream is
    visible to the client), read in chunks: a log of gigabytes never sits in memory."""
    try:
        f = await sandbox.run_sync(open_regular, path)
    except FileNotFoundError:
        return Response(b"", media_type="text/plain; charset=utf-8")
    try:
        size = os.fstat(f.fileno()).st_size  # the log as it is now; a running command adds more
    except BaseException:
        f.close()
        raise

    async def body() -> AsyncIterator[bytes]:
        try:
            left = size
            while left > 0:
                chunk = await sandbox.run_sync(f.read, min(_LOG_CHUNK, left))
                if not chunk:  # truncated meanwhile: the short body shows the cut
                    return
                left -= len(chunk)
                yield chunk
        finally:
            f.close()

    return StreamingResponse(
        body(),
        media_type="text/plain; charset=utf-8",
        headers={"content-length": str(size)},
    )
