from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, missing_field

T = TypeVar("T", bound="BuildInfo")


@_attrs_define
class BuildInfo:
    """
    Attributes:
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        dockerfile_content (str | Unset):
        context_hashes (list[str] | None | Unset):
    """

    created_at: datetime.datetime
    updated_at: datetime.datetime
    dockerfile_content: str | Unset = UNSET
    context_hashes: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        dockerfile_content = self.dockerfile_content

        context_hashes: list[str] | None | Unset
        if isinstance(self.context_hashes, Unset):
            context_hashes = UNSET
        elif isinstance(self.context_hashes, list):
            context_hashes = self.context_hashes

        else:
            context_hashes = self.context_hashes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "createdAt": created_at,
                "updatedAt": updated_at,
            }
        )
        if dockerfile_content is not UNSET:
            field_dict["dockerfileContent"] = dockerfile_content
        if context_hashes is not UNSET:
            field_dict["contextHashes"] = context_hashes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            created_at = datetime.datetime.fromisoformat(_pop_("createdAt"))

            updated_at = datetime.datetime.fromisoformat(_pop_("updatedAt"))

            dockerfile_content = _pop_("dockerfileContent", UNSET)

            context_hashes = _parse_context_hashes(_pop_("contextHashes", UNSET))

        except KeyError as _error_:
            raise missing_field("BuildInfo", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _build_info = object.__new__(cls)
        _build_info.created_at = created_at
        _build_info.updated_at = updated_at
        _build_info.dockerfile_content = dockerfile_content
        _build_info.context_hashes = context_hashes

        _build_info.additional_properties = d
        return _build_info

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


# the parser of context_hashes, defined once instead of on every from_dict() call
def _parse_context_hashes(data: object) -> list[str] | None | Unset:
    if data is None:
        return data
    if isinstance(data, Unset):
        return data
    try:
        if not isinstance(data, list):
            raise TypeError()
        context_hashes_type_0 = cast(list[str], data)

        return context_hashes_type_0
    except (TypeError, ValueError, AttributeError, KeyError):
        pass
    return cast(list[str] | None | Unset, data)
