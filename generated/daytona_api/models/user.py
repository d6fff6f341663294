from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import missing_field

if TYPE_CHECKING:
    from ..models.user_public_key import UserPublicKey


T = TypeVar("T", bound="User")


@_attrs_define
class User:
    """
    Attributes:
        id (str):
        name (str):
        email (str):
        public_keys (list[UserPublicKey]):
    """

    id: str
    name: str
    email: str
    public_keys: list[UserPublicKey]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        email = self.email

        public_keys = []
        for public_keys_item_data in self.public_keys:
            public_keys_item = public_keys_item_data.to_dict()
            public_keys.append(public_keys_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "email": email,
                "publicKeys": public_keys,
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

            email = _pop_("email")

            public_keys = []
            _public_keys = _pop_("publicKeys")
            for public_keys_item_data in _public_keys:
                public_keys_item = UserPublicKey.from_dict(public_keys_item_data)

                public_keys.append(public_keys_item)

        except KeyError as _error_:
            raise missing_field("User", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _user = object.__new__(cls)
        _user.id = id
        _user.name = name
        _user.email = email
        _user.public_keys = public_keys

        _user.additional_properties = d
        return _user

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


# Imported at the end, once this module's class exists, so that models referring to each
# other still import; from_dict()/to_dict() then pay no import machinery per call.
from ..models.user_public_key import UserPublicKey
