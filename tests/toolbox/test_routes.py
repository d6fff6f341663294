"""The wrapper sends every request through the generated endpoint functions (their public
``asyncio_detailed``/``asyncio_stream``), except the routes listed in ``HAND_BUILT_ROUTES``
(each with its reason): no URL is built by hand anywhere else in the package, and nothing
reaches into a generated module's private helpers (``_get_kwargs``...)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import daytona_async
import yaml
from daytona_async._fs import HAND_BUILT_ROUTES

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(daytona_async.__file__).parent
# the transport layer: where requests are sent, never where a route is chosen
TRANSPORT_MODULES = {"_context.py", "_http.py", "_transport.py"}
# helpers that build or send a request to a URL given by the caller
URL_SENDERS = {"_url", "request", "path", "build_request", "endpoint_request"}
# what a generated endpoint module keeps to itself
GENERATED_PRIVATE = {"_get_kwargs", "_parse_response", "_build_response"}
API_PATH = re.compile(
    r"^/(toolbox|sandbox|snapshots|volumes|files|process|git|lsp|users|organizations|"
    r"api-keys|docker-registry|runners|object-storage|preview)\b"
)


def test_every_hand_built_route_is_in_the_spec_with_a_reason() -> None:
    spec = yaml.safe_load((ROOT / "openapi" / "daytona.yaml").read_text())
    assert HAND_BUILT_ROUTES
    for (method, path), reason in HAND_BUILT_ROUTES.items():
        assert method.lower() in spec["paths"][path], (method, path)
        assert len(reason) > 40, (method, path)


def test_wrapper_builds_no_other_url() -> None:
    allowed = {path for _, path in HAND_BUILT_ROUTES}
    problems = []
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 20
    for module in modules:
        name = str(module.relative_to(PACKAGE))
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in GENERATED_PRIVATE:
                problems.append(f"{name}:{node.lineno}: generated internals .{node.attr}")
            if name in TRANSPORT_MODULES:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if API_PATH.match(node.value) and node.value not in allowed:
                    problems.append(f"{name}:{node.lineno}: URL literal {node.value!r}")
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in URL_SENDERS and name != "_fs.py":
                    problems.append(f"{name}:{node.lineno}: hand-built request via {called}()")
    assert problems == []


def test_fs_builds_only_the_bulk_upload_by_hand() -> None:
    tree = ast.parse((PACKAGE / "_fs.py").read_text())
    senders = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"build_request", "_url", "request", "path"}
    ]
    send_bulk = next(
        n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef) and n.name == "_send_bulk"
    )
    inside = range(send_bulk.lineno, (send_bulk.end_lineno or 0) + 1)
    assert senders and all(line in inside for line in senders)
