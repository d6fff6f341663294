"""``daytona.sandboxes``: create (without duplicates, optionally deleted on exit), get, list,
find. ``AsyncDaytona.create``/``sandbox``/``get``/``list``/``find_one`` are shortcuts to it."""

from __future__ import annotations

import builtins
import json
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

import anyio

# imported here, not in the method: this module is itself imported on first use, and a typed
# GET is the SDK's most frequent call (a function-level import costs a lookup per call)
from daytona_api.api.sandbox import get_sandbox as _get_sandbox
from daytona_api.models.sandbox import Sandbox as _Sandbox

from .._create_once import CreateAttempt, create_once, lookup_first_policy
from .._deadline import Deadline
from .._logging import logger
from .._sandbox import CREATE_ID_LABEL, AsyncSandbox, stringify_labels
from .._util import LogCallback, backoff_intervals, poll_until
from .._validation import validate_id
from ..errors import (
    APIConnectionError,
    BadRequestError,
    DaytonaError,
    DeadlineExceeded,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
)
from ._base import Resource

if TYPE_CHECKING:
    from daytona_api.models import CreateBuildInfo, CreateSandbox, Sandbox, SandboxVolume

    from .._context import ClientContext
    from .._image import Image

__all__ = ["CreateSandboxOptions", "Sandboxes"]


class CreateSandboxOptions(TypedDict, total=False):
    """The options of :meth:`Sandboxes.create` (and ``daytona.create``/``daytona.sandbox``),
    all optional. Pass them as keywords, or build one dict and ``**``-unpack it."""

    #: environment variables of the sandbox
    env: Mapping[str, str]
    #: labels (bools are sent lower-cased); the SDK adds ``daytona-async/create-id``
    labels: Mapping[str, str]
    #: preview URLs without a token
    public: bool
    #: minutes of inactivity before auto-stop (0 disables)
    auto_stop_interval: int
    #: minutes stopped before auto-archive
    auto_archive_interval: int
    #: volumes to mount: ``SandboxVolume``, ``{"volumeId": ..., "mountPath": ...}`` or
    #: ``(volume_id, mount_path)``
    volumes: Sequence[SandboxVolume | Mapping[str, str] | tuple[str, str]]
    #: the OS user commands run as
    user: str
    #: region (default: the client's ``target``)
    target: str
    #: resources, only with ``build`` (a snapshot fixes them)
    cpu: int
    gpu: int
    memory: int
    disk: int
    #: ``"small"``/``"medium"``/``"large"``
    sandbox_class: str
    #: Dockerfile content or a ``CreateBuildInfo`` (instead of a snapshot)
    build: str | CreateBuildInfo
    #: an :class:`~daytona_async.Image` (its local files are uploaded first) or an image
    #: reference built as ``FROM image`` — instead of ``snapshot`` and ``build``
    image: str | Image
    #: receives build log lines (sync or async) while a ``build`` runs
    on_build_logs: LogCallback
    #: seconds for everything (the POST, the build, the wait); ``None`` = unbounded; default 60
    timeout: float | None


def new_create_id() -> str:
    return str(uuid.uuid4())


class Sandboxes(Resource):
    """Sandbox operations of the client (``daytona.sandboxes``)."""

    async def create(
        self, snapshot: str | None = None, **options: Unpack[CreateSandboxOptions]
    ) -> AsyncSandbox:
        """Create a sandbox and wait until it is ``started``.

        ``snapshot`` (name or id; ``None`` = the server's default) or ``build`` (Dockerfile
        content, or a ``CreateBuildInfo``) — not both. The options are
        :class:`CreateSandboxOptions`; ``timeout`` (default 60 s) bounds everything.

        No duplicates: the request carries the label ``daytona-async/create-id: <uuid4>`` (kept
        on the sandbox). When the outcome of a POST is unknown (connection dropped after
        sending, timeout, 5xx/408), the sandbox is looked up by that label before anything is
        re-sent, and returned if it exists.

        Raises:
            SandboxStateError: the sandbox went to ``error``/``build_failed`` (with the
                server's ``errorReason``).
            DeadlineExceeded: not started within ``timeout`` (the sandbox may exist; its id is
                in the exception's notes).
        """
        return await self._create(snapshot, options, new_create_id(), CreateAttempt())

    @asynccontextmanager
    async def sandbox(
        self,
        snapshot: str | None = None,
        *,
        delete_timeout: float = 60.0,
        **options: Unpack[CreateSandboxOptions],
    ) -> AsyncIterator[AsyncSandbox]:
        """``async with daytona.sandbox(...) as sb:`` — :meth:`create`, then delete on exit,
        whatever the exit: normal, exception or cancellation.

        The cleanup is shielded from cancellation and bounded by ``delete_timeout``; it also
        deletes a sandbox whose creation failed half-way (found by its create-id label), and
        retries while the server refuses to delete a sandbox that is still transitioning. A
        create the server refused outright (bad key, bad arguments) leaves nothing to clean up.
        """
        create_id = new_create_id()
        attempt = CreateAttempt()
        sb: AsyncSandbox | None = None
        ok = False
        try:
            sb = await self._create(snapshot, options, create_id, attempt)
            yield sb
            ok = True
        finally:
            if sb is not None or attempt.maybe_created:
                await _cleanup(self._ctx, sb, create_id, timeout=delete_timeout, raise_errors=ok)

    async def get(self, sandbox_id: str, *, timeout: float | None = None) -> AsyncSandbox:
        """The sandbox with this id (also a destroyed one). ``NotFoundError`` if unknown."""
        validate_id(sandbox_id, "sandbox id")
        data = await self._ctx.call_parsed(
            _get_sandbox, sandbox_id, expect=_Sandbox, timeout=timeout
        )
        return AsyncSandbox(self._ctx, data)

    async def list(
        self, labels: Mapping[str, str] | None = None, *, timeout: float | None = None
    ) -> builtins.list[AsyncSandbox]:
        """All sandboxes of the organization (not destroyed), filtered by ``labels`` (every
        given pair must match)."""
        models = await _list_models(self._ctx, labels, timeout=timeout)
        return [AsyncSandbox(self._ctx, m) for m in models]

    async def find_one(
        self,
        sandbox_id: str | None = None,
        *,
        labels: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncSandbox:
        """By id, else the first sandbox matching ``labels``. ``NotFoundError`` if none."""
        if sandbox_id is not None:
            return await self.get(sandbox_id, timeout=timeout)
        if not labels:
            raise InvalidArgumentError("find_one needs a sandbox id or labels")
        items = await _list_models(self._ctx, labels, timeout=timeout)
        if not items:
            raise NotFoundError(
                f"no sandbox with labels {dict(labels)}", status_code=404, body=None
            )
        return AsyncSandbox(self._ctx, items[0])

    def wrap(self, data: Sandbox) -> AsyncSandbox:
        """An :class:`AsyncSandbox` for a generated ``Sandbox`` model (e.g. from ``daytona.api``)."""
        return AsyncSandbox(self._ctx, data)

    # -- create ------------------------------------------------------------------------

    async def _create(
        self,
        snapshot: str | None,
        options: CreateSandboxOptions,
        create_id: str,
        attempt: CreateAttempt,
    ) -> AsyncSandbox:
        from daytona_api.api.sandbox import create_sandbox
        from daytona_api.models import Sandbox

        ctx = self._ctx
        if "image" in options:
            from .._build_context import resolve_image

            options = CreateSandboxOptions(**options)  # a copy: the caller's dict stays as given
            build, timeout = await resolve_image(
                ctx, options.pop("image"), options.get("build"), options.get("timeout", 60.0)
            )
            if build is not None:
                options["build"] = build
            options["timeout"] = timeout
        body = _build_body(snapshot, options, create_id, ctx.target)
        dl = Deadline(options.get("timeout", 60.0), "create sandbox")
        policy = lookup_first_policy(ctx.max_retries)

        async def send() -> Sandbox:
            return await ctx.call_parsed(
                create_sandbox, body=body, expect=Sandbox, deadline=dl, policy=policy
            )

        try:
            data = await create_once(
                send,
                lambda: _lookup_created(ctx, create_id, dl),
                deadline=dl,
                max_resends=ctx.max_retries,
                what=f"create sandbox {create_id}",
                attempt=attempt,
            )
        except DeadlineExceeded as exc:
            exc.add_note(
                f"the sandbox may have been created: look for the label "
                f"{CREATE_ID_LABEL}={create_id}"
            )
            raise
        sb = AsyncSandbox(ctx, data)
        try:
            on_logs = options.get("on_build_logs")
            if on_logs is not None and "build" in options and sb.building:
                await sb.deliver_build_logs(on_logs, deadline=dl)
                if sb.building:
                    await sb.refresh(deadline=dl)
            await sb.wait_for("started", deadline=dl)
        except DeadlineExceeded as exc:
            exc.add_note(f"sandbox {sb.id} was created but is {sb.state}")
            raise
        return sb


def _build_body(
    snapshot: str | None, options: CreateSandboxOptions, create_id: str, default_target: str | None
) -> CreateSandbox:
    from daytona_api.models import (
        CreateBuildInfo,
        CreateSandbox,
        Region,
        SandboxClass,
        SandboxVolume,
        StringMap,
    )
    from daytona_api.types import UNSET, Unset

    o = options
    build = o.get("build")
    if build is not None and snapshot is not None:
        raise InvalidArgumentError("pass either snapshot= or build=, not both")
    if build is None and any(o.get(k) is not None for k in ("cpu", "gpu", "memory", "disk")):
        raise InvalidArgumentError(
            "cpu/gpu/memory/disk can only be set with build= (a snapshot fixes them)"
        )
    all_labels = stringify_labels(o.get("labels") or {})
    all_labels[CREATE_ID_LABEL] = create_id
    volumes = o.get("volumes")
    vols: list[SandboxVolume] | Unset = UNSET
    if volumes is not None:
        vols = []
        for v in volumes:
            if isinstance(v, SandboxVolume):
                vols.append(v)
            elif isinstance(v, tuple):
                vols.append(SandboxVolume(volume_id=v[0], mount_path=v[1]))
            else:
                vols.append(SandboxVolume.from_dict(v))
    build_info: CreateBuildInfo | Unset = UNSET
    if isinstance(build, str):
        if not build.strip():
            raise InvalidArgumentError("build= needs non-empty Dockerfile content")
        build_info = CreateBuildInfo(dockerfile_content=build)
    elif build is not None:
        build_info = build
    env = o.get("env")
    sandbox_class = o.get("sandbox_class")
    region = o.get("target") or default_target

    def opt(key: str) -> Any:
        value = o.get(key)
        return UNSET if value is None else value

    return CreateSandbox(
        snapshot=snapshot if snapshot is not None else UNSET,
        user=opt("user"),
        env=StringMap.from_dict(stringify_labels(env)) if env else UNSET,
        labels=StringMap.from_dict(all_labels),
        public=opt("public"),
        class_=SandboxClass(sandbox_class) if sandbox_class is not None else UNSET,
        target=Region(region) if region else UNSET,
        cpu=opt("cpu"),
        gpu=opt("gpu"),
        memory=opt("memory"),
        disk=opt("disk"),
        auto_stop_interval=opt("auto_stop_interval"),
        auto_archive_interval=opt("auto_archive_interval"),
        volumes=vols,
        build_info=build_info,
    )


async def _list_models(
    ctx: ClientContext,
    labels: Mapping[str, str] | None,
    *,
    deadline: Deadline | None = None,
    timeout: float | None = None,
) -> builtins.list[Sandbox]:
    from daytona_api.api.sandbox import list_sandboxes
    from daytona_api.types import UNSET

    filt = json.dumps(stringify_labels(labels), separators=(",", ":")) if labels else UNSET
    items: list[Sandbox] = await ctx.call_parsed(
        list_sandboxes, labels=filt, expect=list, deadline=deadline, timeout=timeout
    )
    return items


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


# -- delete on exit ----------------------------------------------------------------------


async def _cleanup(
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
                targets: builtins.list[AsyncSandbox]
                if sb is not None:
                    targets = [sb]
                else:
                    found = await _list_models(ctx, {CREATE_ID_LABEL: create_id}, deadline=dl)
                    targets = [AsyncSandbox(ctx, m) for m in found]
                for target in targets:
                    await _delete_until_accepted(ctx, target, dl)
        except DaytonaError as err:
            if raise_errors:
                raise
            logger.warning("could not delete sandbox on exit: %s", err)


async def _delete_until_accepted(ctx: ClientContext, sb: AsyncSandbox, dl: Deadline) -> None:
    from daytona_api.api.sandbox import delete_sandbox

    async def attempt() -> bool | None:
        try:
            await ctx.call(delete_sandbox, sb.id, force=True, deadline=dl)
        except NotFoundError:
            pass
        except (BadRequestError, InternalServerError) as err:
            # 400 "state change in progress" / 500 "not in a valid state to be destroyed"
            # while it is still being created or transitioning — or an earlier attempt of ours
            # was accepted and its answer lost
            if await sb.delete_under_way(deadline=dl):
                return True
            if dl.remaining() <= 0.1:
                raise
            logger.debug("delete of %s refused (%s); retrying", sb.id, err)
            return None
        return True

    await poll_until(attempt, dl)
