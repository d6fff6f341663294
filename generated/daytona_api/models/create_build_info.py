from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, missing_field

T = TypeVar("T", bound="CreateBuildInfo")


@_attrs_define
class CreateBuildInfo:
    """
    Attributes:
        dockerfile_content (str):
        context_hashes (list[str] | Unset):
    """

    dockerfile_content: str
    context_hashes: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        dockerfile_content = self.dockerfile_content

        context_hashes: list[str] | Unset = UNSET
        if not isinstance(self.context_hashes, Unset):
            context_hashes = self.context_hashes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "dockerfileContent": dockerfile_content,
            }
        )
        if context_hashes is not UNSET:
            field_dict["contextHashes"] = context_hashes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            dockerfile_content = _pop_("dockerfileContent")

            context_hashes = cast(list[str], _pop_("contextHashes", UNSET))

        except KeyError as _error_:
            raise missing_field("CreateBuildInfo", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _create_build_info = object.__new__(cls)
        _create_build_info.dockerfile_content = dockerfile_content
        _create_build_info.context_hashes = context_hashes

        _create_build_info.additional_properties = d
        return _create_build_info

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
