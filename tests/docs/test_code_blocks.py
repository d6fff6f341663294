"""Every code block of the README and the docs runs as written, against the emulator, with
the settings that make it meaningful: ``RUN`` steps of image builds are executed
(``build_run_commands``), quotas leave room for the fan-out examples. See ``blocks.py`` for the
marks; a block that cannot run says why in the markdown, and is counted here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from daytona_emulator.testing import FAST_CLOCK, EmulatorServer

from .blocks import Block, all_blocks, blocks

BLOCKS = all_blocks()
RUN = [b for b in BLOCKS if b.skip is None]
SKIPPED = [b for b in BLOCKS if b.skip is not None]
QUOTAS = (("totalCpuQuota", 400), ("totalMemoryQuota", 800), ("totalDiskQuota", 4000))


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAYTONA_")}
    return {**env, **extra}


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(**FAST_CLOCK, build_run_commands=True, default_quota=QUOTAS) as server:
        yield server


def test_the_blocks_are_found_and_counted() -> None:
    # the extraction works (README quickstart, escape hatch, pytest file; a block per guide)
    assert len(RUN) >= 15
    assert all(b.language == "python" for b in RUN), [
        b.where for b in RUN if b.language != "python"
    ]
    print(f"{len(BLOCKS)} code blocks: {len(RUN)} run, {len(SKIPPED)} marked skip")
    for block in SKIPPED:
        print(f"  skip {block.where}: {block.skip}")


def test_a_block_in_another_language_must_be_marked(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```sh\npip install x\n```\n\n<!-- skip: installs -->\n```sh\nls\n```\n")
    first, second = blocks(page)
    assert first.skip is None and second.skip == "installs"
    page.write_text("<!-- skip: -->\n```sh\nls\n```\n")  # a reason is required
    assert blocks(page)[0].skip is None


@pytest.mark.parametrize("block", RUN, ids=lambda b: b.where)
def test_block_runs_as_written(block: Block, emulator: EmulatorServer, tmp_path: Path) -> None:
    first = block.code.splitlines()[0]
    if re.fullmatch(r"# (test_\w+\.py)", first):
        name = first[2:]
        (tmp_path / name).write_text(block.code)
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", name]
        env = clean_env()
    else:
        (tmp_path / "block.py").write_text(block.code)
        cmd = [sys.executable, "block.py"]
        env = clean_env(DAYTONA_API_URL=emulator.base_url, DAYTONA_API_KEY=emulator.api_key)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=tmp_path, env=env)
    assert proc.returncode == 0, f"{block.where}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr


def test_the_image_examples_execute_their_run_steps(emulator: EmulatorServer) -> None:
    # an Image example is meaningful only if the emulator runs its RUN steps
    assert emulator.settings.build_run_commands
    images = [b for b in RUN if ".run_commands(" in b.code]
    assert images, "no runnable Image example with run_commands"
