"""The emulator's own dependencies come with the ``[emulator]`` extra; this checks for them, so
that a plain ``pip install daytona-async`` gets one line saying what to install rather than a
``ModuleNotFoundError`` from deep inside the server."""

from __future__ import annotations

import importlib

__all__ = ["INSTALL_HINT", "EmulatorExtraMissing", "require_emulator_extra"]

INSTALL_HINT = "pip install 'daytona-async[emulator]'"

# (module imported by the emulator, distribution that provides it)
_REQUIRED = (
    ("uvicorn", "uvicorn"),
    ("starlette", "starlette"),
    ("python_multipart", "python-multipart"),
)


class EmulatorExtraMissing(ModuleNotFoundError):
    """The ``[emulator]`` extra is not installed (``missing`` names what is absent)."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(
            f"the Daytona emulator needs the [emulator] extra (missing: {', '.join(missing)}); "
            f"install it with: {INSTALL_HINT}",
            name=missing[0],
        )


def require_emulator_extra() -> None:
    """Raise :class:`EmulatorExtraMissing` unless every dependency of the server imports."""
    missing: list[str] = []
    for module, distribution in _REQUIRED:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(distribution)
    if missing:
        raise EmulatorExtraMissing(missing)
