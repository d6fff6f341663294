"""Control-plane state: JSON documents in SQLite, mirrored in memory.

Every document lives in one table ``docs(kind, id, doc)``. All documents are loaded at open
and kept in memory, so reads never touch the database. Writes go through :meth:`Store.put`,
which updates the in-memory copy and writes the row at once (write-through) under a single
lock: there is exactly one writer. The app mutates documents only from its event-loop thread
and never awaits between reading and writing a document, so concurrent requests cannot lose
updates.

Frequent, low-value updates (``lastUsedAt`` of API keys, ``lastActivityAt`` of sandboxes on
toolbox traffic) use :meth:`Store.touch`: the memory copy changes now and the row is written
by the next :meth:`Store.flush` (the reaper calls it every tick, and close calls it).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Doc = dict[str, Any]


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS docs ("
            " kind TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL,"
            " PRIMARY KEY (kind, id))"
        )
        self._data: dict[str, dict[str, Doc]] = {}
        self._dirty: set[tuple[str, str]] = set()
        for kind, id_, doc in self._conn.execute("SELECT kind, id, doc FROM docs ORDER BY rowid"):
            self._data.setdefault(kind, {})[id_] = json.loads(doc)

    # --- reads (memory only) ---
    def get(self, kind: str, id_: str) -> Doc | None:
        return self._data.get(kind, {}).get(id_)

    def all(self, kind: str) -> Iterator[Doc]:
        return iter(list(self._data.get(kind, {}).values()))

    def count(self, kind: str) -> int:
        return len(self._data.get(kind, {}))

    # --- writes ---
    def put(self, kind: str, id_: str, doc: Doc) -> Doc:
        self._data.setdefault(kind, {})[id_] = doc
        # allow_nan=False: a non-finite number must never be stored (it would be sent as Infinity)
        text = json.dumps(doc, separators=(",", ":"), allow_nan=False)
        with self._lock:
            self._dirty.discard((kind, id_))
            self._conn.execute(
                "INSERT OR REPLACE INTO docs (kind, id, doc) VALUES (?, ?, ?)", (kind, id_, text)
            )
        return doc

    def delete(self, kind: str, id_: str) -> None:
        self._data.get(kind, {}).pop(id_, None)
        with self._lock:
            self._dirty.discard((kind, id_))
            self._conn.execute("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, id_))

    def touch(self, kind: str, id_: str) -> None:
        """Mark a document whose memory copy was changed; it is written by the next flush."""
        self._dirty.add((kind, id_))

    def flush(self) -> None:
        if not self._dirty:
            return
        with self._lock:
            dirty, self._dirty = self._dirty, set()
            rows = []
            for kind, id_ in dirty:
                doc = self._data.get(kind, {}).get(id_)
                if doc is not None:
                    rows.append((kind, id_, json.dumps(doc, separators=(",", ":"))))
            self._conn.execute("BEGIN")
            self._conn.executemany(
                "INSERT OR REPLACE INTO docs (kind, id, doc) VALUES (?, ?, ?)", rows
            )
            self._conn.execute("COMMIT")

    def close(self) -> None:
        self.flush()
        with self._lock:
            self._conn.close()
