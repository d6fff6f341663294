from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import missing_field

T = TypeVar("T", bound="Organization")


@_attrs_define
class Organization:
    """
    Attributes:
        id (str):
        name (str):
        created_by (str):
        personal (bool):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        suspended (bool):
        suspended_at (datetime.datetime | None):
        suspension_reason (None | str):
        suspended_until (datetime.datetime | None):
    """

    id: str
    name: str
    created_by: str
    personal: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime
    suspended: bool
    suspended_at: datetime.datetime | None
    suspension_reason: None | str
    suspended_until: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        created_by = self.created_by

        personal = self.personal

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        suspended = self.suspended

        suspended_at: None | str
        if isinstance(self.suspended_at, datetime.datetime):
            suspended_at = self.suspended_at.isoformat()
        else:
            suspended_at = self.suspended_at

        suspension_reason: None | str
        suspension_reason = self.suspension_reason

        suspended_until: None | str
        if isinstance(self.suspended_until, datetime.datetime):
            suspended_until = self.suspended_until.isoformat()
        else:
            suspended_until = self.suspended_until

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "createdBy": created_by,
                "personal": personal,
                "createdAt": created_at,
                "updatedAt": updated_at,
                "suspended": suspended,
                "suspendedAt": suspended_at,
                "suspensionReason": suspension_reason,
                "suspendedUntil": suspended_until,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            id = _pop_("id")

            name = _pop_("name")

            created_by = _pop_("createdBy")

            personal = _pop_("personal")

            created_at = datetime.datetime.fromisoformat(_pop_("createdAt"))

            updated_at = datetime.datetime.fromisoformat(_pop_("updatedAt"))

            suspended = _pop_("suspended")

            suspended_at = _parse_suspended_at(_pop_("suspendedAt", None))

            suspension_reason = _pop_("suspensionReason", None)

            suspended_until = _parse_suspended_until(_pop_("suspendedUntil", None))

        except KeyError as _error_:
            raise missing_field("Organization", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _organization = object.__new__(cls)
        _organization.id = id
        _organization.name = name
        _organization.created_by = created_by
        _organization.personal = personal
        _organization.created_at = created_at
        _organization.updated_at = updated_at
        _organization.suspended = suspended
        _organization.suspended_at = suspended_at
        _organization.suspension_reason = suspension_reason
        _organization.suspended_until = suspended_until

        _organization.additional_properties = d
        return _organization

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


# the parser of suspended_at, defined once instead of on every from_dict() call
def _parse_suspended_at(data: object) -> datetime.datetime | None:
    if data is None:
        return data
    try:
        if not isinstance(data, str):
            raise TypeError()
        suspended_at_type_0 = datetime.datetime.fromisoformat(data)

        return suspended_at_type_0
    except (TypeError, ValueError, AttributeError, KeyError):
        pass
    return cast(datetime.datetime | None, data)


# the parser of suspended_until, defined once instead of on every from_dict() call
def _parse_suspended_until(data: object) -> datetime.datetime | None:
    if data is None:
        return data
    try:
        if not isinstance(data, str):
            raise TypeError()
        suspended_until_type_0 = datetime.datetime.fromisoformat(data)

        return suspended_until_type_0
    except (TypeError, ValueError, AttributeError, KeyError):
        pass
    return cast(datetime.datetime | None, data)
