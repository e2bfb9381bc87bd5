"""Text → tokens → ids: the tokeniser, FastText's bigrams, and a vocabulary with `<unk>` and `<pad>`.

The tokeniser is a small regex rather than scikit-learn's `token_pattern`, because that pattern
drops punctuation and emoticons (`!`, `:(`), which carry sentiment. Links and @-mentions become
`<url>` and `<user>`: each is unique, so as words they would only bloat the vocabulary. HTML tags
(IMDB's `<br />` line breaks) and entities are read as the text they stand for, so `br` never
becomes a review's most frequent "word".
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from engine.errors import LabError

UNK, PAD = "<unk>", "<pad>"
UNK_INDEX, PAD_INDEX = 0, 1  # the notebooks' order: unknown first, padding second
VOCAB_FORMAT = "embedding-lab-vocab/1"

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_USER = re.compile(r"@\w+")
_TAG = re.compile(r"</?[a-z][a-z0-9]*(?:\s[^<>]*)?/?>", re.IGNORECASE)  # <br />, <i>, </p>; not "<3" or "a < b"
# Words are runs of letters and digits in any script ("café", "фильм", "映画"), not only a-z: the lab once read
# "café" as "caf" and dropped Cyrillic and CJK text entirely.
_TOKEN = re.compile(r"<url>|<user>|[:;=][-']?[()dp]|[^\W_]+(?:'[^\W_]+)?|#\w+|[^\w\s]", re.IGNORECASE)


def strip_markup(text: str) -> str:
    """HTML tags become spaces and entities their characters (`&amp;` → `&`), so markup never reads as words."""
    return html.unescape(_TAG.sub(" ", str(text)))


def mask_links(text: str, url: str = "<url>", user: str = "<user>") -> str:
    """Replace links and @-mentions by placeholders (each is unique, so it says nothing as itself)."""
    return _USER.sub(f" {user} ", _URL.sub(f" {url} ", str(text)))


def sentiment_tokens(text: str) -> list[str]:
    """Lower-cased words (contractions kept whole), hashtags, emoticons and punctuation marks."""
    return [token.lower() for token in _TOKEN.findall(mask_links(strip_markup(text)))]


def add_bigrams(tokens: Sequence[str]) -> list[str]:
    """FastText's trick: the tokens followed by every adjacent pair, so word order leaves a trace."""
    return [*tokens, *(f"{first} {second}" for first, second in zip(tokens, tokens[1:]))]


class SentimentVocabulary:
    """Tokens ↔ ids; index 0 is `<unk>` (any token not seen in training), index 1 is `<pad>`."""

    def __init__(self, tokens: Sequence[str]) -> None:
        if list(tokens[:2]) != [UNK, PAD]:
            raise LabError(f"a vocabulary must start with {UNK!r} and {PAD!r}; got {list(tokens[:2])!r}.")
        self.itos: list[str] = list(tokens)
        self.stoi: dict[str, int] = {token: i for i, token in enumerate(self.itos)}
        if len(self.stoi) != len(self.itos):
            raise LabError("a vocabulary may hold each token once; this one repeats tokens.")

    @classmethod
    def build(cls, documents: Iterable[Sequence[str]], *, min_freq: int = 2, max_size: int = 25_000) -> SentimentVocabulary:
        """The `max_size` most frequent tokens seen at least `min_freq` times (ties broken alphabetically)."""
        if min_freq < 1 or max_size < 1:
            raise LabError(f"min_freq and max_size must be at least 1; got {min_freq} and {max_size}.")
        counts = Counter(token for document in documents for token in document)
        counts.pop(UNK, None), counts.pop(PAD, None)
        kept = sorted((token for token, n in counts.items() if n >= min_freq), key=lambda t: (-counts[t], t))
        return cls([UNK, PAD, *kept[:max_size]])

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: object) -> bool:
        return token in self.stoi

    def encode(self, tokens: Sequence[str]) -> list[int]:
        return [self.stoi.get(token, UNK_INDEX) for token in tokens]

    def to_json(self) -> str:
        return json.dumps({"format": VOCAB_FORMAT, "tokens": self.itos}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> SentimentVocabulary:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise LabError(f"the vocabulary is not valid JSON ({error.msg}).") from None
        if not isinstance(raw, dict) or raw.get("format") != VOCAB_FORMAT or not isinstance(raw.get("tokens"), list):
            raise LabError(f"not a vocabulary in format {VOCAB_FORMAT!r}.")
        return cls(raw["tokens"])
