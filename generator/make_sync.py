"""Generate the synchronous face of the SDK (``wrappers/daytona_async/sync.py``) from the async
classes: one delegating sync class per async class a user meets, reached from ``AsyncDaytona``
through the return types of its public methods and properties.

    python generator/make_sync.py            # (re)write wrappers/daytona_async/sync.py
    python generator/make_sync.py --check    # exit 1 (with a diff) if the committed file drifts

Every sync method keeps the async method's name, parameters (names, kinds, defaults,
annotations) and docstring; ``async``/``await`` go away and types are mapped:

- an async class of the SDK -> its sync twin (``AsyncDaytona`` -> ``Daytona``, ``AsyncSandbox``
  -> ``Sandbox``, any other ``X`` -> ``SyncX``); ``list[X]`` and ``X | None`` likewise;
- a coroutine -> its result, run through the client's portal (``_sync_runtime.Portal.call``);
- ``AsyncIterator[T]``/``AsyncGenerator[T, None]`` (an async generator, or a method returning
  one) -> ``SyncIterator[T]`` (a plain iterator, closable);
- an async context manager (``@asynccontextmanager`` or ``AbstractAsyncContextManager[T]``)
  -> ``SyncContextManager[T]``; ``__aenter__``/``__aexit__`` -> ``__enter__``/``__exit__``,
  ``__aiter__`` -> ``__iter__``, ``aclose`` -> ``close``;
- a parameter ``Callable[[X], Awaitable[R]]`` -> ``Callable[[X], R]``, run in worker threads;
- public instance attributes set in ``__init__`` become read-only properties.

The output is deterministic and ruff-formatted (the project's pinned ruff). Anything the rules
cannot map is an error here, never a silently missing method.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import difflib
import inspect
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "wrappers" / "daytona_async" / "sync.py"
PACKAGE = "daytona_async"

#: sync names that are not ``"Sync" + async name``
RENAMED = {"AsyncDaytona": "Daytona", "AsyncSandbox": "Sandbox"}

#: public members left out of the sync face, with the reason
EXCLUDED: dict[tuple[str, str], str] = {
    ("AsyncDaytona", "http"): "the httpx.AsyncClient is bound to the portal's loop",
    ("AsyncDaytona", "api"): "the generated async client is bound to the portal's loop",
    ("AsyncDaytona", "context"): "internal",
    ("AsyncSandbox", "context"): "internal",
}

#: types of public instance attributes whose value in ``__init__`` does not tell it
ATTRIBUTE_TYPES: dict[tuple[str, str], str] = {
    ("AsyncDaytona", "api_url"): "str",
    ("AsyncDaytona", "organization_id"): "str | None",
    ("AsyncDaytona", "target"): "str | None",
    ("LspServer", "project_path"): "str",
}

DUNDERS = {"__aenter__": "__enter__", "__aexit__": "__exit__", "__aiter__": "__iter__"}
RENAMED_METHODS = {"aclose": "close"}
ASYNC_ITERATORS = {"AsyncIterator", "AsyncGenerator", "AsyncIterable"}
ASYNC_CMS = {"AbstractAsyncContextManager"}
SIMPLE_DEFAULTS = (type(None), bool, int, float, str)

DOC_REWRITES = [
    (re.compile(r"\basync with\b"), "with"),
    (re.compile(r"\basync for\b"), "for"),
    (re.compile(r"\bawait "), ""),
    (re.compile(r"\baclose\b"), "close"),
    (re.compile(r"\bAsync client\b"), "Client"),
    (re.compile(r"\bOne client per event loop\b"), "One client per program, shared by its threads"),
    (re.compile(r"\bAsyncDaytona\b"), "Daytona"),
    (re.compile(r"\bAsyncSandbox\b"), "Sandbox"),
]


class GenerationError(Exception):
    pass


def _simple(value: object) -> bool:
    """Can ``repr(value)`` stand for the default in the output?"""
    if isinstance(value, tuple):
        return all(_simple(v) for v in value)
    return isinstance(value, SIMPLE_DEFAULTS)


def sync_doc(doc: str | None) -> str | None:
    if not doc:
        return None
    text = inspect.cleandoc(doc)
    for pattern, repl in DOC_REWRITES:
        text = pattern.sub(repl, text)
    return text


def fallback_doc(member: Member) -> str:
    """The docstring of a twin whose async member has none: every public name has one."""
    return f"Runs ``{member.owner.__name__}.{member.name}`` (no docstring there)."


def doc_literal(text: str, indent: str) -> str:
    body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = body.splitlines()
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""\n'
    out = [f'{indent}"""{lines[0]}']
    out += [f"{indent}{line}" if line else "" for line in lines[1:]]
    out.append(f'{indent}"""')
    return "\n".join(out) + "\n"


# -- names ---------------------------------------------------------------------------------


def module_names(module: ModuleType) -> dict[str, tuple[str, str | None]]:
    """What each top-level name of ``module`` refers to (imports under ``TYPE_CHECKING``
    included): name -> (module, attribute) or (module, None) for ``import module``."""
    tree = ast.parse(inspect.getsource(module))
    package = (
        module.__name__.rpartition(".")[0] if not hasattr(module, "__path__") else module.__name__
    )
    names: dict[str, tuple[str, str | None]] = {}

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If):
                visit(node.body)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - node.level + 1]
                    base = ".".join(parts + ([node.module] if node.module else []))
                for alias in node.names:
                    names[alias.asname or alias.name] = (base, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    names[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0],
                        None,
                    )
            elif isinstance(node, ast.ClassDef | ast.FunctionDef):
                names[node.name] = (module.__name__, node.name)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        names[target.id] = (module.__name__, target.id)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names[node.target.id] = (module.__name__, node.target.id)

    visit(tree.body)
    return names


@dataclass
class Imports:
    """The annotation-only imports of the output (under ``TYPE_CHECKING``)."""

    taken: set[str]  # names defined by the output itself
    froms: dict[str, dict[str, str]] = field(default_factory=dict)  # module -> name -> alias
    plain: set[str] = field(default_factory=set)
    aliases: dict[tuple[str, str], str] = field(default_factory=dict)

    def name(self, module: str, attr: str) -> str:
        key = (module, attr)
        if key in self.aliases:
            return self.aliases[key]
        alias = attr
        if alias in self.taken or any(a == alias and k != key for k, a in self.aliases.items()):
            prefix = "Api" if module.startswith("daytona_api") else "_"
            alias = prefix + attr
        self.aliases[key] = alias
        self.froms.setdefault(module, {})[attr] = alias
        return alias

    def module(self, module: str) -> str:
        self.plain.add(module)
        return module

    def render(self) -> str:
        lines = [f"    import {m}" for m in sorted(self.plain)]
        for module in sorted(self.froms):
            parts = sorted(
                (attr if attr == alias else f"{attr} as {alias}")
                for attr, alias in self.froms[module].items()
            )
            lines.append(f"    from {module} import {', '.join(parts)}")
        return "\n".join(lines)


# -- the model of the async surface ----------------------------------------------------------


@dataclass
class Member:
    name: str  # the async name
    kind: str  # "call" | "agen" | "acm" | "plain" | "property" | "attribute"
    owner: type
    obj: Any


class Surface:
    def __init__(self, root: type) -> None:
        self.root = root
        self.classes: dict[type, str] = {}  # async class -> sync name, in discovery order
        self.names: dict[str, dict[str, tuple[str, str | None]]] = {}
        self.out_names: set[str] = set()
        self._discover(root)

    # which classes get a twin ----------------------------------------------------------

    def is_async_class(self, cls: type) -> bool:
        if not cls.__module__.startswith(PACKAGE + ".") and cls.__module__ != PACKAGE:
            return False
        for klass in cls.__mro__:
            for name, obj in vars(klass).items():
                if name in DUNDERS:
                    return True
                fn = obj.fget if isinstance(obj, property) else obj
                if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
                    return True
        return False

    def sync_name(self, cls: type) -> str:
        return RENAMED.get(cls.__name__, "Sync" + cls.__name__)

    def _discover(self, root: type) -> None:
        queue = [root]
        self.classes[root] = self.sync_name(root)
        while queue:
            cls = queue.pop(0)
            for member in self.members(cls):
                for ann in self.annotations_of(member):
                    for ref in self.referenced_classes(ann, member):
                        if ref not in self.classes and self.is_async_class(ref):
                            self.classes[ref] = self.sync_name(ref)
                            queue.append(ref)
        self.out_names = set(self.classes.values())

    # members -----------------------------------------------------------------------------

    def members(self, cls: type) -> list[Member]:
        seen: set[str] = set()
        out: list[Member] = []
        for klass in cls.__mro__:
            if klass is object or not klass.__module__.startswith(PACKAGE):
                continue
            for name, obj in vars(klass).items():
                if name in seen:
                    continue
                seen.add(name)
                if (cls.__name__, name) in EXCLUDED:
                    continue
                if name.startswith("_") and name not in DUNDERS:
                    continue
                kind = self.kind(obj)
                if kind is not None:
                    out.append(Member(name, kind, klass, obj))
            init = vars(klass).get("__init__")
            if init is not None:
                for name, ann in self.init_attributes(klass, init):
                    if name not in seen:
                        seen.add(name)
                        out.append(Member(name, "attribute", klass, ann))
        return out

    @staticmethod
    def kind(obj: Any) -> str | None:
        if isinstance(obj, property | cached_property):
            return "property"
        if isinstance(obj, staticmethod | classmethod):
            return None
        if not inspect.isfunction(obj):
            return None
        wrapped = getattr(obj, "__wrapped__", None)
        if wrapped is not None and inspect.isasyncgenfunction(wrapped):
            return "acm"
        if inspect.iscoroutinefunction(obj):
            return "call"
        if inspect.isasyncgenfunction(obj):
            return "agen"
        return "plain"

    def init_attributes(self, klass: type, init: Any) -> list[tuple[str, str]]:
        """Public attributes assigned in ``__init__`` and their annotation text."""
        tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
        fn = tree.body[0]
        assert isinstance(fn, ast.FunctionDef)
        params = {a.arg: a.annotation for a in fn.args.args + fn.args.kwonlyargs}
        out: dict[str, str] = {}
        for node in ast.walk(fn):
            target: ast.expr | None = None
            ann: str | None = None
            if isinstance(node, ast.AnnAssign):
                target, ann = node.target, ast.unparse(node.annotation)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                value = node.value
                if isinstance(value, ast.Name) and params.get(value.id) is not None:
                    ann = ast.unparse(params[value.id])  # type: ignore[arg-type]
                elif isinstance(value, ast.Constant) and isinstance(value.value, SIMPLE_DEFAULTS):
                    ann = type(value.value).__name__ if value.value is not None else "None"
            if not (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
                and not target.attr.startswith("_")
            ):
                continue
            name = target.attr
            ann = ATTRIBUTE_TYPES.get((klass.__name__, name), ann)
            if ann is None:
                raise GenerationError(
                    f"{klass.__name__}.{name}: cannot tell its type from __init__; annotate it "
                    "there or add it to ATTRIBUTE_TYPES"
                )
            out.setdefault(name, ann)
        return list(out.items())

    def annotations_of(self, member: Member) -> list[str]:
        if member.kind == "attribute":
            return [member.obj]
        if member.kind == "property":
            fget = member.obj.fget if isinstance(member.obj, property) else member.obj.func
            return [inspect.signature(fget).return_annotation]
        sig = inspect.signature(member.obj)
        return [sig.return_annotation]

    def referenced_classes(self, ann: Any, member: Member) -> list[type]:
        if not isinstance(ann, str):
            return []
        module = sys.modules[member.owner.__module__]
        out = []
        for node in ast.walk(ast.parse(ann, mode="eval")):
            if isinstance(node, ast.Name):
                value = self.resolve(module, node.id)
                if isinstance(value, type):
                    out.append(value)
        return out

    def resolve(self, module: ModuleType, name: str) -> Any:
        target = self.names_of(module).get(name)
        if target is None:
            return getattr(builtins, name, None)
        mod, attr = target
        try:
            imported = __import__(mod, fromlist=["_"])
        except ImportError:
            return None
        return imported if attr is None else getattr(imported, attr, None)

    def names_of(self, module: ModuleType) -> dict[str, tuple[str, str | None]]:
        if module.__name__ not in self.names:
            self.names[module.__name__] = module_names(module)
        return self.names[module.__name__]


# -- emitting --------------------------------------------------------------------------------


class Emitter:
    def __init__(self, surface: Surface) -> None:
        self.s = surface
        self.imports = Imports(
            taken=set(surface.out_names) | {"SyncIterator", "SyncContextManager"}
        )
        self.uses_thread_fn = False
        self.seen: dict[int, str] = {}

    # annotations -----------------------------------------------------------------------

    def rewrite(self, ann: str, member: Member, *, allow_async: bool = False) -> str:
        """The annotation text for the output: SDK async classes -> their twins, every other
        name imported (under TYPE_CHECKING)."""
        module = sys.modules[member.owner.__module__]
        tree = ast.parse(ann, mode="eval")
        s = self.s

        class T(ast.NodeTransformer):
            def visit_Attribute(self_, node: ast.Attribute) -> ast.AST:
                root = node
                while isinstance(root, ast.Attribute):
                    root = root.value  # type: ignore[assignment]
                if isinstance(root, ast.Name):
                    target = s.names_of(module).get(root.id)
                    if target is None or target[1] is not None:
                        raise GenerationError(f"{ann!r}: unknown name {root.id}")
                    self.imports.module(target[0])
                return node

            def visit_Name(self_, node: ast.Name) -> ast.AST:
                value = s.resolve(module, node.id)
                if isinstance(value, type) and value in s.classes:
                    return ast.copy_location(ast.Name(s.classes[value]), node)
                if node.id in ASYNC_ITERATORS | ASYNC_CMS | {"Awaitable"} and not allow_async:
                    raise GenerationError(f"{member.owner.__name__}.{member.name}: {ann!r}")
                if node.id == "Self":
                    self.imports.name("typing", "Self")
                    return node
                target = s.names_of(module).get(node.id)
                if target is None:
                    if hasattr(builtins, node.id):
                        return node
                    raise GenerationError(f"{ann!r}: unknown name {node.id} in {module.__name__}")
                mod, attr = target
                if attr is None:
                    return ast.copy_location(ast.Name(self.imports.module(mod)), node)
                if value is not None and id(value) in self.seen:  # one name per object
                    return ast.copy_location(ast.Name(self.seen[id(value)]), node)
                alias = self.imports.name(mod, attr)
                if value is not None:
                    self.seen[id(value)] = alias
                return ast.copy_location(ast.Name(alias), node)

        return ast.unparse(T().visit(tree))

    def converter(self, ann_ast: ast.expr, member: Member, value: str, owner: type) -> str | None:
        """An expression converting ``value`` (of the async annotation) to the sync type;
        ``None`` when no conversion is needed."""
        module = sys.modules[member.owner.__module__]
        s = self.s
        if isinstance(ann_ast, ast.Name):
            if ann_ast.id == "Self":
                return "self"
            target = s.resolve(module, ann_ast.id)
            if isinstance(target, type) and target in s.classes:
                twin = s.classes[target]
                if target is owner:
                    return f"self._self_or({value}, {twin})"
                return f"{twin}({value}, self._portal)"
            return None
        if isinstance(ann_ast, ast.BinOp) and isinstance(ann_ast.op, ast.BitOr):
            parts = [ann_ast.left, ann_ast.right]
            if any(isinstance(p, ast.Constant) and p.value is None for p in parts):
                other = next(
                    p for p in parts if not (isinstance(p, ast.Constant) and p.value is None)
                )
                inner = self.converter(other, member, "_v", owner)
                if inner is None:
                    return None
                return f"(lambda _v: None if _v is None else {inner})({value})"
        if isinstance(ann_ast, ast.Subscript):
            base = ast.unparse(ann_ast.value)
            if base in ("list", "builtins.list"):
                inner = self.converter(ann_ast.slice, member, "_x", owner)  # type: ignore[arg-type]
                if inner is None:
                    return None
                return f"[{inner} for _x in {value}]"
        for node in ast.walk(ann_ast):
            if isinstance(node, ast.Name):
                target = s.resolve(module, node.id)
                if isinstance(target, type) and target in s.classes:
                    raise GenerationError(
                        f"{member.owner.__name__}.{member.name}: cannot convert {ast.unparse(ann_ast)}"
                    )
        return None

    def item_type(self, ann: str, member: Member) -> ast.expr:
        """``T`` of ``AsyncIterator[T]``/``AsyncGenerator[T, ...]``/``AbstractAsyncContextManager[T]``."""
        node = ast.parse(ann, mode="eval").body
        if not isinstance(node, ast.Subscript):
            raise GenerationError(f"{member.owner.__name__}.{member.name}: {ann!r}")
        sl = node.slice
        if isinstance(sl, ast.Tuple):
            sl = sl.elts[0]
        return sl

    # classes ---------------------------------------------------------------------------

    def emit_class(self, cls: type, twin: str) -> str:
        async_name = self.imports.name(cls.__module__, cls.__name__)
        out = [f"class {twin}(SyncBase):\n"]
        doc = sync_doc(cls.__doc__) or f"The sync twin of ``{cls.__name__}``."
        doc += f"\n\nSynchronous twin of :class:`{cls.__module__}.{cls.__name__}` (generated)."
        out.append(doc_literal(doc, "    "))
        out.append(f'\n    _async: {async_name}\n    _async_name = "{cls.__name__}"\n')
        if cls is self.s.root:
            out.append(self.emit_root_init(cls))
        for member in self.s.members(cls):
            out.append(self.emit_member(cls, member))
        return "".join(out)

    def emit_root_init(self, cls: type) -> str:
        member = Member("__init__", "plain", cls, cls.__init__)
        params, call = self.signature(member)
        async_name = self.imports.name(cls.__module__, cls.__name__)
        return (
            f"\n    def __init__({params}) -> None:\n"
            f"        from {cls.__module__} import {cls.__name__} as _Async\n\n"
            f"        _async: {async_name} = _Async({call})\n"
            f'        super().__init__(_async, Portal("daytona-sync"))\n'
        )

    def signature(self, member: Member) -> tuple[str, str]:
        """(parameter list text, argument list text forwarding them)."""
        sig = inspect.signature(member.obj)
        params: list[str] = []
        args: list[str] = []
        star_done = False
        for p in sig.parameters.values():
            ann = p.annotation
            text = p.name
            pass_as = p.name
            if ann is not inspect.Parameter.empty and p.name != "self":
                ann_text, wrap = self.param_annotation(ann, member)
                text += f": {ann_text}"
                if wrap:
                    pass_as = f"thread_fn({p.name})"
            if p.default is not inspect.Parameter.empty:
                if not _simple(p.default):
                    raise GenerationError(
                        f"{member.owner.__name__}.{member.name}: default of {p.name} is "
                        f"{p.default!r}, not a simple literal"
                    )
                text += (
                    f" = {p.default!r}" if ann is not inspect.Parameter.empty else f"={p.default!r}"
                )
            if p.kind is p.VAR_POSITIONAL:
                params.append("*" + text)
                args.append("*" + p.name)
                star_done = True
                continue
            if p.kind is p.VAR_KEYWORD:
                params.append("**" + text)
                args.append("**" + p.name)
                continue
            if p.kind is p.KEYWORD_ONLY and not star_done:
                params.append("*")
                star_done = True
            params.append(text)
            if p.name == "self":
                continue
            if p.kind is p.KEYWORD_ONLY:
                args.append(f"{p.name}={pass_as}")
            else:
                args.append(pass_as)
            if p.kind is p.POSITIONAL_ONLY:
                raise GenerationError(f"{member.name}: positional-only parameters")
        return ", ".join(params), ", ".join(args)

    def param_annotation(self, ann: str, member: Member) -> tuple[str, bool]:
        """(sync annotation, whether the argument is a sync callable to run in threads)."""
        node = ast.parse(ann, mode="eval").body
        if (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "Callable"
            and isinstance(node.slice, ast.Tuple)
            and len(node.slice.elts) == 2
        ):
            result = node.slice.elts[1]
            if isinstance(result, ast.Subscript) and ast.unparse(result.value) == "Awaitable":
                node.slice.elts[1] = result.slice  # type: ignore[assignment]
                self.uses_thread_fn = True
                return self.rewrite(ast.unparse(node), member), True
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                target = self.s.resolve(sys.modules[member.owner.__module__], sub.id)
                if isinstance(target, type) and target in self.s.classes:
                    raise GenerationError(
                        f"{member.owner.__name__}.{member.name}: a parameter of type {ann!r}"
                    )
        return self.rewrite(ann, member), False

    def emit_member(self, cls: type, member: Member) -> str:
        name = member.name
        if member.kind == "attribute":
            ann = self.rewrite(member.obj, member)
            conv = self.converter(
                ast.parse(member.obj, mode="eval").body, member, f"self._async.{name}", cls
            )
            doc = (
                f"The ``{name}`` attribute of the wrapped ``{member.owner.__name__}`` (read-only)."
            )
            return (
                f"\n    @property\n    def {name}(self) -> {ann}:\n"
                + doc_literal(doc, "        ")
                + f"        return {conv or f'self._async.{name}'}\n"
            )
        if member.kind == "property":
            fget = member.obj.fget if isinstance(member.obj, property) else member.obj.func
            ret = inspect.signature(fget).return_annotation
            ann = self.rewrite(ret, member)
            ann_ast = ast.parse(ret, mode="eval").body
            value = f"self._async.{name}"
            body = value
            if isinstance(ann_ast, ast.Name):
                target = self.s.resolve(sys.modules[member.owner.__module__], ann_ast.id)
                if isinstance(target, type) and target in self.s.classes:
                    body = f'self._same("{name}", {value}, {self.s.classes[target]})'
            if body == value:
                body = self.converter(ann_ast, member, value, cls) or value
            doc = sync_doc(fget.__doc__) or fallback_doc(member)
            return (
                f"\n    @property\n    def {name}(self) -> {ann}:\n"
                + doc_literal(doc, "        ")
                + f"        return {body}\n"
            )
        if name == "__repr__":
            return ""
        sync_name = DUNDERS.get(name, RENAMED_METHODS.get(name, name))
        params, args = self.signature(member)
        ret = inspect.signature(member.obj).return_annotation
        if ret is inspect.Signature.empty:
            raise GenerationError(f"{cls.__name__}.{name}: no return annotation")
        doc = sync_doc(member.obj.__doc__)
        if doc is None and name not in DUNDERS:
            doc = fallback_doc(member)
        doc_text = doc_literal(doc, "        ") if doc else ""
        target = f"self._async.{name}"
        is_root = cls is self.s.root
        kind = member.kind
        ret_ast = ast.parse(ret, mode="eval").body
        ret_base = ast.unparse(ret_ast.value) if isinstance(ret_ast, ast.Subscript) else ""
        if kind == "plain" and ret_base in ASYNC_ITERATORS:
            kind = "agen"
        elif kind == "plain" and ret_base in ASYNC_CMS:
            kind = "acm"
        if kind in ("agen", "acm"):
            item = self.item_type(ret, member)
            item_text = ast.unparse(item)
            sync_item = self.rewrite(item_text, member)
            conv = self.converter(item, member, "_v", cls)
            conv_arg = "" if conv is None else f", lambda _v: {conv}"
            wrapper = "SyncIterator" if kind == "agen" else "SyncContextManager"
            ann = f"{wrapper}[{sync_item}]"
            body = f"return {wrapper}(self._portal, lambda: {target}({args}){conv_arg})"
            if name == "__aiter__":
                sync_name = "__iter__"
            return f"\n    def {sync_name}({params}) -> {ann}:\n{doc_text}        {body}\n"
        if kind == "plain":
            ann = self.rewrite(ret, member)
            conv = self.converter(ret_ast, member, f"{target}({args})", cls)
            return (
                f"\n    def {sync_name}({params}) -> {ann}:\n{doc_text}"
                f"        return {conv or f'{target}({args})'}\n"
            )
        assert kind == "call"
        if name == "__aexit__":
            if is_root:
                body = f"self._portal.close(lambda: {target}({args}))"
            else:
                body = f"return self._portal.call(lambda: {target}({args}))"
            ann = self.rewrite(ret, member)
            return f"\n    def {sync_name}({params}) -> {ann}:\n{doc_text}        {body}\n"
        if name == "aclose" and is_root:
            ann = self.rewrite(ret, member)
            return (
                f"\n    def {sync_name}({params}) -> {ann}:\n{doc_text}"
                f"        self._portal.close({target})\n"
            )
        ann = self.rewrite(ret, member)
        call = f"self._portal.call(lambda: {target}({args}))"
        conv = self.converter(ret_ast, member, "_r", cls)
        if conv == "self":
            body = f"{call}\n        return self"
        elif conv is None:
            body = f"return {call}"
        else:
            body = f"_r = {call}\n        return {conv}"
        return f"\n    def {sync_name}({params}) -> {ann}:\n{doc_text}        {body}\n"

    def render(self) -> str:
        classes = [self.emit_class(cls, twin) for cls, twin in self.s.classes.items()]
        body = "\n\n".join(classes)
        runtime = ["Portal", "SyncBase", "SyncContextManager", "SyncIterator", "SyncUsageError"]
        if self.uses_thread_fn:
            runtime.append("thread_fn")
        # the twins, and the runtime types their methods return or raise
        twins = sorted(
            [*self.s.classes.values(), "SyncContextManager", "SyncIterator", "SyncUsageError"]
        )
        header = (
            '"""The synchronous face of the SDK: ``with Daytona() as d: ...`` — the async classes\' '
            "twins, each\nmethod running the async one on the client's event loop "
            "(its portal).\n\nGENERATED by generator/make_sync.py from the async "
            "classes: do not edit; run `make\ngenerate-sync`. See "
            ":mod:`daytona_async._sync_runtime` for how calls, streams, Ctrl-C and\nclose() work.\n"
            '"""\n\n'
            "from __future__ import annotations\n\n"
            "from typing import TYPE_CHECKING\n\n"
            f"from ._sync_runtime import {', '.join(runtime)}\n\n"
            "if TYPE_CHECKING:\n" + self.imports.render() + "\n\n"
            f"__all__ = {twins!r}\n\n\n"
        )
        return header + body + "\n"


def ruff(text: str, filename: Path) -> str:
    exe = Path(sys.executable).parent / "ruff"
    cmd = [str(exe) if exe.exists() else "ruff"]
    for args in (
        ["check", "--fix-only", "--quiet", "--select", "I,UP", "--stdin-filename"],
        ["format", "--quiet", "--stdin-filename"],
    ):
        proc = subprocess.run(
            cmd + args + [str(filename), "-"],
            input=text,
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if proc.returncode != 0:
            raise GenerationError(f"ruff {args[0]} failed: {proc.stderr}")
        text = proc.stdout
    return text


def generate() -> str:
    from daytona_async._client import AsyncDaytona

    surface = Surface(AsyncDaytona)
    return ruff(Emitter(surface).render(), OUTPUT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed file drifts")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    opts = parser.parse_args(argv)
    text = generate()
    if opts.check:
        current = opts.output.read_text() if opts.output.exists() else ""
        if current != text:
            diff = difflib.unified_diff(
                current.splitlines(True), text.splitlines(True), str(opts.output), "generated"
            )
            sys.stdout.writelines(list(diff)[:60])
            print(
                f"\n{opts.output.relative_to(ROOT)} drifts from the async classes: run "
                "'make generate-sync' and commit"
            )
            return 1
        print(f"{opts.output.relative_to(ROOT)} is up to date")
        return 0
    opts.output.write_text(text)
    print(f"wrote {opts.output.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
