from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import missing_field

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
        _pop_ = d.pop
        try:
            hash_ = _pop_("hash")

            message = _pop_("message")

            author = _pop_("author")

            email = _pop_("email")

            timestamp = _pop_("timestamp")

        except KeyError as _error_:
            raise missing_field("GitCommitInfo", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _git_commit_info = object.__new__(cls)
        _git_commit_info.hash_ = hash_
        _git_commit_info.message = message
        _git_commit_info.author = author
        _git_commit_info.email = email
        _git_commit_info.timestamp = timestamp

        _git_commit_info.additional_properties = d
        return _git_commit_info

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
