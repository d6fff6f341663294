from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

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
        created = d.pop("created")

        name = d.pop("name")

        def _parse_provider_metadata(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider_metadata = _parse_provider_metadata(d.pop("providerMetadata", UNSET))

        sandbox_info = cls(
            created=created,
            name=name,
            provider_metadata=provider_metadata,
        )

        sandbox_info.additional_properties = d
        return sandbox_info

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
