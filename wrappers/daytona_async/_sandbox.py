"""``AsyncSandbox``: one sandbox — its data, lifecycle (with waits), settings, build logs and
its toolbox (``fs``, ``process``, ``git``, ``lsp``). Creating, listing and finding sandboxes
is :mod:`daytona_async.resources.sandboxes`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ._build_logs import sandbox_build_over
from ._deadline import Deadline
from ._util import LogCallback, poll_until
from .errors import (
    BadRequestError,
    ConflictError,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    SandboxStateError,
)

if TYPE_CHECKING:
    from daytona_api.models import PortPreviewUrl, Sandbox

    from ._context import ClientContext
    from ._fs import FileSystem
    from ._git import Git
    from ._lsp import LspServer
    from ._process import Process

__all__ = ["CREATE_ID_LABEL", "AsyncSandbox"]

#: label put on every sandbox this SDK creates, to find it again when a create's outcome is
#: unknown (kept on the sandbox; ``list(labels={CREATE_ID_LABEL: ...})`` finds it)
CREATE_ID_LABEL = "daytona-async/create-id"

FAILED_STATES = frozenset({"error", "build_failed"})
#: states of a sandbox whose delete was accepted
DELETED_STATES = frozenset({"destroying", "destroyed"})


def _state_str(value: Any) -> str:
    return str(getattr(value, "value", value))


class AsyncSandbox:
    """One sandbox. ``.id``, ``.state`` (a string such as ``"started"``), ``.data`` (the
    generated ``Sandbox`` model as last seen; :meth:`refresh` re-reads it).

    Lifecycle methods that wait take ``timeout=`` bounding the whole operation (the request
    and the wait); waits poll with intervals growing from 0.1 s to 1 s.

    Toolbox: ``sandbox.fs``, ``sandbox.process``, ``sandbox.git``, ``sandbox.lsp(language_id,
    project_path)``.
    """

    def __init__(self, ctx: ClientContext, data: Sandbox) -> None:
        self._ctx = ctx
        self.data = data
        self._fs: FileSystem | None = None
        self._process: Process | None = None
        self._git: Git | None = None

    # -- data --------------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The sandbox's id (stable for its whole life)."""
        return self.data.id

    @property
    def state(self) -> str | None:
        """Its state as last seen (``"started"``, ``"stopped"``, ``"error"``, ...; ``None`` if the
        service sent none); :meth:`refresh` reads it again."""
        from daytona_api.types import Unset

        state = self.data.state
        return None if isinstance(state, Unset) else _state_str(state)

    @property
    def error_reason(self) -> str | None:
        """Why it is in ``error``/``build_failed``, as the service says (``None`` otherwise)."""
        value = self.data.error_reason
        return value if isinstance(value, str) else None

    @property
    def labels(self) -> dict[str, str]:
        """A copy of its labels (the SDK's own ``daytona-async/create-id`` included)."""
        return dict(self.data.labels.additional_properties)

    @property
    def env(self) -> dict[str, str]:
        """A copy of the environment variables it was created with."""
        return dict(self.data.env.additional_properties)

    @property
    def building(self) -> bool:
        """Is its Dockerfile build still running (as last seen)?"""
        return not sandbox_build_over(self.state)

    @property
    def context(self) -> ClientContext:
        """Internal (the toolbox helpers' access to the client); not needed by applications."""
        return self._ctx

    def __repr__(self) -> str:
        return f"AsyncSandbox(id={self.id!r}, state={self.state!r})"

    # -- toolbox (issue 6) -------------------------------------------------------------

    # imported on first use (httpx-heavy modules stay unloaded until needed)

    @property
    def fs(self) -> FileSystem:
        """File system operations (:class:`daytona_async._fs.FileSystem`)."""
        if self._fs is None:
            from ._fs import FileSystem

            self._fs = FileSystem(self)
        return self._fs

    @property
    def process(self) -> Process:
        """Command execution and sessions (:class:`daytona_async._process.Process`)."""
        if self._process is None:
            from ._process import Process

            self._process = Process(self)
        return self._process

    @property
    def git(self) -> Git:
        """Git operations (:class:`daytona_async._git.Git`)."""
        if self._git is None:
            from ._git import Git

            self._git = Git(self)
        return self._git

    def lsp(self, language_id: str, project_path: str) -> LspServer:
        """A language server session (:class:`daytona_async._lsp.LspServer`)."""
        from ._lsp import LspServer

        return LspServer(self, language_id, project_path)

    # -- reads -------------------------------------------------------------------------

    async def refresh(
        self, *, timeout: float | None = None, deadline: Deadline | None = None
    ) -> AsyncSandbox:
        """Re-read the sandbox (``GET /sandbox/{id}``); returns ``self``."""
        from daytona_api.api.sandbox import get_sandbox
        from daytona_api.models import Sandbox

        self.data = await self._ctx.call_parsed(
            get_sandbox, self.id, expect=Sandbox, deadline=deadline, timeout=timeout
        )
        return self

    async def wait_for(
        self,
        state: str | Iterable[str],
        *,
        timeout: float | None = 60.0,
        deadline: Deadline | None = None,
    ) -> AsyncSandbox:
        """Poll until the state is ``state`` (or one of several).

        Raises :class:`SandboxStateError` if the sandbox reaches ``error``/``build_failed``
        (or is destroyed while waiting for anything else), :class:`DeadlineExceeded` when
        ``timeout`` runs out.
        """
        wanted = {_state_str(state)} if isinstance(state, str) else {_state_str(s) for s in state}
        dl = deadline or Deadline(
            timeout, f"wait for sandbox {self.id} to be {'/'.join(sorted(wanted))}"
        )
        first = True

        async def reached() -> AsyncSandbox | None:
            nonlocal first
            if not first:
                await self.refresh(deadline=dl)
            first = False
            current = self.state
            if current in wanted:
                return self
            if current in FAILED_STATES or (current == "destroyed" and "destroyed" not in wanted):
                raise SandboxStateError(self.id, current or "unknown", self.error_reason)
            return None

        return await poll_until(reached, dl)

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self, *, timeout: float | None = 60.0) -> AsyncSandbox:
        """Start (from ``stopped`` or ``archived``) and wait until ``started``."""
        from daytona_api.api.sandbox import start_sandbox

        dl = Deadline(timeout, f"start sandbox {self.id}")
        await self._ctx.call(start_sandbox, self.id, deadline=dl)
        await self.refresh(deadline=dl)
        return await self.wait_for("started", deadline=dl)

    async def stop(self, *, timeout: float | None = 60.0) -> AsyncSandbox:
        """Stop and wait until ``stopped``."""
        from daytona_api.api.sandbox import stop_sandbox

        dl = Deadline(timeout, f"stop sandbox {self.id}")
        await self._ctx.call(stop_sandbox, self.id, deadline=dl)
        await self.refresh(deadline=dl)
        return await self.wait_for("stopped", deadline=dl)

    async def archive(self, *, wait: bool = True, timeout: float | None = 300.0) -> AsyncSandbox:
        """Archive a stopped sandbox; with ``wait``, until ``archived`` (slow on the real service)."""
        from daytona_api.api.sandbox import archive_sandbox

        dl = Deadline(timeout, f"archive sandbox {self.id}")
        await self._ctx.call(archive_sandbox, self.id, deadline=dl)
        await self.refresh(deadline=dl)
        if wait:
            await self.wait_for("archived", deadline=dl)
        return self

    async def delete(self, *, wait: bool = False, timeout: float | None = 60.0) -> None:
        """Delete (``force`` is sent as the SDKs do; the server ignores it). With ``wait``, poll
        until ``destroyed`` (or gone).

        A refusal that only says a delete is already under way (this one's, accepted on an
        attempt whose answer was lost, or another client's) is success: the sandbox is then
        ``destroying``/``destroyed`` or gone, which is checked, not read from the message."""
        from daytona_api.api.sandbox import delete_sandbox

        dl = Deadline(timeout, f"delete sandbox {self.id}")
        try:
            await self._ctx.call(delete_sandbox, self.id, force=True, deadline=dl)
        except (BadRequestError, ConflictError, InternalServerError):
            if not await self.delete_under_way(deadline=dl):
                raise
        if not wait:
            return
        try:
            await self.refresh(deadline=dl)
            await self.wait_for("destroyed", deadline=dl)
        except NotFoundError:
            return

    async def delete_under_way(self, *, deadline: Deadline | None = None) -> bool:
        """Re-read the sandbox: is it ``destroying``/``destroyed`` or gone? (How a refused
        delete is told apart from one that was already accepted.)"""
        try:
            await self.refresh(deadline=deadline)
        except NotFoundError:
            return True
        return self.state in DELETED_STATES

    async def set_labels(
        self, labels: Mapping[str, str], *, timeout: float | None = None
    ) -> dict[str, str]:
        """Replace all labels (values are strings; bools are sent lower-cased)."""
        from daytona_api.api.sandbox import replace_labels
        from daytona_api.models import SandboxLabelsRequest, StringMap

        body = SandboxLabelsRequest(labels=StringMap.from_dict(stringify_labels(labels)))
        result = await self._ctx.call_parsed(
            replace_labels, self.id, body=body, expect=SandboxLabelsRequest, timeout=timeout
        )
        new = dict(result.labels.additional_properties)
        self.data.labels = StringMap.from_dict(new)
        return new

    async def set_auto_stop_interval(self, minutes: int, *, timeout: float | None = None) -> None:
        """Auto-stop after ``minutes`` of inactivity (0 disables)."""
        from daytona_api.api.sandbox import set_autostop_interval

        _check_minutes(minutes, "auto-stop interval")
        await self._ctx.call(set_autostop_interval, self.id, int(minutes), timeout=timeout)
        self.data.auto_stop_interval = int(minutes)

    async def set_auto_archive_interval(
        self, minutes: int, *, timeout: float | None = None
    ) -> None:
        """Auto-archive after ``minutes`` stopped. Note: the real service stores ``0`` as 0
        (archive at once) on this endpoint, not "maximum"."""
        from daytona_api.api.sandbox import set_auto_archive_interval

        _check_minutes(minutes, "auto-archive interval")
        await self._ctx.call(set_auto_archive_interval, self.id, int(minutes), timeout=timeout)
        self.data.auto_archive_interval = int(minutes)

    async def set_public(self, public: bool, *, timeout: float | None = None) -> None:
        """Make the preview URLs public (no token needed) or private."""
        from daytona_api.api.sandbox import update_public_status

        await self._ctx.call(update_public_status, self.id, bool(public), timeout=timeout)
        self.data.public = bool(public)

    async def backup(self, *, timeout: float | None = None) -> AsyncSandbox:
        """Request a backup (``backupState`` becomes ``Pending``); returns ``self`` refreshed
        (the service answers 201 without a body)."""
        from daytona_api.api.sandbox import create_backup

        dl = Deadline(timeout if timeout is not None else self._ctx.call_timeout, "backup")
        await self._ctx.call(create_backup, self.id, deadline=dl)
        return await self.refresh(deadline=dl)

    async def preview_link(self, port: int, *, timeout: float | None = None) -> PortPreviewUrl:
        """The preview URL and token of ``port`` (the sandbox must be started)."""
        from daytona_api.api.sandbox import get_port_preview_url
        from daytona_api.models import PortPreviewUrl

        if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            raise InvalidArgumentError(f"port must be an int in 1..65535, not {port!r}")
        return await self._ctx.call_parsed(
            get_port_preview_url, self.id, port, expect=PortPreviewUrl, timeout=timeout
        )

    def follow_build_logs(
        self, *, lines: bool = True, timeout: float | None = None
    ) -> AsyncIterator[str]:
        """``async for line in sb.follow_build_logs():`` the Dockerfile build log, live, until
        the build is over (the service's own stream may stay open; the SDK ends it).
        ``lines=False`` yields raw text pieces; ``timeout`` bounds the whole iteration."""
        return self._follow_build_logs(lines, Deadline(timeout, f"build logs of {self.id}"))

    async def deliver_build_logs(self, on_logs: LogCallback, *, deadline: Deadline) -> None:
        """Hand each build log line to ``on_logs`` (sync or async) until the build is over."""
        from ._build_logs import deliver_lines

        await deliver_lines(self._follow_build_logs(True, deadline), on_logs)

    def _follow_build_logs(self, lines: bool, deadline: Deadline) -> AsyncIterator[str]:
        from daytona_api.api.sandbox import get_build_logs

        from ._build_logs import follow_build_logs

        async def build_over() -> bool:
            await self.refresh(timeout=30.0)
            return not self.building

        return follow_build_logs(
            self._ctx,
            get_build_logs.asyncio_stream,
            self.id,
            build_over,
            lines=lines,
            deadline=deadline,
        )

    async def build_logs(self, *, timeout: float | None = None) -> str:
        """The build log so far (not followed); :meth:`follow_build_logs` streams it."""
        from daytona_api.api.sandbox import get_build_logs

        response = await self._ctx.call(get_build_logs, self.id, follow=False, timeout=timeout)
        return response.content.decode("utf-8", errors="replace")


def _check_minutes(minutes: int, what: str) -> None:
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 0:
        raise InvalidArgumentError(f"{what} must be a non-negative int (minutes), not {minutes!r}")


def stringify_labels(labels: Mapping[str, object]) -> dict[str, str]:
    """Labels/env as the API wants them: string keys and values, bools lower-cased."""
    out: dict[str, str] = {}
    for k, v in labels.items():
        if not isinstance(k, str):
            raise InvalidArgumentError(f"label keys must be strings, not {k!r}")
        out[k] = str(v).lower() if isinstance(v, bool) else str(v)
    return out
