"""daytona_async: an async-first Python SDK for the Daytona sandbox API (asyncio and trio).

    from daytona_async import AsyncDaytona

    async with AsyncDaytona() as daytona:          # DAYTONA_API_KEY / DAYTONA_API_URL
        async with daytona.sandbox() as sb:         # deleted on exit, cancellation included
            print(sb.id, sb.state)

    from daytona_async import Daytona               # the same API, synchronous

    with Daytona() as daytona, daytona.sandbox() as sb:
        print(sb.process.exec("echo hi").output)

Importing this package is cheap: httpx, anyio, the generated client and its models load when
first needed (the client's constructor, the first call).
"""

from __future__ import annotations

from .errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    ConflictError,
    DaytonaError,
    DeadlineExceeded,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    OutcomeUnknownError,
    OutcomeUnknownTimeoutError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    SandboxStateError,
    SnapshotStateError,
    TLSCertificateError,
)

TYPE_CHECKING = False  # no ``import typing`` at runtime: keeps the import cheap
if TYPE_CHECKING:
    # what the lazy names below resolve to, for type checkers and IDEs
    from ._build_context import BuildContextError
    from ._client import AsyncDaytona
    from ._deadline import Deadline
    from ._gather import GatherError, GatherFailure, gather
    from ._image import Image
    from ._process import CommandHandle, CommandTimeoutError, ExecResult
    from ._sandbox import CREATE_ID_LABEL, AsyncSandbox
    from ._transport import RetryPolicy, RetryTransport
    from .resources.sandboxes import CreateSandboxOptions
    from .sync import Daytona, Sandbox

__version__ = "0.1.0"

__all__ = [
    "CREATE_ID_LABEL",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncDaytona",
    "AsyncSandbox",
    "AuthenticationError",
    "BadRequestError",
    "BuildContextError",
    "ClientClosedError",
    "CommandHandle",
    "CommandTimeoutError",
    "ConfigurationError",
    "ConflictError",
    "CreateSandboxOptions",
    "Daytona",
    "DaytonaError",
    "Deadline",
    "DeadlineExceeded",
    "ExecResult",
    "GatherError",
    "GatherFailure",
    "Image",
    "InternalServerError",
    "InvalidArgumentError",
    "NotFoundError",
    "OutcomeUnknownError",
    "OutcomeUnknownTimeoutError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "RetryTransport",
    "Sandbox",
    "SandboxStateError",
    "SnapshotStateError",
    "TLSCertificateError",
    "gather",
]

_LAZY = {
    "AsyncDaytona": "._client",
    "BuildContextError": "._build_context",
    "Image": "._image",
    "CommandHandle": "._process",
    "CommandTimeoutError": "._process",
    "ExecResult": "._process",
    "GatherError": "._gather",
    "GatherFailure": "._gather",
    "gather": "._gather",
    "AsyncSandbox": "._sandbox",
    "CREATE_ID_LABEL": "._sandbox",
    "CreateSandboxOptions": ".resources.sandboxes",
    "Deadline": "._deadline",
    "RetryPolicy": "._transport",
    "RetryTransport": "._transport",
    # the synchronous face (generated: daytona_async/sync.py)
    "Daytona": ".sync",
    "Sandbox": ".sync",
}


if not TYPE_CHECKING:  # hidden from type checkers: a misspelt import must be an error there

    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'daytona_async' has no attribute {name!r}")
        from importlib import import_module

        value = getattr(import_module(module, __name__), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(__all__))
