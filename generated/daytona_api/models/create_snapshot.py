from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, missing_field

if TYPE_CHECKING:
    from ..models.create_build_info import CreateBuildInfo


T = TypeVar("T", bound="CreateSnapshot")


@_attrs_define
class CreateSnapshot:
    """
    Attributes:
        name (str):
        image_name (str | Unset):
        entrypoint (list[str] | Unset):
        general (bool | Unset):
        cpu (int | Unset):
        gpu (int | Unset):
        memory (int | Unset):
        disk (int | Unset):
        build_info (CreateBuildInfo | Unset):
    """

    name: str
    image_name: str | Unset = UNSET
    entrypoint: list[str] | Unset = UNSET
    general: bool | Unset = UNSET
    cpu: int | Unset = UNSET
    gpu: int | Unset = UNSET
    memory: int | Unset = UNSET
    disk: int | Unset = UNSET
    build_info: CreateBuildInfo | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        image_name = self.image_name

        entrypoint: list[str] | Unset = UNSET
        if not isinstance(self.entrypoint, Unset):
            entrypoint = self.entrypoint

        general = self.general

        cpu = self.cpu

        gpu = self.gpu

        memory = self.memory

        disk = self.disk

        build_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.build_info, Unset):
            build_info = self.build_info.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if image_name is not UNSET:
            field_dict["imageName"] = image_name
        if entrypoint is not UNSET:
            field_dict["entrypoint"] = entrypoint
        if general is not UNSET:
            field_dict["general"] = general
        if cpu is not UNSET:
            field_dict["cpu"] = cpu
        if gpu is not UNSET:
            field_dict["gpu"] = gpu
        if memory is not UNSET:
            field_dict["memory"] = memory
        if disk is not UNSET:
            field_dict["disk"] = disk
        if build_info is not UNSET:
            field_dict["buildInfo"] = build_info

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            name = _pop_("name")

            image_name = _pop_("imageName", UNSET)

            entrypoint = cast(list[str], _pop_("entrypoint", UNSET))

            general = _pop_("general", UNSET)

            cpu = _pop_("cpu", UNSET)

            gpu = _pop_("gpu", UNSET)

            memory = _pop_("memory", UNSET)

            disk = _pop_("disk", UNSET)

            _build_info = _pop_("buildInfo", UNSET)
            build_info: CreateBuildInfo | Unset
            if isinstance(_build_info, Unset):
                build_info = UNSET
            else:
                build_info = CreateBuildInfo.from_dict(_build_info)

        except KeyError as _error_:
            raise missing_field("CreateSnapshot", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _create_snapshot = object.__new__(cls)
        _create_snapshot.name = name
        _create_snapshot.image_name = image_name
        _create_snapshot.entrypoint = entrypoint
        _create_snapshot.general = general
        _create_snapshot.cpu = cpu
        _create_snapshot.gpu = gpu
        _create_snapshot.memory = memory
        _create_snapshot.disk = disk
        _create_snapshot.build_info = build_info

        _create_snapshot.additional_properties = d
        return _create_snapshot

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
from ..models.create_build_info import CreateBuildInfo
