"""Where MiniLM's token states are kept between uses: in memory for this process, on disk across runs.

A frozen encoder layer gives the same states for the same text every time, and on a 2-core CPU that
pass is the slow part of training the transformer models (about a minute for 2,000 reviews). So states
are kept by a key that hashes everything they depend on (the encoder, the layer, the length cap and
cut rule, the precision, the text): in memory (float16, least recently used dropped past a token budget)
and as one safetensors file per text under the lab's home, written atomically. A second run on the
same data reads them back instead of running the encoder. A file that is damaged or does not match is
ignored and written anew; nothing is unpickled.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from engine.store import lab_home

STATES_FORMAT = "embedding-lab-states/1"
MEMORY_TOKENS = 3_000_000  # ≈ 2.2 GB of float16 states


def state_key(*parts: object) -> str:
    """A hex digest of everything the states depend on (the text last)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(str(part).encode("utf-8", errors="surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


class StateCache:
    """States by key: memory first, then disk (`folder`, None for memory only)."""

    def __init__(self, folder: Path | None, budget: int = MEMORY_TOKENS) -> None:
        self.folder, self.budget, self.tokens = folder, budget, 0
        self.disk_hits = 0
        self._items: OrderedDict[str, torch.Tensor] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, width: int) -> torch.Tensor | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        found = self._read(key, width)
        if found is not None:
            self.disk_hits += 1
            self._remember(key, found)
        return found

    def put(self, key: str, states: torch.Tensor) -> None:
        self._remember(key, states)
        if self.folder is not None:
            self._write(key, states)

    def _remember(self, key: str, states: torch.Tensor) -> None:
        with self._lock:
            if key not in self._items:
                self._items[key] = states
                self.tokens += len(states)
            while self.tokens > self.budget and self._items:
                self.tokens -= len(self._items.popitem(last=False)[1])

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.safetensors"

    def _read(self, key: str, width: int) -> torch.Tensor | None:
        if self.folder is None:
            return None
        path = self._path(key)
        try:
            states = load_file(path)["states"]
        except (OSError, SafetensorError, KeyError):
            return None  # absent, damaged or foreign: computed again and rewritten
        if states.ndim != 2 or states.shape[1] != width or states.dtype != torch.float16 or len(states) == 0:
            return None
        return states

    def _write(self, key: str, states: torch.Tensor) -> None:
        path, temporary = self._path(key), None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=path.parent, suffix=".part")
            os.close(handle)
            temporary = Path(name)
            save_file({"states": states.contiguous()}, temporary, metadata={"format": STATES_FORMAT})
            os.replace(temporary, path)
        except OSError:  # a full or read-only disk costs only speed: the states stay in memory
            if temporary is not None:
                temporary.unlink(missing_ok=True)


_CACHES: dict[Path, StateCache] = {}
_CACHES_LOCK = threading.Lock()


def shared_cache() -> StateCache:
    """The process's cache for the current lab home (tests give each its own home, so each its own cache)."""
    folder = lab_home() / "cache" / "minilm-states"
    with _CACHES_LOCK:
        if folder not in _CACHES:
            _CACHES[folder] = StateCache(folder)
        return _CACHES[folder]
