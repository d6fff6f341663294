"""No credential in a repr: every field the YAML marks as one (``format: password`` or
``x-secret: true``; tests/spec/test_secret_marking.py checks that every credential-looking
field is marked) is shown as ``'***'`` by the generated model's ``repr()`` -- so by a log line
or a traceback -- while ``to_dict()``/``from_dict()`` still carry the value."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import daytona_api.models as models
import pytest
import yaml
from daytona_api.types import UNSET, Response

SCHEMAS: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "openapi" / "daytona.yaml").read_text()
)["components"]["schemas"]
SENTINEL = "s3cr3t-9f8e7d"


def is_marked(prop: dict[str, Any]) -> bool:
    return prop.get("x-secret") is True or prop.get("format") == "password"


def marked_fields() -> list[tuple[str, str]]:
    return [
        (schema_name, field)
        for schema_name, schema in SCHEMAS.items()
        for field, prop in (schema.get("properties") or {}).items()
        if is_marked(prop)
    ]


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def secret_value(prop: dict[str, Any]) -> Any:
    """The sentinel in the field's shape: a string, or a map holding it as key and value."""
    if prop.get("type") == "string":
        return SENTINEL
    return {SENTINEL: SENTINEL}


def test_the_list_comes_from_the_yaml_and_is_not_empty() -> None:
    found = set(marked_fields())
    assert {("StorageAccessDto", "secret"), ("ApiKeyResponse", "value")} <= found
    assert {("RegistryPushAccessDto", "secret"), ("Sandbox", "env")} <= found


@pytest.mark.parametrize(("schema_name", "field"), marked_fields())
def test_marked_field_never_shows_in_repr(
    schema_name: str, field: str, schema_sample: Callable[[dict[str, Any]], Any]
) -> None:
    schema = SCHEMAS[schema_name]
    payload = schema_sample(schema)
    payload[field] = secret_value(schema["properties"][field])
    model = getattr(models, schema_name).from_dict(payload)

    text = repr(model)
    assert SENTINEL not in text
    assert f"{snake(field)}='***'" in text
    # a whole response (raw body included) and a container of models do not show it either
    response = Response(200, json.dumps(payload).encode(), {}, model)
    assert SENTINEL not in repr(response) and SENTINEL not in str([model])
    # the value itself is intact for whoever asks for it
    assert model.to_dict()[field] == payload[field]
    assert type(model).from_dict(model.to_dict()) == model


@pytest.mark.parametrize(
    ("schema_name", "field"),
    [(s, f) for s, f in marked_fields() if f not in SCHEMAS[s].get("required", [])],
)
def test_unset_secret_shows_as_such(
    schema_name: str, field: str, schema_sample: Callable[[dict[str, Any]], Any]
) -> None:
    """Whether a credential is there is still visible (debugging needs it); never its value."""
    payload = schema_sample(SCHEMAS[schema_name])
    del payload[field]
    model = getattr(models, schema_name).from_dict(payload)
    assert getattr(model, snake(field)) is UNSET
    assert f"{snake(field)}={UNSET!r}" in repr(model)
