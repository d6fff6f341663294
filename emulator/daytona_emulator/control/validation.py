"""class-validator style validation of JSON bodies (Nest's global ValidationPipe)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from daytona_emulator.errors import ApiError


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
        elif kind == "int" and not (_is_number(value) and float(value or 0).is_integer()):
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
    checked: dict[str, Any] = body
    return checked
