from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, missing_field

T = TypeVar("T", bound="SandboxInfo")


@_attrs_define
class SandboxInfo:
    """
    Attributes:
        created (str):
        name (str):  Default: ''.
        provider_metadata (None | str | Unset):
    """

    created: str
    name: str = ""
    provider_metadata: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created = self.created

        name = self.name

        provider_metadata: None | str | Unset
        if isinstance(self.provider_metadata, Unset):
            provider_metadata = UNSET
        else:
            provider_metadata = self.provider_metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created": created,
                "name": name,
            }
        )
        if provider_metadata is not UNSET:
            field_dict["providerMetadata"] = provider_metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            created = _pop_("created")

            name = _pop_("name", "")

            provider_metadata = _pop_("providerMetadata", UNSET)

        except KeyError as _error_:
            raise missing_field("SandboxInfo", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _sandbox_info = object.__new__(cls)
        _sandbox_info.created = created
        _sandbox_info.name = name
        _sandbox_info.provider_metadata = provider_metadata

        _sandbox_info.additional_properties = d
        return _sandbox_info

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
