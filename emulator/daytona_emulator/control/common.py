"""Shared helpers of the control plane: time, ids, JSON bodies and responses, validation."""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from daytona_emulator.errors import ApiError
from daytona_emulator.jsonbody import MAX_JSON_BODY, BodyError, parse_json, read_body

JSON_TYPE = "application/json; charset=utf-8"
UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)

PERMISSIONS = (
    "write:registries",
    "delete:registries",
    "write:snapshots",
    "delete:snapshots",
    "write:sandboxes",
    "delete:sandboxes",
    "read:volumes",
    "write:volumes",
    "delete:volumes",
)


def iso(ts: float | None = None) -> str:
    """A JS ``toISOString()`` of a unix time (now by default)."""
    dt = datetime.fromtimestamp(time.time() if ts is None else ts, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_iso(value: str) -> float | None:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def new_id() -> str:
    return str(uuid.uuid4())


def is_uuid(value: str) -> bool:
    return bool(UUID_RE.match(value))


def json_response(data: Any, status: int = 200) -> Response:
    # allow_nan=False: never send `Infinity`/`NaN`, which are not JSON
    body = json.dumps(data, separators=(",", ":"), allow_nan=False).encode()
    return Response(body, status_code=status, media_type=JSON_TYPE)


def empty(status: int = 200) -> Response:
    """A handler returning ``void``: empty body, no content type."""
    return Response(b"", status_code=status)


def text(value: Any, status: int = 200) -> Response:
    """A handler returning a primitive: ``String(value)`` as text/html."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return Response(str(value).encode(), status_code=status, media_type="text/html; charset=utf-8")


_PG_TRUE = ("true", "yes", "on", "1")
_PG_FALSE = ("false", "no", "off", "0")


def pg_bool(raw: str) -> bool:
    """A string as Postgres reads it into a ``boolean`` column (any case, unique prefixes of
    true/false/yes/no, on/off, 1/0), or the 500 it raises."""
    value = raw.strip().lower()
    if value:
        true = [w for w in _PG_TRUE if w.startswith(value)]
        false = [w for w in _PG_FALSE if w.startswith(value)]
        if len(value) >= 2 or value in ("t", "f", "y", "n", "1", "0"):
            if true and not false:
                return True
            if false and not true:
                return False
    raise internal(f'invalid input syntax for type boolean: "{raw}"')


def internal(message: str) -> ApiError:
    """A plain ``Error`` thrown inside the service: 500 with the error's text."""
    return ApiError(500, message, "Internal Server Error")


def bad(message: str) -> ApiError:
    """A project ``BadRequestError`` (string payload): 400 ``Http Exception``."""
    return ApiError(400, message, "Http Exception")


def forbidden(message: str = "Forbidden resource") -> ApiError:
    return ApiError(403, message, "Forbidden")


def not_found(message: str) -> ApiError:
    return ApiError(404, message, "Not Found")


async def read_json(request: Request) -> Any:
    """The parsed JSON body; ``{}`` when there is none (body-parser behaviour).

    Read with the 100 kB limit checked while reading (``jsonbody``). Too large: the
    http-errors object falls into the catch-all filter, a 500. Not acceptable JSON: 400.
    """
    try:
        raw = await read_body(request, MAX_JSON_BODY)
    except BodyError as exc:
        raise internal(exc.message) from None
    if not raw.strip():
        return {}
    ctype = request.headers.get("content-type", "")
    if ctype and "json" not in ctype:
        return {}
    try:
        return parse_json(raw)
    except BodyError as exc:
        raise ApiError(400, exc.message, "Bad Request") from None


# --- class-validator style validation -------------------------------------------------------


def _is_number(v: Any) -> bool:
    """IsNumber() without allowNaN/allowInfinity."""
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


_URL_RE = re.compile(
    r"^(https?|ftp)://[^\s/$.?#][^\s]*$|^[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+(:\d+)?(/\S*)?$"
)
# the shape validator.js's isEmail checks by default: local@domain.tld, no spaces
_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$"
)
_DATE_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)


class Field:
    """One property of a DTO with its class-validator decorators."""

    def __init__(
        self,
        name: str,
        kind: str,
        *,
        optional: bool = True,
        not_empty: bool = False,
        enum: Iterable[str] | None = None,
        each_enum: Iterable[str] | None = None,
    ) -> None:
        self.name = name
        self.kind = kind
        self.optional = optional
        self.not_empty = not_empty
        self.enum = tuple(enum) if enum is not None else None
        self.each_enum = tuple(each_enum) if each_enum is not None else None

    def errors(self, body: dict[str, Any]) -> list[str]:
        n = self.name
        value = body.get(n)
        if value is None and self.optional:
            return []
        out: list[str] = []
        if self.not_empty and value in (None, "", []):
            out.append(f"{n} should not be empty")
        kind = self.kind
        if kind == "string" and not isinstance(value, str):
            out.append(f"{n} must be a string")
        elif kind == "number" and not _is_number(value):
            out.append(f"{n} must be a number conforming to the specified constraints")
        elif kind == "int" and not (_is_number(value) and float(value).is_integer()):
            out.append(f"{n} must be an integer number")
        elif kind == "boolean" and not isinstance(value, bool):
            out.append(f"{n} must be a boolean value")
        elif kind == "object" and not isinstance(value, dict):
            out.append(f"{n} must be an object")
        elif kind == "array" and not isinstance(value, list):
            out.append(f"{n} must be an array")
        elif kind == "url" and not (isinstance(value, str) and _URL_RE.match(value)):
            out.append(f"{n} must be a URL address")
        elif kind == "email" and not (isinstance(value, str) and _EMAIL_RE.match(value)):
            out.append(f"{n} must be an email")
        elif kind == "date" and not (isinstance(value, str) and _DATE_RE.match(value)):
            out.append(f"{n} must be a valid ISO 8601 date string")
        if self.enum is not None and value not in self.enum:
            out.append(f"{n} must be one of the following values: {', '.join(self.enum)}")
        if self.each_enum is not None:
            items = value if isinstance(value, list) else [value]
            if any(v not in self.each_enum for v in items):
                out.append(
                    f"each value in {n} must be one of the following values: "
                    f"{', '.join(self.each_enum)}"
                )
        return out


def validate(body: Any, fields: Iterable[Field]) -> dict[str, Any]:
    """Check a JSON body like Nest's ValidationPipe: 400 with every message as a list."""
    if not isinstance(body, dict):
        body = {}
    messages: list[str] = []
    for f in fields:
        messages.extend(f.errors(body))
    if messages:
        raise ApiError(400, messages, "Bad Request")
    return body
