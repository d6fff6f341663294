"""Every generated model survives from_dict(to_dict(x)) for a payload built from its schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import daytona_api.models as models
import pytest
import yaml

SPEC = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "openapi" / "daytona.yaml").read_text()
)
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]


def model_names() -> list[str]:
    out = []
    for name, schema in SCHEMAS.items():
        if "enum" in schema or (schema.get("properties") is None and "allOf" not in schema):
            if name != "StringMap":
                continue
        if schema.get("properties") and any(
            p.get("format") == "binary" for p in schema["properties"].values()
        ):
            continue  # multipart request models carry file objects, not JSON
        out.append(name)
    return out


@pytest.mark.parametrize("name", model_names())
def test_model_round_trip(name: str, schema_sample: Callable[[dict[str, Any]], Any]) -> None:
    cls = getattr(models, name)
    payload = schema_sample(SCHEMAS[name])
    first = cls.from_dict(payload)
    again = cls.from_dict(first.to_dict())
    assert again == first
    assert again.to_dict() == first.to_dict()
    # nothing the payload carried is lost on the way
    assert set(first.to_dict()) == set(payload)


def test_enums_accept_their_values_and_unknown_ones() -> None:
    for name, schema in SCHEMAS.items():
        if "enum" not in schema:
            continue
        cls = getattr(models, name)
        for value in schema["enum"]:
            assert cls(value).value == value
            assert cls._parse(value) is cls(value)  # the fast path from_dict uses
        odd = cls("from-a-newer-server")
        assert odd == "from-a-newer-server" and isinstance(odd, cls)
        assert cls._parse("from-a-newer-server") == odd
        for wrong in (3, None, ["x"]):
            with pytest.raises(ValueError):
                cls._parse(wrong)
