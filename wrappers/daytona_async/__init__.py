"""daytona_async: an async-first Python SDK for the Daytona sandbox API (asyncio and trio).

    from daytona_async import AsyncDaytona

    async with AsyncDaytona() as daytona:          # DAYTONA_API_KEY / DAYTONA_API_URL
        async with daytona.sandbox() as sb:         # deleted on exit, cancellation included
            print(sb.id, sb.state)

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
    SandboxStateError,
    SnapshotStateError,
)

TYPE_CHECKING = False  # no ``import typing`` at runtime: keeps the import cheap
if TYPE_CHECKING:
    from typing import Any

    from ._client import AsyncDaytona
    from ._deadline import Deadline
    from ._sandbox import CREATE_ID_LABEL, AsyncSandbox
    from ._transport import RetryPolicy, RetryTransport

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
    "CommandHandle",
    "CommandTimeoutError",
    "ConfigurationError",
    "ConflictError",
    "DaytonaError",
    "Deadline",
    "DeadlineExceeded",
    "ExecResult",
    "GatherError",
    "GatherFailure",
    "InternalServerError",
    "InvalidArgumentError",
    "NotFoundError",
    "OutcomeUnknownError",
    "OutcomeUnknownTimeoutError",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "RetryTransport",
    "SandboxStateError",
    "SnapshotStateError",
    "gather",
]

_LAZY = {
    "AsyncDaytona": "._client",
    "CommandHandle": "._process",
    "CommandTimeoutError": "._process",
    "ExecResult": "._process",
    "GatherError": "._gather",
    "GatherFailure": "._gather",
    "gather": "._gather",
    "AsyncSandbox": "._sandbox",
    "CREATE_ID_LABEL": "._sandbox",
    "Deadline": "._deadline",
    "RetryPolicy": "._transport",
    "RetryTransport": "._transport",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'daytona_async' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
