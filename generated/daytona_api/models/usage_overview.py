from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="UsageOverview")


@_attrs_define
class UsageOverview:
    """
    Attributes:
        total_cpu_quota (float):
        total_gpu_quota (float):
        total_memory_quota (float):
        total_disk_quota (float):
        current_cpu_usage (float):
        current_memory_usage (float):
        current_disk_usage (float):
    """

    total_cpu_quota: float
    total_gpu_quota: float
    total_memory_quota: float
    total_disk_quota: float
    current_cpu_usage: float
    current_memory_usage: float
    current_disk_usage: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total_cpu_quota = self.total_cpu_quota

        total_gpu_quota = self.total_gpu_quota

        total_memory_quota = self.total_memory_quota

        total_disk_quota = self.total_disk_quota

        current_cpu_usage = self.current_cpu_usage

        current_memory_usage = self.current_memory_usage

        current_disk_usage = self.current_disk_usage

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "totalCpuQuota": total_cpu_quota,
                "totalGpuQuota": total_gpu_quota,
                "totalMemoryQuota": total_memory_quota,
                "totalDiskQuota": total_disk_quota,
                "currentCpuUsage": current_cpu_usage,
                "currentMemoryUsage": current_memory_usage,
                "currentDiskUsage": current_disk_usage,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        total_cpu_quota = d.pop("totalCpuQuota")

        total_gpu_quota = d.pop("totalGpuQuota")

        total_memory_quota = d.pop("totalMemoryQuota")

        total_disk_quota = d.pop("totalDiskQuota")

        current_cpu_usage = d.pop("currentCpuUsage")

        current_memory_usage = d.pop("currentMemoryUsage")

        current_disk_usage = d.pop("currentDiskUsage")

        usage_overview = cls(
            total_cpu_quota=total_cpu_quota,
            total_gpu_quota=total_gpu_quota,
            total_memory_quota=total_memory_quota,
            total_disk_quota=total_disk_quota,
            current_cpu_usage=current_cpu_usage,
            current_memory_usage=current_memory_usage,
            current_disk_usage=current_disk_usage,
        )

        usage_overview.additional_properties = d
        return usage_overview

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
