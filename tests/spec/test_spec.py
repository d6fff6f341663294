"""The hand-written OpenAPI description: valid, complete against the wire facts, and shaped
so the generator keeps every model and typed function."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "daytona.yaml"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text())


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_document_is_valid_openapi() -> None:
    spec, _ = read_from_filename(str(SPEC))
    validate(spec)


def test_every_wire_operation_present_with_zero_differences() -> None:
    checker = SHARED / "tools" / "check_coverage.py"
    if not checker.exists():
        pytest.skip(f"{checker} is not beside this checkout")
    proc = subprocess.run(
        [sys.executable, str(checker), str(SPEC)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "131 of 131 operations present; 0 differences" in proc.stdout


def test_operation_ids_unique_and_every_operation_tagged(doc: dict[str, Any]) -> None:
    ops = operations(doc)
    ids = [op["operationId"] for _, _, op in ops]
    assert len(ops) == 131
    assert len(ids) == len(set(ids))
    assert all(len(op.get("tags", [])) == 1 for _, _, op in ops)


def test_every_success_body_has_a_schema_and_errors_share_one(doc: dict[str, Any]) -> None:
    for method, path, op in operations(doc):
        for status, resp in op["responses"].items():
            if "$ref" in resp:
                assert resp["$ref"].startswith("#/components/responses/"), (method, path)
                continue
            for content in (resp.get("content") or {}).values():
                assert "schema" in content, (method, path, status)
            if str(status).startswith(("4", "5")):
                pytest.fail(f"{method} {path} {status}: inline error response")
    for name, resp in doc["components"]["responses"].items():
        schema = resp["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, name


def test_enums_are_shared_never_inline(doc: dict[str, Any]) -> None:
    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if "enum" in node:
                pytest.fail(f"inline enum at {where}")
            for k, v in node.items():
                walk(v, f"{where}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}/{i}")

    for name, schema in doc["components"]["schemas"].items():
        if "enum" not in schema:
            walk(schema, name)
    walk(doc["paths"], "paths")


def test_real_content_types_and_typed_path_parameters(doc: dict[str, Any]) -> None:
    paths = doc["paths"]
    dl = paths["/toolbox/{sandboxId}/toolbox/files/download"]["get"]["responses"]["200"]
    assert list(dl["content"]) == ["application/octet-stream"]
    logs = paths[
        "/toolbox/{sandboxId}/toolbox/process/session/{sessionId}/command/{commandId}/logs"
    ]
    assert list(logs["get"]["responses"]["200"]["content"]) == ["text/plain"]
    assert list(paths["/sandbox/{sandboxId}/build-logs"]["get"]["responses"]["200"]["content"]) == [
        "text/plain"
    ]
    params = {
        p["name"]: p["schema"]["type"]
        for item in paths.values()
        for op in item.values()
        for p in op.get("parameters", [])
        if "name" in p and p["in"] == "path"
    }
    assert params["interval"] == "integer"
    assert params["port"] == "integer"
    assert params["isPublic"] == "boolean"


def test_real_success_codes_declared(doc: dict[str, Any]) -> None:
    p = doc["paths"]
    assert "201" in p["/sandbox/{sandboxId}/backup"]["post"]["responses"]
    assert "201" in p["/sandbox/{sandboxId}/autostop/{interval}"]["post"]["responses"]
    assert "201" in p["/toolbox/{sandboxId}/toolbox/process/session"]["post"]["responses"]
    assert "204" in p["/toolbox/{sandboxId}/toolbox/files"]["delete"]["responses"]
    assert "200" in p["/organizations/{organizationId}"]["delete"]["responses"]


def test_fields_the_service_sends_as_null_are_nullable(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]

    def nullable(schema: str, field: str) -> bool:
        return bool(schemas[schema]["properties"][field].get("nullable"))

    for schema, field in [
        ("Sandbox", "errorReason"),
        ("Sandbox", "buildInfo"),
        ("Sandbox", "snapshot"),
        ("SnapshotDto", "size"),
        ("SnapshotDto", "entrypoint"),
        ("SnapshotDto", "lastUsedAt"),
        ("ApiKeyList", "expiresAt"),
        ("ApiKeyList", "lastUsedAt"),
        ("VolumeDto", "errorReason"),
        ("SearchFilesResponse", "files"),
        ("SessionExecuteResponse", "exitCode"),
        ("Session", "commands"),
    ]:
        assert nullable(schema, field), f"{schema}.{field}"
