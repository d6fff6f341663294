"""The public surface of ``daytona_async``, walked from ``__all__`` (not listed by hand).

Starting from every name in ``daytona_async.__all__``, each public class contributes its public
methods, properties and cached properties, and every class of the SDK that one of their
annotations names (the resource classes behind ``daytona.snapshots``, ``sb.fs``, ...) is walked
too. A name added later is found without touching this file.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass

import daytona_async


@dataclass(frozen=True)
class Member:
    qualname: str  # e.g. "AsyncSandbox.state"
    obj: object  # the function, property or class (docstrings are read from it)


@functools.cache
def sdk_classes() -> dict[str, type]:
    """Every class defined in a daytona_async module, by name (public names only)."""
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(daytona_async.__path__, "daytona_async."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            module_name = getattr(value, "__module__", "") or ""
            if (
                inspect.isclass(value)
                and not name.startswith("_")
                and module_name.startswith("daytona_async")
            ):
                found.setdefault(name, value)
    return found


def _annotation_classes(obj: object) -> set[type]:
    """SDK classes that the annotations of a function or property name."""
    func = obj.fget if isinstance(obj, property) else obj
    if isinstance(func, functools.cached_property):
        func = func.func
    annotations = getattr(func, "__annotations__", {})
    text = " ".join(a if isinstance(a, str) else repr(a) for a in annotations.values())
    classes = sdk_classes()
    return {classes[word] for word in re.findall(r"[A-Za-z_]\w*", text) if word in classes}


def _own_members(cls: type) -> Iterator[tuple[str, object]]:
    """Public callables and properties of ``cls`` and of its SDK bases (not object's,
    Exception's or attrs' machinery)."""
    seen: set[str] = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("daytona_async"):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            if isinstance(value, staticmethod | classmethod):
                value = value.__func__
            if inspect.isfunction(value) or isinstance(value, property | functools.cached_property):
                yield name, value


def public_members() -> list[Member]:
    """Every public name: the ``__all__`` names and the members of every class reached."""
    members: list[Member] = []
    queue: list[type] = []
    walked: set[type] = set()
    for name in daytona_async.__all__:
        value = getattr(daytona_async, name)
        if inspect.isclass(value):
            queue.append(value)
            members.append(Member(name, value))
        elif inspect.isfunction(value):
            members.append(Member(name, value))
            queue.extend(_annotation_classes(value))
    while queue:
        cls = queue.pop(0)
        if cls in walked:
            continue
        walked.add(cls)
        if cls.__name__ not in daytona_async.__all__:
            members.append(Member(cls.__name__, cls))
        for name, value in _own_members(cls):
            members.append(Member(f"{cls.__name__}.{name}", value))
            queue.extend(c for c in _annotation_classes(value) if c not in walked)
    return members


def docstring(obj: object) -> str | None:
    if isinstance(obj, functools.cached_property):
        return obj.__doc__ or obj.func.__doc__
    return inspect.getdoc(obj) if not inspect.isclass(obj) else obj.__dict__.get("__doc__")


def undocumented() -> list[str]:
    return sorted({m.qualname for m in public_members() if not (docstring(m.obj) or "").strip()})
