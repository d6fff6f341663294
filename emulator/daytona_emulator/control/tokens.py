"""JWTs of the emulator: HS256, signed and checked with the emulator's own secret.

The real service verifies RS256 tokens against its identity provider's keys; the emulator has
no identity provider, so it signs tokens itself (``mint_jwt``) with ``settings.jwt_secret``
(random per start unless one is given) and accepts only tokens that carry a valid signature
by that secret, with ``alg`` exactly ``HS256``, a non-empty ``sub`` and, when present, an
``exp`` in the future. Anything else is not a JWT to the emulator (the caller answers 401).
"""

from __future__ import annotations

import time
from typing import Any

import jwt

__all__ = ["ALGORITHM", "MIN_SECRET_BYTES", "check_secret", "mint_jwt", "verify_jwt"]

ALGORITHM = "HS256"
# RFC 7518 §3.2: an HS256 key must be at least as long as the hash output
MIN_SECRET_BYTES = 32
DEFAULT_TTL = 3600.0


def check_secret(secret: str) -> None:
    """Refuse secrets too short for HS256 (``ValueError`` naming the rule, not the value)."""
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ValueError(f"the JWT secret must be at least {MIN_SECRET_BYTES} bytes long")


def mint_jwt(
    secret: str,
    sub: str,
    *,
    admin: bool = False,
    ttl: float = DEFAULT_TTL,
    **claims: Any,
) -> str:
    """A token the emulator started with ``secret`` accepts as user ``sub``.

    ``admin=True`` makes the user a system admin (claim ``role: admin``); ``email``, ``name``
    and ``email_verified`` fill the user's profile when it is first created. The token expires
    ``ttl`` seconds from now.
    """
    check_secret(secret)
    if not sub:
        raise ValueError("sub must be a non-empty string")
    now = int(time.time())
    payload: dict[str, Any] = {**claims, "sub": sub, "iat": now, "exp": now + int(ttl)}
    if admin:
        payload["role"] = "admin"
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def verify_jwt(secret: str, token: str) -> dict[str, Any] | None:
    """The token's claims when it is a valid token signed with ``secret``; otherwise None."""
    if token.count(".") != 2:
        return None
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub"]})
    except jwt.InvalidTokenError:
        return None
    sub = payload.get("sub")
    if not isinstance(sub, str) or not sub:
        return None
    return payload
