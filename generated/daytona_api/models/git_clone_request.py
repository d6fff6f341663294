from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, missing_field, redacted_repr

T = TypeVar("T", bound="GitCloneRequest")


@_attrs_define
class GitCloneRequest:
    """What to clone and where. Note the snake_case `commit_id`, as on the wire.

    Attributes:
        url (str):
        path (str):
        username (str | Unset):
        password (str | Unset):
        branch (str | Unset):
        commit_id (str | Unset):
    """

    url: str
    path: str
    username: str | Unset = UNSET
    password: str | Unset = _attrs_field(default=UNSET, repr=redacted_repr)
    branch: str | Unset = UNSET
    commit_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        path = self.path

        username = self.username

        password = self.password

        branch = self.branch

        commit_id = self.commit_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "url": url,
                "path": path,
            }
        )
        if username is not UNSET:
            field_dict["username"] = username
        if password is not UNSET:
            field_dict["password"] = password
        if branch is not UNSET:
            field_dict["branch"] = branch
        if commit_id is not UNSET:
            field_dict["commit_id"] = commit_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            url = _pop_("url")

            path = _pop_("path")

            username = _pop_("username", UNSET)

            password = _pop_("password", UNSET)

            branch = _pop_("branch", UNSET)

            commit_id = _pop_("commit_id", UNSET)

        except KeyError as _error_:
            raise missing_field("GitCloneRequest", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _git_clone_request = object.__new__(cls)
        _git_clone_request.url = url
        _git_clone_request.path = path
        _git_clone_request.username = username
        _git_clone_request.password = password
        _git_clone_request.branch = branch
        _git_clone_request.commit_id = commit_id

        _git_clone_request.additional_properties = d
        return _git_clone_request

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
