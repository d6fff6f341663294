from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ErrorResponse")


@_attrs_define
class ErrorResponse:
    """The one error body of the service, in its three shapes: the API's
    (`statusCode, timestamp, path, error, message`), the in-sandbox toolbox's
    (`statusCode, message, code, timestamp, path, method`) and the bulk upload's (`errors`).
    `message` is a list of strings for validation failures.

        Attributes:
            status_code (float | Unset):
            message (list[str] | str | Unset):
            error (str | Unset): The HTTP reason phrase, or "Http Exception".
            code (str | Unset): Toolbox errors only.
            timestamp (str | Unset):
            path (str | Unset):
            method (str | Unset):
            errors (list[str] | Unset): Bulk upload errors only.
    """

    status_code: float | Unset = UNSET
    message: list[str] | str | Unset = UNSET
    error: str | Unset = UNSET
    code: str | Unset = UNSET
    timestamp: str | Unset = UNSET
    path: str | Unset = UNSET
    method: str | Unset = UNSET
    errors: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status_code = self.status_code

        message: list[str] | str | Unset
        if isinstance(self.message, Unset):
            message = UNSET
        elif isinstance(self.message, list):
            message = self.message

        else:
            message = self.message

        error = self.error

        code = self.code

        timestamp = self.timestamp

        path = self.path

        method = self.method

        errors: list[str] | Unset = UNSET
        if not isinstance(self.errors, Unset):
            errors = self.errors

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if status_code is not UNSET:
            field_dict["statusCode"] = status_code
        if message is not UNSET:
            field_dict["message"] = message
        if error is not UNSET:
            field_dict["error"] = error
        if code is not UNSET:
            field_dict["code"] = code
        if timestamp is not UNSET:
            field_dict["timestamp"] = timestamp
        if path is not UNSET:
            field_dict["path"] = path
        if method is not UNSET:
            field_dict["method"] = method
        if errors is not UNSET:
            field_dict["errors"] = errors

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        status_code = _pop_("statusCode", UNSET)

        message = _parse_message(_pop_("message", UNSET))

        error = _pop_("error", UNSET)

        code = _pop_("code", UNSET)

        timestamp = _pop_("timestamp", UNSET)

        path = _pop_("path", UNSET)

        method = _pop_("method", UNSET)

        errors = cast(list[str], _pop_("errors", UNSET))

        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _error_response = object.__new__(cls)
        _error_response.status_code = status_code
        _error_response.message = message
        _error_response.error = error
        _error_response.code = code
        _error_response.timestamp = timestamp
        _error_response.path = path
        _error_response.method = method
        _error_response.errors = errors

        _error_response.additional_properties = d
        return _error_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


# the parser of message, defined once instead of on every from_dict() call
def _parse_message(data: object) -> list[str] | str | Unset:
    if isinstance(data, Unset):
        return data
    try:
        if not isinstance(data, list):
            raise TypeError()
        message_type_1 = cast(list[str], data)

        return message_type_1
    except (TypeError, ValueError, AttributeError, KeyError):
        pass
    return cast(list[str] | str | Unset, data)
