from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.backup_state import BackupState
from ..models.sandbox_class import SandboxClass
from ..models.sandbox_state import SandboxState
from ..types import UNSET, Unset, missing_field, redacted_repr

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
        env (StringMap): A map of string keys to string values (environment variables, labels).
        labels (StringMap): A map of string keys to string values (environment variables, labels).
        public (bool):
        target (str):
        cpu (float):
        gpu (float):
        memory (float):
        disk (float):
        name (str):  Default: ''.
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
        image (None | str | Unset):
        snapshot_state (BackupState | Unset):
        snapshot_created_at (str | Unset):
        info (SandboxInfo | Unset):
    """

    id: str
    organization_id: str
    user: str
    env: StringMap = _attrs_field(repr=redacted_repr)
    labels: StringMap
    public: bool
    target: str
    cpu: float
    gpu: float
    memory: float
    disk: float
    name: str = ""
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
    image: None | str | Unset = UNSET
    snapshot_state: BackupState | Unset = UNSET
    snapshot_created_at: str | Unset = UNSET
    info: SandboxInfo | Unset = UNSET
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

        name = self.name

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

        image: None | str | Unset
        if isinstance(self.image, Unset):
            image = UNSET
        else:
            image = self.image

        snapshot_state: str | Unset = UNSET
        if not isinstance(self.snapshot_state, Unset):
            snapshot_state = self.snapshot_state.value

        snapshot_created_at = self.snapshot_created_at

        info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.info, Unset):
            info = self.info.to_dict()

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
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            id = _pop_("id")

            organization_id = _pop_("organizationId")

            user = _pop_("user")

            env = StringMap.from_dict(_pop_("env"))

            labels = StringMap.from_dict(_pop_("labels"))

            public = _pop_("public")

            target = _pop_("target")

            cpu = _pop_("cpu")

            gpu = _pop_("gpu")

            memory = _pop_("memory")

            disk = _pop_("disk")

            name = _pop_("name", "")

            snapshot = _pop_("snapshot", UNSET)

            _state = _pop_("state", UNSET)
            state: SandboxState | Unset
            if isinstance(_state, Unset):
                state = UNSET
            else:
                try:
                    state = _SandboxState_BY_VALUE[_state]
                except (KeyError, TypeError):
                    state = SandboxState._parse(_state)

            error_reason = _pop_("errorReason", UNSET)

            _backup_state = _pop_("backupState", UNSET)
            backup_state: BackupState | Unset
            if isinstance(_backup_state, Unset):
                backup_state = UNSET
            else:
                try:
                    backup_state = _BackupState_BY_VALUE[_backup_state]
                except (KeyError, TypeError):
                    backup_state = BackupState._parse(_backup_state)

            backup_created_at = _pop_("backupCreatedAt", UNSET)

            auto_stop_interval = _pop_("autoStopInterval", UNSET)

            auto_archive_interval = _pop_("autoArchiveInterval", UNSET)

            runner_domain = _pop_("runnerDomain", UNSET)

            _volumes = _pop_("volumes", UNSET)
            volumes: list[SandboxVolume] | Unset = UNSET
            if _volumes is not UNSET:
                volumes = []
                for volumes_item_data in _volumes:
                    volumes_item = SandboxVolume.from_dict(volumes_item_data)

                    volumes.append(volumes_item)

            build_info = _parse_build_info(_pop_("buildInfo", UNSET))

            created_at = _pop_("createdAt", UNSET)

            updated_at = _pop_("updatedAt", UNSET)

            _class_ = _pop_("class", UNSET)
            class_: SandboxClass | Unset
            if isinstance(_class_, Unset):
                class_ = UNSET
            else:
                try:
                    class_ = _SandboxClass_BY_VALUE[_class_]
                except (KeyError, TypeError):
                    class_ = SandboxClass._parse(_class_)

            image = _pop_("image", UNSET)

            _snapshot_state = _pop_("snapshotState", UNSET)
            snapshot_state: BackupState | Unset
            if isinstance(_snapshot_state, Unset):
                snapshot_state = UNSET
            else:
                try:
                    snapshot_state = _BackupState_BY_VALUE[_snapshot_state]
                except (KeyError, TypeError):
                    snapshot_state = BackupState._parse(_snapshot_state)

            snapshot_created_at = _pop_("snapshotCreatedAt", UNSET)

            _info = _pop_("info", UNSET)
            info: SandboxInfo | Unset
            if isinstance(_info, Unset):
                info = UNSET
            else:
                info = SandboxInfo.from_dict(_info)

        except KeyError as _error_:
            raise missing_field("Workspace", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _workspace = object.__new__(cls)
        _workspace.id = id
        _workspace.organization_id = organization_id
        _workspace.user = user
        _workspace.env = env
        _workspace.labels = labels
        _workspace.public = public
        _workspace.target = target
        _workspace.cpu = cpu
        _workspace.gpu = gpu
        _workspace.memory = memory
        _workspace.disk = disk
        _workspace.name = name
        _workspace.snapshot = snapshot
        _workspace.state = state
        _workspace.error_reason = error_reason
        _workspace.backup_state = backup_state
        _workspace.backup_created_at = backup_created_at
        _workspace.auto_stop_interval = auto_stop_interval
        _workspace.auto_archive_interval = auto_archive_interval
        _workspace.runner_domain = runner_domain
        _workspace.volumes = volumes
        _workspace.build_info = build_info
        _workspace.created_at = created_at
        _workspace.updated_at = updated_at
        _workspace.class_ = class_
        _workspace.image = image
        _workspace.snapshot_state = snapshot_state
        _workspace.snapshot_created_at = snapshot_created_at
        _workspace.info = info

        _workspace.additional_properties = d
        return _workspace

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
from ..models.backup_state import _BY_VALUE as _BackupState_BY_VALUE
from ..models.build_info import BuildInfo
from ..models.sandbox_class import _BY_VALUE as _SandboxClass_BY_VALUE
from ..models.sandbox_info import SandboxInfo
from ..models.sandbox_state import _BY_VALUE as _SandboxState_BY_VALUE
from ..models.sandbox_volume import SandboxVolume
from ..models.string_map import StringMap


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
