"""``AsyncSandbox`` and the sandbox operations of the client (create without duplicates,
lifecycle waits, cleanup)."""

from __future__ import annotations

import builtins
import json
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import anyio
import httpx

from ._deadline import Deadline
from ._logging import logger
from ._transport import RetryPolicy
from ._util import LogCallback, backoff_intervals
from ._validation import validate_id
from .errors import (
    APIConnectionError,
    APIStatusError,
    BadRequestError,
    DaytonaError,
    DeadlineExceeded,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    SandboxStateError,
)

if TYPE_CHECKING:
    from daytona_api.models import CreateBuildInfo, PortPreviewUrl, Sandbox, SandboxVolume

    from ._context import ClientContext

__all__ = ["CREATE_ID_LABEL", "AsyncSandbox"]

#: label put on every sandbox this SDK creates, to find it again when a create's outcome is
#: unknown (kept on the sandbox; ``list(labels={CREATE_ID_LABEL: ...})`` finds it)
CREATE_ID_LABEL = "daytona-async/create-id"

BUILD_STATES = frozenset({"pending_build", "building_snapshot"})
FAILED_STATES = frozenset({"error", "build_failed"})

# a create is re-sent (after a lookup) only on these; the transport itself retries a POST
# only when nothing was sent (connect failures) and on 429
_CREATE_POLICY_STATUSES = frozenset({429})


def new_create_id() -> str:
    return str(uuid.uuid4())


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
        self._fs: Any = None
        self._process: Any = None
        self._git: Any = None

    # -- data --------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self.data.id

    @property
    def state(self) -> str | None:
        from daytona_api.types import Unset

        state = self.data.state
        return None if isinstance(state, Unset) else _state_str(state)

    @property
    def error_reason(self) -> str | None:
        value = self.data.error_reason
        return value if isinstance(value, str) else None

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.data.labels.additional_properties)

    @property
    def env(self) -> dict[str, str]:
        return dict(self.data.env.additional_properties)

    @property
    def context(self) -> ClientContext:
        """Internal: the client's shared :class:`~daytona_async._context.ClientContext`."""
        return self._ctx

    def __repr__(self) -> str:
        return f"AsyncSandbox(id={self.id!r}, state={self.state!r})"

    # -- toolbox (issue 6) -------------------------------------------------------------

    @property
    def fs(self) -> Any:
        """File system operations (``daytona_async._fs.FileSystem``)."""
        if self._fs is None:
            from ._fs import FileSystem  # type: ignore[import-not-found,unused-ignore]

            self._fs = FileSystem(self)
        return self._fs

    @property
    def process(self) -> Any:
        """Command execution and sessions (``daytona_async._process.Process``)."""
        if self._process is None:
            from ._process import Process  # type: ignore[import-not-found,unused-ignore]

            self._process = Process(self)
        return self._process

    @property
    def git(self) -> Any:
        """Git operations (``daytona_async._git.Git``)."""
        if self._git is None:
            from ._git import Git  # type: ignore[import-not-found,unused-ignore]

            self._git = Git(self)
        return self._git

    def lsp(self, language_id: str, project_path: str) -> Any:
        """A language server session (``daytona_async._lsp.LspServer``)."""
        from ._lsp import LspServer  # type: ignore[import-not-found,unused-ignore]

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
        intervals = backoff_intervals()
        while True:
            current = self.state
            if current in wanted:
                return self
            if current in FAILED_STATES or (current == "destroyed" and "destroyed" not in wanted):
                raise SandboxStateError(self.id, current or "unknown", self.error_reason)
            delay = next(intervals)
            if dl.remaining() <= delay:
                if dl.remaining() > 0:
                    await anyio.sleep(dl.remaining())
                raise dl.exceeded()
            await anyio.sleep(delay)
            await self.refresh(deadline=dl)

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
        until ``destroyed`` (or gone)."""
        from daytona_api.api.sandbox import delete_sandbox

        dl = Deadline(timeout, f"delete sandbox {self.id}")
        await self._ctx.call(delete_sandbox, self.id, force=True, deadline=dl)
        if not wait:
            return
        try:
            await self.refresh(deadline=dl)
            await self.wait_for("destroyed", deadline=dl)
        except NotFoundError:
            return

    async def set_labels(
        self, labels: Mapping[str, str], *, timeout: float | None = None
    ) -> dict[str, str]:
        """Replace all labels (values are strings; bools are sent lower-cased)."""
        from daytona_api.api.sandbox import replace_labels
        from daytona_api.models import SandboxLabelsRequest, StringMap

        body = SandboxLabelsRequest(labels=StringMap.from_dict(_stringify(labels)))
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
        """Request a backup (``backupState`` becomes ``Pending``); returns ``self`` refreshed.

        The service answers 201 with an empty body (the spec declares a ``Sandbox``), so this
        is a hand-written POST followed by a re-read."""
        dl = Deadline(timeout if timeout is not None else self._ctx.call_timeout, "backup")
        await self._ctx.request(
            "POST", self._ctx.path("/sandbox/{id}/backup", id=self.id), deadline=dl
        )
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
        the build is over (the service's own stream may stay open; the SDK ends it)."""
        from ._toolbox_logs import sandbox_build_logs

        return sandbox_build_logs(self, lines=lines, timeout=timeout)

    async def build_logs(self, *, timeout: float | None = None) -> str:
        """The build log so far (not followed); :meth:`follow_build_logs` streams it."""
        response = await self._ctx.request(
            "GET",
            self._ctx.path("/sandbox/{id}/build-logs", id=self.id),
            params={"follow": "false"},
            timeout=timeout,
        )
        return response.text


def _check_minutes(minutes: int, what: str) -> None:
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 0:
        raise InvalidArgumentError(f"{what} must be a non-negative int (minutes), not {minutes!r}")


def _stringify(labels: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in labels.items():
        if not isinstance(k, str):
            raise InvalidArgumentError(f"label keys must be strings, not {k!r}")
        out[k] = str(v).lower() if isinstance(v, bool) else str(v)
    return out


# -- module functions used by AsyncDaytona ---------------------------------------------


async def get_sandbox(
    ctx: ClientContext, sandbox_id: str, *, timeout: float | None
) -> AsyncSandbox:
    from daytona_api.api.sandbox import get_sandbox as ep
    from daytona_api.models import Sandbox

    validate_id(sandbox_id, "sandbox id")
    data = await ctx.call_parsed(ep, sandbox_id, expect=Sandbox, timeout=timeout)
    return AsyncSandbox(ctx, data)


async def _list_models(
    ctx: ClientContext,
    labels: Mapping[str, str] | None,
    *,
    deadline: Deadline | None = None,
    timeout: float | None = None,
) -> builtins.list[Sandbox]:
    from daytona_api.api.sandbox import list_sandboxes as ep
    from daytona_api.types import UNSET

    filt = json.dumps(_stringify(labels), separators=(",", ":")) if labels else UNSET
    items: list[Sandbox] = await ctx.call_parsed(
        ep, labels=filt, expect=list, deadline=deadline, timeout=timeout
    )
    return items


async def list_sandboxes(
    ctx: ClientContext, labels: Mapping[str, str] | None, *, timeout: float | None
) -> builtins.list[AsyncSandbox]:
    return [AsyncSandbox(ctx, m) for m in await _list_models(ctx, labels, timeout=timeout)]


async def find_one(
    ctx: ClientContext,
    sandbox_id: str | None,
    labels: Mapping[str, str] | None,
    *,
    timeout: float | None,
) -> AsyncSandbox:
    if sandbox_id is not None:
        return await get_sandbox(ctx, sandbox_id, timeout=timeout)
    if not labels:
        raise InvalidArgumentError("find_one needs a sandbox id or labels")
    items = await _list_models(ctx, labels, timeout=timeout)
    if not items:
        raise NotFoundError(f"no sandbox with labels {dict(labels)}", status_code=404, body=None)
    return AsyncSandbox(ctx, items[0])


def _build_body(
    ctx: ClientContext,
    *,
    create_id: str,
    snapshot: str | None,
    env: Mapping[str, str] | None,
    labels: Mapping[str, str] | None,
    public: bool | None,
    auto_stop_interval: int | None,
    auto_archive_interval: int | None,
    volumes: Sequence[SandboxVolume | Mapping[str, str] | tuple[str, str]] | None,
    user: str | None,
    target: str | None,
    cpu: int | None,
    gpu: int | None,
    memory: int | None,
    disk: int | None,
    sandbox_class: str | None,
    build: str | CreateBuildInfo | None,
) -> Any:
    from daytona_api.models import (
        CreateBuildInfo,
        CreateSandbox,
        Region,
        SandboxClass,
        SandboxVolume,
        StringMap,
    )
    from daytona_api.types import UNSET

    if build is not None and snapshot is not None:
        raise InvalidArgumentError("pass either snapshot= or build=, not both")
    if build is None and any(v is not None for v in (cpu, gpu, memory, disk)):
        raise InvalidArgumentError(
            "cpu/gpu/memory/disk can only be set with build= (a snapshot fixes them)"
        )
    all_labels = _stringify(labels or {})
    all_labels[CREATE_ID_LABEL] = create_id
    vols: list[SandboxVolume] | Any = UNSET
    if volumes is not None:
        vols = []
        for v in volumes:
            if isinstance(v, SandboxVolume):
                vols.append(v)
            elif isinstance(v, tuple):
                vols.append(SandboxVolume(volume_id=v[0], mount_path=v[1]))
            else:
                vols.append(SandboxVolume.from_dict(v))
    build_info: Any = UNSET
    if isinstance(build, str):
        if not build.strip():
            raise InvalidArgumentError("build= needs non-empty Dockerfile content")
        build_info = CreateBuildInfo(dockerfile_content=build)
    elif build is not None:
        build_info = build
    region = target or ctx.target
    return CreateSandbox(
        snapshot=snapshot if snapshot is not None else UNSET,
        user=user if user is not None else UNSET,
        env=StringMap.from_dict(_stringify(env)) if env else UNSET,
        labels=StringMap.from_dict(all_labels),
        public=public if public is not None else UNSET,
        class_=SandboxClass(sandbox_class) if sandbox_class is not None else UNSET,
        target=Region(region) if region else UNSET,
        cpu=cpu if cpu is not None else UNSET,
        gpu=gpu if gpu is not None else UNSET,
        memory=memory if memory is not None else UNSET,
        disk=disk if disk is not None else UNSET,
        auto_stop_interval=auto_stop_interval if auto_stop_interval is not None else UNSET,
        auto_archive_interval=(
            auto_archive_interval if auto_archive_interval is not None else UNSET
        ),
        volumes=vols,
        build_info=build_info,
    )


def _outcome_unknown(err: DaytonaError) -> bool:
    """Could the server have processed the request that failed with ``err``?"""
    if isinstance(err, APIStatusError):
        return err.status_code >= 500 or err.status_code == 408
    if isinstance(err, APIConnectionError):
        cause = err.__cause__
        # connect failures: nothing was sent
        return not isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
    return False


async def _lookup_created(ctx: ClientContext, create_id: str, dl: Deadline) -> Sandbox | None:
    """The sandbox carrying ``create_id`` (the oldest, deleting any extra copies), or None.

    Retries the lookup itself until it gets an answer or the deadline runs out."""
    intervals = backoff_intervals(0.1, 2.0, 2.0)
    while True:
        try:
            found = await _list_models(ctx, {CREATE_ID_LABEL: create_id}, deadline=dl)
            break
        except (APIConnectionError, InternalServerError) as err:
            delay = next(intervals)
            if dl.remaining() <= delay:
                raise
            logger.info("create lookup failed (%s); retrying in %.2fs", err, delay)
            await anyio.sleep(delay)
    if not found:
        return None
    found.sort(key=lambda s: (str(s.created_at), s.id))
    keep, extra = found[0], found[1:]
    for dup in extra:  # never expected; repair if a server-side race produced one
        logger.warning("deleting duplicate sandbox %s of create %s", dup.id, create_id)
        try:
            await AsyncSandbox(ctx, dup).delete(timeout=min(10.0, dl.remaining() or 1.0))
        except DaytonaError as err:
            logger.warning("could not delete duplicate sandbox %s: %s", dup.id, err)
    return keep


async def _post_create(ctx: ClientContext, body: Any, create_id: str, dl: Deadline) -> Sandbox:
    from daytona_api.api.sandbox import create_sandbox as ep
    from daytona_api.models import Sandbox

    policy = RetryPolicy(
        max_retries=ctx.max_retries,
        statuses_any_method=_CREATE_POLICY_STATUSES,
        statuses_idempotent=frozenset(),
        retry_after_send=False,
        replay_stale=False,  # an unknown outcome is resolved by the create-id label
    )
    resends = 0
    intervals = backoff_intervals(0.2, 2.0, 4.0)
    while True:
        try:
            return await ctx.call_parsed(ep, body=body, expect=Sandbox, deadline=dl, policy=policy)
        except DeadlineExceeded as exc:
            exc.add_note(
                f"the sandbox may have been created: look for the label "
                f"{CREATE_ID_LABEL}={create_id}"
            )
            raise
        except DaytonaError as err:
            if not _outcome_unknown(err):
                raise
            logger.info("create %s: outcome unknown (%s); looking it up", create_id, err)
            try:
                found = await _lookup_created(ctx, create_id, dl)
            except DaytonaError as lookup_err:
                raise err from lookup_err
            if found is not None:
                logger.info("create %s: found sandbox %s", create_id, found.id)
                return found
            if resends >= ctx.max_retries:
                raise
            resends += 1
            delay = next(intervals)
            if dl.remaining() <= delay:
                raise
            await anyio.sleep(delay)


async def create_sandbox(
    ctx: ClientContext,
    *,
    snapshot: str | None = None,
    env: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    public: bool | None = None,
    auto_stop_interval: int | None = None,
    auto_archive_interval: int | None = None,
    volumes: Sequence[SandboxVolume | Mapping[str, str] | tuple[str, str]] | None = None,
    user: str | None = None,
    target: str | None = None,
    cpu: int | None = None,
    gpu: int | None = None,
    memory: int | None = None,
    disk: int | None = None,
    sandbox_class: str | None = None,
    build: str | CreateBuildInfo | None = None,
    on_build_logs: LogCallback | None = None,
    timeout: float | None = 60.0,
    create_id: str | None = None,
) -> AsyncSandbox:
    create_id = create_id or new_create_id()
    body = _build_body(
        ctx,
        create_id=create_id,
        snapshot=snapshot,
        env=env,
        labels=labels,
        public=public,
        auto_stop_interval=auto_stop_interval,
        auto_archive_interval=auto_archive_interval,
        volumes=volumes,
        user=user,
        target=target,
        cpu=cpu,
        gpu=gpu,
        memory=memory,
        disk=disk,
        sandbox_class=sandbox_class,
        build=build,
    )
    dl = Deadline(timeout, "create sandbox")
    data = await _post_create(ctx, body, create_id, dl)
    sb = AsyncSandbox(ctx, data)
    try:
        if on_build_logs is not None and build is not None and sb.state in BUILD_STATES:
            await _follow_build_logs(sb, on_build_logs, dl)
            if sb.state in BUILD_STATES:
                await sb.refresh(deadline=dl)
        await sb.wait_for("started", deadline=dl)
    except DeadlineExceeded as exc:
        exc.add_note(f"sandbox {sb.id} was created but is {sb.state}")
        raise
    return sb


async def _follow_build_logs(sb: AsyncSandbox, on_logs: LogCallback, dl: Deadline) -> None:
    from ._logs import follow_build_logs

    async def build_over() -> bool:
        await sb.refresh(deadline=dl)
        return sb.state not in BUILD_STATES

    url = sb.context.path("/sandbox/{id}/build-logs", id=sb.id)
    await follow_build_logs(sb.context, url, on_logs, dl, build_over)


async def sandbox_cleanup(
    ctx: ClientContext,
    sb: AsyncSandbox | None,
    create_id: str,
    *,
    timeout: float,
    raise_errors: bool,
) -> None:
    """Delete ``sb`` (or whatever carries ``create_id``), shielded from cancellation, bounded
    by ``timeout``; retry while the server refuses because the sandbox is transitioning."""
    with anyio.CancelScope(shield=True):
        dl = Deadline(timeout, "delete sandbox on exit")
        try:
            with dl.scope():
                targets: builtins.list[str]
                if sb is not None:
                    targets = [sb.id]
                else:
                    found = await _list_models(ctx, {CREATE_ID_LABEL: create_id}, deadline=dl)
                    targets = [m.id for m in found]
                for sandbox_id in targets:
                    await _delete_until_accepted(ctx, sandbox_id, dl)
        except DaytonaError as err:
            if raise_errors:
                raise
            logger.warning("could not delete sandbox on exit: %s", err)


async def _delete_until_accepted(ctx: ClientContext, sandbox_id: str, dl: Deadline) -> None:
    from daytona_api.api.sandbox import delete_sandbox

    intervals = backoff_intervals()
    while True:
        try:
            await ctx.call(delete_sandbox, sandbox_id, force=True, deadline=dl)
            return
        except NotFoundError:
            return
        except (BadRequestError, InternalServerError) as err:
            # "Sandbox state change in progress" (400) / "not in a valid state to be
            # destroyed" (500) while it is still being created or transitioning
            delay = next(intervals)
            if dl.remaining() <= delay:
                raise
            logger.debug("delete of %s refused (%s); retrying", sandbox_id, err)
            await anyio.sleep(delay)
