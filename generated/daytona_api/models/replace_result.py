from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ReplaceResult")


@_attrs_define
class ReplaceResult:
    """
    Attributes:
        file (str | Unset):
        success (bool | Unset):
        error (None | str | Unset):
    """

    file: str | Unset = UNSET
    success: bool | Unset = UNSET
    error: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        file = self.file

        success = self.success

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if file is not UNSET:
            field_dict["file"] = file
        if success is not UNSET:
            field_dict["success"] = success
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        file = _pop_("file", UNSET)

        success = _pop_("success", UNSET)

        error = _pop_("error", UNSET)

        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _replace_result = object.__new__(cls)
        _replace_result.file = file
        _replace_result.success = success
        _replace_result.error = error

        _replace_result.additional_properties = d
        return _replace_result

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
