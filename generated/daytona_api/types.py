"""Contains some shared types for properties"""

from collections.abc import Mapping, MutableMapping
from typing import IO, BinaryIO, Generic, Literal, TypeVar

from attrs import define, field


class Unset:
    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()


def redacted_repr(value: object) -> str:
    """The repr of a field the API description marks as a credential: whether it is set, never
    what it holds (the models' ``to_dict()`` still carries the value)."""
    if value is None or isinstance(value, Unset):
        return repr(value)
    return "'***'"


class MissingFieldError(Exception):
    """A response lacks a field that this version of the client requires, and the model has no
    default for it (a later version of the API may have stopped sending it). ``model`` is the
    model's class name, ``field`` the field's name in the JSON body.

    Not a ``KeyError``/``ValueError``: a nested model's missing field is reported as such, not
    taken for "another member of a union" and left unparsed."""

    def __init__(self, model: str, field: str) -> None:
        super().__init__(
            f"{model}: the response has no {field!r}, which this client requires"
        )
        self.model = model
        self.field = field


def missing_field(model: str, error: KeyError, src: Mapping[str, object]) -> Exception:
    """What ``model.from_dict(src)`` raises for the ``KeyError`` its required fields raised:
    :class:`MissingFieldError` when the field is absent from ``src``, else ``error`` itself."""
    key = error.args[0] if len(error.args) == 1 else None
    if isinstance(key, str) and key not in src:
        return MissingFieldError(model, key)
    return error


# The types that `httpx.Client(files=)` can accept, copied from that library.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """Contains information for file uploads"""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """Return a tuple representation that httpx will accept for multipart/form-data"""
        return self.file_name, self.payload, self.mime_type


T = TypeVar("T")


@define
class Response(Generic[T]):
    """A response from an endpoint"""

    status_code: int
    """The status as sent: an ``int``, so codes ``HTTPStatus`` does not know (499, 520) pass through."""
    content: bytes = field(repr=lambda content: f"<{len(content)} bytes>")
    """The raw body; its repr gives only the size, since a body can carry a credential."""
    headers: MutableMapping[str, str]
    parsed: T | None


__all__ = [
    "UNSET",
    "File",
    "FileTypes",
    "MissingFieldError",
    "RequestFiles",
    "Response",
    "Unset",
    "missing_field",
    "redacted_repr",
]
