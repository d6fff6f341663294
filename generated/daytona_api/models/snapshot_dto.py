from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.snapshot_state import SnapshotState
from ..types import UNSET, Unset, missing_field

if TYPE_CHECKING:
    from ..models.build_info import BuildInfo


T = TypeVar("T", bound="SnapshotDto")


@_attrs_define
class SnapshotDto:
    """An image sandboxes are created from. Its resources are named `cpu`, `gpu`, `mem` and `disk`.

    Attributes:
        id (str):
        general (bool):
        name (str):
        enabled (bool): Whether sandboxes may be created from it. Later versions of the API no longer send it (a
            deactivated snapshot is in state `inactive` there): absent, it is `true`. Default: True.
        state (SnapshotState):
        size (float | None):
        entrypoint (list[str] | None):
        cpu (float):
        gpu (float):
        mem (float):
        disk (float):
        error_reason (None | str):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        last_used_at (datetime.datetime | None):
        organization_id (None | str | Unset):
        image_name (None | str | Unset):
        build_info (BuildInfo | None | Unset):
    """

    id: str
    general: bool
    name: str
    state: SnapshotState
    size: float | None
    entrypoint: list[str] | None
    cpu: float
    gpu: float
    mem: float
    disk: float
    error_reason: None | str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    last_used_at: datetime.datetime | None
    enabled: bool = True
    organization_id: None | str | Unset = UNSET
    image_name: None | str | Unset = UNSET
    build_info: BuildInfo | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        general = self.general

        name = self.name

        enabled = self.enabled

        state = self.state.value

        size: float | None
        size = self.size

        entrypoint: list[str] | None
        if isinstance(self.entrypoint, list):
            entrypoint = self.entrypoint

        else:
            entrypoint = self.entrypoint

        cpu = self.cpu

        gpu = self.gpu

        mem = self.mem

        disk = self.disk

        error_reason: None | str
        error_reason = self.error_reason

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        last_used_at: None | str
        if isinstance(self.last_used_at, datetime.datetime):
            last_used_at = self.last_used_at.isoformat()
        else:
            last_used_at = self.last_used_at

        organization_id: None | str | Unset
        if isinstance(self.organization_id, Unset):
            organization_id = UNSET
        else:
            organization_id = self.organization_id

        image_name: None | str | Unset
        if isinstance(self.image_name, Unset):
            image_name = UNSET
        else:
            image_name = self.image_name

        build_info: dict[str, Any] | None | Unset
        if isinstance(self.build_info, Unset):
            build_info = UNSET
        elif isinstance(self.build_info, BuildInfo):
            build_info = self.build_info.to_dict()
        else:
            build_info = self.build_info

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "general": general,
                "name": name,
                "enabled": enabled,
                "state": state,
                "size": size,
                "entrypoint": entrypoint,
                "cpu": cpu,
                "gpu": gpu,
                "mem": mem,
                "disk": disk,
                "errorReason": error_reason,
                "createdAt": created_at,
                "updatedAt": updated_at,
                "lastUsedAt": last_used_at,
            }
        )
        if organization_id is not UNSET:
            field_dict["organizationId"] = organization_id
        if image_name is not UNSET:
            field_dict["imageName"] = image_name
        if build_info is not UNSET:
            field_dict["buildInfo"] = build_info

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            id = _pop_("id")

            general = _pop_("general")

            name = _pop_("name")

            enabled = _pop_("enabled", True)

            _state = _pop_("state")
            state: SnapshotState
            try:
                state = _SnapshotState_BY_VALUE[_state]
            except (KeyError, TypeError):
                state = SnapshotState._parse(_state)

            size = _pop_("size", None)

            entrypoint = _parse_entrypoint(_pop_("entrypoint", None))

            cpu = _pop_("cpu")

            gpu = _pop_("gpu")

            mem = _pop_("mem")

            disk = _pop_("disk")

            error_reason = _pop_("errorReason", None)

            created_at = datetime.datetime.fromisoformat(_pop_("createdAt"))

            updated_at = datetime.datetime.fromisoformat(_pop_("updatedAt"))

            last_used_at = _parse_last_used_at(_pop_("lastUsedAt", None))

            organization_id = _pop_("organizationId", UNSET)

            image_name = _pop_("imageName", UNSET)

            build_info = _parse_build_info(_pop_("buildInfo", UNSET))

        except KeyError as _error_:
            raise missing_field("SnapshotDto", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _snapshot_dto = object.__new__(cls)
        _snapshot_dto.id = id
        _snapshot_dto.general = general
        _snapshot_dto.name = name
        _snapshot_dto.enabled = enabled
        _snapshot_dto.state = state
        _snapshot_dto.size = size
        _snapshot_dto.entrypoint = entrypoint
        _snapshot_dto.cpu = cpu
        _snapshot_dto.gpu = gpu
        _snapshot_dto.mem = mem
        _snapshot_dto.disk = disk
        _snapshot_dto.error_reason = error_reason
        _snapshot_dto.created_at = created_at
        _snapshot_dto.updated_at = updated_at
        _snapshot_dto.last_used_at = last_used_at
        _snapshot_dto.organization_id = organization_id
        _snapshot_dto.image_name = image_name
        _snapshot_dto.build_info = build_info

        _snapshot_dto.additional_properties = d
        return _snapshot_dto

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


# Imported at the end, once this module's class exists, so that models referring to each
# other still import; from_dict()/to_dict() then pay no import machinery per call.
from ..models.build_info import BuildInfo
from ..models.snapshot_state import _BY_VALUE as _SnapshotState_BY_VALUE


# the parser of entrypoint, defined once instead of on every from_dict() call
def _parse_entrypoint(data: object) -> list[str] | None:
    if data is None:
        return data
    try:
        if not isinstance(data, list):
            raise TypeError()
        entrypoint_type_0 = cast(list[str], data)

        return entrypoint_type_0
    except (TypeError, ValueError, AttributeError, KeyError):
        pass
    return cast(list[str] | None, data)


# the parser of last_used_at, defined once instead of on every from_dict() call
def _parse_last_used_at(data: object) -> datetime.datetime | None:
    if data is None:
        return data
    try:
        if not isinstance(data, str):
            raise TypeError()
        last_used_at_type_0 = datetime.datetime.fromisoformat(data)

        return last_used_at_type_0
    except (TypeError, ValueError, AttributeError, KeyError):
        pass
    return cast(datetime.datetime | None, data)


# the parser of build_info, defined once instead of on every from_dict() call
def _parse_build_info(data: object) -> BuildInfo | None | Unset:
    if data is None:
        return data
    if isinstance(data, Unset):
        return data
    try:
        if not isinstance(data, dict):
            raise TypeError()
        build_info_type_1 = BuildInfo.from_dict(data)

        return build_info_type_1
    except (TypeError, ValueError, AttributeError, KeyError):
        pass
    return cast(BuildInfo | None | Unset, data)
