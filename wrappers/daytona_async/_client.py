"""``AsyncDaytona``: the client object users create."""

from __future__ import annotations

import builtins
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar, Unpack

from ._logging import configure_from_env, logger, register_secret
from ._util import without_userinfo
from .errors import ConfigurationError

if TYPE_CHECKING:
    import ssl

    import httpx
    from daytona_api import AuthenticatedClient
    from daytona_api.models import CreateBuildInfo, Sandbox

    from ._context import ClientContext
    from ._fs import ProgressCallback
    from ._image import Image
    from ._sandbox import AsyncSandbox
    from .resources.api_keys import ApiKeys
    from .resources.docker_registries import DockerRegistries
    from .resources.object_storage import ObjectStorage
    from .resources.organizations import Organizations
    from .resources.runners import Runners
    from .resources.sandboxes import CreateSandboxOptions, Sandboxes
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


def _check_api_url(url: str) -> str:
    """``url`` if it can be the API's base URL, else a :class:`ConfigurationError` saying why.
    A password in it (``https://user:pass@host/api``) is registered as a secret, so that it is
    redacted from messages and logs."""
    from urllib.parse import urlsplit

    example = "e.g. https://app.daytona.io/api or http://localhost:3000/api"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- validates the port
    except ValueError as exc:
        raise ConfigurationError(
            f"api_url {without_userinfo(url)!r} is not a valid URL ({exc}); {example}"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"api_url {without_userinfo(url)!r} must start with http:// or https:// and name "
            f"a host; {example}"
        )
    if parts.path in ("", "/"):
        raise ConfigurationError(
            f"api_url {without_userinfo(url)!r} has no path: the Daytona API is served under "
            f"/api ({example})"
        )
    register_secret(parts.password)
    return url


def _check_proxy_argument(proxy: object, *, own_stack: bool) -> None:
    """Refuse a ``proxy=`` that cannot be used (at construction: no httpx needed for a URL)."""
    from ._proxy import as_proxy, check_proxy_url

    if own_stack:
        raise ConfigurationError(
            "proxy= applies to the SDK's own transports: with your own transport= or "
            "http_client=, configure the proxy there"
        )
    if isinstance(proxy, str):
        check_proxy_url(proxy, source="proxy=")
        return
    import httpx  # an httpx.Proxy was passed: httpx is already imported

    if not isinstance(proxy, httpx.Proxy):
        raise ConfigurationError(
            f"proxy= must be a URL string or an httpx.Proxy, not {type(proxy).__name__}"
        )
    as_proxy(proxy, "proxy=")


def _display_proxy(proxy: str | httpx.Proxy) -> str:
    from ._proxy import display

    return display(proxy)


@dataclass(frozen=True)
class _StackOptions:
    """What the HTTP stack is built from on first use (see ``AsyncDaytona._ctx``)."""

    token: str = field(repr=False)
    timeout: float | httpx.Timeout
    max_retries: int
    max_concurrency: int | None
    http_client: httpx.AsyncClient | None
    limits: httpx.Limits | None
    transport: httpx.AsyncBaseTransport | None
    verify: ssl.SSLContext | str | bool
    backend: str | None
    proxy: str | httpx.Proxy | None
    trust_env: bool


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
        limits: ``httpx.Limits`` of the connection pool (default 200 connections); idle
            connections are kept at most 2 s whatever its ``keepalive_expiry`` (below the
            servers' 5 s, so a POST never meets a connection the server is closing).
        transport: the network transport under the SDK's policy (e.g. ``httpx.MockTransport``);
            default: the SDK's own (``_h1_asyncio``) under asyncio, httpcore2-based
            (``_httpcore2``) under trio.
        verify: TLS verification as in httpx.
        backend: force the default transport: ``"h1"`` (the SDK's own, asyncio only),
            ``"httpcore2"`` or ``"httpx"`` (httpx's own).
        proxy: send every request through this proxy: a URL (``http://``, ``https://``;
            ``socks5://`` with ``socksio``; credentials as ``http://user:pass@host:port``,
            sent as ``Proxy-Authorization`` and never shown) or an ``httpx.Proxy``. Wins over
            the environment. https targets are tunnelled with ``CONNECT``.
        trust_env: read the environment as httpx does: ``HTTP_PROXY``, ``HTTPS_PROXY``,
            ``ALL_PROXY``, ``NO_PROXY`` (lower-case too), decided per host (the API and
            toolbox hosts may differ), and ``SSL_CERT_FILE``/``SSL_CERT_DIR`` for
            ``verify=True``. ``False``: none of them.

    Raises:
        ConfigurationError: no credentials, a JWT without an organization id, a proxy URL
            that cannot be used, or ``proxy=`` with your own ``transport``/``http_client``.

    One client per event loop; close it with ``async with`` or :meth:`aclose`. Construction
    only checks the configuration: the HTTP stack (httpx client, TLS context, connection pool)
    is built on first use.
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
        verify: ssl.SSLContext | str | bool = True,
        backend: str | None = None,
        proxy: str | httpx.Proxy | None = None,
        trust_env: bool = True,
    ) -> None:
        configure_from_env()
        if api_key is None and jwt_token is None:
            api_key = _env("DAYTONA_API_KEY")
            jwt_token = _env("DAYTONA_JWT_TOKEN")
        organization_id = organization_id or _env("DAYTONA_ORGANIZATION_ID")
        api_url = api_url or _env("DAYTONA_API_URL") or _env("DAYTONA_SERVER_URL")
        api_url = _check_api_url((api_url or DEFAULT_API_URL).rstrip("/"))
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
        if backend not in (None, "httpx", "httpcore2", "h1"):
            raise ConfigurationError("backend must be 'h1', 'httpcore2', 'httpx' or None")
        if proxy is not None:
            _check_proxy_argument(proxy, own_stack=transport is not None or http_client is not None)
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

        # the HTTP stack (httpx, the generated client, the transports) is built on first use:
        # constructing a client stays cheap (no httpx import), and nothing here needs a loop
        self._stack = _StackOptions(
            token=token,
            timeout=timeout,
            max_retries=max_retries,
            max_concurrency=max_concurrency,
            http_client=http_client,
            limits=limits,
            transport=transport,
            verify=verify,
            backend=backend,
            proxy=proxy,
            trust_env=trust_env,
        )
        self._closed_early = False
        self.api_url = api_url
        self.organization_id = organization_id
        self.target = target
        logger.debug("client for %s (%s auth)", without_userinfo(api_url), self._auth_mode)

    @cached_property
    def _ctx(self) -> ClientContext:
        """The shared context, its HTTP client and transports, built on first use."""
        import httpx
        from daytona_api import AuthenticatedClient

        from ._context import ClientContext
        from ._internals import client_transport
        from ._transport import RetryPolicy, RetryTransport

        o = self._stack
        api_url = self.api_url
        organization_id = self.organization_id
        timeout = o.timeout
        if not isinstance(timeout, httpx.Timeout):
            timeout = httpx.Timeout(float(timeout), connect=min(10.0, float(timeout)))
        headers = {
            "Authorization": f"Bearer {o.token}",
            "X-Daytona-Source": "daytona-async",
            "X-Daytona-SDK-Version": SDK_VERSION,
        }
        if self._auth_mode == "jwt":
            headers["X-Daytona-Organization-ID"] = str(organization_id)

        retry_transport: RetryTransport | None = None
        http_client = o.http_client
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
            verify = o.verify
            if api_url.startswith("https") and verify is not False and o.transport is None:
                import ssl

                if not isinstance(verify, ssl.SSLContext):
                    # built once here, not per connection
                    verify = httpx.create_ssl_context(verify=verify, trust_env=o.trust_env)
            retry_transport = RetryTransport(
                o.transport,
                policy=RetryPolicy(max_retries=o.max_retries),
                max_concurrency=o.max_concurrency,
                limits=o.limits,
                verify=verify,
                backend=o.backend,
                proxy=o.proxy,
                trust_env=o.trust_env,
            )
            from ._http import SDKAsyncClient

            http = SDKAsyncClient(
                base_url=api_url,
                headers=headers,
                timeout=timeout,
                transport=retry_transport,
                follow_redirects=False,
                trust_env=o.trust_env,
            )
        # the generated client never sees the token: the shared httpx client carries it
        api = AuthenticatedClient(
            base_url=api_url, token="***", timeout=timeout, raise_on_unexpected_status=False
        )
        api.set_async_httpx_client(http)
        ctx = ClientContext(
            http=http,
            api=api,
            api_url=api_url,
            organization_id=organization_id,
            target=self.target,
            timeout=timeout,
            transport=retry_transport,
            max_retries=o.max_retries,
        )
        ctx.closed = self._closed_early
        return ctx

    def __repr__(self) -> str:
        org = f", organization_id={self.organization_id!r}" if self.organization_id else ""
        url = without_userinfo(self.api_url)
        proxy = self._stack.proxy
        shown = "" if proxy is None else f", proxy={_display_proxy(proxy)!r}"
        return f"AsyncDaytona(api_url={url!r}, auth={self._auth_mode!r}{org}{shown})"

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
        if "_ctx" not in self.__dict__:  # never used: nothing was opened
            self._closed_early = True
            return
        if self._ctx.closed:
            return
        self._ctx.closed = True
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
        """Snapshots: list, create (from an image name or an :class:`Image`), follow builds,
        delete."""
        from .resources.snapshots import Snapshots

        return Snapshots(self._ctx)

    @cached_property
    def volumes(self) -> Volumes:
        """Volumes: create, get (or create), wait until ready, delete."""
        from .resources.volumes import Volumes

        return Volumes(self._ctx)

    @cached_property
    def api_keys(self) -> ApiKeys:
        """API keys of the organization."""
        from .resources.api_keys import ApiKeys

        return ApiKeys(self._ctx)

    @cached_property
    def organizations(self) -> Organizations:
        """Organizations, members, roles, invitations, quota and usage (JWT)."""
        from .resources.organizations import Organizations

        return Organizations(self._ctx)

    @cached_property
    def users(self) -> Users:
        """Users and linked accounts."""
        from .resources.users import Users

        return Users(self._ctx)

    @cached_property
    def docker_registries(self) -> DockerRegistries:
        """Container registries the service pulls from."""
        from .resources.docker_registries import DockerRegistries

        return DockerRegistries(self._ctx)

    @cached_property
    def runners(self) -> Runners:
        """Runners (system admin)."""
        from .resources.runners import Runners

        return Runners(self._ctx)

    @cached_property
    def object_storage(self) -> ObjectStorage:
        """Temporary credentials for the build-context object storage."""
        from .resources.object_storage import ObjectStorage

        return ObjectStorage(self._ctx)

    # -- sandboxes ---------------------------------------------------------------------

    @cached_property
    def sandboxes(self) -> Sandboxes:
        """Sandbox operations; :meth:`create`, :meth:`sandbox`, :meth:`get`, :meth:`list` and
        :meth:`find_one` below are shortcuts to them."""
        from .resources.sandboxes import Sandboxes

        return Sandboxes(self._ctx)

    async def create(
        self, snapshot: str | None = None, **options: Unpack[CreateSandboxOptions]
    ) -> AsyncSandbox:
        """Create a sandbox and wait until it is ``started``; see
        :meth:`Sandboxes.create <daytona_async.resources.sandboxes.Sandboxes.create>` and
        :class:`~daytona_async.CreateSandboxOptions` for the options."""
        return await self.sandboxes.create(snapshot, **options)

    def sandbox(
        self,
        snapshot: str | None = None,
        *,
        delete_timeout: float = 60.0,
        **options: Unpack[CreateSandboxOptions],
    ) -> AbstractAsyncContextManager[AsyncSandbox]:
        """``async with daytona.sandbox(...) as sb:`` — :meth:`create`, then delete on exit,
        whatever the exit: normal, exception or cancellation (see
        :meth:`Sandboxes.sandbox <daytona_async.resources.sandboxes.Sandboxes.sandbox>`)."""
        return self.sandboxes.sandbox(snapshot, delete_timeout=delete_timeout, **options)

    async def prepare_image(
        self,
        image: Image,
        *,
        progress: ProgressCallback | None = None,
        timeout: float | None = 600.0,
    ) -> CreateBuildInfo:
        """Upload the local files of ``image`` (only contexts not already in object storage)
        and return the ``buildInfo`` to pass as ``create(build=...)`` or
        ``snapshots.create(build=...)``. ``progress(sent, total)`` sees the upload."""
        from ._build_context import prepare_build_info
        from ._deadline import Deadline

        dl = Deadline(timeout, "upload build contexts")
        return await prepare_build_info(self._ctx, image, deadline=dl, progress=progress)

    async def get(self, sandbox_id: str, *, timeout: float | None = None) -> AsyncSandbox:
        """The sandbox with this id (also a destroyed one). ``NotFoundError`` if unknown."""
        return await self.sandboxes.get(sandbox_id, timeout=timeout)

    async def list(
        self, labels: Mapping[str, str] | None = None, *, timeout: float | None = None
    ) -> builtins.list[AsyncSandbox]:
        """All sandboxes of the organization (not destroyed), filtered by ``labels`` (every
        given pair must match)."""
        return await self.sandboxes.list(labels, timeout=timeout)

    async def find_one(
        self,
        sandbox_id: str | None = None,
        *,
        labels: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncSandbox:
        """By id, else the first sandbox matching ``labels``. ``NotFoundError`` if none."""
        return await self.sandboxes.find_one(sandbox_id, labels=labels, timeout=timeout)

    def wrap(self, data: Sandbox) -> AsyncSandbox:
        """An :class:`AsyncSandbox` for a generated ``Sandbox`` model (e.g. from ``daytona.api``)."""
        return self.sandboxes.wrap(data)

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
