"""The hand-written OpenAPI description: valid, complete against the API's operations
(``operations.tsv``, kept in this repository), and shaped so the generator keeps every model
and typed function. Counts come from the YAML and the data file, never from a constant: adding
an operation to the YAML needs no edit here."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "daytona.yaml"
SHARED = ROOT.parent / "shared"
OPERATIONS = Path(__file__).with_name("operations.tsv")


@dataclass(frozen=True)
class Listed:
    """One line of ``operations.tsv``."""

    method: str
    path: str
    operation_id: str
    in_endpoint_list: bool
    required: frozenset[str]  # "location:name"


def listed_operations() -> list[Listed]:
    out = []
    for line in OPERATIONS.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        method, path, op_id, listed, required = line.split("\t")
        out.append(
            Listed(
                method,
                path,
                op_id,
                listed == "listed",
                frozenset() if required == "-" else frozenset(required.split(",")),
            )
        )
    return out


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


def test_every_operation_of_the_api_is_described(doc: dict[str, Any]) -> None:
    """Each operation of ``operations.tsv``: same method, path and operationId, and the same
    required parameters (optional extras are allowed: the daemon's ``recursive``, ``Range``)."""
    listed = listed_operations()
    assert len({(op.method, op.path) for op in listed}) == len(listed)
    problems = []
    for want in listed:
        item = doc["paths"].get(want.path, {})
        op = item.get(want.method.lower())
        if op is None:
            problems.append(f"missing: {want.method} {want.path}")
            continue
        if op["operationId"] != want.operation_id:
            problems.append(f"{want.method} {want.path}: operationId {op['operationId']}")
        params = [resolve(doc, p) for p in item.get("parameters", []) + op.get("parameters", [])]
        required = frozenset(f"{p['in']}:{p['name']}" for p in params if p.get("required"))
        if required != want.required:
            problems.append(f"{want.method} {want.path}: required {sorted(required)}")
    assert problems == []


def test_every_endpoint_of_the_public_list_is_covered(doc: dict[str, Any]) -> None:
    described = {(m.upper(), path) for m, path, _ in operations(doc)}
    listed = [op for op in listed_operations() if op.in_endpoint_list]
    assert listed, "operations.tsv marks no operation as listed"
    assert [(op.method, op.path) for op in listed if (op.method, op.path) not in described] == []


def test_external_wire_facts_checker_if_present() -> None:
    """An extra check with the wire-facts tool of the environment this project was built in,
    when it sits beside the checkout; the checks above do not depend on it."""
    checker = SHARED / "tools" / "check_coverage.py"
    if not checker.exists():
        pytest.skip(f"extra check only: {checker} is not beside this checkout")
    proc = subprocess.run(
        [sys.executable, str(checker), str(SPEC)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = re.search(r"(\d+) of (\d+) operations present; (\d+) differences", proc.stdout)
    assert summary is not None, proc.stdout
    present, total, differences = (int(g) for g in summary.groups())
    assert present == total and differences == 0


def resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_operation_ids_unique_and_every_operation_tagged(doc: dict[str, Any]) -> None:
    ops = operations(doc)
    ids = [op["operationId"] for _, _, op in ops]
    assert len(ops) >= len(listed_operations())
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
