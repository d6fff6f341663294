from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

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

    access_key: str
    secret: str
    session_token: str
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
        access_key = d.pop("accessKey")

        secret = d.pop("secret")

        session_token = d.pop("sessionToken")

        storage_url = d.pop("storageUrl")

        organization_id = d.pop("organizationId")

        bucket = d.pop("bucket")

        storage_access_dto = cls(
            access_key=access_key,
            secret=secret,
            session_token=session_token,
            storage_url=storage_url,
            organization_id=organization_id,
            bucket=bucket,
        )

        storage_access_dto.additional_properties = d
        return storage_access_dto

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
