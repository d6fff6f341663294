"""``Image``: golden Dockerfiles, determinism, safe quoting of hostile arguments, clear errors."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from daytona_async import Image, InvalidArgumentError


def test_golden_debian_slim_chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "requirements.txt").write_text("attrs\n")
    image = (
        Image.debian_slim("3.12")
        .pip_install(["requests", "pytest", "requests"], index_url="https://pypi.example/simple")
        .pip_install_from_requirements("requirements.txt")
        .run_commands("mkdir -p /app", ["touch", "/app/ok"])
        .add_local_dir("src", "/app/src")
        .env({"B": "2", "APP_ENV": "test"})
        .workdir("/app")
        .entrypoint(["python", "-m", "app"])
        .cmd(["--port", "80"])
    )
    src = image.contexts[1].archive_name
    req = image.contexts[0].archive_name
    assert image.dockerfile == (
        "FROM python:3.12-slim-bookworm\n"
        'RUN ["/bin/sh", "-c", "apt-get update && apt-get install -y --no-install-recommends'
        ' gcc g++ git && rm -rf /var/lib/apt/lists/*"]\n'
        'RUN ["python", "-m", "pip", "install", "--no-cache-dir", "--upgrade", "pip"]\n'
        'RUN ["python", "-m", "pip", "install", "--no-cache-dir", "--index-url",'
        ' "https://pypi.example/simple", "pytest", "requests"]\n'
        f'COPY ["{req}", "/tmp/{req}.txt"]\n'
        f'RUN ["python", "-m", "pip", "install", "--no-cache-dir", "-r", "/tmp/{req}.txt"]\n'
        'RUN ["/bin/sh", "-c", "mkdir -p /app"]\n'
        'RUN ["touch", "/app/ok"]\n'
        f'COPY ["{src}", "/app/src"]\n'
        "ENV APP_ENV=test\n"
        "ENV B=2\n"
        "WORKDIR /app\n"
        'ENTRYPOINT ["python", "-m", "app"]\n'
        'CMD ["--port", "80"]\n'
    )
    assert [c.source for c in image.contexts] == [
        tmp_path / "requirements.txt",
        tmp_path / "src",
    ]


def test_same_inputs_same_text_and_immutable(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()

    def build() -> Image:
        return (
            Image.base("alpine:3.20")
            .pip_install(["b", "a"], pre=True, find_links=["/wheels"])
            .add_local_dir(str(tmp_path / "d"), "/d")
            .env({"Y": "1", "X": "2"})
        )

    first, second = build(), build()
    assert first == second
    assert first.dockerfile == second.dockerfile
    base = Image.base("alpine:3.20")
    base.run_commands("true")
    assert base.dockerfile == "FROM alpine:3.20\n"  # methods return new images
    with pytest.raises(AttributeError):
        base.instructions = ()  # type: ignore[misc]
    # argument order of packages and env does not change the text
    assert Image.base("a:1").pip_install(["x", "y"]).dockerfile == (
        Image.base("a:1").pip_install(["y", "x"]).dockerfile
    )


HOSTILE = [
    'it\'s "quoted"',
    "line1\nline2",
    "$(rm -rf /)",
    "`id` ${HOME} $PATH",
    "back\\slash\\",
    '"]\nRUN evil',
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_run_arguments_stay_one_instruction(value: str) -> None:
    image = Image.base("alpine:3.20").run_commands(["echo", value], value)
    lines = image.dockerfile.splitlines()
    assert len(lines) == 3  # nothing broke out into a new instruction
    assert json.loads(lines[1].removeprefix("RUN ")) == ["echo", value]
    assert json.loads(lines[2].removeprefix("RUN ")) == ["/bin/sh", "-c", value]


@pytest.mark.parametrize("value", [v for v in HOSTILE if "\n" not in v])
def test_hostile_env_and_workdir_values_are_single_quoted(value: str) -> None:
    image = Image.base("alpine:3.20").env({"V": value}).workdir(value)
    lines = image.dockerfile.splitlines()
    assert len(lines) == 3
    key, _, quoted = lines[1].removeprefix("ENV ").partition("=")
    assert key == "V" and shlex.split(quoted) == [value]
    # quoted: the builder sees one literal word, no `$` expansion
    assert quoted.startswith("'") or quoted == value
    assert shlex.split(lines[2].removeprefix("WORKDIR ")) == [value]


def test_hostile_pip_arguments_are_argv_items() -> None:
    image = Image.base("python:3.12").pip_install(
        ["requests; $(curl evil)"], index_url="https://x/simple?a=$(id)"
    )
    argv = json.loads(image.dockerfile.splitlines()[1].removeprefix("RUN "))
    assert argv[-1] == "requests; $(curl evil)"
    assert "https://x/simple?a=$(id)" in argv


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: Image.base("alpine latest"), "not an image reference"),
        (lambda: Image.base("alpine\nRUN x"), "one line"),
        (lambda: Image.base(""), "must not be empty"),
        (lambda: Image.debian_slim("2.7"), "python_version"),
        (lambda: Image.base("a:1").pip_install([]), "at least one package"),
        (lambda: Image.base("a:1").pip_install(["ok", "bad\nline"]), "one line"),
        (lambda: Image.base("a:1").env({"BAD-NAME": "x"}), "variable name"),
        (lambda: Image.base("a:1").env({"A": "x\ny"}), "one line"),
        (lambda: Image.base("a:1").env({"A": 1}), "must be a string"),  # type: ignore[dict-item]
        (lambda: Image.base("a:1").run_commands(["a\x00b"]), "NUL"),
        (lambda: Image.base("a:1").run_commands([]), "must not be empty"),
        (lambda: Image.base("a:1").entrypoint("python app.py"), "sequence"),  # type: ignore[arg-type]
        (lambda: Image.base("a:1").cmd([]), "must not be empty"),
        (lambda: Image.base("a:1").workdir("a\nb"), "one line"),
        (lambda: Image.base("a:1").add_local_dir("/no/such/dir", "/x"), "not found"),
        (lambda: Image.base("a:1").add_local_file("/no/such/file", "/x"), "not found"),
        (lambda: Image.from_dockerfile("/no/such/Dockerfile"), "not found"),
    ],
)
def test_invalid_input_is_refused_clearly(call: object, fragment: str) -> None:
    with pytest.raises(InvalidArgumentError, match=fragment):
        call()  # type: ignore[operator]


def test_destination_with_dollar_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match=r"'\$'"):
        Image.base("a:1").add_local_dir(tmp_path, "/app/$HOME")


def test_add_local_file_trailing_slash_keeps_name(tmp_path: Path) -> None:
    (tmp_path / "conf.ini").write_text("x")
    image = Image.base("a:1").add_local_file(tmp_path / "conf.ini", "/etc/app/")
    name = image.contexts[0].archive_name
    assert image.dockerfile.splitlines()[1] == f'COPY ["{name}", "/etc/app/conf.ini"]'


def test_pyproject_dependencies_and_optional_groups(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\ndependencies = ["httpx>=0.27"]\n'
        '[project.optional-dependencies]\ntest = ["pytest"]\ndocs = ["mkdocs"]\n'
    )
    image = Image.base("python:3.12").pip_install_from_pyproject(
        pyproject, optional_dependencies=["test"]
    )
    argv = json.loads(image.dockerfile.splitlines()[1].removeprefix("RUN "))
    assert argv[-2:] == ["httpx>=0.27", "pytest"]
    with pytest.raises(InvalidArgumentError, match="no optional dependency group 'gpu'"):
        Image.base("python:3.12").pip_install_from_pyproject(
            pyproject, optional_dependencies=["gpu"]
        )
    (tmp_path / "bad.toml").write_text("[tool]\n")
    with pytest.raises(InvalidArgumentError, match=r"no \[project\] table"):
        Image.base("python:3.12").pip_install_from_pyproject(tmp_path / "bad.toml")


def test_from_dockerfile_collects_copy_sources(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text("print(1)\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12\nCOPY app /srv/app\nCOPY --from=build /x /y\n"
        "ADD https://example.com/f /f\nRUN echo hi\n"
    )
    image = Image.from_dockerfile(tmp_path / "Dockerfile")
    assert image.dockerfile == (tmp_path / "Dockerfile").read_text()
    assert [(c.source, c.archive_name) for c in image.contexts] == [(tmp_path / "app", "app")]
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\nCOPY missing /x\n")
    with pytest.raises(InvalidArgumentError, match="source not found: missing"):
        Image.from_dockerfile(tmp_path / "Dockerfile")


def test_from_dockerfile_refuses_sources_outside_its_folder(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "Dockerfile").write_text("FROM a:1\nCOPY ../secret /x\n")
    with pytest.raises(InvalidArgumentError, match="outside"):
        Image.from_dockerfile(tmp_path / "sub" / "Dockerfile")


def test_dockerfile_commands_are_raw() -> None:
    image = Image.base("a:1").dockerfile_commands(["EXPOSE 8080", "LABEL a=b"])
    assert image.dockerfile == "FROM a:1\nEXPOSE 8080\nLABEL a=b\n"
    assert image.contexts == ()


def test_dockerfile_commands_with_context_dir(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "a.ini").write_text("a")
    (tmp_path / "conf" / "b.ini").write_text("b")
    image = Image.base("a:1").dockerfile_commands(
        ["COPY conf/*.ini /etc/app/"], context_dir=tmp_path
    )
    assert image.dockerfile == "FROM a:1\nCOPY conf/*.ini /etc/app/\n"
    assert [(c.source.name, c.archive_name) for c in image.contexts] == [
        ("a.ini", "conf/a.ini"),
        ("b.ini", "conf/b.ini"),
    ]
