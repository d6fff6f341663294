"""Argument checks done before anything is sent."""

from __future__ import annotations

import re

from .errors import InvalidArgumentError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

__all__ = ["check_unicode", "validate_id"]


def validate_id(value: object, what: str = "id", *, allow_slash: bool = False) -> str:
    """Return ``value`` if it is usable as one path segment, else raise
    :class:`~daytona_async.InvalidArgumentError` (a ``ValueError``).

    Refused: non-strings, ``""``, whitespace-only, ``"."`` and ``".."`` (httpx would remove
    them as dot segments and hit another endpoint), control characters, and — unless
    ``allow_slash`` (snapshot names such as ``daytonaio/sandbox:0.3.0``) — ``"/"`` and ``"\\"``.
    """
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{what} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise InvalidArgumentError(f"{what} must not be empty")
    if value in (".", ".."):
        raise InvalidArgumentError(f"{what} must not be {value!r}")
    if _CONTROL.search(value):
        raise InvalidArgumentError(f"{what} must not contain control characters")
    check_unicode(value, what)
    if not allow_slash and ("/" in value or "\\" in value):
        raise InvalidArgumentError(f"{what} must not contain '/': {value!r}")
    return value


def check_unicode(value: str, what: str) -> None:
    """Refuse a string that cannot be sent as UTF-8 (a lone surrogate)."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidArgumentError(f"{what} is not valid Unicode (a lone surrogate)") from None
