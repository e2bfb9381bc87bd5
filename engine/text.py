"""Text → tokens and bags of n-grams: the first half of the lecture's "from text to vectors".

Every function works on the user's own text and returns plain data; the page only draws. Sizes are
checked where input arrives (`prepare_text`, `check_ngram_size`), so inner code can trust them. The
order follows the lecture: split text into samples and tokens, then bag them as n-grams. Each later
step has its own module: `engine.one_hot` (index a vocabulary, one-hot encode words and characters),
`engine.hashing_trick` (hash instead of indexing) and `engine.dense_embeddings` (replace the one-hot
matrix product by a lookup into a dense table, and compare random rows with pretrained GloVe).
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import CountVectorizer

from engine.errors import LabError

MAX_CHARS = 20_000  # a megabyte of pasted text is cut here: the page stays interactive
MAX_SAMPLES = 500
MAX_NGRAM = 8

TOKENIZERS = {
    "standard": "lower-case, keep letters and digits, drop punctuation, symbols and emoji",
    "keep case": "as standard, but keep upper case (the lecture's n-gram example keeps 'The' and 'the' apart)",
    "whitespace": "split on spaces and line breaks only; punctuation stays glued to words",
}
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…。！？])\s+|\s*\n\s*")
_APOSTROPHES = "'’"
_UNSPACED_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN")


@dataclass(frozen=True)
class Corpus:
    """The user's text split into samples (sentences or lines), with what was cut to stay fast."""

    samples: list[str]
    received_chars: int
    kept_chars: int
    dropped_samples: int

    @property
    def notes(self) -> list[str]:
        """Messages for the page about anything that was cut."""
        notes = []
        if self.kept_chars < self.received_chars:
            notes.append(f"Your text has {self.received_chars:,} characters; this page works on the first "
                         f"{self.kept_chars:,} so that it stays interactive.")
        if self.dropped_samples:
            notes.append(f"Only the first {MAX_SAMPLES:,} sentences are used; "
                         f"{self.dropped_samples:,} more were left out.")
        return notes


def prepare_text(text: str) -> Corpus:
    """Split text into samples at sentence ends (. ! ? …) and line breaks, capped at MAX_CHARS and MAX_SAMPLES."""
    if not isinstance(text, str):
        raise LabError(f"expected text; got {type(text).__name__}.")
    if not text.strip():
        raise LabError("Type a sentence or two first: the text box is empty.")
    kept = text[:MAX_CHARS]
    if len(text) > MAX_CHARS and " " in kept:
        kept = kept[: kept.rindex(" ")]  # do not cut the last word in half
    samples = [part.strip() for part in _SENTENCE_BREAK.split(kept) if part.strip()]
    return Corpus(samples[:MAX_SAMPLES], len(text), len(kept), max(0, len(samples) - MAX_SAMPLES))


def tokenize(text: str, tokenizer: str = "standard") -> list[str]:
    """Tokens of one sample under one of TOKENIZERS.

    Hand-written rather than a regex `\\w+`: `\\w` misses combining marks (Devanagari vowel signs, say),
    so characters are kept by Unicode category (letters L*, marks M*, numbers N*) instead.
    """
    if tokenizer not in TOKENIZERS:
        raise LabError(f"tokenizer must be one of {', '.join(TOKENIZERS)}; got {tokenizer!r}.")
    if tokenizer == "whitespace":
        return text.split()
    if tokenizer == "standard":
        text = text.lower()
    kept = [char if unicodedata.category(char)[0] in "LMN" or char in _APOSTROPHES else " " for char in text]
    # An apostrophe survives only inside a word (don't, o'clock), never as a quote mark.
    return [word for raw in "".join(kept).split() if (word := raw.strip(_APOSTROPHES))]


def dropped_characters(text: str, limit: int = 20) -> list[str]:
    """Distinct non-space characters the standard tokenizers drop (punctuation, symbols, emoji), first seen first."""
    dropped = dict.fromkeys(
        char for char in text
        if not char.isspace() and char not in _APOSTROPHES and unicodedata.category(char)[0] not in "LMN"
    )
    return list(dropped)[:limit]


def unspaced_tokens(tokens: Sequence[str], limit: int = 10) -> list[str]:
    """Tokens in scripts written without spaces (Chinese, Japanese, Thai…), where a token is a whole phrase."""
    return [token for token in dict.fromkeys(tokens)
            if any(unicodedata.name(char, "").startswith(_UNSPACED_SCRIPTS) for char in token)][:limit]


def tokenize_all(samples: Sequence[str], tokenizer: str = "standard") -> list[list[str]]:
    """Tokens of every sample; raises LabError when no sample has any token left."""
    tokenized = [tokenize(sample, tokenizer) for sample in samples]
    if not any(tokenized):
        raise LabError(
            "No words are left after tokenising: the text is only punctuation, symbols or emoji, which the "
            f"'{tokenizer}' tokenizer drops. Type some words, or pick the whitespace tokenizer to keep them."
        )
    return tokenized


# ── Bags of n-grams ─────────────────────────────────────────────────────────────────────────────


def check_ngram_size(n: int) -> int:
    """N for a bag of 1..N-grams, or a LabError that says why 0 or 50 make no sense."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise LabError(f"the n-gram size must be a whole number; got {n!r}.")
    if n < 1:
        raise LabError(f"The n-gram size must be at least 1 (1-grams are single tokens); got {n}.")
    if n > MAX_NGRAM:
        raise LabError(
            f"The n-gram size must be at most {MAX_NGRAM}; got {n}. Long n-grams are almost all unique phrases "
            "that occur once, so the bag grows without telling documents apart; 2 or 3 is the usual choice."
        )
    return int(n)


def ngram_sequence(tokens: Sequence[str], n_max: int) -> list[str]:
    """Every 1..n_max-gram in reading order: at each position, the n-grams that start there."""
    n_max = check_ngram_size(n_max)
    return [" ".join(tokens[i : i + n])
            for i in range(len(tokens)) for n in range(1, n_max + 1) if i + n <= len(tokens)]


@dataclass(frozen=True)
class CountMatrix:
    """A document × term count matrix; terms in order of first appearance."""

    counts: csr_matrix  # (documents, terms)
    terms: list[str]

    def top_terms(self, cap: int) -> tuple[np.ndarray, bool]:
        """Column indices of at most `cap` terms (most frequent, ties by first appearance), in column order."""
        if len(self.terms) <= cap:
            return np.arange(len(self.terms)), False
        totals = np.asarray(self.counts.sum(axis=0)).ravel()
        chosen = np.argsort(-totals, kind="stable")[:cap]
        return np.sort(chosen), True


def count_matrix(token_lists: Sequence[Sequence[str]], n_max: int) -> CountMatrix:
    """Bag-of-1..n_max-grams counts with scikit-learn's CountVectorizer over our own tokens."""
    n_max = check_ngram_size(n_max)
    vectorizer = CountVectorizer(analyzer=lambda tokens: ngram_sequence(tokens, n_max))
    counts = vectorizer.fit_transform(token_lists).tocsc()  # (documents, terms), columns alphabetical
    first_seen: dict[str, int] = {}
    for tokens in token_lists:
        for term in ngram_sequence(tokens, n_max):
            first_seen.setdefault(term, len(first_seen))
    alphabetical = vectorizer.get_feature_names_out().tolist()
    order = sorted(range(len(alphabetical)), key=lambda col: first_seen[alphabetical[col]])
    return CountMatrix(counts[:, order].tocsr(), [alphabetical[col] for col in order])


@dataclass(frozen=True)
class OrderCheck:
    """A sample and the same tokens shuffled: a bag of 1-grams cannot tell them apart, bigrams can."""

    shuffled: list[str]
    same_unigram_bag: bool
    same_ngram_bag: bool
    only_original: list[str]
    only_shuffled: list[str]


def order_check(tokens: Sequence[str], n_max: int, seed: int = 0) -> OrderCheck:
    """Shuffle the tokens (reproducibly, and never leaving them in order when that is possible)."""
    n_max = check_ngram_size(n_max)
    shuffled = list(tokens)
    rng = random.Random(seed)
    for _ in range(20):
        rng.shuffle(shuffled)
        if shuffled != list(tokens) or len(set(tokens)) < 2:
            break
    original_bag, shuffled_bag = Counter(ngram_sequence(tokens, n_max)), Counter(ngram_sequence(shuffled, n_max))
    return OrderCheck(
        shuffled,
        Counter(tokens) == Counter(shuffled),
        original_bag == shuffled_bag,
        sorted((original_bag - shuffled_bag).elements()),
        sorted((shuffled_bag - original_bag).elements()),
    )


def shorten(label: str, width: int = 24) -> str:
    """A label cut to `width` characters with an ellipsis, for messages and chart titles."""
    return label if len(label) <= width else label[: width - 1] + "…"
