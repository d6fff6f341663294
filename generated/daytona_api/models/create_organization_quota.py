from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateOrganizationQuota")


@_attrs_define
class CreateOrganizationQuota:
    """
    Attributes:
        total_cpu_quota (float | Unset):
        total_memory_quota (float | Unset):
        total_disk_quota (float | Unset):
        max_cpu_per_sandbox (float | Unset):
        max_memory_per_sandbox (float | Unset):
        max_disk_per_sandbox (float | Unset):
        snapshot_quota (float | Unset):
        max_snapshot_size (float | Unset):
        volume_quota (float | Unset):
    """

    total_cpu_quota: float | Unset = UNSET
    total_memory_quota: float | Unset = UNSET
    total_disk_quota: float | Unset = UNSET
    max_cpu_per_sandbox: float | Unset = UNSET
    max_memory_per_sandbox: float | Unset = UNSET
    max_disk_per_sandbox: float | Unset = UNSET
    snapshot_quota: float | Unset = UNSET
    max_snapshot_size: float | Unset = UNSET
    volume_quota: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total_cpu_quota = self.total_cpu_quota

        total_memory_quota = self.total_memory_quota

        total_disk_quota = self.total_disk_quota

        max_cpu_per_sandbox = self.max_cpu_per_sandbox

        max_memory_per_sandbox = self.max_memory_per_sandbox

        max_disk_per_sandbox = self.max_disk_per_sandbox

        snapshot_quota = self.snapshot_quota

        max_snapshot_size = self.max_snapshot_size

        volume_quota = self.volume_quota

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if total_cpu_quota is not UNSET:
            field_dict["totalCpuQuota"] = total_cpu_quota
        if total_memory_quota is not UNSET:
            field_dict["totalMemoryQuota"] = total_memory_quota
        if total_disk_quota is not UNSET:
            field_dict["totalDiskQuota"] = total_disk_quota
        if max_cpu_per_sandbox is not UNSET:
            field_dict["maxCpuPerSandbox"] = max_cpu_per_sandbox
        if max_memory_per_sandbox is not UNSET:
            field_dict["maxMemoryPerSandbox"] = max_memory_per_sandbox
        if max_disk_per_sandbox is not UNSET:
            field_dict["maxDiskPerSandbox"] = max_disk_per_sandbox
        if snapshot_quota is not UNSET:
            field_dict["snapshotQuota"] = snapshot_quota
        if max_snapshot_size is not UNSET:
            field_dict["maxSnapshotSize"] = max_snapshot_size
        if volume_quota is not UNSET:
            field_dict["volumeQuota"] = volume_quota

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        total_cpu_quota = _pop_("totalCpuQuota", UNSET)

        total_memory_quota = _pop_("totalMemoryQuota", UNSET)

        total_disk_quota = _pop_("totalDiskQuota", UNSET)

        max_cpu_per_sandbox = _pop_("maxCpuPerSandbox", UNSET)

        max_memory_per_sandbox = _pop_("maxMemoryPerSandbox", UNSET)

        max_disk_per_sandbox = _pop_("maxDiskPerSandbox", UNSET)

        snapshot_quota = _pop_("snapshotQuota", UNSET)

        max_snapshot_size = _pop_("maxSnapshotSize", UNSET)

        volume_quota = _pop_("volumeQuota", UNSET)

        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _create_organization_quota = object.__new__(cls)
        _create_organization_quota.total_cpu_quota = total_cpu_quota
        _create_organization_quota.total_memory_quota = total_memory_quota
        _create_organization_quota.total_disk_quota = total_disk_quota
        _create_organization_quota.max_cpu_per_sandbox = max_cpu_per_sandbox
        _create_organization_quota.max_memory_per_sandbox = max_memory_per_sandbox
        _create_organization_quota.max_disk_per_sandbox = max_disk_per_sandbox
        _create_organization_quota.snapshot_quota = snapshot_quota
        _create_organization_quota.max_snapshot_size = max_snapshot_size
        _create_organization_quota.volume_quota = volume_quota

        _create_organization_quota.additional_properties = d
        return _create_organization_quota

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
