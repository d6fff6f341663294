"""Every field of the YAML whose name says it holds a credential is marked as one, so the
generated model keeps it out of ``repr()`` (generator/templates/model.py.jinja): a string with
``format: password`` (OpenAPI's own hint), anything else with ``x-secret: true``. A new
credential field added to the YAML without the mark fails here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

SPEC = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "openapi" / "daytona.yaml").read_text()
)

# on the field name, lower-cased without separators
CREDENTIAL_NAME = re.compile(
    r"secret|password|passwd|passphrase|token|apikey|accesskey|privatekey|credential"
    r"|authorization|^env$|^environment$"  # environment variables routinely carry API keys
)
# a field named only `value`/`key` is a credential when its object is one (ApiKeyResponse.value)
CREDENTIAL_OBJECT = re.compile(r"key|secret|token|credential|password", re.IGNORECASE)
GENERIC_NAMES = {"value", "key"}

# name matches that are not secrets, with the reason
NOT_SECRET = {
    ("UserPublicKey", "key"): "an SSH public key: public by design",
}


def is_marked(prop: dict[str, Any]) -> bool:
    if prop.get("x-secret") is True:
        return True
    return prop.get("type") == "string" and prop.get("format") == "password"


def _walk(node: Any, owner: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            yield owner, name, prop
        for value in node.values():
            yield from _walk(value, owner)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, owner)


def all_properties() -> list[tuple[str, str, dict[str, Any]]]:
    """(owner, field name, field schema) for every object schema anywhere in the document:
    components (nested inline objects included) and inline request/response bodies, whose
    owner is their operationId."""
    out = [
        item
        for owner, schema in SPEC["components"]["schemas"].items()
        for item in _walk(schema, owner)
    ]
    for path, path_item in SPEC["paths"].items():
        for method, op in path_item.items():
            if isinstance(op, dict):
                out.extend(_walk(op, op.get("operationId", f"{method} {path}")))
    return out


def looks_like_credential(owner: str, name: str) -> bool:
    flat = re.sub(r"[^a-z]", "", name.lower())
    if CREDENTIAL_NAME.search(flat):
        return True
    return flat in GENERIC_NAMES and bool(CREDENTIAL_OBJECT.search(owner))


def test_every_credential_field_is_marked() -> None:
    unmarked = sorted(
        f"{owner}.{name}"
        for owner, name, prop in all_properties()
        if looks_like_credential(owner, name)
        and not is_marked(prop)
        and (owner, name) not in NOT_SECRET
    )
    assert unmarked == [], (
        "credential fields without `format: password` (strings) or `x-secret: true`: "
        + ", ".join(unmarked)
    )


def test_the_name_rule_finds_the_known_credentials() -> None:
    """The rule above is not vacuous: it catches the credentials this API is known to carry."""
    found = {(o, n) for o, n, _ in all_properties() if looks_like_credential(o, n)}
    assert {
        ("StorageAccessDto", "secret"),
        ("StorageAccessDto", "sessionToken"),
        ("ApiKeyResponse", "value"),
        ("RegistryPushAccessDto", "secret"),
        ("DockerRegistry", "password"),
        ("GitCloneRequest", "password"),
        ("Sandbox", "env"),
    } <= found
    assert not looks_like_credential("GitCommitRequest", "author")
    assert not looks_like_credential("ReplaceRequest", "newValue")
    assert set(NOT_SECRET) <= found, "an exemption no longer matches anything: drop it"


def test_marks_are_well_formed() -> None:
    """`format: password` only on strings, `x-secret` only as `true` (a typo would unmark)."""
    for owner, name, prop in all_properties():
        if prop.get("format") == "password":
            assert prop.get("type") == "string", f"{owner}.{name}"
        if "x-secret" in prop:
            assert prop["x-secret"] is True, f"{owner}.{name}"
