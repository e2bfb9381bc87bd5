"""Closing passages: each long training review's last sentences, trained on beside the whole review.

A reviewer's verdict tends to close the review ("Well worth a look, as is its sequel."), so its closing
passage carries the review's label far more reliably than a passage from the middle (plot summary),
and it is a short text, like the sentences people type on Live sentiment and the notebooks' probes.
Measured on the bundled movie reviews (docs/BENCHMARKS.md, "Closing passages" and "Rated film snippets"):
with short film snippets beside them, fine-tuned MiniLM reads "This film is not terrible, it's great!"
right on each of six seeds, where the reviews alone read it right on none, at the same test accuracy.
Passages taken from anywhere in a review had made both worse.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from engine.sentiment.vocab import strip_markup

CLOSING_WORDS = 48  # at most this many words of whole sentences (a review averages ~230 words)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _sentences(text: str) -> list[str]:
    return [sentence.strip() for sentence in _SENTENCE_END.split(strip_markup(text).strip()) if sentence.strip()]


def _closing(sentences: list[str], words: int) -> list[str]:
    """The last of `sentences` that fit in `words` words together; the last one alone if it is longer."""
    kept: list[str] = []
    count = 0
    for sentence in reversed(sentences):
        length = len(sentence.split())
        if kept and count + length > words:
            break
        kept.append(sentence)
        count += length
    return kept[::-1]


def closing_passage(text: str, words: int = CLOSING_WORDS) -> str:
    """The last whole sentences of `text` that fit in `words` words; the last sentence alone if it is longer."""
    return " ".join(_closing(_sentences(text), words))


def closing_passages(texts: Sequence[str], labels: np.ndarray, words: int = CLOSING_WORDS) -> tuple[list[str], np.ndarray]:
    """The closing passage of every text longer than it, each with its text's label.

    A text that is its own closing passage is left out: it would only count twice.
    """
    passages, keep = [], []
    for index, text in enumerate(texts):
        sentences = _sentences(text)
        kept = _closing(sentences, words)
        if len(kept) < len(sentences):
            passages.append(" ".join(kept))
            keep.append(index)
    return passages, np.asarray(labels)[np.asarray(keep, dtype=np.int64)]


def with_closing_passages(texts: Sequence[str], labels: np.ndarray, words: int = CLOSING_WORDS) -> tuple[list[str], np.ndarray]:
    """`texts` and `labels`, followed by their closing passages (see `closing_passages`)."""
    passages, passage_labels = closing_passages(texts, labels, words)
    return [*texts, *passages], np.concatenate([np.asarray(labels), passage_labels])
