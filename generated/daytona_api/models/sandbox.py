from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.backup_state import BackupState
from ..models.sandbox_class import SandboxClass
from ..models.sandbox_state import SandboxState
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.build_info import BuildInfo
    from ..models.sandbox_volume import SandboxVolume
    from ..models.string_map import StringMap


T = TypeVar("T", bound="Sandbox")


@_attrs_define
class Sandbox:
    """A sandbox as the service reports it. `state` is derived from the actual and the desired state, so it shows
    transitions (`stopping`, `starting`, ...).

        Attributes:
            id (str):
            organization_id (str):
            user (str):
            env (StringMap): A map of string keys to string values (environment variables, labels).
            labels (StringMap): A map of string keys to string values (environment variables, labels).
            public (bool):
            target (str):
            cpu (float):
            gpu (float):
            memory (float):
            disk (float):
            snapshot (None | str | Unset):
            state (SandboxState | Unset):
            error_reason (None | str | Unset):
            backup_state (BackupState | Unset):
            backup_created_at (str | Unset):
            auto_stop_interval (float | Unset):
            auto_archive_interval (float | Unset):
            runner_domain (str | Unset):
            volumes (list[SandboxVolume] | Unset):
            build_info (BuildInfo | None | Unset):
            created_at (str | Unset):
            updated_at (str | Unset):
            class_ (SandboxClass | Unset):
    """

    id: str
    organization_id: str
    user: str
    env: StringMap
    labels: StringMap
    public: bool
    target: str
    cpu: float
    gpu: float
    memory: float
    disk: float
    snapshot: None | str | Unset = UNSET
    state: SandboxState | Unset = UNSET
    error_reason: None | str | Unset = UNSET
    backup_state: BackupState | Unset = UNSET
    backup_created_at: str | Unset = UNSET
    auto_stop_interval: float | Unset = UNSET
    auto_archive_interval: float | Unset = UNSET
    runner_domain: str | Unset = UNSET
    volumes: list[SandboxVolume] | Unset = UNSET
    build_info: BuildInfo | None | Unset = UNSET
    created_at: str | Unset = UNSET
    updated_at: str | Unset = UNSET
    class_: SandboxClass | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        organization_id = self.organization_id

        user = self.user

        env = self.env.to_dict()

        labels = self.labels.to_dict()

        public = self.public

        target = self.target

        cpu = self.cpu

        gpu = self.gpu

        memory = self.memory

        disk = self.disk

        snapshot: None | str | Unset
        if isinstance(self.snapshot, Unset):
            snapshot = UNSET
        else:
            snapshot = self.snapshot

        state: str | Unset = UNSET
        if not isinstance(self.state, Unset):
            state = self.state.value

        error_reason: None | str | Unset
        if isinstance(self.error_reason, Unset):
            error_reason = UNSET
        else:
            error_reason = self.error_reason

        backup_state: str | Unset = UNSET
        if not isinstance(self.backup_state, Unset):
            backup_state = self.backup_state.value

        backup_created_at = self.backup_created_at

        auto_stop_interval = self.auto_stop_interval

        auto_archive_interval = self.auto_archive_interval

        runner_domain = self.runner_domain

        volumes: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.volumes, Unset):
            volumes = []
            for volumes_item_data in self.volumes:
                volumes_item = volumes_item_data.to_dict()
                volumes.append(volumes_item)

        build_info: dict[str, Any] | None | Unset
        if isinstance(self.build_info, Unset):
            build_info = UNSET
        elif isinstance(self.build_info, BuildInfo):
            build_info = self.build_info.to_dict()
        else:
            build_info = self.build_info

        created_at = self.created_at

        updated_at = self.updated_at

        class_: str | Unset = UNSET
        if not isinstance(self.class_, Unset):
            class_ = self.class_.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "organizationId": organization_id,
                "user": user,
                "env": env,
                "labels": labels,
                "public": public,
                "target": target,
                "cpu": cpu,
                "gpu": gpu,
                "memory": memory,
                "disk": disk,
            }
        )
        if snapshot is not UNSET:
            field_dict["snapshot"] = snapshot
        if state is not UNSET:
            field_dict["state"] = state
        if error_reason is not UNSET:
            field_dict["errorReason"] = error_reason
        if backup_state is not UNSET:
            field_dict["backupState"] = backup_state
        if backup_created_at is not UNSET:
            field_dict["backupCreatedAt"] = backup_created_at
        if auto_stop_interval is not UNSET:
            field_dict["autoStopInterval"] = auto_stop_interval
        if auto_archive_interval is not UNSET:
            field_dict["autoArchiveInterval"] = auto_archive_interval
        if runner_domain is not UNSET:
            field_dict["runnerDomain"] = runner_domain
        if volumes is not UNSET:
            field_dict["volumes"] = volumes
        if build_info is not UNSET:
            field_dict["buildInfo"] = build_info
        if created_at is not UNSET:
            field_dict["createdAt"] = created_at
        if updated_at is not UNSET:
            field_dict["updatedAt"] = updated_at
        if class_ is not UNSET:
            field_dict["class"] = class_

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        organization_id = d.pop("organizationId")

        user = d.pop("user")

        env = StringMap.from_dict(d.pop("env"))

        labels = StringMap.from_dict(d.pop("labels"))

        public = d.pop("public")

        target = d.pop("target")

        cpu = d.pop("cpu")

        gpu = d.pop("gpu")

        memory = d.pop("memory")

        disk = d.pop("disk")

        def _parse_snapshot(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        snapshot = _parse_snapshot(d.pop("snapshot", UNSET))

        _state = d.pop("state", UNSET)
        state: SandboxState | Unset
        if isinstance(_state, Unset):
            state = UNSET
        else:
            state = SandboxState._parse(_state)

        def _parse_error_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error_reason = _parse_error_reason(d.pop("errorReason", UNSET))

        _backup_state = d.pop("backupState", UNSET)
        backup_state: BackupState | Unset
        if isinstance(_backup_state, Unset):
            backup_state = UNSET
        else:
            backup_state = BackupState._parse(_backup_state)

        backup_created_at = d.pop("backupCreatedAt", UNSET)

        auto_stop_interval = d.pop("autoStopInterval", UNSET)

        auto_archive_interval = d.pop("autoArchiveInterval", UNSET)

        runner_domain = d.pop("runnerDomain", UNSET)

        _volumes = d.pop("volumes", UNSET)
        volumes: list[SandboxVolume] | Unset = UNSET
        if _volumes is not UNSET:
            volumes = []
            for volumes_item_data in _volumes:
                volumes_item = SandboxVolume.from_dict(volumes_item_data)

                volumes.append(volumes_item)

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

        build_info = _parse_build_info(d.pop("buildInfo", UNSET))

        created_at = d.pop("createdAt", UNSET)

        updated_at = d.pop("updatedAt", UNSET)

        _class_ = d.pop("class", UNSET)
        class_: SandboxClass | Unset
        if isinstance(_class_, Unset):
            class_ = UNSET
        else:
            class_ = SandboxClass._parse(_class_)

        sandbox = cls(
            id=id,
            organization_id=organization_id,
            user=user,
            env=env,
            labels=labels,
            public=public,
            target=target,
            cpu=cpu,
            gpu=gpu,
            memory=memory,
            disk=disk,
            snapshot=snapshot,
            state=state,
            error_reason=error_reason,
            backup_state=backup_state,
            backup_created_at=backup_created_at,
            auto_stop_interval=auto_stop_interval,
            auto_archive_interval=auto_archive_interval,
            runner_domain=runner_domain,
            volumes=volumes,
            build_info=build_info,
            created_at=created_at,
            updated_at=updated_at,
            class_=class_,
        )

        sandbox.additional_properties = d
        return sandbox

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
from ..models.sandbox_volume import SandboxVolume
from ..models.string_map import StringMap
