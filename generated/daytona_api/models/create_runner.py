from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.region import Region
from ..models.sandbox_class import SandboxClass
from ..types import missing_field, redacted_repr

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
    api_key: str = _attrs_field(repr=redacted_repr)
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
        _pop_ = d.pop
        try:
            domain = _pop_("domain")

            api_url = _pop_("apiUrl")

            api_key = _pop_("apiKey")

            cpu = _pop_("cpu")

            memory = _pop_("memory")

            disk = _pop_("disk")

            gpu = _pop_("gpu")

            gpu_type = _pop_("gpuType")

            _class_ = _pop_("class")
            class_: SandboxClass
            try:
                class_ = _SandboxClass_BY_VALUE[_class_]
            except (KeyError, TypeError):
                class_ = SandboxClass._parse(_class_)

            capacity = _pop_("capacity")

            _region = _pop_("region")
            region: Region
            try:
                region = _Region_BY_VALUE[_region]
            except (KeyError, TypeError):
                region = Region._parse(_region)

        except KeyError as _error_:
            raise missing_field("CreateRunner", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _create_runner = object.__new__(cls)
        _create_runner.domain = domain
        _create_runner.api_url = api_url
        _create_runner.api_key = api_key
        _create_runner.cpu = cpu
        _create_runner.memory = memory
        _create_runner.disk = disk
        _create_runner.gpu = gpu
        _create_runner.gpu_type = gpu_type
        _create_runner.class_ = class_
        _create_runner.capacity = capacity
        _create_runner.region = region

        _create_runner.additional_properties = d
        return _create_runner

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


from ..models.region import _BY_VALUE as _Region_BY_VALUE
from ..models.sandbox_class import _BY_VALUE as _SandboxClass_BY_VALUE
