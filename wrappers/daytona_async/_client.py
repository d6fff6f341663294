"""``AsyncDaytona``: the client object users create."""

from __future__ import annotations

import builtins
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from ._logging import configure_from_env, logger, register_secret
from .errors import ConfigurationError

if TYPE_CHECKING:
    import httpx
    from daytona_api import AuthenticatedClient
    from daytona_api.models import CreateBuildInfo, Sandbox, SandboxVolume

    from ._context import ClientContext
    from ._sandbox import AsyncSandbox
    from ._util import LogCallback
    from .resources.api_keys import ApiKeys
    from .resources.docker_registries import DockerRegistries
    from .resources.object_storage import ObjectStorage
    from .resources.organizations import Organizations
    from .resources.runners import Runners
    from .resources.snapshots import Snapshots
    from .resources.users import Users
    from .resources.volumes import Volumes

__all__ = ["DEFAULT_API_URL", "AsyncDaytona"]

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_API_URL = "https://app.daytona.io/api"
SDK_VERSION = "0.1.0"


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


class AsyncDaytona:
    """Async client for the Daytona API.

    ``async with AsyncDaytona() as daytona: sb = await daytona.create()``

    Args:
        api_key: API key (``DAYTONA_API_KEY``). Takes precedence over ``jwt_token``.
        jwt_token: OIDC JWT (``DAYTONA_JWT_TOKEN``); needs ``organization_id``.
        organization_id: sent as ``X-Daytona-Organization-ID`` in JWT mode only
            (``DAYTONA_ORGANIZATION_ID``); with an API key the key's organization is used.
        api_url: ``DAYTONA_API_URL``, else ``DAYTONA_SERVER_URL``, else
            ``https://app.daytona.io/api``.
        target: default region for new sandboxes (``DAYTONA_TARGET``).
        timeout: default per-request timeout: seconds (connect limited to 10 s) or an
            ``httpx.Timeout``. Long operations take their own ``timeout=`` budget.
        max_retries: re-sends per request (see :mod:`daytona_async._transport`); 0 disables.
        max_concurrency: requests in flight client-wide (``None``: unlimited); streams give
            their slot back once the response head arrived.
        http_client: your own ``httpx.AsyncClient``. Its base URL (if unset) and auth headers
            are set by the SDK; it is not closed by :meth:`aclose`. The SDK's retry/concurrency
            policy applies only if its transport is a :class:`~daytona_async.RetryTransport`.
        limits: ``httpx.Limits`` of the connection pool (default 200 connections).
        transport: the network transport under the SDK's policy (e.g. ``httpx.MockTransport``);
            default: aiohttp-based under asyncio, httpx's own under trio.
        verify: TLS verification as in httpx.
        backend: force the default transport: ``"httpx"`` or ``"aiohttp"``.

    Raises:
        ConfigurationError: no credentials, or a JWT without an organization id.

    One client per event loop; close it with ``async with`` or :meth:`aclose`.
    """

    def __init__(
        self,
        api_key: str | None = None,
        jwt_token: str | None = None,
        organization_id: str | None = None,
        api_url: str | None = None,
        target: str | None = None,
        *,
        timeout: float | httpx.Timeout = 60.0,
        max_retries: int = 2,
        max_concurrency: int | None = None,
        http_client: httpx.AsyncClient | None = None,
        limits: httpx.Limits | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: Any = True,
        backend: str | None = None,
    ) -> None:
        configure_from_env()
        if api_key is None and jwt_token is None:
            api_key = _env("DAYTONA_API_KEY")
            jwt_token = _env("DAYTONA_JWT_TOKEN")
        organization_id = organization_id or _env("DAYTONA_ORGANIZATION_ID")
        api_url = api_url or _env("DAYTONA_API_URL") or _env("DAYTONA_SERVER_URL")
        api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        target = target or _env("DAYTONA_TARGET")
        if not api_key and not jwt_token:
            raise ConfigurationError(
                "no credentials: pass api_key= or jwt_token=, or set DAYTONA_API_KEY or "
                "DAYTONA_JWT_TOKEN"
            )
        if max_retries < 0:
            raise ConfigurationError("max_retries must be >= 0")
        if max_concurrency is not None and max_concurrency < 1:
            raise ConfigurationError("max_concurrency must be >= 1 or None")
        if backend not in (None, "httpx", "aiohttp"):
            raise ConfigurationError("backend must be 'httpx', 'aiohttp' or None")
        token: str
        if api_key:
            token, self._auth_mode = api_key, "api_key"
        else:
            assert jwt_token
            if not organization_id:
                raise ConfigurationError(
                    "a JWT needs an organization id: pass organization_id= or set "
                    "DAYTONA_ORGANIZATION_ID"
                )
            token, self._auth_mode = jwt_token, "jwt"
        register_secret(token)

        import httpx
        from daytona_api import AuthenticatedClient

        from ._context import ClientContext
        from ._internals import client_transport
        from ._transport import RetryPolicy, RetryTransport

        if not isinstance(timeout, httpx.Timeout):
            timeout = httpx.Timeout(float(timeout), connect=min(10.0, float(timeout)))
        headers = {
            "Authorization": f"Bearer {token}",
            "X-Daytona-Source": "daytona-async",
            "X-Daytona-SDK-Version": SDK_VERSION,
        }
        if self._auth_mode == "jwt":
            headers["X-Daytona-Organization-ID"] = str(organization_id)

        retry_transport: RetryTransport | None = None
        if http_client is not None:
            self._owns_http = False
            http = http_client
            if not str(http.base_url):
                http.base_url = httpx.URL(api_url + "/")
            http.headers.update(headers)
            found = client_transport(http)
            retry_transport = found if isinstance(found, RetryTransport) else None
        else:
            self._owns_http = True
            if api_url.startswith("https") and verify is not False and transport is None:
                import ssl

                if not isinstance(verify, ssl.SSLContext):
                    # built once here, not lazily inside the event loop
                    verify = httpx.create_ssl_context(verify=verify)
            retry_transport = RetryTransport(
                transport,
                policy=RetryPolicy(max_retries=max_retries),
                max_concurrency=max_concurrency,
                limits=limits,
                verify=verify,
                backend=backend,
            )
            from ._http import SDKAsyncClient

            http = SDKAsyncClient(
                base_url=api_url,
                headers=headers,
                timeout=timeout,
                transport=retry_transport,
                follow_redirects=False,
            )
        # the generated client never sees the token: the shared httpx client carries it
        api = AuthenticatedClient(
            base_url=api_url, token="***", timeout=timeout, raise_on_unexpected_status=False
        )
        api.set_async_httpx_client(http)
        self._ctx: ClientContext = ClientContext(
            http=http,
            api=api,
            api_url=api_url,
            organization_id=organization_id,
            target=target,
            timeout=timeout,
            transport=retry_transport,
            max_retries=max_retries,
        )
        self.api_url = api_url
        self.organization_id = organization_id
        self.target = target
        self._closed = False
        logger.debug("client for %s (%s auth)", api_url, self._auth_mode)

    def __repr__(self) -> str:
        org = f", organization_id={self.organization_id!r}" if self.organization_id else ""
        return f"AsyncDaytona(api_url={self.api_url!r}, auth={self._auth_mode!r}{org})"

    __str__ = __repr__

    # -- lifecycle ---------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (if the SDK created it). Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._owns_http:
            import anyio

            with anyio.CancelScope(shield=True):
                await self._ctx.http.aclose()

    # -- low level ---------------------------------------------------------------------

    @property
    def api(self) -> AuthenticatedClient:
        """The generated ``daytona_api.AuthenticatedClient``, bound to this client's pool (auth,
        retries and limits included) — for anything the wrapper does not cover."""
        return self._ctx.api

    @property
    def http(self) -> httpx.AsyncClient:
        """The shared ``httpx.AsyncClient`` (base URL = the API URL)."""
        return self._ctx.http

    @property
    def context(self) -> ClientContext:
        """Internal: the shared :class:`~daytona_async._context.ClientContext`."""
        return self._ctx

    # -- resources ---------------------------------------------------------------------

    @cached_property
    def snapshots(self) -> Snapshots:
        from .resources.snapshots import Snapshots

        return Snapshots(self._ctx)

    @cached_property
    def volumes(self) -> Volumes:
        from .resources.volumes import Volumes

        return Volumes(self._ctx)

    @cached_property
    def api_keys(self) -> ApiKeys:
        from .resources.api_keys import ApiKeys

        return ApiKeys(self._ctx)

    @cached_property
    def organizations(self) -> Organizations:
        from .resources.organizations import Organizations

        return Organizations(self._ctx)

    @cached_property
    def users(self) -> Users:
        from .resources.users import Users

        return Users(self._ctx)

    @cached_property
    def docker_registries(self) -> DockerRegistries:
        from .resources.docker_registries import DockerRegistries

        return DockerRegistries(self._ctx)

    @cached_property
    def runners(self) -> Runners:
        from .resources.runners import Runners

        return Runners(self._ctx)

    @cached_property
    def object_storage(self) -> ObjectStorage:
        from .resources.object_storage import ObjectStorage

        return ObjectStorage(self._ctx)

    # -- sandboxes ---------------------------------------------------------------------

    async def create(
        self,
        snapshot: str | None = None,
        *,
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
    ) -> AsyncSandbox:
        """Create a sandbox and wait until it is ``started``.

        ``snapshot`` (name or id; ``None`` = the server's default) or ``build`` (Dockerfile
        content, or a ``CreateBuildInfo``) — not both. ``cpu``/``gpu``/``memory``/``disk`` only
        with ``build``. ``on_build_logs`` receives build log lines while a build runs.

        ``timeout`` bounds everything (the POST, the build, the wait); ``None`` = unbounded.

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
        from ._sandbox import create_sandbox

        return await create_sandbox(
            self._ctx,
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
            on_build_logs=on_build_logs,
            timeout=timeout,
        )

    @asynccontextmanager
    async def sandbox(
        self,
        snapshot: str | None = None,
        *,
        delete_timeout: float = 60.0,
        **create_kwargs: Any,
    ) -> AsyncIterator[AsyncSandbox]:
        """``async with daytona.sandbox(...) as sb:`` — :meth:`create`, then delete on exit,
        whatever the exit: normal, exception or cancellation.

        The cleanup is shielded from cancellation and bounded by ``delete_timeout``; it also
        deletes a sandbox whose creation failed half-way (found by its create-id label), and
        retries while the server refuses to delete a sandbox that is still transitioning.
        """
        from ._sandbox import create_sandbox, new_create_id, sandbox_cleanup

        create_id = new_create_id()
        sb: AsyncSandbox | None = None
        ok = False
        try:
            sb = await create_sandbox(
                self._ctx, snapshot=snapshot, create_id=create_id, **create_kwargs
            )
            yield sb
            ok = True
        finally:
            await sandbox_cleanup(self._ctx, sb, create_id, timeout=delete_timeout, raise_errors=ok)

    async def get(self, sandbox_id: str, *, timeout: float | None = None) -> AsyncSandbox:
        """The sandbox with this id (also a destroyed one). ``NotFoundError`` if unknown."""
        from ._sandbox import get_sandbox

        return await get_sandbox(self._ctx, sandbox_id, timeout=timeout)

    async def list(
        self, labels: Mapping[str, str] | None = None, *, timeout: float | None = None
    ) -> builtins.list[AsyncSandbox]:
        """All sandboxes of the organization (not destroyed), filtered by ``labels`` (every
        given pair must match)."""
        from ._sandbox import list_sandboxes

        return await list_sandboxes(self._ctx, labels, timeout=timeout)

    async def find_one(
        self,
        sandbox_id: str | None = None,
        *,
        labels: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncSandbox:
        """By id, else the first sandbox matching ``labels``. ``NotFoundError`` if none."""
        from ._sandbox import find_one

        return await find_one(self._ctx, sandbox_id, labels, timeout=timeout)

    def wrap(self, data: Sandbox) -> AsyncSandbox:
        """An :class:`AsyncSandbox` for a generated ``Sandbox`` model (e.g. from ``daytona.api``)."""
        from ._sandbox import AsyncSandbox

        return AsyncSandbox(self._ctx, data)

    async def gather(
        self,
        fn: Callable[[T], Awaitable[R]],
        items: Iterable[T],
        *,
        concurrency: int = 32,
        fail_fast: bool = False,
    ) -> builtins.list[R]:
        """``await fn(item)`` for every item, at most ``concurrency`` at once; results in input
        order, or a :class:`~daytona_async._gather.GatherError` (an ``ExceptionGroup``) with
        each failure and its item. See :func:`daytona_async._gather.gather`."""
        from ._gather import gather

        return await gather(fn, items, concurrency=concurrency, fail_fast=fail_fast)
