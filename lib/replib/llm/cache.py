"""On-disk request cache for LLM backends, so a rerun is reproducible and cheap.

A request is keyed by ``(model, kind, payload)``, where ``payload`` holds the prompt or
messages *and* every sampling parameter (temperature, max_tokens, seed, stop, logprobs...).
The key is the SHA-256 of the canonical JSON of that triple, so two requests share an entry
only if a server would see the same request. Entries are one small JSON file each,
``<dir>/<key[:2]>/<key>.json``, written atomically (temp file + ``os.replace``): a crash
never leaves a half-written entry, and every reply obtained before a crash survives it.

Used by ``replib.llm.backend`` (all backends) for the LLM chapters (issue 6); no paper
equation, this is harness plumbing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["RequestCache", "request_key"]


def request_key(model: str, kind: str, payload: Mapping[str, Any]) -> str:
    """SHA-256 hex key of ``(model, kind, payload)`` in canonical JSON (sorted keys)."""
    blob = json.dumps({"model": model, "kind": kind, "payload": payload}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class RequestCache:
    """A directory of cached replies. ``get``/``put`` take the same key parts.

    Args:
        directory: where entries live (created on first write).
        read_only: never write (replay a shipped cache without touching it).
    """

    def __init__(self, directory: str | os.PathLike, *, read_only: bool = False):
        self.directory = Path(directory).expanduser()
        self.read_only = read_only
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, model: str, kind: str, payload: Mapping[str, Any]) -> Any | None:
        """The cached reply for this request, or ``None`` (counted as hit/miss)."""
        path = self._path(request_key(model, kind, payload))
        try:
            with open(path, encoding="utf-8") as f:
                entry = json.load(f)
        except (FileNotFoundError, json.JSONDecodeError):
            self.misses += 1
            return None
        self.hits += 1
        return entry["reply"]

    def put(self, model: str, kind: str, payload: Mapping[str, Any], reply: Any) -> None:
        """Store ``reply`` (JSON-serialisable) for this request, atomically."""
        if self.read_only:
            return
        key = request_key(model, kind, payload)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = {"model": model, "kind": kind, "payload": payload, "reply": reply}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(entry, f, ensure_ascii=False, default=str)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def __len__(self) -> int:
        if not self.directory.exists():
            return 0
        return sum(1 for _ in self.directory.glob("*/*.json"))

    def __repr__(self) -> str:
        return (f"RequestCache({str(self.directory)!r}, entries={len(self)}, "
                f"hits={self.hits}, misses={self.misses})")
