from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="UpdateOrganizationQuota")


@_attrs_define
class UpdateOrganizationQuota:
    """
    Attributes:
        total_cpu_quota (float | None):
        total_memory_quota (float | None):
        total_disk_quota (float | None):
        max_cpu_per_sandbox (float | None):
        max_memory_per_sandbox (float | None):
        max_disk_per_sandbox (float | None):
        snapshot_quota (float | None):
        max_snapshot_size (float | None):
        volume_quota (float | None):
    """

    total_cpu_quota: float | None
    total_memory_quota: float | None
    total_disk_quota: float | None
    max_cpu_per_sandbox: float | None
    max_memory_per_sandbox: float | None
    max_disk_per_sandbox: float | None
    snapshot_quota: float | None
    max_snapshot_size: float | None
    volume_quota: float | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total_cpu_quota: float | None
        total_cpu_quota = self.total_cpu_quota

        total_memory_quota: float | None
        total_memory_quota = self.total_memory_quota

        total_disk_quota: float | None
        total_disk_quota = self.total_disk_quota

        max_cpu_per_sandbox: float | None
        max_cpu_per_sandbox = self.max_cpu_per_sandbox

        max_memory_per_sandbox: float | None
        max_memory_per_sandbox = self.max_memory_per_sandbox

        max_disk_per_sandbox: float | None
        max_disk_per_sandbox = self.max_disk_per_sandbox

        snapshot_quota: float | None
        snapshot_quota = self.snapshot_quota

        max_snapshot_size: float | None
        max_snapshot_size = self.max_snapshot_size

        volume_quota: float | None
        volume_quota = self.volume_quota

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "totalCpuQuota": total_cpu_quota,
                "totalMemoryQuota": total_memory_quota,
                "totalDiskQuota": total_disk_quota,
                "maxCpuPerSandbox": max_cpu_per_sandbox,
                "maxMemoryPerSandbox": max_memory_per_sandbox,
                "maxDiskPerSandbox": max_disk_per_sandbox,
                "snapshotQuota": snapshot_quota,
                "maxSnapshotSize": max_snapshot_size,
                "volumeQuota": volume_quota,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        total_cpu_quota = _pop_("totalCpuQuota", None)

        total_memory_quota = _pop_("totalMemoryQuota", None)

        total_disk_quota = _pop_("totalDiskQuota", None)

        max_cpu_per_sandbox = _pop_("maxCpuPerSandbox", None)

        max_memory_per_sandbox = _pop_("maxMemoryPerSandbox", None)

        max_disk_per_sandbox = _pop_("maxDiskPerSandbox", None)

        snapshot_quota = _pop_("snapshotQuota", None)

        max_snapshot_size = _pop_("maxSnapshotSize", None)

        volume_quota = _pop_("volumeQuota", None)

        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _update_organization_quota = object.__new__(cls)
        _update_organization_quota.total_cpu_quota = total_cpu_quota
        _update_organization_quota.total_memory_quota = total_memory_quota
        _update_organization_quota.total_disk_quota = total_disk_quota
        _update_organization_quota.max_cpu_per_sandbox = max_cpu_per_sandbox
        _update_organization_quota.max_memory_per_sandbox = max_memory_per_sandbox
        _update_organization_quota.max_disk_per_sandbox = max_disk_per_sandbox
        _update_organization_quota.snapshot_quota = snapshot_quota
        _update_organization_quota.max_snapshot_size = max_snapshot_size
        _update_organization_quota.volume_quota = volume_quota

        _update_organization_quota.additional_properties = d
        return _update_organization_quota

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
