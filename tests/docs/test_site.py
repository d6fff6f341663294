"""The documentation site: the generated layer's page lists every operation, the API reference
names every public name, and ``mkdocs build --strict`` (what ``make docs`` runs) passes."""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import daytona_async
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def operations_table() -> ModuleType:
    spec = importlib.util.spec_from_file_location("operations_table", DOCS / "operations_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_operations_page_has_one_row_per_operation_of_the_spec() -> None:
    table = operations_table()
    spec = yaml.safe_load((ROOT / "openapi" / "daytona.yaml").read_text())
    in_spec = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in table.METHODS
    }
    ops = table.operations()
    assert {(op.method, op.path) for op in ops} == in_spec
    assert len(ops) == len(in_spec) == 131
    # every generated endpoint module is on the page once, and is a real module
    modules = sorted(op.function for op in ops)
    assert modules == sorted(table.generated_modules().values())
    assert len(set(modules)) == len(modules)
    for op in ops[::10]:
        assert hasattr(importlib.import_module(op.function), "asyncio_detailed")
    rows = [line for line in table.table().splitlines() if line.startswith("| `")]
    assert len(rows) == 131


def test_an_operation_without_a_generated_function_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = operations_table()
    spec = yaml.safe_load(table.SPEC.read_text())
    spec["paths"]["/brand-new"] = {"get": {"operationId": "brandNew", "summary": "new"}}
    changed = tmp_path / "daytona.yaml"
    changed.write_text(yaml.safe_dump(spec))
    monkeypatch.setattr(table, "SPEC", changed)
    with pytest.raises(LookupError, match="/brand-new"):
        table.operations()


def test_the_reference_renders_every_public_name() -> None:
    text = "\n".join(p.read_text() for p in (DOCS / "reference").glob("*.md"))
    rendered = set(re.findall(r"^::: ([\w.]+)", text, re.MULTILINE))
    listed = set(re.findall(r"^ {8}- (\w+)$", text, re.MULTILINE))  # members: of a module
    missing = [
        name
        for name in daytona_async.__all__
        if f"daytona_async.{name}" not in rendered and name not in listed
    ]
    assert missing == []


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    if not mkdocs.exists():
        pytest.skip("mkdocs is not installed (the docs extra)")
    proc = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "WARNING" not in proc.stderr
    page = (tmp_path / "site" / "reference" / "operations" / "index.html").read_text()
    assert page.count("daytona_api.api.") >= 131
    client = (tmp_path / "site" / "reference" / "client" / "index.html").read_text()
    assert 'id="daytona_async.AsyncDaytona.create"' in client
