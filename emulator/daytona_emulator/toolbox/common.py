"""Shared pieces of the toolbox handlers: the daemon error, request bodies, Go-like messages."""

from __future__ import annotations

import errno
import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from daytona_emulator.errors import daemon_error
from daytona_emulator.jsonbody import (
    BodyError,
    BodyTooLarge,
    parse_json,
    read_body,
    replace_surrogates,
)

__all__ = [
    "MAX_PROXIED_BODY",
    "Fail",
    "RouteTable",
    "daemon_handler",
    "daemon_routes",
    "os_error_message",
    "os_error_status",
    "parse_json_object",
    "query",
    "read_json",
    "require",
    "required_query",
    "truncation_note",
]

Handler = Callable[[Request], Awaitable[Response]]
# (method, path under the toolbox mount, handler): an API group's routes
RouteTable = list[tuple[str, str, Handler]]


class Fail(Exception):
    """A daemon error answer: ``{statusCode, message, code, timestamp, path, method}``."""

    def __init__(self, status: int, message: str) -> None:
        message = replace_surrogates(message)  # a path in it may hold bytes that are not UTF-8
        super().__init__(message)
        self.status = status
        self.message = message


def daemon_handler(fn: Handler) -> Handler:
    """Turn :class:`Fail` raised by a handler into the daemon error body."""

    @functools.wraps(fn)
    async def wrapper(request: Request) -> Response:
        try:
            return await fn(request)
        except Fail as exc:
            return daemon_error(request, exc.status, exc.message)

    return wrapper


def daemon_routes(table: RouteTable) -> list[BaseRoute]:
    """The routes of a table, each handler answering :class:`Fail` with the daemon body."""
    return [
        Route(path, daemon_handler(fn), methods=[method], name=f"toolbox:{method}:{path}")
        for method, path, fn in table
    ]


_STRERROR = {
    errno.ENOENT: "no such file or directory",
    errno.EEXIST: "file exists",
    errno.ENOTDIR: "not a directory",
    errno.EISDIR: "is a directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTEMPTY: "directory not empty",
    errno.ELOOP: "too many levels of symbolic links",
    errno.EINVAL: "invalid argument",
    errno.EXDEV: "invalid cross-device link",
    errno.ENOSPC: "no space left on device",
    errno.ENAMETOOLONG: "file name too long",
}


def os_error_message(op: str, path: str, exc: OSError) -> str:
    """Go's ``*PathError`` text: ``stat /x: no such file or directory`` (sandbox path)."""
    text = _STRERROR.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
    return f"{op} {path}: {text}"


def os_error_status(exc: OSError) -> int:
    """The daemon's mapping: not exist → 404, permission → 403, anything else → 400."""
    if exc.errno == errno.ENOENT:
        return 404
    if exc.errno in (errno.EACCES, errno.EPERM):
        return 403
    return 400


def os_fail(op: str, path: str, exc: OSError) -> Fail:
    return Fail(os_error_status(exc), os_error_message(op, path, exc))


# the API's proxy refuses larger bodies (follow-redirects' maxBodyLength); the daemon itself
# sets no limit, the emulator must (memory)
MAX_PROXIED_BODY = 50 * 1024 * 1024


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """A JSON object, as Go's decoder reads it (lone surrogates become U+FFFD), or 400."""
    try:
        body = parse_json(raw, max_depth=None, lone_surrogates="replace") if raw else None
    except BodyError as exc:
        raise Fail(400, f"invalid request body: {exc.message}") from None
    if not isinstance(body, dict):
        raise Fail(400, "invalid request body: expected a JSON object")
    return body


async def read_json(request: Request) -> dict[str, Any]:
    """The JSON body (an object), or 400 ``invalid request body: ...``."""
    try:
        raw = await read_body(request, MAX_PROXIED_BODY)
    except BodyTooLarge:
        raise Fail(400, "invalid request body: http: request body too large") from None
    return parse_json_object(raw)


def query(request: Request, key: str) -> str:
    """Go's ``c.Query(key)``: the first value, ``""`` when absent. Percent-escapes that are not
    UTF-8 stay the bytes they name (``surrogateescape``), so a file whose name is not UTF-8
    can still be addressed, as with the daemon."""
    cache: dict[str, str] | None = getattr(request.state, "go_query", None)
    if cache is None:
        cache = {}
        raw = request.scope.get("query_string", b"").decode("latin-1")
        for name, value in parse_qsl(
            raw, keep_blank_values=True, encoding="utf-8", errors="surrogateescape"
        ):
            cache.setdefault(name, value)
        request.state.go_query = cache
    return cache.get(key, "")


def require(body: dict[str, Any], struct: str, fields: dict[str, str]) -> None:
    """go-playground ``validate:"required"``: zero values ("" 0 false null []) are rejected.

    ``fields`` maps the JSON key to the Go field name.
    """
    for key, go_name in fields.items():
        value = body.get(key)
        if value is None or value == "" or value == 0 or value is False:
            raise Fail(
                400,
                f"invalid request body: Key: '{struct}.{go_name}' Error:Field validation for "
                f"'{go_name}' failed on the 'required' tag",
            )


def required_query(request: Request, key: str) -> str:
    """:func:`query`, or 400 ``<key> is required`` when it is empty."""
    value = query(request, key)
    if not value:
        raise Fail(400, f"{key} is required")
    return value


def truncation_note(dropped: int, limit: int) -> str:
    """What ends an output the emulator cut at ``exec_output_limit`` (never cut silently)."""
    return (
        f"\n[daytona-emulator: output truncated: {dropped} more bytes were not kept "
        f"(exec_output_limit is {limit} bytes)]\n"
    )


def json_response(data: Any, status: int = 200) -> Response:
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    try:
        body = text.encode()
    except UnicodeEncodeError:  # a file name that is not UTF-8: U+FFFD, as Go's encoder
        body = replace_surrogates(text).encode()
    return Response(body, status_code=status, media_type="application/json; charset=utf-8")


def empty(status: int = 200) -> Response:
    return Response(b"", status_code=status)
