"""Reading JSON request bodies safely: bounded while reading, and only values JSON can send back.

The real API parses bodies with Express's body-parser (100 kB limit) and ``JSON.parse``. The
emulator reads at most ``limit`` bytes (a larger ``Content-Length`` is refused before reading;
a chunked body is refused as soon as it grows past the limit) and refuses what it could not
store or answer faithfully: ``NaN``/``Infinity`` literals (not JSON: ``JSON.parse`` refuses
them too), numbers that overflow to infinity (``1e999``), strings with lone surrogates (not
encodable as UTF-8) and nesting deeper than :data:`MAX_DEPTH`.

Errors are :class:`BodyError` (``too_large`` tells the two kinds apart); callers turn them into
their own error shape.
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import Request

__all__ = ["MAX_DEPTH", "MAX_JSON_BODY", "BodyError", "parse_json", "read_body"]

MAX_JSON_BODY = 100 * 1024  # body-parser's default limit
MAX_DEPTH = 64


class BodyError(ValueError):
    """A body that is too large (``too_large``) or not acceptable JSON (the message says why)."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


def _too_large() -> BodyError:
    return BodyError("request entity too large", too_large=True)


async def read_body(request: Request, limit: int = MAX_JSON_BODY) -> bytes:
    """The body, read chunk by chunk and abandoned as soon as it exceeds ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


class _Constant(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _refuse_constant(name: str) -> Any:
    raise _Constant(name)


def parse_json(raw: bytes) -> Any:
    """``json.loads`` that refuses what the emulator cannot store or send back as JSON."""
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
    except _Constant as exc:
        pos = max(raw.find(exc.name.encode()), 0)
        raise BodyError(f"Unexpected token {exc.name[0]} in JSON at position {pos}") from None
    except json.JSONDecodeError as exc:
        raise BodyError(f"Unexpected token in JSON at position {exc.pos}") from None
    except UnicodeDecodeError:
        raise BodyError("Request body is not valid UTF-8") from None
    except RecursionError:
        raise BodyError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    _check(value)
    return value


def _check(root: Any) -> None:
    """Walk the parsed value without recursion: depth, finite numbers, encodable strings."""
    stack: list[tuple[Any, str, int]] = [(root, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, float):
            if not math.isfinite(value):
                raise BodyError(f"{where or 'value'} must be a finite number")
        elif isinstance(value, str):
            _check_text(value, where)
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise BodyError(f"JSON nested deeper than {MAX_DEPTH} levels")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_text(key, where)
                stack.append((item, f"{where}.{key}" if where else str(key), depth + 1))


def _check_text(text: str, where: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BodyError(f"{where or 'value'} contains an unpaired surrogate") from None
