from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import missing_field, redacted_repr

T = TypeVar("T", bound="StorageAccessDto")


@_attrs_define
class StorageAccessDto:
    """
    Attributes:
        access_key (str):
        secret (str):
        session_token (str):
        storage_url (str):
        organization_id (str):
        bucket (str):
    """

    access_key: str = _attrs_field(repr=redacted_repr)
    secret: str = _attrs_field(repr=redacted_repr)
    session_token: str = _attrs_field(repr=redacted_repr)
    storage_url: str
    organization_id: str
    bucket: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_key = self.access_key

        secret = self.secret

        session_token = self.session_token

        storage_url = self.storage_url

        organization_id = self.organization_id

        bucket = self.bucket

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "accessKey": access_key,
                "secret": secret,
                "sessionToken": session_token,
                "storageUrl": storage_url,
                "organizationId": organization_id,
                "bucket": bucket,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            access_key = _pop_("accessKey")

            secret = _pop_("secret")

            session_token = _pop_("sessionToken")

            storage_url = _pop_("storageUrl")

            organization_id = _pop_("organizationId")

            bucket = _pop_("bucket")

        except KeyError as _error_:
            raise missing_field("StorageAccessDto", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _storage_access_dto = object.__new__(cls)
        _storage_access_dto.access_key = access_key
        _storage_access_dto.secret = secret
        _storage_access_dto.session_token = session_token
        _storage_access_dto.storage_url = storage_url
        _storage_access_dto.organization_id = organization_id
        _storage_access_dto.bucket = bucket

        _storage_access_dto.additional_properties = d
        return _storage_access_dto

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
