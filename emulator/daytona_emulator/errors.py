"""Error bodies of the emulated service.

Two shapes exist on the real wire:

* the NestJS API shape ``{statusCode, timestamp, path, error, message}`` used by every
  control-plane endpoint (``nest_error``), and
* the in-sandbox daemon shape ``{statusCode, message, code, timestamp, path, method}`` used by
  toolbox endpoints, whose ``path`` is the daemon-side path (``daemon_error``).

Handlers raise :class:`ApiError`; the app turns it into a Nest body.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from http import HTTPStatus

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["HTTP_EXCEPTION", "ApiError", "daemon_error", "nest_body", "nest_error", "original_url"]

# `error` of a Nest HttpException created with a plain string message
HTTP_EXCEPTION = "Http Exception"

_TOOLBOX_PREFIX = re.compile(r"^.*?/toolbox/[^/]+/toolbox(?=/|$)")


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return HTTP_EXCEPTION


def js_now() -> str:
    """``new Date().toISOString()``: millisecond precision, ``Z`` suffix."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class ApiError(Exception):
    """An error answered in the Nest shape. ``error=None`` means the status phrase."""

    def __init__(self, status: int, message: str | list[str], error: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error = error if error is not None else _phrase(status)


def original_url(request: Request, with_query: bool = True) -> str:
    """Express ``req.originalUrl`` (raw path, with the query) or ``req.path``."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    if with_query:
        qs = request.scope.get("query_string", b"")
        if qs:
            return f"{path}?{qs.decode('latin-1')}"
    return path


def nest_body(request: Request, status: int, message: str | list[str], error: str) -> bytes:
    # NotFoundException goes through a filter that reports `request.path` (no query string)
    with_query = not (status == 404 and error == "Not Found")
    body = {
        "statusCode": status,
        "timestamp": js_now(),
        "path": original_url(request, with_query),
        "error": error,
        "message": message,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def nest_error(
    request: Request, status: int, message: str | list[str], error: str | None = None
) -> Response:
    """The Nest error response (§2.1). ``error`` defaults to the status phrase ("Not Found")."""
    err = error if error is not None else _phrase(status)
    return Response(
        nest_body(request, status, message, err),
        status_code=status,
        media_type="application/json; charset=utf-8",
    )


def daemon_path(request: Request) -> str:
    """The path as the in-sandbox daemon sees it: the part after ``/toolbox/{id}/toolbox``."""
    path = request.url.path
    stripped = _TOOLBOX_PREFIX.sub("", path, count=1)
    return stripped or "/"


def daemon_error(request: Request, status: int, message: str) -> Response:
    """The daemon error response (§2.2): ``{statusCode,message,code,timestamp,path,method}``."""
    body = {
        "statusCode": status,
        "message": message,
        "code": _phrase(status),
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "path": daemon_path(request),
        "method": request.method,
    }
    return Response(
        json.dumps(body, separators=(",", ":")).encode(),
        status_code=status,
        media_type="application/json; charset=utf-8",
    )
