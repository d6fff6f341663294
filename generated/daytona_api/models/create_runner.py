from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.region import Region
from ..models.sandbox_class import SandboxClass

T = TypeVar("T", bound="CreateRunner")


@_attrs_define
class CreateRunner:
    """
    Attributes:
        domain (str):
        api_url (str):
        api_key (str):
        cpu (float):
        memory (float):
        disk (float):
        gpu (float):
        gpu_type (str):
        class_ (SandboxClass):
        capacity (float):
        region (Region):
    """

    domain: str
    api_url: str
    api_key: str
    cpu: float
    memory: float
    disk: float
    gpu: float
    gpu_type: str
    class_: SandboxClass
    capacity: float
    region: Region
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        domain = self.domain

        api_url = self.api_url

        api_key = self.api_key

        cpu = self.cpu

        memory = self.memory

        disk = self.disk

        gpu = self.gpu

        gpu_type = self.gpu_type

        class_ = self.class_.value

        capacity = self.capacity

        region = self.region.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "domain": domain,
                "apiUrl": api_url,
                "apiKey": api_key,
                "cpu": cpu,
                "memory": memory,
                "disk": disk,
                "gpu": gpu,
                "gpuType": gpu_type,
                "class": class_,
                "capacity": capacity,
                "region": region,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        domain = d.pop("domain")

        api_url = d.pop("apiUrl")

        api_key = d.pop("apiKey")

        cpu = d.pop("cpu")

        memory = d.pop("memory")

        disk = d.pop("disk")

        gpu = d.pop("gpu")

        gpu_type = d.pop("gpuType")

        class_ = SandboxClass._parse(d.pop("class"))

        capacity = d.pop("capacity")

        region = Region._parse(d.pop("region"))

        create_runner = cls(
            domain=domain,
            api_url=api_url,
            api_key=api_key,
            cpu=cpu,
            memory=memory,
            disk=disk,
            gpu=gpu,
            gpu_type=gpu_type,
            class_=class_,
            capacity=capacity,
            region=region,
        )

        create_runner.additional_properties = d
        return create_runner

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
