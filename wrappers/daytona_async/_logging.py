"""The ``daytona_async`` logger and secret redaction.

Everything the SDK logs goes through :data:`logger` (stdlib ``logging``, name
``"daytona_async"``). Nothing is printed unless the application configures logging, or the
environment variable ``DAYTONA_LOG`` is ``debug`` or ``info``, which attaches a stderr handler
at that level (once per process).

Every record of this logger (and of the ``httpx``/``httpcore`` loggers, whose request lines
show URLs) passes :class:`RedactingFilter`, and every exception message the SDK builds
passes :func:`redact`: the client's own API key/JWT, ``Bearer ...`` values, Daytona API keys
(``dtn_...``), JWTs (``eyJ...``), preview auth tokens in URLs and the user/password part of a
URL (``http://user:pass@host`` → ``http://***@host``) are replaced with ``***``.

Levels: ``debug`` — one line per HTTP request (method, path, status or error, milliseconds,
retries); ``info`` — retries and the waits before them, create lookups and other lifecycle
steps.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import warnings

logger = logging.getLogger("daytona_async")

_known_secrets: set[str] = set()
_lock = threading.Lock()

_PATTERNS = [
    # userinfo in URLs: scheme://user:password@host -> scheme://***@host (up to the last "@"
    # of the authority: a password may itself contain "@")
    (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#\s]+@"), r"\1***@"),
    # Authorization values
    (re.compile(r"(?i)(bearer\s+)[^\s'\",;]+"), r"\1***"),
    # Daytona API keys: dtn_ + 64 hex
    (re.compile(r"dtn_[0-9a-fA-F]{8,}"), "dtn_***"),
    # JWTs: three base64url segments, the first one a JSON header
    (re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"), "***"),
    # preview auth tokens: /preview/{id}/validate/{token}
    (re.compile(r"(/validate/)[^/?#\s]+"), r"\1***"),
    # token=... / password=... / secret=... in query strings or key=value text
    (
        re.compile(r"(?i)((?:token|password|secret|api[_-]?key|sessiontoken)=)[^&\s'\",]+"),
        r"\1***",
    ),
]


def register_secret(value: str | None) -> None:
    """Remember a secret value so :func:`redact` removes it wherever it appears."""
    if value and len(value) >= 4:
        with _lock:
            _known_secrets.add(value)


def redact(text: str) -> str:
    """``text`` with every known secret and token-like value replaced by ``***``."""
    if not text:
        return text
    for secret in tuple(_known_secrets):
        if secret in text:
            text = text.replace(secret, "***")
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with :func:`redact` (args are folded in first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to logging's own handling
            return True
        redacted = redact(message)
        if redacted != message or record.args:
            record.msg = redacted
            record.args = None
        return True


logger.addFilter(RedactingFilter())
# httpx logs every request URL at INFO; URLs can carry preview tokens
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(RedactingFilter())

_configured = False
_LEVELS = ("debug", "info")
_warned: set[str] = set()  # one warning per unknown value and process


def configure_from_env() -> None:
    """Attach a stderr handler when ``DAYTONA_LOG`` is ``debug`` or ``info`` (idempotent).

    Any other non-empty value is a :class:`UserWarning` naming the valid levels (once per
    value), not a silent no-op."""
    global _configured
    level_name = os.environ.get("DAYTONA_LOG", "").strip().lower()
    if _configured or level_name not in _LEVELS:
        if level_name and level_name not in _LEVELS and level_name not in _warned:
            _warned.add(level_name)
            warnings.warn(
                f"DAYTONA_LOG={level_name!r} is not a level of daytona_async: "
                f"use {' or '.join(_LEVELS)} (logging stays off)",
                stacklevel=3,
            )
        return
    with _lock:
        if _configured:
            return
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactingFilter())
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG if level_name == "debug" else logging.INFO)
        _configured = True
