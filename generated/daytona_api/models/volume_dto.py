from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.volume_state import VolumeState
from ..types import UNSET, Unset, missing_field

T = TypeVar("T", bound="VolumeDto")


@_attrs_define
class VolumeDto:
    """A persistent volume.

    Attributes:
        id (str):
        name (str):
        organization_id (str):
        state (VolumeState):
        created_at (str):
        updated_at (str):
        error_reason (None | str):
        last_used_at (None | str | Unset):
    """

    id: str
    name: str
    organization_id: str
    state: VolumeState
    created_at: str
    updated_at: str
    error_reason: None | str
    last_used_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        organization_id = self.organization_id

        state = self.state.value

        created_at = self.created_at

        updated_at = self.updated_at

        error_reason: None | str
        error_reason = self.error_reason

        last_used_at: None | str | Unset
        if isinstance(self.last_used_at, Unset):
            last_used_at = UNSET
        else:
            last_used_at = self.last_used_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "organizationId": organization_id,
                "state": state,
                "createdAt": created_at,
                "updatedAt": updated_at,
                "errorReason": error_reason,
            }
        )
        if last_used_at is not UNSET:
            field_dict["lastUsedAt"] = last_used_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            id = _pop_("id")

            name = _pop_("name")

            organization_id = _pop_("organizationId")

            _state = _pop_("state")
            state: VolumeState
            try:
                state = _VolumeState_BY_VALUE[_state]
            except (KeyError, TypeError):
                state = VolumeState._parse(_state)

            created_at = _pop_("createdAt")

            updated_at = _pop_("updatedAt")

            error_reason = _pop_("errorReason", None)

            last_used_at = _pop_("lastUsedAt", UNSET)

        except KeyError as _error_:
            raise missing_field("VolumeDto", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _volume_dto = object.__new__(cls)
        _volume_dto.id = id
        _volume_dto.name = name
        _volume_dto.organization_id = organization_id
        _volume_dto.state = state
        _volume_dto.created_at = created_at
        _volume_dto.updated_at = updated_at
        _volume_dto.error_reason = error_reason
        _volume_dto.last_used_at = last_used_at

        _volume_dto.additional_properties = d
        return _volume_dto

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


from ..models.volume_state import _BY_VALUE as _VolumeState_BY_VALUE
