"""From text to vectors, the lecture's first half: tokens, n-grams, one-hot, the hashing trick, nn.Embedding.

Every function works on the user's own text and returns plain data or tensors on the lab's device; the
page only draws. Sizes are checked where input arrives (`prepare_text`, `check_*`), so inner code can
trust them. The order follows the lecture: split text into samples and tokens, bag them as n-grams,
index a vocabulary, one-hot encode words and characters, hash instead of indexing, then replace the
one-hot matrix product by a lookup into a dense table and compare random rows with pretrained GloVe.
"""

from __future__ import annotations

import math
import random
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch
import torch.nn.functional as F
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils import murmurhash3_32

from engine.device import default_device
from engine.errors import LabError
from engine.vectors import EmbeddingSet

MAX_CHARS = 20_000  # a megabyte of pasted text is cut here: the page stays interactive
MAX_SAMPLES = 500
MAX_NGRAM = 8
MAX_SEQUENCE_LENGTH = 200
MAX_HASH_DIM = 2**24
MAX_EMBED_DIM = 1024
# One-hot tensors are materialised for as many samples as fit this many float32 cells (32 MiB);
# the full shape is still reported, which is the lesson: one-hot does not scale.
ONE_HOT_CELLS = 2**23
FLOAT_BYTES = 4

PAD, OOV = "<pad>", "<unk>"
TOKENIZERS = {
    "standard": "lower-case, keep letters and digits, drop punctuation, symbols and emoji",
    "keep case": "as standard, but keep upper case (the lecture's n-gram example keeps 'The' and 'the' apart)",
    "whitespace": "split on spaces and line breaks only; punctuation stays glued to words",
}
# Character one-hot columns: 0 padding, 1..100 string.printable, 101 every other character.
CHARACTERS = string.printable
OTHER_CHAR = len(CHARACTERS) + 1
_CHAR_INDEX = {char: i + 1 for i, char in enumerate(CHARACTERS)}
_VISIBLE = {" ": "space", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x0b": "\\v", "\x0c": "\\f"}
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


def ngrams(tokens: Sequence[str], n: int) -> list[str]:
    """The n-grams of exactly size n, in order, repeats kept (the sequence view)."""
    return [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def ngram_sequence(tokens: Sequence[str], n_max: int) -> list[str]:
    """Every 1..n_max-gram in reading order: at each position, the n-grams that start there."""
    n_max = check_ngram_size(n_max)
    return [" ".join(tokens[i : i + n])
            for i in range(len(tokens)) for n in range(1, n_max + 1) if i + n <= len(tokens)]


def bag_of_ngrams(tokens: Sequence[str], n_max: int) -> set[str]:
    """The set of 1..n_max-grams: order and repeats are gone."""
    return set(ngram_sequence(tokens, n_max))


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


# ── Vocabulary and word-level one-hot ───────────────────────────────────────────────────────────


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


# ── The hashing trick ──────────────────────────────────────────────────────────────────────────


def check_hash_dim(dim: int) -> int:
    if not isinstance(dim, (int, np.integer)) or not 1 <= dim <= MAX_HASH_DIM:
        raise LabError(f"The hashing dimensionality must be a whole number from 1 to {MAX_HASH_DIM:,}; got {dim!r}.")
    return int(dim)


def stable_hash(token: str) -> int:
    """MurmurHash3 (32-bit, seed 0), as in scikit-learn's HashingVectorizer: the same on every run.

    Python's own hash() of a string is salted per process (PYTHONHASHSEED), so it would put a word in
    a different bucket after every restart.
    """
    return abs(murmurhash3_32(token, seed=0))


def hash_buckets(tokens: Sequence[str], dim: int) -> np.ndarray:
    """(tokens,) bucket of each token in [0, dim): the column FeatureHasher(alternate_sign=False) uses."""
    dim = check_hash_dim(dim)
    return np.array([stable_hash(token) for token in tokens], dtype=np.int64) % dim


@dataclass(frozen=True)
class Collisions:
    """Which distinct tokens share a bucket at one dimensionality."""

    dim: int
    buckets: dict[str, int]
    groups: list[list[str]]  # tokens per shared bucket, largest group first

    @property
    def colliding(self) -> int:
        return sum(len(group) for group in self.groups)

    @property
    def rate(self) -> float:
        """The fraction of tokens that share their bucket with at least one other token."""
        return self.colliding / len(self.buckets) if self.buckets else 0.0


def collisions(tokens: Sequence[str], dim: int) -> Collisions:
    """Hash every distinct token into `dim` buckets and group those that collide."""
    distinct = list(dict.fromkeys(tokens))
    buckets = dict(zip(distinct, hash_buckets(distinct, dim).tolist()))
    shared: dict[int, list[str]] = {}
    for token, bucket in buckets.items():
        shared.setdefault(bucket, []).append(token)
    groups = sorted((group for group in shared.values() if len(group) > 1), key=len, reverse=True)
    return Collisions(check_hash_dim(dim), buckets, groups)


def expected_collision_rate(n: int, dim: int) -> float:
    """Expected fraction of n random tokens sharing a bucket: 1 - (1 - 1/dim)^(n - 1)."""
    return 0.0 if n < 2 else 1.0 - (1.0 - 1.0 / dim) ** (n - 1)


def birthday_probability(n: int, dim: int) -> float:
    """Probability that at least two of n random tokens share one of dim buckets (the birthday problem), exactly."""
    if n > dim:
        return 1.0
    return float(1.0 - np.exp(np.sum(np.log1p(-np.arange(n) / dim))))


def birthday_dim(n: int, probability: float = 0.5) -> float:
    """The dimensionality at which n tokens collide with the given probability: ≈ n² / (2 ln(1/(1-p)))."""
    return n * (n - 1) / (2 * math.log(1 / (1 - probability)))


def collision_curve(tokens: Sequence[str], dims: Sequence[int]) -> list[dict[str, float]]:
    """Measured vs expected collision rates for the distinct tokens, one row per dimensionality."""
    distinct = list(dict.fromkeys(tokens))
    hashes = np.array([stable_hash(token) for token in distinct], dtype=np.int64)  # (n,)
    rows = []
    for dim in sorted(set(int(d) for d in dims)):
        _, inverse, sizes = np.unique(hashes % check_hash_dim(dim), return_inverse=True, return_counts=True)
        rows.append({
            "dimensionality": dim,
            "measured": float(np.mean(sizes[inverse] > 1)) if len(distinct) else 0.0,
            "expected": expected_collision_rate(len(distinct), dim),
            "any collision (birthday)": birthday_probability(len(distinct), dim),
        })
    return rows


def curve_dims(chosen: int, n: int) -> list[int]:
    """Log-spaced dimensionalities from 2 to well past the birthday bound, plus the chosen one."""
    top = min(MAX_HASH_DIM, max(64, 2 * n * n))  # past n², collisions have all but vanished
    return sorted({*np.unique(np.geomspace(2, top, 48).round().astype(int)).tolist(), check_hash_dim(chosen)})


# ── Dense embeddings ───────────────────────────────────────────────────────────────────────────


def check_embed_dim(dim: int) -> int:
    if not isinstance(dim, (int, np.integer)) or not 1 <= dim <= MAX_EMBED_DIM:
        raise LabError(f"The embedding size d must be a whole number from 1 to {MAX_EMBED_DIM}; got {dim!r}.")
    return int(dim)


def embedding_layer(vocab_size: int, dim: int, seed: int = 0, device: torch.device | None = None) -> torch.nn.Embedding:
    """nn.Embedding(vocab_size, dim, padding_idx=0) with N(0, 1) rows drawn from `seed` (torch's own init).

    A private generator keeps the seed's result reproducible without touching the global RNG that other
    sessions share.
    """
    dim = check_embed_dim(dim)
    layer = torch.nn.Embedding(vocab_size, dim, padding_idx=0, device=device or default_device())
    generator = torch.Generator().manual_seed(int(seed))
    with torch.no_grad():
        layer.weight.copy_(torch.randn(vocab_size, dim, generator=generator))  # (vocab, d)
        layer.weight[0].zero_()  # the padding row, as padding_idx promises
    return layer


@dataclass(frozen=True)
class LookupCheck:
    """one_hot(ids) @ W beside W[ids]: the same numbers, one a matrix product, the other a lookup."""

    ids: torch.Tensor  # (samples, length)
    product: torch.Tensor  # (samples, length, d) from the one-hot matrix product
    lookup: torch.Tensor  # (samples, length, d) from nn.Embedding
    max_abs_difference: float
    exactly_equal: bool
    multiply_adds_product: int
    values_read_lookup: int


def lookup_check(layer: torch.nn.Embedding, ids: torch.Tensor) -> LookupCheck:
    """Compare the one-hot matrix product with the embedding lookup for the given ids."""
    weight = layer.weight.detach()  # (vocab, d)
    with torch.no_grad():
        lookup = layer(ids)  # (samples, length, d)
        product = one_hot(ids, weight.shape[0]) @ weight  # (samples, length, vocab) @ (vocab, d)
    difference = float((product - lookup).abs().max()) if lookup.numel() else 0.0
    positions = ids.numel()
    return LookupCheck(ids, product, lookup, difference, bool(torch.equal(product, lookup)),
                       positions * weight.shape[0] * weight.shape[1], positions * weight.shape[1])


@dataclass(frozen=True)
class MemoryRow:
    """One representation's cost for one vocabulary, per token and for a batch."""

    vocabulary: int
    representation: str
    values_per_token: int
    non_zero_per_token: int
    bytes_per_token: int
    batch_bytes: int
    parameter_bytes: int
    expected_shared_slot: float


def memory_table(
    vocab_size: int, hash_dim: int, embed_dim: int, batch_tokens: int, other_vocab: int = 20_000
) -> list[MemoryRow]:
    """Dimensions, non-zeros and float32 memory of one-hot, hashing and dense, for two vocabulary sizes."""
    hash_dim, embed_dim = check_hash_dim(hash_dim), check_embed_dim(embed_dim)
    rows = []
    for vocab in (vocab_size, other_vocab):
        for name, width, non_zero, params, shared in (
            ("one-hot", vocab, 1, 0, 0.0),
            ("hashing trick", hash_dim, 1, 0, expected_collision_rate(vocab, hash_dim)),
            ("dense nn.Embedding", embed_dim, embed_dim, vocab * embed_dim * FLOAT_BYTES, 0.0),
        ):
            per_token = width * FLOAT_BYTES
            rows.append(MemoryRow(vocab, name, width, non_zero, per_token, batch_tokens * per_token, params, shared))
    return rows


def shorten(label: str, width: int = 24) -> str:
    """A label cut to `width` characters with an ellipsis, for messages and chart titles."""
    return label if len(label) <= width else label[: width - 1] + "…"


def human_bytes(count: float) -> str:
    """1536 → '1.5 KiB'."""
    if abs(count) < 1024:
        return f"{count:,.0f} B"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        count /= 1024
        if abs(count) < 1024 or unit == "TiB":
            break
    return f"{count:,.1f} {unit}"


def cosine_matrix(vectors: torch.Tensor) -> torch.Tensor:
    """(n, d) → (n, n) cosine similarities; a zero row (padding) has cosine 0 with everything."""
    unit = vectors / vectors.norm(dim=1, keepdim=True).clamp_min(1e-12)  # (n, d)
    return unit @ unit.T


@dataclass(frozen=True)
class PretrainedComparison:
    """The same words' cosine similarities under a random nn.Embedding and under GloVe."""

    words: list[str]  # the words compared, at most `cap` of those GloVe knows
    known: int  # how many of the vocabulary's words GloVe knows
    missing: list[str]  # vocabulary words GloVe does not have
    random_cosines: torch.Tensor  # (words, words)
    glove_cosines: torch.Tensor  # (words, words)

    def mean_off_diagonal(self, which: str) -> float:
        matrix = self.random_cosines if which == "random" else self.glove_cosines
        n = matrix.shape[0]
        return float((matrix.sum() - matrix.diagonal().sum()) / (n * (n - 1))) if n > 1 else 0.0

    def closest_pair(self, which: str) -> tuple[str, str, float] | None:
        """The most similar pair of distinct words under one table."""
        matrix = (self.random_cosines if which == "random" else self.glove_cosines).clone()
        if matrix.shape[0] < 2:
            return None
        matrix.fill_diagonal_(-2.0)
        flat = int(matrix.argmax())
        i, j = divmod(flat, matrix.shape[0])
        return self.words[i], self.words[j], float(matrix[i, j])


def compare_with_glove(
    vocabulary: OneHotVocabulary, layer: torch.nn.Embedding, glove: EmbeddingSet, cap: int = 30
) -> PretrainedComparison:
    """The vocabulary's words (most frequent first, at most `cap`) that GloVe knows, under both tables."""
    words = vocabulary.tokens[2:]  # skip <pad> and <unk>
    # GloVe is lower-case: 'The' and 'the' are one GloVe word, so only the first spelling of each is kept.
    first_spelling: dict[str, str] = {}
    for word in words:
        if word.lower() in glove.index:
            first_spelling.setdefault(word.lower(), word)
    found = list(first_spelling.values())
    missing = [word for word in words if word.lower() not in glove.index]
    if len(found) < 2:
        known = ", ".join(shorten(word) for word in found) or "none"
        unknown = f"; it does not know {', '.join(shorten(word) for word in missing[:8])}" if missing else ""
        raise LabError(
            f"A similarity needs two different words that GloVe knows, and it knows {len(found)} of yours "
            f"({known}){unknown}. GloVe 6B is lower-case English: type a few different English words."
        )
    known, found, index = len(found), found[:cap], vocabulary.index
    rows = torch.tensor([index[word] for word in found], device=layer.weight.device)
    random_vectors = layer.weight.detach()[rows]  # (found, d)
    glove_vectors = torch.stack([glove.vector(word.lower(), unit=False) for word in found])  # (found, 50)
    return PretrainedComparison(found, known, missing, cosine_matrix(random_vectors), cosine_matrix(glove_vectors))
