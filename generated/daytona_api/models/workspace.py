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
    from ..models.sandbox_info import SandboxInfo
    from ..models.sandbox_volume import SandboxVolume
    from ..models.string_map import StringMap


T = TypeVar("T", bound="Workspace")


@_attrs_define
class Workspace:
    """
    Attributes:
        id (str):
        organization_id (str):
        user (str):
        env (StringMap):
        labels (StringMap):
        public (bool):
        target (str):
        cpu (float):
        gpu (float):
        memory (float):
        disk (float):
        name (str):  Default: ''.
        snapshot (None | str | Unset):
        state (None | SandboxState | Unset):
        error_reason (None | str | Unset):
        backup_state (BackupState | None | Unset):
        backup_created_at (None | str | Unset):
        auto_stop_interval (float | None | Unset):
        auto_archive_interval (float | None | Unset):
        runner_domain (None | str | Unset):
        volumes (list[SandboxVolume] | None | Unset):
        build_info (BuildInfo | None | Unset):
        created_at (None | str | Unset):
        updated_at (None | str | Unset):
        class_ (None | SandboxClass | Unset):
        image (None | str | Unset):
        snapshot_state (BackupState | None | Unset):
        snapshot_created_at (None | str | Unset):
        info (None | SandboxInfo | Unset):
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
    name: str = ""
    snapshot: None | str | Unset = UNSET
    state: None | SandboxState | Unset = UNSET
    error_reason: None | str | Unset = UNSET
    backup_state: BackupState | None | Unset = UNSET
    backup_created_at: None | str | Unset = UNSET
    auto_stop_interval: float | None | Unset = UNSET
    auto_archive_interval: float | None | Unset = UNSET
    runner_domain: None | str | Unset = UNSET
    volumes: list[SandboxVolume] | None | Unset = UNSET
    build_info: BuildInfo | None | Unset = UNSET
    created_at: None | str | Unset = UNSET
    updated_at: None | str | Unset = UNSET
    class_: None | SandboxClass | Unset = UNSET
    image: None | str | Unset = UNSET
    snapshot_state: BackupState | None | Unset = UNSET
    snapshot_created_at: None | str | Unset = UNSET
    info: None | SandboxInfo | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.build_info import BuildInfo
        from ..models.sandbox_info import SandboxInfo

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

        name = self.name

        snapshot: None | str | Unset
        if isinstance(self.snapshot, Unset):
            snapshot = UNSET
        else:
            snapshot = self.snapshot

        state: None | str | Unset
        if isinstance(self.state, Unset):
            state = UNSET
        elif isinstance(self.state, SandboxState):
            state = self.state.value
        else:
            state = self.state

        error_reason: None | str | Unset
        if isinstance(self.error_reason, Unset):
            error_reason = UNSET
        else:
            error_reason = self.error_reason

        backup_state: None | str | Unset
        if isinstance(self.backup_state, Unset):
            backup_state = UNSET
        elif isinstance(self.backup_state, BackupState):
            backup_state = self.backup_state.value
        else:
            backup_state = self.backup_state

        backup_created_at: None | str | Unset
        if isinstance(self.backup_created_at, Unset):
            backup_created_at = UNSET
        else:
            backup_created_at = self.backup_created_at

        auto_stop_interval: float | None | Unset
        if isinstance(self.auto_stop_interval, Unset):
            auto_stop_interval = UNSET
        else:
            auto_stop_interval = self.auto_stop_interval

        auto_archive_interval: float | None | Unset
        if isinstance(self.auto_archive_interval, Unset):
            auto_archive_interval = UNSET
        else:
            auto_archive_interval = self.auto_archive_interval

        runner_domain: None | str | Unset
        if isinstance(self.runner_domain, Unset):
            runner_domain = UNSET
        else:
            runner_domain = self.runner_domain

        volumes: list[dict[str, Any]] | None | Unset
        if isinstance(self.volumes, Unset):
            volumes = UNSET
        elif isinstance(self.volumes, list):
            volumes = []
            for volumes_type_0_item_data in self.volumes:
                volumes_type_0_item = volumes_type_0_item_data.to_dict()
                volumes.append(volumes_type_0_item)

        else:
            volumes = self.volumes

        build_info: dict[str, Any] | None | Unset
        if isinstance(self.build_info, Unset):
            build_info = UNSET
        elif isinstance(self.build_info, BuildInfo):
            build_info = self.build_info.to_dict()
        else:
            build_info = self.build_info

        created_at: None | str | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        else:
            created_at = self.created_at

        updated_at: None | str | Unset
        if isinstance(self.updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = self.updated_at

        class_: None | str | Unset
        if isinstance(self.class_, Unset):
            class_ = UNSET
        elif isinstance(self.class_, SandboxClass):
            class_ = self.class_.value
        else:
            class_ = self.class_

        image: None | str | Unset
        if isinstance(self.image, Unset):
            image = UNSET
        else:
            image = self.image

        snapshot_state: None | str | Unset
        if isinstance(self.snapshot_state, Unset):
            snapshot_state = UNSET
        elif isinstance(self.snapshot_state, BackupState):
            snapshot_state = self.snapshot_state.value
        else:
            snapshot_state = self.snapshot_state

        snapshot_created_at: None | str | Unset
        if isinstance(self.snapshot_created_at, Unset):
            snapshot_created_at = UNSET
        else:
            snapshot_created_at = self.snapshot_created_at

        info: dict[str, Any] | None | Unset
        if isinstance(self.info, Unset):
            info = UNSET
        elif isinstance(self.info, SandboxInfo):
            info = self.info.to_dict()
        else:
            info = self.info

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
                "name": name,
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
        if image is not UNSET:
            field_dict["image"] = image
        if snapshot_state is not UNSET:
            field_dict["snapshotState"] = snapshot_state
        if snapshot_created_at is not UNSET:
            field_dict["snapshotCreatedAt"] = snapshot_created_at
        if info is not UNSET:
            field_dict["info"] = info

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.build_info import BuildInfo
        from ..models.sandbox_info import SandboxInfo
        from ..models.sandbox_volume import SandboxVolume
        from ..models.string_map import StringMap

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

        name = d.pop("name")

        def _parse_snapshot(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        snapshot = _parse_snapshot(d.pop("snapshot", UNSET))

        def _parse_state(data: object) -> None | SandboxState | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                state_type_1 = SandboxState(data)

                return state_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SandboxState | Unset, data)

        state = _parse_state(d.pop("state", UNSET))

        def _parse_error_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error_reason = _parse_error_reason(d.pop("errorReason", UNSET))

        def _parse_backup_state(data: object) -> BackupState | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                backup_state_type_1 = BackupState(data)

                return backup_state_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BackupState | None | Unset, data)

        backup_state = _parse_backup_state(d.pop("backupState", UNSET))

        def _parse_backup_created_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        backup_created_at = _parse_backup_created_at(d.pop("backupCreatedAt", UNSET))

        def _parse_auto_stop_interval(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        auto_stop_interval = _parse_auto_stop_interval(d.pop("autoStopInterval", UNSET))

        def _parse_auto_archive_interval(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        auto_archive_interval = _parse_auto_archive_interval(
            d.pop("autoArchiveInterval", UNSET)
        )

        def _parse_runner_domain(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        runner_domain = _parse_runner_domain(d.pop("runnerDomain", UNSET))

        def _parse_volumes(data: object) -> list[SandboxVolume] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                volumes_type_0 = []
                _volumes_type_0 = data
                for volumes_type_0_item_data in _volumes_type_0:
                    volumes_type_0_item = SandboxVolume.from_dict(
                        volumes_type_0_item_data
                    )

                    volumes_type_0.append(volumes_type_0_item)

                return volumes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[SandboxVolume] | None | Unset, data)

        volumes = _parse_volumes(d.pop("volumes", UNSET))

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

        def _parse_created_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        created_at = _parse_created_at(d.pop("createdAt", UNSET))

        def _parse_updated_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        updated_at = _parse_updated_at(d.pop("updatedAt", UNSET))

        def _parse_class_(data: object) -> None | SandboxClass | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                class_type_1 = SandboxClass(data)

                return class_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SandboxClass | Unset, data)

        class_ = _parse_class_(d.pop("class", UNSET))

        def _parse_image(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        image = _parse_image(d.pop("image", UNSET))

        def _parse_snapshot_state(data: object) -> BackupState | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                snapshot_state_type_1 = BackupState(data)

                return snapshot_state_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BackupState | None | Unset, data)

        snapshot_state = _parse_snapshot_state(d.pop("snapshotState", UNSET))

        def _parse_snapshot_created_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        snapshot_created_at = _parse_snapshot_created_at(
            d.pop("snapshotCreatedAt", UNSET)
        )

        def _parse_info(data: object) -> None | SandboxInfo | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                info_type_1 = SandboxInfo.from_dict(data)

                return info_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SandboxInfo | Unset, data)

        info = _parse_info(d.pop("info", UNSET))

        workspace = cls(
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
            name=name,
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
            image=image,
            snapshot_state=snapshot_state,
            snapshot_created_at=snapshot_created_at,
            info=info,
        )

        workspace.additional_properties = d
        return workspace

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
