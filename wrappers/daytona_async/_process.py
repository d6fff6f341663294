"""``sandbox.process``: one-shot commands with shell semantics, sessions, and
:class:`CommandHandle` — a running session command with live, resumable output.

Shell semantics for :meth:`Process.exec`: the daemon does not run commands through a shell; it
splits them on spaces, with ``'``/``"`` quoting and no escapes (service-behaviour §4.3). So the
script (env exports + the command) is base64-encoded and run as::

    sh -c 'eval "$(echo <base64> | base64 -d)"'

Base64 has no quote, space or ``$``, so the daemon's tokeniser hands ``sh`` the argument
intact, and the script reaches ``sh`` byte for byte: quotes, pipes, ``$``, newlines, any
Unicode. (``eval`` rather than the official SDK's ``… | base64 -d | sh``: the command's stdin
is then not the pipe carrying the script, so a command reading stdin cannot swallow the rest of
the script.) Env values are exported from base64 too, trailing newlines included.
"""

from __future__ import annotations

import base64
import math
import re
import shlex
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import anyio

from ._deadline import Deadline
from ._streams import (
    FollowOptions,
    FollowStats,
    count_endpoint_bytes,
    decode_text,
    endpoint_stream,
    follow_bytes,
    stream_timeout,
)
from ._toolbox_base import ToolboxBase
from ._util import call_maybe_async
from ._validation import check_unicode, validate_id
from .errors import (
    APIResponseValidationError,
    APIStatusError,
    DeadlineExceeded,
    InvalidArgumentError,
)

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

    import httpx
    from daytona_api.models import Command, Session


__all__ = [
    "CommandHandle",
    "CommandTimeoutError",
    "ExecResult",
    "OutputCallback",
    "Process",
    "build_exec_command",
]

#: ``on_output(text)`` for :meth:`Process.run`; may be sync or async
OutputCallback: TypeAlias = Callable[[str], Awaitable[None] | None]

_ENV_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Linux refuses a single argv string longer than MAX_ARG_STRLEN (128 KiB)
_MAX_ARG = 131_000
# the client deadline of exec is the server-side timeout plus this margin
_EXEC_MARGIN = 10.0
_SERVER_DEFAULT_EXEC_TIMEOUT = 360.0


class CommandTimeoutError(DeadlineExceeded):
    """A command ran longer than its ``timeout=``: the service killed it (HTTP 408
    ``command execution timeout``) or the client's deadline passed first.

    A :class:`~daytona_async.DeadlineExceeded` (and so a ``TimeoutError``); ``command`` is the
    command as given, ``status_code`` 408 when the service reported it."""

    def __init__(self, command: str, timeout: float | None, status_code: int | None = None):
        super().__init__(f"command {_short(command)!r}", timeout)
        self.command = command
        self.status_code = status_code


@dataclass(frozen=True)
class ExecResult:
    """Outcome of a command: ``exit_code`` and ``output`` (stdout and stderr combined)."""

    exit_code: int
    output: str

    @property
    def result(self) -> str:
        """Alias of ``output`` (the official SDK's name)."""
        return self.output

    @property
    def ok(self) -> bool:
        """Did the command exit with code 0?"""
        return self.exit_code == 0


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _b64(text: str) -> str:
    check_unicode(text, "text")
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def build_exec_command(command: str, env: Mapping[str, str] | None = None) -> str:
    """The command line sent to ``process/execute`` for ``command`` with ``env``.

    Each env value is exported as ``K="$(echo <b64> | base64 -d; echo x)"; K="${K%x}"`` (the
    ``x`` keeps trailing newlines), then the command follows; the whole script is base64
    encoded and run by ``sh -c 'eval "$(echo <b64> | base64 -d)"'``.
    """
    if not isinstance(command, str):
        raise InvalidArgumentError(f"command must be a string, not {type(command).__name__}")
    if not command.strip():
        raise InvalidArgumentError("command must not be empty")
    lines: list[str] = []
    for key, value in (env or {}).items():
        if not isinstance(key, str) or not _ENV_KEY.match(key):
            raise InvalidArgumentError(f"invalid environment variable name: {key!r}")
        if not isinstance(value, str):
            raise InvalidArgumentError(f"environment value of {key} must be a string")
        if "\x00" in value:
            raise InvalidArgumentError(f"environment value of {key} contains NUL")
        lines.append(
            f'export {key}="$(echo {_b64(value)} | base64 -d; echo x)"; {key}="${{{key}%x}}"'
        )
    lines.append(command)
    script = "\n".join(lines) + "\n"
    wrapped = f"sh -c 'eval \"$(echo {_b64(script)} | base64 -d)\"'"
    if len(wrapped) > _MAX_ARG:
        raise InvalidArgumentError(
            f"command too long for exec ({len(script)} bytes of script): upload it as a file "
            "with sandbox.fs.upload and run that file"
        )
    return wrapped


def _int_code(value: Any) -> int | None:
    if value is None or type(value).__name__ == "Unset":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    return None


class Process(ToolboxBase):
    """Commands in one sandbox: ``sandbox.process``."""

    # -- one-shot ------------------------------------------------------------------------

    async def exec(
        self,
        command: str,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> ExecResult:
        """Run ``command`` through ``sh`` (pipes, quotes, ``$``, redirections and newlines work)
        and return its exit code and combined output.

        ``cwd`` (relative: to the project dir; default: the project dir). ``env``: variables
        exported for the command (names must be identifiers). ``timeout`` (seconds): the
        service kills the command after it (default 360 s) → :class:`CommandTimeoutError`; the
        client gives up a little later if the service does not answer.

        Spawn failures (e.g. a bad ``cwd``) come back as ``exit_code == -1``, as from the
        service."""
        from daytona_api.api.toolbox_process import execute_command
        from daytona_api.models import ExecuteRequest, ExecuteResponse
        from daytona_api.types import UNSET

        wrapped = build_exec_command(command, env)
        if timeout is not None and (not isinstance(timeout, (int, float)) or timeout <= 0):
            raise InvalidArgumentError(f"timeout must be a positive number, not {timeout!r}")
        server_timeout = _SERVER_DEFAULT_EXEC_TIMEOUT if timeout is None else float(timeout)
        dl = Deadline(server_timeout + _EXEC_MARGIN, f"exec {_short(command)!r}")
        directory = await self.resolve(cwd if cwd is not None else ".", deadline=dl)
        body = ExecuteRequest(
            command=wrapped,
            cwd=directory,
            timeout=UNSET if timeout is None else max(1, math.ceil(timeout)),
        )
        try:
            result = await self._ctx.call_parsed(
                execute_command,
                self.sandbox_id,
                body=body,
                expect=ExecuteResponse,
                deadline=dl,
                # the command may rightly be silent until it ends
                request_timeout=stream_timeout(self._ctx, server_timeout + _EXEC_MARGIN),
            )
        except APIStatusError as err:
            if err.status_code == 408:
                raise CommandTimeoutError(command, server_timeout, 408) from err
            raise
        except DeadlineExceeded as err:
            raise CommandTimeoutError(command, server_timeout) from err
        exit_code = _int_code(result.exit_code)
        if exit_code is None or not isinstance(result.result, str):
            raise APIResponseValidationError(
                "unexpected execute response: exitCode must be a number and result a string",
                status_code=200,
            )
        return ExecResult(exit_code, result.result)

    async def code_run(
        self,
        code: str,
        argv: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> ExecResult:
        """Run the Python source ``code`` with the sandbox's ``python3`` (as the official SDK's
        ``code_run``) and return its exit code and combined output, as :meth:`exec` does.

        ``argv`` become ``sys.argv[1:]``; ``env`` and ``timeout`` as for :meth:`exec`. The
        code reaches Python byte for byte (it travels base64-encoded)."""
        if not isinstance(code, str):
            raise InvalidArgumentError(f"code must be a string, not {type(code).__name__}")
        if "\x00" in code:
            raise InvalidArgumentError("code must not contain NUL")
        if isinstance(argv, str):
            raise InvalidArgumentError("argv must be a sequence of strings, not a string")
        args: list[str] = []
        for arg in argv or ():
            if not isinstance(arg, str) or "\x00" in arg:
                raise InvalidArgumentError(f"argv items must be strings without NUL: {arg!r}")
            args.append(shlex.quote(arg))
        # -u: stdout and stderr unbuffered, so their combined output keeps its order
        line = f'python3 -u -c "$(echo {_b64(code)} | base64 -d)"'
        return await self.exec(" ".join([line, *args]), env=env, timeout=timeout)

    # -- sessions ------------------------------------------------------------------------

    async def create_session(self, session_id: str, *, timeout: float | None = None) -> None:
        """Create a session: one long-lived shell whose cwd and exports persist across its
        commands. An existing id → :class:`~daytona_async.ConflictError`."""
        from daytona_api.api.toolbox_process import create_session
        from daytona_api.models import CreateSessionRequest

        body = CreateSessionRequest(session_id=validate_id(session_id, "session_id"))
        await self._ctx.call(create_session, self.sandbox_id, body=body, timeout=timeout)

    async def get_session(self, session_id: str, *, timeout: float | None = None) -> Session:
        """A session and its commands (``Session`` model)."""
        from daytona_api.api.toolbox_process import get_session
        from daytona_api.models import Session

        return await self._ctx.call_parsed(
            get_session,
            self.sandbox_id,
            validate_id(session_id, "session_id"),
            expect=Session,
            timeout=timeout,
        )

    async def list_sessions(self, *, timeout: float | None = None) -> list[Session]:
        """Every live session of the sandbox."""
        from daytona_api.api.toolbox_process import list_sessions

        return await self._ctx.call_parsed(
            list_sessions, self.sandbox_id, expect=(list,), timeout=timeout
        )

    async def delete_session(self, session_id: str, *, timeout: float | None = None) -> None:
        """Kill a session's shell and remove its logs."""
        from daytona_api.api.toolbox_process import delete_session

        await self._ctx.call(
            delete_session, self.sandbox_id, validate_id(session_id, "session_id"), timeout=timeout
        )

    async def start(
        self, session_id: str, command: str, *, timeout: float | None = None
    ) -> CommandHandle:
        """Start ``command`` in a session without waiting for it (``runAsync``); returns its
        :class:`CommandHandle`. The command runs in the session's shell (``sh``/``bash``
        syntax, the session's cwd and exports)."""
        from daytona_api.api.toolbox_process import execute_session_command
        from daytona_api.models import SessionExecuteRequest, SessionExecuteResponse

        sid = validate_id(session_id, "session_id")
        if not isinstance(command, str) or not command.strip():
            raise InvalidArgumentError("command must be a non-empty string")
        body = SessionExecuteRequest(command=command, run_async=True)
        result = await self._ctx.call_parsed(
            execute_session_command,
            self.sandbox_id,
            sid,
            body=body,
            expect=SessionExecuteResponse,
            timeout=timeout,
        )
        cmd_id = result.cmd_id
        if not isinstance(cmd_id, str) or not cmd_id:
            raise APIResponseValidationError("session exec answered without a cmdId")
        return CommandHandle(self, sid, cmd_id, command)

    def command(self, session_id: str, command_id: str) -> CommandHandle:
        """A handle on an already started command (no request is sent)."""
        return CommandHandle(
            self, validate_id(session_id, "session_id"), validate_id(command_id, "command_id")
        )

    async def run(
        self,
        session_id: str,
        command: str,
        *,
        on_output: OutputCallback | None = None,
        lines: bool = False,
        timeout: float | None = None,
    ) -> ExecResult:
        """Start ``command`` in a session, stream its output, wait for its exit.

        With ``on_output`` each piece of output (or each line, with ``lines=True``) is passed
        to it as it arrives and the result's ``output`` is ``""``; without it the output is
        collected into the result. ``timeout`` bounds the whole run
        (:class:`CommandTimeoutError`; the command itself is not killed)."""
        dl = Deadline(timeout, f"run {_short(command)!r}")
        try:
            with dl.scope():
                cmd = await self.start(session_id, command, timeout=None)
                parts: list[str] = []
                # closed here even when cancelled: an abandoned stream would be closed later by
                # the event loop, at its shutdown even, racing the generators nested inside it
                async with aclosing(cmd.output(lines=lines)) as output:
                    async for text in output:
                        if on_output is not None:
                            await call_maybe_async(on_output, text)
                        else:
                            parts.append(text + "\n" if lines else text)
                code = await cmd.wait()
        except DeadlineExceeded as err:
            if isinstance(err, CommandTimeoutError):
                raise
            raise CommandTimeoutError(command, timeout) from err
        return ExecResult(code, "".join(parts))


class _CommandProbe:
    """End detection of a command's follow stream: exited? how long is the full log?"""

    def __init__(self, handle: CommandHandle) -> None:
        self.handle = handle

    async def finished(self) -> bool:
        return await self.handle._poll() is not None

    async def total_bytes(self, delivered: int) -> int | None:
        from daytona_api.api.toolbox_process import get_session_command_logs

        h = self.handle
        p = h._process
        return await count_endpoint_bytes(
            p._ctx,
            get_session_command_logs.asyncio_stream,
            p.sandbox_id,
            h.session_id,
            h.id,
            enough=delivered,
        )


class CommandHandle:
    """A command started in a session (:meth:`Process.start`).

    - ``id``, ``session_id``, ``command``; ``exit_code`` (``None`` until known — updated by
      :meth:`wait`, :meth:`refresh` and by :meth:`output` when it sees the exit);
    - ``async for text in cmd.output()`` — live output (``lines=True``: whole lines);
    - ``await cmd.wait(timeout=...)`` — the exit code;
    - ``await cmd.logs()`` — the whole output so far, as text.
    """

    def __init__(
        self, process: Process, session_id: str, command_id: str, command: str | None = None
    ) -> None:
        self._process = process
        self.session_id = session_id
        self.id = command_id
        self.command = command
        self.exit_code: int | None = None
        #: counters of the last :meth:`output` iteration (bytes, connections, reconnects, ...)
        self.stream_stats: FollowStats | None = None

    def __repr__(self) -> str:
        return (
            f"CommandHandle(id={self.id!r}, session_id={self.session_id!r}, "
            f"exit_code={self.exit_code!r})"
        )

    async def refresh(self, *, timeout: float | None = None) -> Command:
        """Re-read the command (``Command`` model); updates ``exit_code``."""
        from daytona_api.api.toolbox_process import get_session_command
        from daytona_api.models import Command

        p = self._process
        data = await p._ctx.call_parsed(
            get_session_command,
            p.sandbox_id,
            self.session_id,
            self.id,
            expect=Command,
            timeout=timeout,
        )
        code = _int_code(data.exit_code)
        if code is not None:
            self.exit_code = code
        return data

    async def _poll(self) -> int | None:
        if self.exit_code is None:
            await self.refresh(timeout=30.0)
        return self.exit_code

    async def wait(self, timeout: float | None = None) -> int:
        """Wait for the command to exit; return its exit code. Polls with intervals growing
        from 50 ms to 500 ms; ``timeout`` → :class:`CommandTimeoutError` (the command keeps
        running)."""
        if self.exit_code is not None:
            return self.exit_code
        dl = Deadline(timeout, f"wait for command {self.id}")
        interval = 0.05
        try:
            with dl.scope():
                while True:
                    code = await self._poll()
                    if code is not None:
                        return code
                    await anyio.sleep(min(interval, dl.remaining()))
                    interval = min(0.5, interval * 1.5)
        except DeadlineExceeded as err:
            raise CommandTimeoutError(self.command or self.id, timeout) from err

    async def logs(self, *, timeout: float | None = None) -> str:
        """The whole output so far (not followed), NUL-free."""
        from daytona_api.api.toolbox_process import get_session_command_logs

        p = self._process
        response = await p._ctx.call(
            get_session_command_logs, p.sandbox_id, self.session_id, self.id, timeout=timeout
        )
        return response.content.replace(b"\x00", b"").decode("utf-8", errors="replace")

    def output_bytes(
        self,
        *,
        timeout: float | None = None,
        options: FollowOptions | None = None,
    ) -> AsyncIterator[bytes]:
        """The raw output (NUL padding removed) as it arrives; see :meth:`output`."""
        p = self._process
        dl = Deadline(timeout, f"output of command {self.id}")
        stats = FollowStats()
        self.stream_stats = stats

        from daytona_api.api.toolbox_process import get_session_command_logs

        def opener() -> AbstractAsyncContextManager[httpx.Response]:
            return endpoint_stream(
                p._ctx,
                get_session_command_logs.asyncio_stream,
                p.sandbox_id,
                self.session_id,
                self.id,
                follow=True,
                deadline=dl,
                read_timeout=None,  # a command may be silent for long
            )

        return follow_bytes(opener, _CommandProbe(self), options=options, deadline=dl, stats=stats)

    def output(
        self,
        *,
        lines: bool = False,
        timeout: float | None = None,
        options: FollowOptions | None = None,
    ) -> AsyncGenerator[str, None]:
        """``async for text in cmd.output()``: the command's output (stdout and stderr
        combined) as it arrives, decoded incrementally (a character split across chunks is
        never corrupted); ``lines=True`` yields whole lines without their newline.

        Ends once the command has exited and all its output was delivered — promptly
        (typically within ~0.1 s of the exit), although the service's follow stream itself
        never ends. A dropped stream is resumed without loss or repetition. ``timeout``
        bounds the whole iteration. Breaking out early: use
        ``async with contextlib.aclosing(cmd.output()) as out:`` to close the stream at once
        (otherwise it is closed when the iterator is garbage-collected).
        """
        return decode_text(self.output_bytes(timeout=timeout, options=options), lines=lines)
