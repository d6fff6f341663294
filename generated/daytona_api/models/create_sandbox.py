from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.region import Region
from ..models.sandbox_class import SandboxClass
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_build_info import CreateBuildInfo
    from ..models.sandbox_volume import SandboxVolume
    from ..models.string_map import StringMap


T = TypeVar("T", bound="CreateSandbox")


@_attrs_define
class CreateSandbox:
    """How to create a sandbox: from a snapshot (resources come from the snapshot) or from `buildInfo` (a Dockerfile
    build).

        Attributes:
            snapshot (str | Unset):
            user (str | Unset):
            env (StringMap | Unset): A map of string keys to string values (environment variables, labels).
            labels (StringMap | Unset): A map of string keys to string values (environment variables, labels).
            public (bool | Unset):
            class_ (SandboxClass | Unset):
            target (Region | Unset):
            cpu (int | Unset):
            gpu (int | Unset):
            memory (int | Unset):
            disk (int | Unset):
            auto_stop_interval (int | Unset):
            auto_archive_interval (int | Unset):
            volumes (list[SandboxVolume] | Unset):
            build_info (CreateBuildInfo | Unset):
    """

    snapshot: str | Unset = UNSET
    user: str | Unset = UNSET
    env: StringMap | Unset = UNSET
    labels: StringMap | Unset = UNSET
    public: bool | Unset = UNSET
    class_: SandboxClass | Unset = UNSET
    target: Region | Unset = UNSET
    cpu: int | Unset = UNSET
    gpu: int | Unset = UNSET
    memory: int | Unset = UNSET
    disk: int | Unset = UNSET
    auto_stop_interval: int | Unset = UNSET
    auto_archive_interval: int | Unset = UNSET
    volumes: list[SandboxVolume] | Unset = UNSET
    build_info: CreateBuildInfo | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        snapshot = self.snapshot

        user = self.user

        env: dict[str, Any] | Unset = UNSET
        if not isinstance(self.env, Unset):
            env = self.env.to_dict()

        labels: dict[str, Any] | Unset = UNSET
        if not isinstance(self.labels, Unset):
            labels = self.labels.to_dict()

        public = self.public

        class_: str | Unset = UNSET
        if not isinstance(self.class_, Unset):
            class_ = self.class_.value

        target: str | Unset = UNSET
        if not isinstance(self.target, Unset):
            target = self.target.value

        cpu = self.cpu

        gpu = self.gpu

        memory = self.memory

        disk = self.disk

        auto_stop_interval = self.auto_stop_interval

        auto_archive_interval = self.auto_archive_interval

        volumes: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.volumes, Unset):
            volumes = []
            for volumes_item_data in self.volumes:
                volumes_item = volumes_item_data.to_dict()
                volumes.append(volumes_item)

        build_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.build_info, Unset):
            build_info = self.build_info.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if snapshot is not UNSET:
            field_dict["snapshot"] = snapshot
        if user is not UNSET:
            field_dict["user"] = user
        if env is not UNSET:
            field_dict["env"] = env
        if labels is not UNSET:
            field_dict["labels"] = labels
        if public is not UNSET:
            field_dict["public"] = public
        if class_ is not UNSET:
            field_dict["class"] = class_
        if target is not UNSET:
            field_dict["target"] = target
        if cpu is not UNSET:
            field_dict["cpu"] = cpu
        if gpu is not UNSET:
            field_dict["gpu"] = gpu
        if memory is not UNSET:
            field_dict["memory"] = memory
        if disk is not UNSET:
            field_dict["disk"] = disk
        if auto_stop_interval is not UNSET:
            field_dict["autoStopInterval"] = auto_stop_interval
        if auto_archive_interval is not UNSET:
            field_dict["autoArchiveInterval"] = auto_archive_interval
        if volumes is not UNSET:
            field_dict["volumes"] = volumes
        if build_info is not UNSET:
            field_dict["buildInfo"] = build_info

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        snapshot = d.pop("snapshot", UNSET)

        user = d.pop("user", UNSET)

        _env = d.pop("env", UNSET)
        env: StringMap | Unset
        if isinstance(_env, Unset):
            env = UNSET
        else:
            env = StringMap.from_dict(_env)

        _labels = d.pop("labels", UNSET)
        labels: StringMap | Unset
        if isinstance(_labels, Unset):
            labels = UNSET
        else:
            labels = StringMap.from_dict(_labels)

        public = d.pop("public", UNSET)

        _class_ = d.pop("class", UNSET)
        class_: SandboxClass | Unset
        if isinstance(_class_, Unset):
            class_ = UNSET
        else:
            class_ = SandboxClass._parse(_class_)

        _target = d.pop("target", UNSET)
        target: Region | Unset
        if isinstance(_target, Unset):
            target = UNSET
        else:
            target = Region._parse(_target)

        cpu = d.pop("cpu", UNSET)

        gpu = d.pop("gpu", UNSET)

        memory = d.pop("memory", UNSET)

        disk = d.pop("disk", UNSET)

        auto_stop_interval = d.pop("autoStopInterval", UNSET)

        auto_archive_interval = d.pop("autoArchiveInterval", UNSET)

        _volumes = d.pop("volumes", UNSET)
        volumes: list[SandboxVolume] | Unset = UNSET
        if _volumes is not UNSET:
            volumes = []
            for volumes_item_data in _volumes:
                volumes_item = SandboxVolume.from_dict(volumes_item_data)

                volumes.append(volumes_item)

        _build_info = d.pop("buildInfo", UNSET)
        build_info: CreateBuildInfo | Unset
        if isinstance(_build_info, Unset):
            build_info = UNSET
        else:
            build_info = CreateBuildInfo.from_dict(_build_info)

        create_sandbox = cls(
            snapshot=snapshot,
            user=user,
            env=env,
            labels=labels,
            public=public,
            class_=class_,
            target=target,
            cpu=cpu,
            gpu=gpu,
            memory=memory,
            disk=disk,
            auto_stop_interval=auto_stop_interval,
            auto_archive_interval=auto_archive_interval,
            volumes=volumes,
            build_info=build_info,
        )

        create_sandbox.additional_properties = d
        return create_sandbox

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
from ..models.sandbox_volume import SandboxVolume
from ..models.string_map import StringMap
