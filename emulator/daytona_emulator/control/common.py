"""Shared helpers of the control plane: time, ids, JSON bodies, responses, errors, casts."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from daytona_emulator.errors import ApiError
from daytona_emulator.jsonbody import (
    MAX_DEPTH,
    MAX_JSON_BODY,
    BodyError,
    BodyTooLarge,
    JsonNotUtf8,
    JsonSyntaxError,
    JsonTooDeep,
    parse_json,
    read_body,
)
from daytona_emulator.store import Doc, Store

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
    ctype = request.headers.get("content-type", "")
    if ctype and "json" not in ctype:
        return {}  # the JSON parser does not read other bodies
    try:
        raw = await read_body(request, MAX_JSON_BODY)
    except BodyTooLarge as exc:
        raise internal(exc.message) from None
    if not raw.strip():
        return {}
    try:
        return parse_json(raw, max_depth=MAX_DEPTH, lone_surrogates="refuse")
    except BodyError as exc:
        raise ApiError(400, _body_error_message(exc), "Bad Request") from None


def _body_error_message(exc: BodyError) -> str:
    """The refusal in ``JSON.parse``'s words where it has them."""
    if isinstance(exc, JsonNotUtf8):
        return "Request body is not valid UTF-8"
    if isinstance(exc, JsonSyntaxError):
        token = f" {exc.token}" if exc.token else ""
        return f"Unexpected token{token} in JSON at position {exc.pos}"
    if isinstance(exc, JsonTooDeep):
        return f"JSON nested deeper than {MAX_DEPTH} levels"
    return exc.message


def bad_request(message: str) -> ApiError:
    """A Nest ``BadRequestException`` with a message: 400 ``Bad Request``."""
    return ApiError(400, message, "Bad Request")


def org_doc(store: Store, kind: str, doc_id: str, org: Doc, missing: str) -> Doc:
    """The ``kind`` document ``doc_id`` when it belongs to ``org``, else 404 ``missing``: the
    service looks ids up within the caller's organization, so another's is simply unknown."""
    doc = store.get(kind, doc_id)
    if doc is None or doc["organizationId"] != org["id"]:
        raise not_found(missing)
    return doc


def uuid_or_500(value: str) -> None:
    """A non-UUID value reaching a Postgres uuid column."""
    if not is_uuid(value):
        raise internal(f'invalid input syntax for type uuid: "{value}"')


def num(value: float) -> int | float:
    """A number as JavaScript prints it (``3`` for ``3.0``)."""
    return int(value) if float(value).is_integer() else value


def sorted_recent_first(docs: list[Doc]) -> list[Doc]:
    """``lastUsedAt DESC NULLS LAST, createdAt DESC``.

    Timestamps have millisecond precision: documents created in the same millisecond keep
    newest-first order because the (stable) sort starts from the reversed insertion order.
    """
    docs = sorted(reversed(docs), key=lambda d: d["createdAt"], reverse=True)
    docs.sort(key=lambda d: d.get("lastUsedAt") or "", reverse=True)
    return docs
