from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.region import Region
from ..models.sandbox_class import SandboxClass
from ..types import UNSET, Unset, redacted_repr

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
    env: StringMap | Unset = _attrs_field(default=UNSET, repr=redacted_repr)
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
        _pop_ = d.pop
        snapshot = _pop_("snapshot", UNSET)

        user = _pop_("user", UNSET)

        _env = _pop_("env", UNSET)
        env: StringMap | Unset
        if isinstance(_env, Unset):
            env = UNSET
        else:
            env = StringMap.from_dict(_env)

        _labels = _pop_("labels", UNSET)
        labels: StringMap | Unset
        if isinstance(_labels, Unset):
            labels = UNSET
        else:
            labels = StringMap.from_dict(_labels)

        public = _pop_("public", UNSET)

        _class_ = _pop_("class", UNSET)
        class_: SandboxClass | Unset
        if isinstance(_class_, Unset):
            class_ = UNSET
        else:
            try:
                class_ = _SandboxClass_BY_VALUE[_class_]
            except (KeyError, TypeError):
                class_ = SandboxClass._parse(_class_)

        _target = _pop_("target", UNSET)
        target: Region | Unset
        if isinstance(_target, Unset):
            target = UNSET
        else:
            try:
                target = _Region_BY_VALUE[_target]
            except (KeyError, TypeError):
                target = Region._parse(_target)

        cpu = _pop_("cpu", UNSET)

        gpu = _pop_("gpu", UNSET)

        memory = _pop_("memory", UNSET)

        disk = _pop_("disk", UNSET)

        auto_stop_interval = _pop_("autoStopInterval", UNSET)

        auto_archive_interval = _pop_("autoArchiveInterval", UNSET)

        _volumes = _pop_("volumes", UNSET)
        volumes: list[SandboxVolume] | Unset = UNSET
        if _volumes is not UNSET:
            volumes = []
            for volumes_item_data in _volumes:
                volumes_item = SandboxVolume.from_dict(volumes_item_data)

                volumes.append(volumes_item)

        _build_info = _pop_("buildInfo", UNSET)
        build_info: CreateBuildInfo | Unset
        if isinstance(_build_info, Unset):
            build_info = UNSET
        else:
            build_info = CreateBuildInfo.from_dict(_build_info)

        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _create_sandbox = object.__new__(cls)
        _create_sandbox.snapshot = snapshot
        _create_sandbox.user = user
        _create_sandbox.env = env
        _create_sandbox.labels = labels
        _create_sandbox.public = public
        _create_sandbox.class_ = class_
        _create_sandbox.target = target
        _create_sandbox.cpu = cpu
        _create_sandbox.gpu = gpu
        _create_sandbox.memory = memory
        _create_sandbox.disk = disk
        _create_sandbox.auto_stop_interval = auto_stop_interval
        _create_sandbox.auto_archive_interval = auto_archive_interval
        _create_sandbox.volumes = volumes
        _create_sandbox.build_info = build_info

        _create_sandbox.additional_properties = d
        return _create_sandbox

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
from ..models.region import _BY_VALUE as _Region_BY_VALUE
from ..models.sandbox_class import _BY_VALUE as _SandboxClass_BY_VALUE
from ..models.sandbox_volume import SandboxVolume
from ..models.string_map import StringMap
