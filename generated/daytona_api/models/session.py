from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import missing_field

if TYPE_CHECKING:
    from ..models.command import Command


T = TypeVar("T", bound="Session")


@_attrs_define
class Session:
    """
    Attributes:
        session_id (str):
        commands (list[Command] | None):
    """

    session_id: str
    commands: list[Command] | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        commands: list[dict[str, Any]] | None
        if isinstance(self.commands, list):
            commands = []
            for commands_type_0_item_data in self.commands:
                commands_type_0_item = commands_type_0_item_data.to_dict()
                commands.append(commands_type_0_item)

        else:
            commands = self.commands

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sessionId": session_id,
                "commands": commands,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            session_id = _pop_("sessionId")

            commands = _parse_commands(_pop_("commands", None))

        except KeyError as _error_:
            raise missing_field("Session", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _session = object.__new__(cls)
        _session.session_id = session_id
        _session.commands = commands

        _session.additional_properties = d
        return _session

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
from ..models.command import Command


# the parser of commands, defined once instead of on every from_dict() call
def _parse_commands(data: object) -> list[Command] | None:
    if data is None:
        return data
    try:
        if not isinstance(data, list):
            raise TypeError()
        commands_type_0 = []
        _commands_type_0 = data
        for commands_type_0_item_data in _commands_type_0:
            commands_type_0_item = Command.from_dict(commands_type_0_item_data)

            commands_type_0.append(commands_type_0_item)

        return commands_type_0
    except (TypeError, ValueError, AttributeError, KeyError):
        pass
    return cast(list[Command] | None, data)
