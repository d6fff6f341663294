"""This SDK's generated models against responses of a later version of the API (issue 23).

What a later API does to a response, and what the models do about it (the rule is made once, in
generator/templates/model.py.jinja, and described in the README's "Regenerating after an API
change"):

- a required field it no longer sends: the schema's ``default`` if it has one, else ``None``
  if its type admits null, else ``daytona_api.types.MissingFieldError`` naming the model and
  the field (the wrapper raises it as ``APIResponseValidationError`` with ``.model`` and
  ``.field``) — never a bare ``KeyError``;
- an enum value added later: kept as a string (a pseudo-member of the enum), alone, in a list
  or in a nullable field;
- a field added later: kept in ``additional_properties`` and sent back by ``to_dict()``.

Checked on every model a wrapper method returns or reads (derived from the wrapper's source by
``models_returned``), with payloads built from this SDK's own schemas; and through the wrapper,
over loopback HTTP, with responses shaped as the later API sends them (``fixtures/``)."""

from __future__ import annotations

import copy
import enum
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import daytona_api.models as models
import pytest
import yaml
from daytona_api.types import MissingFieldError

from ..generated.conftest import Recorder, recorder, sample
from .models_returned import enum_fields, returned_models

__all__ = ["recorder"]

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEMAS: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "openapi" / "daytona.yaml").read_text()
)["components"]["schemas"]

#: a value no version of this SDK knows
LATER = "added-by-a-later-api"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def _pascal(name: str) -> str:
    parts = re.split(r"[^0-9a-zA-Z]+|(?<=[a-z0-9])(?=[A-Z])", name)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def schema_of(cls: type) -> dict[str, Any]:
    """The schema ``cls`` was generated from: a component, or an object inline in one."""
    name = cls.__name__
    if name in SCHEMAS:
        return SCHEMAS[name]  # type: ignore[no-any-return]
    for parent, schema in SCHEMAS.items():
        for prop_name, prop in (schema.get("properties") or {}).items():
            stem = parent + _pascal(prop_name)
            for variant in prop.get("oneOf") or prop.get("anyOf") or [prop]:
                if variant.get("type") == "object" and re.fullmatch(
                    re.escape(stem) + r"(Type\d+)?", name
                ):
                    return variant  # type: ignore[no-any-return]
    raise AssertionError(f"no schema found for {name}")


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(SCHEMAS[schema["$ref"].rsplit("/", 1)[1]])
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0])
    return schema


MODELS = [cls for cls in returned_models() if hasattr(cls, "from_dict")]


def test_the_models_the_wrapper_returns_are_derived_from_its_source() -> None:
    names = {cls.__name__ for cls in MODELS}
    # the ones the issue names, and their nested models, are among them
    assert {"Sandbox", "SnapshotDto", "VolumeDto", "PaginatedSnapshotsDto"} <= names
    assert {"BuildInfo", "SandboxVolume", "Command"} <= names
    assert len(names) >= 40
    assert all(getattr(models, n, None) is not None for n in names)


def _required_cases() -> Iterator[Any]:
    for cls in MODELS:
        schema = schema_of(cls)
        for field in schema.get("required", []):
            yield pytest.param(cls, field, id=f"{cls.__name__}.{field}")


@pytest.mark.parametrize(("cls", "field"), list(_required_cases()))
def test_a_required_field_a_later_api_no_longer_sends(cls: type, field: str) -> None:
    schema = schema_of(cls)
    payload = sample(schema)
    del payload[field]
    prop = schema["properties"][field]
    default = prop.get("default", _resolve(prop).get("default"))
    if isinstance(default, (str, int, float, bool)):
        parsed = cls.from_dict(payload)  # type: ignore[attr-defined]
        assert parsed.to_dict()[field] == default
    elif prop.get("nullable") or _resolve(prop).get("nullable"):
        parsed = cls.from_dict(payload)  # type: ignore[attr-defined]
        assert parsed.to_dict()[field] is None
    else:
        with pytest.raises(MissingFieldError) as caught:
            cls.from_dict(payload)  # type: ignore[attr-defined]
        assert (caught.value.model, caught.value.field) == (cls.__name__, field)
        assert not isinstance(caught.value, (KeyError, ValueError, TypeError))


def test_a_missing_field_of_a_nested_model_is_named_with_its_model() -> None:
    later = fixture("sandbox")
    del later["buildInfo"]["createdAt"]
    with pytest.raises(MissingFieldError) as caught:
        models.Sandbox.from_dict(later)
    assert (caught.value.model, caught.value.field) == ("BuildInfo", "createdAt")
    items = fixture("snapshot")
    page = {"items": [items, {k: v for k, v in items.items() if k != "name"}], "total": 2}
    page |= {"page": 1, "totalPages": 1}
    with pytest.raises(MissingFieldError) as caught:
        models.PaginatedSnapshotsDto.from_dict(page)
    assert (caught.value.model, caught.value.field) == ("SnapshotDto", "name")


def _enum_cases() -> Iterator[Any]:
    for cls in MODELS:
        schema = schema_of(cls)
        for name, prop in (schema.get("properties") or {}).items():
            target = _resolve(prop)
            if "enum" in target:
                yield pytest.param(cls, name, False, id=f"{cls.__name__}.{name}")
            elif target.get("type") == "array" and "enum" in _resolve(target["items"]):
                yield pytest.param(cls, name, True, id=f"{cls.__name__}.{name}[]")


ENUM_CASES = list(_enum_cases())


def test_every_enum_field_of_the_returned_models_is_covered() -> None:
    """The schema walk above finds as many enum fields as the generated classes hold."""
    from_schemas = {(c.values[0].__name__, c.values[1]) for c in ENUM_CASES}  # type: ignore[attr-defined]
    in_classes = sum(len(enum_fields(cls)) for cls in MODELS)
    assert len(from_schemas) == in_classes
    assert len(from_schemas) >= 10


def _nullable(cls: type, field: str) -> bool:
    prop = schema_of(cls)["properties"][field]
    return bool(prop.get("nullable") or _resolve(prop).get("nullable"))


@pytest.mark.parametrize(("cls", "field", "is_list"), ENUM_CASES)
def test_an_enum_value_added_by_a_later_api_is_kept(cls: type, field: str, is_list: bool) -> None:
    schema = schema_of(cls)
    payload = sample(schema)
    payload[field] = [payload[field][0], LATER] if is_list else LATER
    parsed = cls.from_dict(payload)  # type: ignore[attr-defined]
    held = [v for v in vars_of(parsed) if isinstance(v, enum.Enum) and v.value == LATER]
    assert len(held) == 1, "the later value is not held as an enum pseudo-member"
    assert held[0] == LATER and str(held[0]) == LATER
    assert parsed.to_dict()[field] == payload[field]  # sent back as received
    again = cls.from_dict(parsed.to_dict())  # type: ignore[attr-defined]
    assert again.to_dict() == parsed.to_dict()
    if _nullable(cls, field):  # (this API version has none yet: enums are never null in it)
        payload[field] = None
        assert cls.from_dict(payload).to_dict()[field] is None  # type: ignore[attr-defined]


def vars_of(instance: Any) -> Iterator[Any]:
    """The values of an attrs instance's fields, list items flattened."""
    import attrs

    for f in attrs.fields(type(instance)):
        value = getattr(instance, f.name)
        if isinstance(value, list):
            yield from value
        else:
            yield value


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_a_field_added_by_a_later_api_is_kept(cls: type) -> None:
    payload = sample(schema_of(cls))
    added = {"fieldAddedLater": {"nested": [1, "two", None]}, "anotherOne": 3}
    parsed = cls.from_dict({**payload, **added})  # type: ignore[attr-defined]
    for key, value in added.items():
        assert parsed.additional_properties[key] == value
        assert parsed.to_dict()[key] == value


# -- later shapes, through the wrapper over loopback HTTP ------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server(recorder: Recorder) -> Recorder:
    recorder.requests.clear()
    recorder.answers.clear()
    return recorder


def _client(server: Recorder) -> Any:
    from daytona_async import AsyncDaytona

    return AsyncDaytona(api_key="k", api_url=server.base_url, max_retries=0)


def test_the_later_snapshot_lacks_enabled_and_has_a_later_state() -> None:
    later = fixture("snapshot")
    assert "enabled" not in later and later["state"] not in SCHEMAS["SnapshotState"]["enum"]


@pytest.mark.anyio
async def test_listing_snapshots_of_a_later_api(server: Recorder) -> None:
    later = fixture("snapshot")
    general = copy.deepcopy(later) | {"id": "general-1", "general": True, "state": "active"}
    page = {"items": [later, general], "total": 2, "page": 1, "totalPages": 1}
    server.answers["/api/snapshots"] = (200, page)
    server.answers[f"/api/snapshots/{later['id']}"] = (200, later)
    async with _client(server) as daytona:
        listed = [s async for s in daytona.snapshots.list()]
        one = await daytona.snapshots.get(later["id"])
    assert [s.id for s in listed] == [later["id"], "general-1"]
    for snap in (listed[0], one):
        assert snap.enabled is True  # absent: the schema's default
        assert snap.state == "inactive" and str(snap.state) == "inactive"
        assert snap.additional_properties["regionIds"] == ["eu", "us"]
        assert snap.to_dict()["state"] == "inactive"


@pytest.mark.anyio
async def test_getting_a_sandbox_and_a_volume_of_a_later_api(server: Recorder) -> None:
    sandbox, volume = fixture("sandbox"), fixture("volume")
    server.answers[f"/api/sandbox/{sandbox['id']}"] = (200, sandbox)
    server.answers[f"/api/volumes/{volume['id']}"] = (200, volume)
    async with _client(server) as daytona:
        sb = await daytona.get(sandbox["id"])
        vol = await daytona.volumes.get_by_id(volume["id"])
    assert sb.id == sandbox["id"]
    assert sb.data.state == "resizing"
    assert sb.data.additional_properties["networkBlockAll"] is False
    assert sb.data.additional_properties["desiredState"] == "started"
    assert sb.data.volumes[0].additional_properties == {"subpath": "runs/17"}
    assert sb.data.to_dict()["daemonVersion"] == "0.5.0"
    assert vol.state == "ready" and vol.to_dict()["lastUsedAt"] == volume["lastUsedAt"]


@pytest.mark.anyio
async def test_a_required_field_missing_without_default_is_a_typed_error(
    server: Recorder,
) -> None:
    from daytona_async import APIResponseValidationError, DaytonaError

    sandbox = fixture("sandbox")
    del sandbox["user"]
    server.answers[f"/api/sandbox/{sandbox['id']}"] = (200, sandbox)
    snapshot = fixture("snapshot")
    del snapshot["cpu"]
    server.answers[f"/api/snapshots/{snapshot['id']}"] = (200, snapshot)
    async with _client(server) as daytona:
        with pytest.raises(APIResponseValidationError) as caught:
            await daytona.get(sandbox["id"])
        assert (caught.value.model, caught.value.field) == ("Sandbox", "user")
        assert isinstance(caught.value, DaytonaError)
        assert not isinstance(caught.value.__cause__, KeyError)
        with pytest.raises(APIResponseValidationError) as caught:
            await daytona.snapshots.get(snapshot["id"])
        assert (caught.value.model, caught.value.field) == ("SnapshotDto", "cpu")
