"""Every public name of daytona_async has a docstring, and its help() names the public path.

The surface is walked from ``daytona_async.__all__`` (see ``public_surface.py``): a name added
later is checked without editing this file.
"""

from __future__ import annotations

import inspect
import pydoc

import daytona_async
import pytest

from .public_surface import docstring, public_members, undocumented


def test_the_walk_reaches_the_whole_surface() -> None:
    names = {m.qualname for m in public_members()}
    # the walk follows annotations from __all__ into the resources and the sandbox's parts
    for expected in (
        "AsyncDaytona.create",
        "AsyncSandbox.state",
        "FileSystem.upload",
        "Process.exec",
        "CommandHandle.output",
        "Organizations.invite",
        "DockerRegistries.create",
        "Snapshots.create",
        "Image.run_commands",
        "gather",
        "Deadline.remaining",
    ):
        assert expected in names
    assert len(names) > 250


def test_every_public_name_has_a_docstring() -> None:
    missing = undocumented()
    assert missing == [], f"{len(missing)} public names without a docstring: {missing}"


def test_the_check_fails_on_a_name_without_a_docstring(monkeypatch: pytest.MonkeyPatch) -> None:
    # the check can fail: a new public method without a docstring is reported
    from daytona_async._sandbox import AsyncSandbox

    async def brand_new_method(self: AsyncSandbox) -> None:
        pass

    monkeypatch.setattr(AsyncSandbox, "brand_new_method", brand_new_method, raising=False)
    assert "AsyncSandbox.brand_new_method" in undocumented()


@pytest.mark.parametrize("name", daytona_async.__all__)
def test_public_classes_keep_their_source_and_docstring(name: str) -> None:
    # __module__ is left as defined: rewriting it to "daytona_async" would make help() read
    # better but break inspect.getsource() (and tools reading sources, like the sync
    # generator); the reference documents each name under its public path instead
    value = getattr(daytona_async, name)
    if inspect.isclass(value):
        assert value.__module__.startswith("daytona_async")
        assert inspect.getsource(value).lstrip().startswith(("class", "@"))
        text = pydoc.render_doc(value, renderer=pydoc.plaintext)
        assert (docstring(value) or "").splitlines()[0].strip() in text
