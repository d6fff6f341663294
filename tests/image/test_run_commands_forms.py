"""``Image.run_commands`` means what the official SDK's does: each string one shell command,
each list one argv; a one-element list holding a whole command line is refused early (it would
be a program named ``mkdir -p /app`` and fail the build)."""

from __future__ import annotations

import json

import pytest
from daytona_async import Image, InvalidArgumentError


def run_lines(image: Image) -> list[list[str]]:
    lines = [ln for ln in image.dockerfile.splitlines() if ln.startswith("RUN ")]
    return [json.loads(ln[4:]) for ln in lines]


def test_strings_run_with_the_shell_and_lists_are_argv() -> None:
    image = Image.base("python:3.12-slim").run_commands(
        "mkdir -p /app && cd /app", ["mkdir", "-p", "/data"], ["true"]
    )
    assert run_lines(image) == [
        ["/bin/sh", "-c", "mkdir -p /app && cd /app"],
        ["mkdir", "-p", "/data"],
        ["true"],
    ]


@pytest.mark.parametrize("argv", [["mkdir -p /app"], ("echo hi",), ["  ls   -l "]])
def test_a_command_line_in_a_one_element_list_is_refused(argv: list[str]) -> None:
    with pytest.raises(InvalidArgumentError):
        Image.base("python:3.12-slim").run_commands(argv)
    # the string form of the same command is fine
    Image.base("python:3.12-slim").run_commands(argv[0])
