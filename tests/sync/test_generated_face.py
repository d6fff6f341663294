"""The sync face is generated from the async classes: committed output == the generator's
output, every public async member has its twin with the same parameters and docstring, and a
method or argument added to an async class appears on the sync face by regeneration."""

from __future__ import annotations

import importlib.util
import inspect
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from daytona_async import sync as sync_face
from daytona_async._client import AsyncDaytona
from daytona_async._fs import FileSystem

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gen() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("make_sync", ROOT / "generator" / "make_sync.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_sync"] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules["make_sync"]


def test_committed_sync_face_is_what_the_generator_writes() -> None:
    proc = subprocess.run(
        [sys.executable, "generator/make_sync.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_generation_is_deterministic(gen: ModuleType) -> None:
    assert gen.generate() == gen.generate()


def _pairs(gen: ModuleType) -> list[tuple[type, type]]:
    surface = gen.Surface(AsyncDaytona)
    return [(cls, getattr(sync_face, twin)) for cls, twin in surface.classes.items()]


def test_every_public_async_member_has_a_twin_with_the_same_parameters(gen: ModuleType) -> None:
    pairs = _pairs(gen)
    names = {twin.__name__ for _, twin in pairs}
    assert {"Daytona", "Sandbox", "SyncFileSystem", "SyncProcess", "SyncGit"} <= names
    assert {"SyncLspServer", "SyncCommandHandle", "SyncSnapshots", "SyncVolumes"} <= names
    checked = 0
    for cls, twin in pairs:
        for name in dir(cls):
            if name.startswith("_") or (cls.__name__, name) in gen.EXCLUDED:
                continue
            sync_name = gen.RENAMED_METHODS.get(name, name)
            assert hasattr(twin, sync_name), f"{twin.__name__} lacks {sync_name}"
            member = inspect.getattr_static(cls, name)
            if not inspect.isfunction(member):
                continue
            ours = inspect.signature(getattr(twin, sync_name)).parameters
            theirs = inspect.signature(member).parameters
            assert [(p.name, p.kind, p.default) for p in ours.values()] == [
                (p.name, p.kind, p.default) for p in theirs.values()
            ], f"{cls.__name__}.{name}"
            if member.__doc__:
                assert getattr(twin, sync_name).__doc__, f"{twin.__name__}.{sync_name}"
            checked += 1
    assert checked > 100
    # the constructor too
    ours = inspect.signature(sync_face.Daytona.__init__).parameters
    theirs = inspect.signature(AsyncDaytona.__init__).parameters
    assert list(ours) == list(theirs)


def test_a_new_async_method_or_argument_appears_by_regeneration(
    gen: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def touch(self: FileSystem, path: str, *, timeout: float | None = 5.0) -> bool:
        """Create an empty file (a method added to the async class)."""
        return True

    original = AsyncDaytona.__init__

    def init(
        self: AsyncDaytona,
        api_key: str | None = None,
        *,
        proxy: str | None = None,
        trust_env: bool = True,
    ) -> None:
        original(self, api_key)

    touch.__module__ = FileSystem.__module__
    init.__module__ = AsyncDaytona.__module__
    monkeypatch.setattr(FileSystem, "touch", touch, raising=False)
    monkeypatch.setattr(AsyncDaytona, "__init__", init)
    text = gen.generate()
    assert text != (ROOT / "wrappers" / "daytona_async" / "sync.py").read_text()
    assert "def touch(self, path: str, *, timeout: float | None = 5.0) -> bool:" in text
    assert '"""Create an empty file (a method added to the async class)."""' in text
    assert "return self._portal.call(lambda: self._async.touch(path, timeout=timeout))" in text
    assert "proxy: str | None = None" in text and "trust_env: bool = True" in text
    assert "_Async(api_key, proxy=proxy, trust_env=trust_env)" in text


def test_a_member_the_rules_cannot_map_fails_generation(
    gen: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def adopt(self: FileSystem, other: FileSystem) -> None:
        """A parameter whose type is an async class: no rule maps it."""

    adopt.__module__ = FileSystem.__module__
    monkeypatch.setattr(FileSystem, "adopt", adopt, raising=False)
    with pytest.raises(gen.GenerationError, match="adopt"):
        gen.generate()


def test_every_public_member_of_the_twins_has_a_docstring(gen: ModuleType) -> None:
    missing = []
    for _, twin in _pairs(gen):
        if not (twin.__doc__ or "").strip():
            missing.append(twin.__name__)
        for name, value in vars(twin).items():
            if name.startswith("_"):
                continue
            if not (inspect.getdoc(value) or "").strip():
                missing.append(f"{twin.__name__}.{name}")
    assert missing == []
