"""Which generated models the wrapper hands to its users or reads: derived from the wrapper's
source, not listed by hand. Every generated endpoint module the wrapper imports
(``from daytona_api.api.<tag> import <operation>``) contributes the model(s) its
``_parse_response`` returns; every model the wrapper imports from ``daytona_api.models`` and
parses (``.from_dict``) contributes itself; then every model those hold (fields, list items,
union members), transitively."""

from __future__ import annotations

import ast
import enum
import importlib
import types
import typing
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import daytona_api.models as models

WRAPPER = Path(__file__).resolve().parents[2] / "wrappers" / "daytona_async"

__all__ = ["enum_fields", "returned_models", "wrapper_endpoints"]


def _wrapper_trees() -> list[ast.Module]:
    return [ast.parse(p.read_text(encoding="utf-8")) for p in sorted(WRAPPER.rglob("*.py"))]


def wrapper_endpoints() -> list[types.ModuleType]:
    """The generated endpoint modules the wrapper calls."""
    names: set[str] = set()
    for tree in _wrapper_trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "daytona_api.api."
            ):
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module == "daytona_api.api":
                names.update(f"daytona_api.api.{alias.name}" for alias in node.names)
    out = []
    for name in sorted(names):
        module = importlib.import_module(name)
        if hasattr(module, "_parse_response"):
            out.append(module)
    return out


def _parsed_by_wrapper() -> set[type]:
    """Models the wrapper imports and parses itself (``Model.from_dict(...)``)."""
    parsed: set[str] = set()
    for tree in _wrapper_trees():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "from_dict"
                and isinstance(node.func.value, ast.Name)
            ):
                parsed.add(node.func.value.id)
    return {getattr(models, n) for n in parsed if attrs.has(getattr(models, n, None) or int)}


def _classes_in(hint: Any) -> set[type]:
    """The attrs model classes and enums a type hint mentions."""
    if isinstance(hint, type):
        if attrs.has(hint) or issubclass(hint, enum.Enum):
            return {hint}
        return set()
    out: set[type] = set()
    for arg in typing.get_args(hint):
        out |= _classes_in(arg)
    return out


def _hints(obj: Any) -> dict[str, Any]:
    namespace = {**vars(models), **vars(importlib.import_module(obj.__module__))}
    return typing.get_type_hints(obj, globalns=namespace)


@cache
def returned_models() -> tuple[type, ...]:
    """Every attrs model a wrapper method returns or reads, nested ones included (sorted by
    name)."""
    todo: set[type] = set(_parsed_by_wrapper())
    for module in wrapper_endpoints():
        todo |= _classes_in(_hints(module._parse_response)["return"])
    seen: set[type] = set()
    while todo:
        cls = todo.pop()
        if cls in seen or not attrs.has(cls):
            continue
        seen.add(cls)
        for hint in _hints(cls).values():
            todo |= {c for c in _classes_in(hint) if c not in seen}
    return tuple(sorted(seen, key=lambda c: c.__name__))


def enum_fields(cls: type) -> list[tuple[attrs.Attribute[Any], type[enum.Enum]]]:
    """The fields of ``cls`` that hold an enum (alone, in a list, or nullable)."""
    hints = _hints(cls)
    out = []
    for field in attrs.fields(cls):
        if field.name == "additional_properties":
            continue
        for found in _classes_in(hints[field.name]):
            if isinstance(found, type) and issubclass(found, enum.Enum):
                out.append((field, found))
    return out
