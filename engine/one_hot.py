"""Words and characters as one-hot vectors: a vocabulary with padding and out-of-vocabulary indices, one column each.

The lecture's step after tokens (`engine.text`): index a vocabulary, then one-hot encode words and
characters, as tensors on the lab's device. The one-hot tensors are materialised only for as many
samples as fit a memory budget, while their full shape is still reported: that one-hot does not
scale is the lesson.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch
import torch.nn.functional as F

from engine.device import default_device
from engine.errors import LabError

MAX_SEQUENCE_LENGTH = 200
# One-hot tensors are materialised for as many samples as fit this many float32 cells (32 MiB);
# the full shape is still reported, which is the lesson: one-hot does not scale.
ONE_HOT_CELLS = 2**23
FLOAT_BYTES = 4

PAD, OOV = "<pad>", "<unk>"
# Character one-hot columns: 0 padding, 1..100 string.printable, 101 every other character.
CHARACTERS = string.printable
OTHER_CHAR = len(CHARACTERS) + 1
_CHAR_INDEX = {char: i + 1 for i, char in enumerate(CHARACTERS)}
_VISIBLE = {" ": "space", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x0b": "\\v", "\x0c": "\\f"}


@dataclass(frozen=True)
class OneHotVocabulary:
    """Index → token with 0 reserved for padding and 1 for out-of-vocabulary words, then by frequency.

    Hand-written: scikit-learn's vocabularies have no padding or OOV index, and torchtext is retired.
    """

    tokens: list[str]
    counts: dict[str, int]
    dropped: list[str]  # words left out by the cap, most frequent first; they map to index 1

    def __len__(self) -> int:
        return len(self.tokens)

    @cached_property
    def index(self) -> dict[str, int]:
        return {token: i for i, token in enumerate(self.tokens)}

    def encode(
        self, token_lists: Sequence[Sequence[str]], max_length: int, device: torch.device | None = None
    ) -> torch.Tensor:
        """(samples, max_length) int64 ids: truncated after max_length tokens, padded with 0 at the end."""
        max_length = check_sequence_length(max_length)
        index = self.index
        ids = torch.zeros(len(token_lists), max_length, dtype=torch.int64)
        for row, tokens in enumerate(token_lists):
            kept = [index.get(token, 1) for token in tokens[:max_length]]
            ids[row, : len(kept)] = torch.tensor(kept, dtype=torch.int64)
        return ids.to(device or default_device())


def build_vocabulary(token_lists: Sequence[Sequence[str]], max_words: int | None = None) -> OneHotVocabulary:
    """A vocabulary of the `max_words` most frequent tokens (all when None); ties keep first appearance."""
    counts = Counter(token for tokens in token_lists for token in tokens)
    if max_words is not None and (not isinstance(max_words, (int, np.integer)) or max_words < 1):
        raise LabError(f"The vocabulary cap must be a whole number of words, at least 1; got {max_words!r}.")
    ranked = [token for token, _ in counts.most_common()]  # stable: ties stay in first-appearance order
    keep = len(ranked) if max_words is None else int(max_words)
    return OneHotVocabulary([PAD, OOV, *ranked[:keep]], dict(counts), ranked[keep:])


def check_sequence_length(max_length: int) -> int:
    if not isinstance(max_length, (int, np.integer)) or not 1 <= max_length <= MAX_SEQUENCE_LENGTH:
        raise LabError(
            f"The maximum length must be a whole number from 1 to {MAX_SEQUENCE_LENGTH}; got {max_length!r}."
        )
    return int(max_length)


def one_hot(ids: torch.Tensor, width: int, pad: int = 0) -> torch.Tensor:
    """(samples, length) ids → (samples, length, width) float32; a padding position is an all-zero row."""
    hot = F.one_hot(ids.clamp_min(0), width).to(torch.float32)  # (samples, length, width)
    return hot * (ids != pad).unsqueeze(-1)


def samples_within_budget(length: int, width: int, samples: int) -> int:
    """How many samples' one-hot tensors fit ONE_HOT_CELLS float32 cells (at least one)."""
    return max(1, min(samples, ONE_HOT_CELLS // max(1, length * width)))


def drawn_columns(hot: torch.Tensor, cap: int, always: Sequence[int] = ()) -> tuple[list[int], int]:
    """Columns of a (samples, length, width) one-hot tensor worth drawing, and how many columns are hot.

    All columns when they fit `cap`; else the hot ones (plus `always`), the first `cap` of them.
    """
    in_use = torch.nonzero(hot.sum(dim=(0, 1))).flatten().tolist()  # (columns in use,)
    width = hot.shape[-1]
    if width <= cap:
        return list(range(width)), len(in_use)
    return sorted(set(always) | set(in_use))[:cap], len(in_use)


def char_ids(
    samples: Sequence[str], max_length: int, device: torch.device | None = None
) -> tuple[torch.Tensor, list[str]]:
    """(samples, max_length) ids over printable ASCII (0 pad, 101 other) and the distinct 'other' characters."""
    max_length = check_sequence_length(max_length)
    ids = torch.zeros(len(samples), max_length, dtype=torch.int64)
    others: dict[str, None] = {}
    for row, sample in enumerate(samples):
        kept = [_CHAR_INDEX.get(char, OTHER_CHAR) for char in sample[:max_length]]
        others.update(dict.fromkeys(char for char in sample[:max_length] if char not in _CHAR_INDEX))
        ids[row, : len(kept)] = torch.tensor(kept, dtype=torch.int64)
    return ids.to(device or default_device()), list(others)


def char_labels() -> list[str]:
    """Readable names of the character columns (whitespace made visible)."""
    return [PAD, *(_VISIBLE.get(char, char) for char in CHARACTERS), "other"]


def human_bytes(count: float) -> str:
    """1536 → '1.5 KiB'."""
    if abs(count) < 1024:
        return f"{count:,.0f} B"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        count /= 1024
        if abs(count) < 1024 or unit == "TiB":
            break
    return f"{count:,.1f} {unit}"
