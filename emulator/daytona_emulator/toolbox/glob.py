"""Go's ``filepath.Match`` without backtracking: a bit-parallel NFA.

A regular expression translated from a glob (``[^/]*a[^/]*a...b``) backtracks: one
``files/search`` for ``*a*a*a*a*a*a*b`` against a long name held the GIL for a minute.
Here the pattern is a list of tokens and the set of matched prefixes is one integer (bit ``j``
= the first ``j`` tokens matched); each character of the name costs a few integer operations,
so a match is ``O(len(name) × len(pattern) / 64)`` machine work, whatever the pattern.

Go's rules: ``*`` is any run of non-``/`` characters, ``?`` one non-``/`` character, a class
``[a-z]`` / ``[^a-z]`` one character (``/`` included), ``\\`` escapes the next character.
A malformed pattern raises :class:`GlobSyntaxError` when compiled, as Go's ``Match`` reports
``ErrBadPattern`` for the whole pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Glob", "GlobSyntaxError", "compile_glob", "go_match"]

SEPARATOR = "/"
_MASK_CACHE_LIMIT = 4096  # distinct characters whose masks a compiled pattern keeps


class GlobSyntaxError(ValueError):
    """Go's ``filepath.ErrBadPattern``."""

    def __init__(self) -> None:
        super().__init__("syntax error in pattern")


@dataclass(frozen=True)
class _Class:
    ranges: tuple[tuple[str, str], ...]
    negated: bool

    def accepts(self, ch: str) -> bool:
        return any(lo <= ch <= hi for lo, hi in self.ranges) != self.negated


_ANY = "?"  # a token: one non-separator character
_STAR = "*"  # a token: a run of non-separator characters
# a token is _ANY, _STAR, a _Class, or ("lit", ch) for a literal character
_Token = str | _Class | tuple[str, str]


def _escaped(pattern: str, i: int) -> tuple[str, int]:
    """Go's ``getEsc``: one class character at ``i`` (``\\`` escapes), and the next index."""
    if i >= len(pattern) or pattern[i] in "-]":
        raise GlobSyntaxError
    if pattern[i] == "\\":
        i += 1
        if i >= len(pattern):
            raise GlobSyntaxError
    ch = pattern[i]
    i += 1
    if i >= len(pattern):  # a class must be closed
        raise GlobSyntaxError
    return ch, i


def _parse_class(pattern: str, i: int) -> tuple[_Class, int]:
    """The class opened by the ``[`` before ``i``; returns it and the index after ``]``."""
    negated = i < len(pattern) and pattern[i] == "^"
    if negated:
        i += 1
    ranges: list[tuple[str, str]] = []
    while not (ranges and i < len(pattern) and pattern[i] == "]"):
        lo, i = _escaped(pattern, i)
        hi = lo
        if pattern[i] == "-":
            hi, i = _escaped(pattern, i + 1)
        ranges.append((lo, hi))
    return _Class(tuple(ranges), negated), i + 1


def _tokens(pattern: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            if not out or out[-1] != _STAR:  # a run of stars is one star
                out.append(_STAR)
            i += 1
        elif ch == "?":
            out.append(_ANY)
            i += 1
        elif ch == "[":
            cls, i = _parse_class(pattern, i + 1)
            out.append(cls)
        elif ch == "\\":
            if i + 1 >= n:
                raise GlobSyntaxError
            out.append(("lit", pattern[i + 1]))
            i += 2
        else:
            out.append(("lit", ch))
            i += 1
    return out


class Glob:
    """A compiled pattern; :meth:`match` tells whether a whole name matches it."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._tokens = _tokens(pattern)
        self._accept = 1 << len(self._tokens)
        self._stars = 0
        for j, tok in enumerate(self._tokens):
            if tok == _STAR:
                self._stars |= 1 << j
        self._masks: dict[str, int] = {}

    def _closure(self, states: int) -> int:
        # a star may match nothing: being before it is being after it (stars never repeat)
        return states | ((states & self._stars) << 1)

    def _single_mask(self, ch: str) -> int:
        """Bit ``j`` set when token ``j`` consumes ``ch`` as one character."""
        mask = self._masks.get(ch)
        if mask is None:
            mask = 0
            for j, tok in enumerate(self._tokens):
                if tok == _STAR:
                    continue
                if tok == _ANY:
                    ok = ch != SEPARATOR
                elif isinstance(tok, _Class):
                    ok = tok.accepts(ch)
                else:
                    ok = tok[1] == ch
                if ok:
                    mask |= 1 << j
            if len(self._masks) < _MASK_CACHE_LIMIT:
                self._masks[ch] = mask
        return mask

    def match(self, name: str) -> bool:
        states = self._closure(1)
        for ch in name:
            stay = states & self._stars if ch != SEPARATOR else 0
            states = self._closure(((states & self._single_mask(ch)) << 1) | stay)
            if not states:
                return False
        return bool(states & self._accept)


@lru_cache(maxsize=64)
def compile_glob(pattern: str) -> Glob:
    """The compiled pattern (cached); raises :class:`GlobSyntaxError`."""
    return Glob(pattern)


def go_match(pattern: str, name: str) -> bool:
    """``filepath.Match(pattern, name)``; raises :class:`GlobSyntaxError`."""
    return compile_glob(pattern).match(name)
