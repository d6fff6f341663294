"""Reading JSON request bodies safely: bounded while reading, and only values JSON can send back.

The one reader of JSON bodies for both halves of the emulator. The control plane parses as
Express's body-parser and ``JSON.parse`` do (100 kB limit); the toolbox as the daemon's Go
decoder does (its own limit, lone surrogates read as U+FFFD). Each caller passes its limit and
turns the errors below into its own error shape and wording; the checks themselves live here:

- at most ``limit`` bytes are read (a larger ``Content-Length`` is refused before reading; a
  chunked body is refused as soon as it grows past the limit): :class:`BodyTooLarge`;
- not JSON, including the ``NaN``/``Infinity`` literals Python would accept:
  :class:`JsonSyntaxError`;
- nesting deeper than ``max_depth`` (or than the parser can follow): :class:`JsonTooDeep`;
- numbers that overflow to infinity (``1e999``), and lone surrogates when the caller refuses
  them (they are not encodable as UTF-8): :class:`JsonValueRefused`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Literal

from starlette.requests import Request

__all__ = [
    "MAX_DEPTH",
    "MAX_JSON_BODY",
    "BodyError",
    "BodyTooLarge",
    "JsonNotUtf8",
    "JsonSyntaxError",
    "JsonTooDeep",
    "JsonValueRefused",
    "parse_json",
    "read_body",
    "replace_surrogates",
]

MAX_JSON_BODY = 100 * 1024  # body-parser's default limit
MAX_DEPTH = 64

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class BodyError(ValueError):
    """A request body the emulator refuses; ``message`` says why, in neutral words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BodyTooLarge(BodyError):
    """Longer than the caller's limit; raised while reading, before the body is whole."""

    def __init__(self) -> None:
        super().__init__("request entity too large")


class JsonSyntaxError(BodyError):
    """Not JSON. ``pos`` is the byte offset of the fault, ``token`` the offending character
    when known (``N`` of ``NaN``), ``message`` the parser's own explanation."""

    def __init__(self, message: str, pos: int, token: str = "") -> None:
        super().__init__(message)
        self.pos = pos
        self.token = token


class JsonNotUtf8(JsonSyntaxError):
    """Bytes that are not UTF-8 (nor another encoding JSON allows)."""


class JsonTooDeep(BodyError):
    """Arrays/objects nested deeper than the caller allows."""


class JsonValueRefused(BodyError):
    """Valid JSON holding a value that cannot be stored or sent back (``1e999``, ``\\ud800``)."""


async def read_body(request: Request, limit: int) -> bytes:
    """The body, read chunk by chunk and abandoned as soon as it exceeds ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


class _Constant(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _refuse_constant(name: str) -> Any:
    raise _Constant(name)


def replace_surrogates(text: str) -> str:
    """Each lone surrogate (and each ``surrogateescape`` byte) as U+FFFD, as Go writes it."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def parse_json(
    raw: bytes,
    *,
    max_depth: int | None = MAX_DEPTH,
    lone_surrogates: Literal["refuse", "replace"] = "refuse",
) -> Any:
    """``json.loads`` that refuses what the emulator cannot store or send back as JSON.

    ``max_depth=None`` leaves only the parser's own recursion bound. ``lone_surrogates``:
    ``"refuse"`` (:class:`JsonValueRefused`) or ``"replace"`` with U+FFFD (Go's decoder).
    """
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
    except _Constant as exc:
        pos = max(raw.find(exc.name.encode()), 0)
        if exc.name.startswith("-"):  # -Infinity: the fault is the I after a minus sign
            pos, what = pos + 1, "in numeric literal"
        else:
            what = "looking for beginning of value"
        token = exc.name.lstrip("-")[0]
        raise JsonSyntaxError(f"invalid character '{token}' {what}", pos, token) from None
    except json.JSONDecodeError as exc:
        raise JsonSyntaxError(str(exc), exc.pos) from None
    except UnicodeDecodeError as exc:
        raise JsonNotUtf8(f"not valid UTF-8: {exc.reason}", exc.start) from None
    except RecursionError:
        raise JsonTooDeep("exceeded max depth") from None
    replace = lone_surrogates == "replace" and bool(_SURROGATE_ESCAPE.search(raw))
    return _check(value, max_depth, replace)


def _check(root: Any, max_depth: int | None, replace: bool) -> Any:
    """Walk the parsed value without recursion: depth, finite numbers, encodable strings.

    With ``replace``, lone surrogates in strings and keys become U+FFFD (containers are
    changed in place; a bare string root is returned replaced).
    """
    if isinstance(root, str):
        return _text(root, "", replace)
    stack: list[tuple[Any, str, int]] = [(root, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, float):
            if not math.isfinite(value):
                raise JsonValueRefused(f"{where or 'value'} must be a finite number")
        elif isinstance(value, dict):
            if max_depth is not None and depth >= max_depth:
                raise JsonTooDeep(f"JSON nested deeper than {max_depth} levels")
            items = [(_text(k, where, replace), v) for k, v in value.items()]
            if replace:
                value.clear()
                value.update(items)
            for key, item in items:
                here = f"{where}.{key}" if where else key
                if isinstance(item, str):
                    value[key] = _text(item, here, replace)
                else:
                    stack.append((item, here, depth + 1))
        elif isinstance(value, list):
            if max_depth is not None and depth >= max_depth:
                raise JsonTooDeep(f"JSON nested deeper than {max_depth} levels")
            for i, item in enumerate(value):
                here = f"{where}.{i}" if where else str(i)
                if isinstance(item, str):
                    value[i] = _text(item, here, replace)
                else:
                    stack.append((item, here, depth + 1))
    return root


def _text(text: str, where: str, replace: bool) -> str:
    if text.isascii():
        return text
    if replace:
        return replace_surrogates(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JsonValueRefused(f"{where or 'value'} contains an unpaired surrogate") from None
    return text
