from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.region import Region
from ..models.runner_state import RunnerState
from ..models.sandbox_class import SandboxClass
from ..types import UNSET, Unset, missing_field

T = TypeVar("T", bound="Runner")


@_attrs_define
class Runner:
    """A machine that hosts sandboxes.

    Attributes:
        id (str):
        domain (str):
        api_url (str | Unset):
        cpu (float | Unset):
        memory (float | Unset):
        disk (float | Unset):
        gpu (float | Unset):
        gpu_type (str | Unset):
        class_ (SandboxClass | Unset):
        used (float | Unset):
        capacity (float | Unset):
        region (Region | Unset):
        state (RunnerState | Unset):
        last_checked (datetime.datetime | None | Unset):
        unschedulable (bool | Unset):
        created_at (datetime.datetime | Unset):
        updated_at (datetime.datetime | Unset):
    """

    id: str
    domain: str
    api_url: str | Unset = UNSET
    cpu: float | Unset = UNSET
    memory: float | Unset = UNSET
    disk: float | Unset = UNSET
    gpu: float | Unset = UNSET
    gpu_type: str | Unset = UNSET
    class_: SandboxClass | Unset = UNSET
    used: float | Unset = UNSET
    capacity: float | Unset = UNSET
    region: Region | Unset = UNSET
    state: RunnerState | Unset = UNSET
    last_checked: datetime.datetime | None | Unset = UNSET
    unschedulable: bool | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        domain = self.domain

        api_url = self.api_url

        cpu = self.cpu

        memory = self.memory

        disk = self.disk

        gpu = self.gpu

        gpu_type = self.gpu_type

        class_: str | Unset = UNSET
        if not isinstance(self.class_, Unset):
            class_ = self.class_.value

        used = self.used

        capacity = self.capacity

        region: str | Unset = UNSET
        if not isinstance(self.region, Unset):
            region = self.region.value

        state: str | Unset = UNSET
        if not isinstance(self.state, Unset):
            state = self.state.value

        last_checked: None | str | Unset
        if isinstance(self.last_checked, Unset):
            last_checked = UNSET
        elif isinstance(self.last_checked, datetime.datetime):
            last_checked = self.last_checked.isoformat()
        else:
            last_checked = self.last_checked

        unschedulable = self.unschedulable

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "domain": domain,
            }
        )
        if api_url is not UNSET:
            field_dict["apiUrl"] = api_url
        if cpu is not UNSET:
            field_dict["cpu"] = cpu
        if memory is not UNSET:
            field_dict["memory"] = memory
        if disk is not UNSET:
            field_dict["disk"] = disk
        if gpu is not UNSET:
            field_dict["gpu"] = gpu
        if gpu_type is not UNSET:
            field_dict["gpuType"] = gpu_type
        if class_ is not UNSET:
            field_dict["class"] = class_
        if used is not UNSET:
            field_dict["used"] = used
        if capacity is not UNSET:
            field_dict["capacity"] = capacity
        if region is not UNSET:
            field_dict["region"] = region
        if state is not UNSET:
            field_dict["state"] = state
        if last_checked is not UNSET:
            field_dict["lastChecked"] = last_checked
        if unschedulable is not UNSET:
            field_dict["unschedulable"] = unschedulable
        if created_at is not UNSET:
            field_dict["createdAt"] = created_at
        if updated_at is not UNSET:
            field_dict["updatedAt"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            id = _pop_("id")

            domain = _pop_("domain")

            api_url = _pop_("apiUrl", UNSET)

            cpu = _pop_("cpu", UNSET)

            memory = _pop_("memory", UNSET)

            disk = _pop_("disk", UNSET)

            gpu = _pop_("gpu", UNSET)

            gpu_type = _pop_("gpuType", UNSET)

            _class_ = _pop_("class", UNSET)
            class_: SandboxClass | Unset
            if isinstance(_class_, Unset):
                class_ = UNSET
            else:
                try:
                    class_ = _SandboxClass_BY_VALUE[_class_]
                except (KeyError, TypeError):
                    class_ = SandboxClass._parse(_class_)

            used = _pop_("used", UNSET)

            capacity = _pop_("capacity", UNSET)

            _region = _pop_("region", UNSET)
            region: Region | Unset
            if isinstance(_region, Unset):
                region = UNSET
            else:
                try:
                    region = _Region_BY_VALUE[_region]
                except (KeyError, TypeError):
                    region = Region._parse(_region)

            _state = _pop_("state", UNSET)
            state: RunnerState | Unset
            if isinstance(_state, Unset):
                state = UNSET
            else:
                try:
                    state = _RunnerState_BY_VALUE[_state]
                except (KeyError, TypeError):
                    state = RunnerState._parse(_state)

            last_checked = _parse_last_checked(_pop_("lastChecked", UNSET))

            unschedulable = _pop_("unschedulable", UNSET)

            _created_at = _pop_("createdAt", UNSET)
            created_at: datetime.datetime | Unset
            if isinstance(_created_at, Unset):
                created_at = UNSET
            else:
                created_at = datetime.datetime.fromisoformat(_created_at)

            _updated_at = _pop_("updatedAt", UNSET)
            updated_at: datetime.datetime | Unset
            if isinstance(_updated_at, Unset):
                updated_at = UNSET
            else:
                updated_at = datetime.datetime.fromisoformat(_updated_at)

        except KeyError as _error_:
            raise missing_field("Runner", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _runner = object.__new__(cls)
        _runner.id = id
        _runner.domain = domain
        _runner.api_url = api_url
        _runner.cpu = cpu
        _runner.memory = memory
        _runner.disk = disk
        _runner.gpu = gpu
        _runner.gpu_type = gpu_type
        _runner.class_ = class_
        _runner.used = used
        _runner.capacity = capacity
        _runner.region = region
        _runner.state = state
        _runner.last_checked = last_checked
        _runner.unschedulable = unschedulable
        _runner.created_at = created_at
        _runner.updated_at = updated_at

        _runner.additional_properties = d
        return _runner

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
from ..models.runner_state import _BY_VALUE as _RunnerState_BY_VALUE
from ..models.sandbox_class import _BY_VALUE as _SandboxClass_BY_VALUE


# the parser of last_checked, defined once instead of on every from_dict() call
def _parse_last_checked(data: object) -> datetime.datetime | None | Unset:
    if data is None:
        return data
    if isinstance(data, Unset):
        return data
    try:
        if not isinstance(data, str):
            raise TypeError()
        last_checked_type_0 = datetime.datetime.fromisoformat(data)

        return last_checked_type_0
    except (TypeError, ValueError, AttributeError, KeyError):
        pass
    return cast(datetime.datetime | None | Unset, data)
