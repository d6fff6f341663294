from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import missing_field

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
        _pop_ = d.pop
        try:
            total_cpu_quota = _pop_("totalCpuQuota")

            total_gpu_quota = _pop_("totalGpuQuota")

            total_memory_quota = _pop_("totalMemoryQuota")

            total_disk_quota = _pop_("totalDiskQuota")

            current_cpu_usage = _pop_("currentCpuUsage")

            current_memory_usage = _pop_("currentMemoryUsage")

            current_disk_usage = _pop_("currentDiskUsage")

        except KeyError as _error_:
            raise missing_field("UsageOverview", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _usage_overview = object.__new__(cls)
        _usage_overview.total_cpu_quota = total_cpu_quota
        _usage_overview.total_gpu_quota = total_gpu_quota
        _usage_overview.total_memory_quota = total_memory_quota
        _usage_overview.total_disk_quota = total_disk_quota
        _usage_overview.current_cpu_usage = current_cpu_usage
        _usage_overview.current_memory_usage = current_memory_usage
        _usage_overview.current_disk_usage = current_disk_usage

        _usage_overview.additional_properties = d
        return _usage_overview

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
