"""``Image``: an immutable builder that renders a deterministic Dockerfile.

    image = (Image.debian_slim("3.12")
             .pip_install(["requests"])
             .add_local_dir("src", "/app/src")
             .env({"APP_ENV": "test"})
             .workdir("/app"))
    print(image.dockerfile)

Every method returns a new ``Image``; the same calls give the same text, hence the same build
ref on the service. Arguments are never pasted into the Dockerfile raw: commands and argv go in
JSON-array (exec) form, words the builder itself parses (``ENV`` values, ``WORKDIR``) are
single-quoted with :func:`shlex.quote`. Input the builder cannot carry safely (a newline in an
``ENV`` value, ``$`` in a destination path, a NUL anywhere) is refused with
:class:`~daytona_async.errors.InvalidArgumentError`.

Local files and directories (``add_local_*``, requirements files, ``COPY`` sources of
``from_dockerfile``) become build contexts: the Dockerfile refers to them by a name derived from
the path as given, and their content is archived and uploaded when a sandbox or snapshot is
created from the image (see ``_build_context``).
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import posixpath
import re
import shlex
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import attrs

from .errors import InvalidArgumentError

__all__ = ["Image", "LocalContext"]

SUPPORTED_PYTHON = ("3.9", "3.10", "3.11", "3.12", "3.13")
DEFAULT_PYTHON = "3.12"

# what the builder accepts after FROM: a registry reference, nothing the parser could split
_IMAGE_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-/:@+]*")
_ENV_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_COPY_LINE = re.compile(r"\s*(COPY|ADD)\s+(.*)", re.IGNORECASE)


@attrs.frozen
class LocalContext:
    """A local file or directory that a ``COPY`` of the Dockerfile names ``archive_name``."""

    source: Path  # absolute, resolved when the image was described
    archive_name: str


def _check_text(value: object, what: str, *, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{what} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise InvalidArgumentError(f"{what} must not be empty")
    if "\x00" in value:
        raise InvalidArgumentError(f"{what} must not contain a NUL character: {value!r}")
    if not multiline and ("\n" in value or "\r" in value):
        raise InvalidArgumentError(f"{what} must be one line, got {value!r}")
    return value


def _strings(value: str | Iterable[str], what: str) -> list[str]:
    """A single string or an iterable of strings (not a bare ``bytes``)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes | bytearray) or not isinstance(value, Iterable):
        raise InvalidArgumentError(f"{what} must be a string or a sequence of strings")
    return list(value)


def _exec_form(argv: Sequence[str]) -> str:
    """JSON array: the builder runs it without a shell and substitutes nothing in it."""
    return json.dumps(list(argv), ensure_ascii=False)


def _archive_name(given: str, kind: str) -> str:
    # named by the path as the caller wrote it, so the Dockerfile text (hence the build ref)
    # does not depend on where the project is checked out; content goes into the context hash
    digest = hashlib.sha256(f"{kind}\x00{given}".encode()).hexdigest()[:20]
    return f"ctx-{digest}"


def _check_dest(remote: str, what: str) -> str:
    _check_text(remote, what)
    if "$" in remote:
        raise InvalidArgumentError(
            f"{what} must not contain '$' (the Dockerfile builder would expand it): {remote!r}"
        )
    return remote


def _pip_options(
    find_links: Sequence[str],
    index_url: str | None,
    extra_index_urls: Sequence[str],
    pre: bool,
) -> list[str]:
    opts: list[str] = []
    for link in _strings(find_links, "find_links"):
        opts += ["--find-links", _check_text(link, "find_links entry")]
    if index_url is not None:
        opts += ["--index-url", _check_text(index_url, "index_url")]
    for url in _strings(extra_index_urls, "extra_index_urls"):
        opts += ["--extra-index-url", _check_text(url, "extra_index_urls entry")]
    if pre:
        opts.append("--pre")
    return opts


@attrs.frozen
class Image:
    """A declarative image. Start with :meth:`base`, :meth:`debian_slim` or
    :meth:`from_dockerfile`; each other method returns a new image with one more step."""

    instructions: tuple[str, ...]
    contexts: tuple[LocalContext, ...] = ()

    # ------------------------------------------------------------------ starting points
    @classmethod
    def base(cls, image: str) -> Image:
        """``FROM image`` (a registry reference such as ``python:3.12-slim``)."""
        _check_text(image, "base image")
        if not _IMAGE_REF.fullmatch(image):
            raise InvalidArgumentError(f"not an image reference: {image!r}")
        return cls((f"FROM {image}",))

    @classmethod
    def debian_slim(cls, python_version: str | None = None) -> Image:
        """Debian slim with Python ``python_version`` (default 3.12) and an up-to-date pip."""
        version = DEFAULT_PYTHON if python_version is None else python_version
        if version not in SUPPORTED_PYTHON:
            raise InvalidArgumentError(
                f"python_version must be one of {', '.join(SUPPORTED_PYTHON)}, got {version!r}"
            )
        return cls.base(f"python:{version}-slim-bookworm").run_commands(
            "apt-get update && apt-get install -y --no-install-recommends gcc g++ git"
            " && rm -rf /var/lib/apt/lists/*",
            ["python", "-m", "pip", "install", "--no-cache-dir", "--upgrade", "pip"],
        )

    @classmethod
    def from_dockerfile(cls, path: str | os.PathLike[str]) -> Image:
        """An existing Dockerfile, taken as written. The local sources of its ``COPY``/``ADD``
        lines (relative to the Dockerfile's folder) become build contexts."""
        file = Path(path).expanduser().resolve()
        if not file.is_file():
            raise InvalidArgumentError(f"Dockerfile not found: {path}")
        text = file.read_text(encoding="utf-8")
        image = cls(())._with_raw(text.splitlines(), what="Dockerfile line")
        return image._with_copy_contexts(text, file.parent, file.name)

    # ------------------------------------------------------------------ steps
    def dockerfile_commands(
        self,
        commands: str | Sequence[str],
        *,
        context_dir: str | os.PathLike[str] | None = None,
    ) -> Image:
        """Raw Dockerfile instructions, appended as written (you write Dockerfile here:
        nothing is quoted). With ``context_dir``, the local sources of their ``COPY``/``ADD``
        lines are taken from that folder (as build contexts)."""
        lines = _strings(commands, "commands")
        image = self._with_raw(lines, what="Dockerfile command")
        if context_dir is None:
            return image
        folder = Path(context_dir).expanduser().resolve()
        if not folder.is_dir():
            raise InvalidArgumentError(f"context_dir not found: {context_dir}")
        return image._with_copy_contexts("\n".join(lines), folder, "dockerfile_commands")

    def run_commands(self, *commands: str | Sequence[str]) -> Image:
        """``RUN`` each command: a string runs under ``/bin/sh -c`` (shell syntax is yours),
        a sequence is an argv run without a shell. Both render as JSON arrays, so a newline
        or a quote in a command cannot break out of its instruction.

        As in the official SDK, ``run_commands("mkdir -p /app", ["pip", "install", "x"])``
        is two commands; ``run_commands(["mkdir -p /app"])`` would be an argv of one word (a
        program named ``mkdir -p /app``), refused with :class:`InvalidArgumentError`."""
        lines = []
        for command in commands:
            if isinstance(command, str):
                argv = ["/bin/sh", "-c", _check_text(command, "command", multiline=True)]
            else:
                argv = [_check_text(a, "command argument", multiline=True) for a in command]
                if not argv:
                    raise InvalidArgumentError("a command argv must not be empty")
                if len(argv) == 1 and len(argv[0].split()) > 1:
                    raise InvalidArgumentError(
                        f"{argv!r} is an argv of one word, a program named {argv[0]!r}: pass "
                        f"the command as a string ({argv[0]!r}) to run it with the shell, or "
                        "as a list of words"
                    )
            lines.append(f"RUN {_exec_form(argv)}")
        return self._with(*lines)

    def pip_install(
        self,
        packages: str | Sequence[str],
        *,
        find_links: Sequence[str] = (),
        index_url: str | None = None,
        extra_index_urls: Sequence[str] = (),
        pre: bool = False,
    ) -> Image:
        """``pip install`` these requirement specifiers (sorted, duplicates dropped)."""
        pkgs = sorted({_check_text(p, "package") for p in _strings(packages, "packages")})
        if not pkgs:
            raise InvalidArgumentError("pip_install needs at least one package")
        opts = _pip_options(find_links, index_url, extra_index_urls, pre)
        return self.run_commands(["python", "-m", "pip", "install", "--no-cache-dir", *opts, *pkgs])

    def pip_install_from_requirements(
        self,
        requirements_txt: str | os.PathLike[str],
        *,
        find_links: Sequence[str] = (),
        index_url: str | None = None,
        extra_index_urls: Sequence[str] = (),
        pre: bool = False,
    ) -> Image:
        """Copy a local requirements file into the image and ``pip install -r`` it."""
        given = os.fspath(requirements_txt)
        local = Path(given).expanduser().resolve()
        if not local.is_file():
            raise InvalidArgumentError(f"requirements file not found: {given}")
        name = _archive_name(given, "requirements")
        dest = f"/tmp/{name}.txt"
        opts = _pip_options(find_links, index_url, extra_index_urls, pre)
        image = self._with(f"COPY {_exec_form([name, dest])}")
        image = attrs.evolve(image, contexts=_unique([*image.contexts, LocalContext(local, name)]))
        return image.run_commands(
            ["python", "-m", "pip", "install", "--no-cache-dir", *opts, "-r", dest]
        )

    def pip_install_from_pyproject(
        self,
        pyproject_toml: str | os.PathLike[str],
        *,
        optional_dependencies: Sequence[str] = (),
        find_links: Sequence[str] = (),
        index_url: str | None = None,
        extra_index_urls: Sequence[str] = (),
        pre: bool = False,
    ) -> Image:
        """``pip install`` the ``[project].dependencies`` of a ``pyproject.toml``, plus the
        named groups of ``[project.optional-dependencies]``."""
        path = Path(pyproject_toml).expanduser()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InvalidArgumentError(f"pyproject.toml not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise InvalidArgumentError(f"{path}: not valid TOML: {exc}") from None
        project = data.get("project")
        if not isinstance(project, dict):
            raise InvalidArgumentError(f"{path}: no [project] table")
        packages = list(project.get("dependencies") or [])
        optional = project.get("optional-dependencies") or {}
        for group in _strings(optional_dependencies, "optional_dependencies"):
            if group not in optional:
                known = ", ".join(sorted(optional)) or "none"
                raise InvalidArgumentError(
                    f"{path}: no optional dependency group {group!r} (known: {known})"
                )
            packages += optional[group]
        if not packages:
            raise InvalidArgumentError(f"{path}: no dependencies to install")
        return self.pip_install(
            packages,
            find_links=find_links,
            index_url=index_url,
            extra_index_urls=extra_index_urls,
            pre=pre,
        )

    def env(self, variables: Mapping[str, str]) -> Image:
        """``ENV`` (sorted by name; values single-quoted, so ``$`` stays literal)."""
        if not isinstance(variables, Mapping):
            raise InvalidArgumentError("env needs a mapping of names to values")
        if not variables:
            return self
        lines = []
        for key in sorted(variables):
            if not isinstance(key, str) or not _ENV_KEY.fullmatch(key):
                raise InvalidArgumentError(f"not a valid environment variable name: {key!r}")
            value = variables[key]
            if not isinstance(value, str):
                raise InvalidArgumentError(f"env value of {key} must be a string")
            if "\n" in value or "\r" in value or "\x00" in value:
                raise InvalidArgumentError(
                    f"env value of {key} must be one line without NUL: {value!r}"
                )
            lines.append(f"ENV {key}={shlex.quote(value)}")
        return self._with(*lines)

    def workdir(self, path: str) -> Image:
        """``WORKDIR path`` (single-quoted: nothing in it is expanded)."""
        return self._with(f"WORKDIR {shlex.quote(_check_text(path, 'workdir'))}")

    def entrypoint(self, argv: Sequence[str]) -> Image:
        """``ENTRYPOINT [...]`` (exec form)."""
        return self._with(f"ENTRYPOINT {_exec_form(self._argv(argv, 'entrypoint'))}")

    def cmd(self, argv: Sequence[str]) -> Image:
        """``CMD [...]`` (exec form)."""
        return self._with(f"CMD {_exec_form(self._argv(argv, 'cmd'))}")

    def add_local_file(self, local_path: str | os.PathLike[str], remote_path: str) -> Image:
        """Copy a local file to ``remote_path`` (a trailing ``/`` keeps the file's name)."""
        given = os.fspath(local_path)
        local = Path(given).expanduser().resolve()
        if not local.is_file():
            raise InvalidArgumentError(f"local file not found: {given}")
        _check_dest(remote_path, "remote_path")
        if remote_path.endswith("/"):
            remote_path += local.name
        return self._with_context(local, _archive_name(given, "file"), remote_path)

    def add_local_dir(self, local_path: str | os.PathLike[str], remote_path: str) -> Image:
        """Copy a local directory's content into ``remote_path``."""
        given = os.fspath(local_path)
        local = Path(given).expanduser().resolve()
        if not local.is_dir():
            raise InvalidArgumentError(f"local directory not found: {given}")
        _check_dest(remote_path, "remote_path")
        return self._with_context(local, _archive_name(given, "dir"), remote_path)

    # ------------------------------------------------------------------ rendering
    @property
    def dockerfile(self) -> str:
        """The Dockerfile text: the same image always renders the same bytes."""
        return "".join(f"{line}\n" for line in self.instructions)

    def __repr__(self) -> str:
        first = self.instructions[0] if self.instructions else "<no FROM>"
        return (
            f"<Image {first!r} +{len(self.instructions) - 1} steps, {len(self.contexts)} contexts>"
        )

    # ------------------------------------------------------------------ helpers
    def _with(self, *lines: str) -> Image:
        return attrs.evolve(self, instructions=(*self.instructions, *lines))

    def _with_raw(self, lines: Iterable[str], *, what: str) -> Image:
        checked = []
        for line in lines:
            if not isinstance(line, str):
                raise InvalidArgumentError(f"{what} must be a string")
            if "\x00" in line:
                raise InvalidArgumentError(f"{what} must not contain a NUL character")
            checked += line.splitlines() or [""]
        return self._with(*checked)

    def _with_copy_contexts(self, text: str, folder: Path, what: str) -> Image:
        """Add the local ``COPY``/``ADD`` sources of ``text`` (relative to ``folder``)."""
        contexts = list(self.contexts)
        for source in _copy_sources(text):
            for match in sorted(glob.glob(source, root_dir=folder)) or [source]:
                name = posixpath.normpath(match)
                if name.startswith("../") or name == ".." or posixpath.isabs(name):
                    raise InvalidArgumentError(
                        f"{what}: COPY/ADD source {source!r} is outside {folder}"
                    )
                local = (folder / match).resolve()
                if not local.exists():
                    raise InvalidArgumentError(f"{what}: COPY/ADD source not found: {source}")
                contexts.append(LocalContext(local, name))
        return attrs.evolve(self, contexts=_unique(contexts))

    def _with_context(self, local: Path, name: str, remote: str) -> Image:
        image = self._with(f"COPY {_exec_form([name, remote])}")
        contexts = _unique([*image.contexts, LocalContext(local, name)])
        return attrs.evolve(image, contexts=contexts)

    @staticmethod
    def _argv(argv: Sequence[str], what: str) -> list[str]:
        if isinstance(argv, str):
            raise InvalidArgumentError(f"{what} takes a sequence of strings (an argv)")
        out = [_check_text(a, f"{what} argument", multiline=True) for a in argv]
        if not out:
            raise InvalidArgumentError(f"{what} must not be empty")
        return out


def _unique(contexts: Iterable[LocalContext]) -> tuple[LocalContext, ...]:
    seen: dict[str, LocalContext] = {}
    for ctx in contexts:
        other = seen.setdefault(ctx.archive_name, ctx)
        if other.source != ctx.source:
            raise InvalidArgumentError(
                f"two local paths would share the build-context name {ctx.archive_name}"
            )
    return tuple(seen.values())


def _copy_sources(dockerfile: str) -> list[str]:
    """Local sources of ``COPY``/``ADD`` lines (not ``--from=`` stages, not URLs)."""
    sources: list[str] = []
    for line in dockerfile.splitlines():
        match = _COPY_LINE.match(line)
        if match is None:
            continue
        rest = match.group(2).strip()
        if rest.startswith("["):
            try:
                words = [str(w) for w in json.loads(rest)]
            except ValueError:
                continue
        else:
            words = shlex.split(rest)
        if any(w.startswith("--from") for w in words):
            continue
        words = [w for w in words if not w.startswith("--")]
        for src in words[:-1]:
            if "://" not in src:
                sources.append(src)
    return sources
