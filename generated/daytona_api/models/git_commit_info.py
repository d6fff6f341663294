from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GitCommitInfo")


@_attrs_define
class GitCommitInfo:
    """
    Attributes:
        hash_ (str):
        message (str):
        author (str):
        email (str):
        timestamp (str):
    """

    hash_: str
    message: str
    author: str
    email: str
    timestamp: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        hash_ = self.hash_

        message = self.message

        author = self.author

        email = self.email

        timestamp = self.timestamp

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "hash": hash_,
                "message": message,
                "author": author,
                "email": email,
                "timestamp": timestamp,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        hash_ = d.pop("hash")

        message = d.pop("message")

        author = d.pop("author")

        email = d.pop("email")

        timestamp = d.pop("timestamp")

        git_commit_info = cls(
            hash_=hash_,
            message=message,
            author=author,
            email=email,
            timestamp=timestamp,
        )

        git_commit_info.additional_properties = d
        return git_commit_info

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
