"""The generated layer's reference: one row per operation (method, path, generated function).

Read from both sources and checked against each other: the operations of
``openapi/daytona.yaml`` and the endpoint modules of ``generated/daytona_api/api`` (their
``_get_kwargs`` method and URL). ``mkdocs build`` calls :func:`on_page_markdown` (an MkDocs
hook, see ``mkdocs.yml``) to put the table where ``docs/reference/operations.md`` says
``<!-- operations table -->``; ``tests/docs/test_operations_page.py`` checks it is complete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "openapi" / "daytona.yaml"
API = ROOT / "generated" / "daytona_api" / "api"
MARKER = "<!-- operations table -->"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # as the spec writes it, e.g. /sandbox/{sandboxIdOrName}
    function: (
        str  # dotted module of the generated function, e.g. daytona_api.api.sandbox.get_sandbox
    )
    summary: str


def _shape(path: str) -> str:
    """A path with its parameter names blanked: the spec's camelCase and the generated
    code's snake_case name the same route."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def generated_modules() -> dict[tuple[str, str], str]:
    """(METHOD, path shape) -> dotted module, for every endpoint module of the generated package."""
    found: dict[tuple[str, str], str] = {}
    for module in sorted(API.glob("*/*.py")):
        if module.name == "__init__.py":
            continue
        text = module.read_text()
        method = re.search(r'"method": "(\w+)"', text)
        url = re.search(r'"url": (?:f)?"([^"]+)"', text)
        if method is None or url is None:
            raise ValueError(f"{module}: no method/url in _get_kwargs")
        dotted = "daytona_api.api." + ".".join(module.relative_to(API).with_suffix("").parts)
        found[(method.group(1).upper(), _shape(url.group(1)))] = dotted
    return found


def operations() -> list[Operation]:
    """Every operation of the spec with the generated function that calls it, in spec order."""
    spec: dict[str, Any] = yaml.safe_load(SPEC.read_text())
    modules = generated_modules()
    result: list[Operation] = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            key = (method.upper(), _shape(path))
            if key not in modules:
                raise LookupError(f"{method.upper()} {path}: no generated module (make generate)")
            summary = " ".join(str(op.get("summary") or op.get("operationId", "")).split())
            result.append(Operation(method.upper(), path, modules[key], summary))
    return result


def table() -> str:
    ops = operations()
    lines = [
        f"{len(ops)} operations. Each module has `asyncio()` (the parsed body), "
        "`asyncio_detailed()` (status, headers, raw body) and, for byte or text bodies, "
        "`asyncio_stream()`; pass `client=daytona.api`.",
        "",
        "| method | path | function | summary |",
        "|---|---|---|---|",
    ]
    for op in ops:
        summary = op.summary.replace("|", "\\|")
        lines.append(f"| `{op.method}` | `{op.path}` | `{op.function}` | {summary} |")
    return "\n".join(lines) + "\n"


def on_page_markdown(markdown: str, **_: Any) -> str:
    """MkDocs hook: fill in the table."""
    return markdown.replace(MARKER, table()) if MARKER in markdown else markdown
