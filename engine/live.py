"""Live sentiment: a user's own texts and files through any stored classifier, and the words that drove it.

Where `engine.sentiment` trains and compares models, this module uses them: it keeps ready default
classifiers in the store (FastText on the bundled movie reviews, then on the tweets, trained once,
whoever asks first), turns a
typed text or an uploaded `.txt` / `.csv` into documents (or refuses it with a reason), scores
documents in chunks with progress, and explains one prediction by occluding one word at a time.
Attribution works on words (the tokeniser's tokens), not on what a featuriser adds: FastText's
bigrams are rebuilt from the words that remain, so removing a word also removes its bigrams.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from engine.attribution import occlusion
from engine.device import default_device
from engine.errors import LabError
from engine.jobs import ProgressCallback
from engine.sentiment.batches import WordFeaturizer
from engine.sentiment.data import load_dataset, split
from engine.sentiment.experiment import train_classifier
from engine.sentiment.persist import KIND, save_classifier
from engine.sentiment.predict import MAX_TEXTS, Prediction, SentimentClassifier
from engine.sentiment.train import TrainConfig
from engine.sentiment.vocab import sentiment_tokens
from engine.store import Manifest, ModelStore
from engine.uploads import NOT_TEXT, decode_text, read_csv_text
from engine.vectors import EmbeddingSet

DEFAULT_MARK = "ready_default"  # manifest parameter that marks a ready default classifier
MAX_DOCUMENT_CHARS = 20_000  # about 3,500 words: a long review fits; each word of it is occluded to explain it
MAX_DOCUMENTS = 100_000
SCORE_CHUNK = 1_000  # documents per predict_proba call: a progress report every chunk
# Chart colours for the usual sentiment names; other labels get plotly's palette.
LABEL_COLOURS = {"negative": "#D9534F", "neutral": "#9AA0B4", "positive": "#3C9D5D"}


@dataclass(frozen=True)
class DefaultConfig:
    """How a ready default is trained: FastText on a bundled dataset, sized to finish in seconds.

    The movie reviews are few (944 to train on) and long, so they get more, smaller steps: 15 epochs at
    most, batches of 32, early stopping after 3 epochs without a better validation loss (86% test
    accuracy here in 10 s). `limit` trains on a seeded sample of that many texts (tests use a few
    hundred). `threads` caps torch's CPU threads while training (see `TrainConfig.threads`): averaged
    embeddings gain nothing from a second thread, and on a busy 2-core CPU spinning threads made each
    epoch ~10× slower (29 s against 2.9 s).
    """

    name: str = "FastText · Movie reviews (ready default)"
    dataset: str = "movie-reviews"
    epochs: int = 15
    batch_size: int = 32
    lr: float = 5e-3
    seed: int = 0
    limit: int | None = None
    threads: int | None = 1
    patience: int = 3

    def train_config(self) -> TrainConfig:
        return TrainConfig(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, seed=self.seed,
                           threads=self.threads, patience=self.patience)


# Films first, so the probe sentences about films meet a model trained on films; the tweets beside them.
DEFAULT_CONFIGS = (
    DefaultConfig(),
    DefaultConfig(name="FastText · Tweets (ready default)", dataset="tweets-3", epochs=3, batch_size=256, patience=2),
)


# ---- the model store's classifiers, and the ready default --------------------------------------------------

def classifier_manifests(store: ModelStore) -> list[Manifest]:
    """Every stored classifier: the ready defaults first (in `DEFAULT_CONFIGS` order), then newest first."""
    order = {config.name: i for i, config in enumerate(DEFAULT_CONFIGS)}
    found = store.manifests(KIND)
    # stable: keeps newest-first among the rest
    return sorted(found, key=lambda m: order.get(m.name, len(order)) if m.params.get(DEFAULT_MARK) else len(order) + 1)


def describe(manifest: Manifest) -> str:
    """One line for a picker: the name and, where known, the test accuracy."""
    accuracy = manifest.metrics.get("test_accuracy")
    score = f" · test accuracy {accuracy:.1%}" if isinstance(accuracy, (int, float)) else ""
    return f"{manifest.name}{score}"


def ensure_default(store: ModelStore, *, configs: Sequence[DefaultConfig] = DEFAULT_CONFIGS, glove: EmbeddingSet | None = None,
                   device: torch.device | None = None, on_progress: ProgressCallback | None = None) -> Manifest:
    """A classifier to start with: the stored default (or newest) one, else each of `configs` trained now and saved.

    A file lock in the store makes this once-only across sessions and server processes: whoever comes
    second waits, then finds the models the first one saved. Returns the first default.
    """
    report = on_progress or (lambda step, total, metrics: None)
    with _store_lock(store.root / ".ready-default.lock", lambda: report(0, 1, {"phase": "waiting"})):
        existing = classifier_manifests(store)
        if existing:
            return existing[0]
        saved = [_train_default(store, config, glove, device or default_device(), on_progress, report) for config in configs]
        return saved[0]


def _train_default(store: ModelStore, config: DefaultConfig, glove: EmbeddingSet | None, device: torch.device,
                   on_progress: ProgressCallback | None, report: ProgressCallback) -> Manifest:
    report(0, 1, {"phase": "preparing", "dataset": config.dataset})
    data = load_dataset(config.dataset)
    if config.limit is not None and config.limit < len(data):  # a seeded sample, so every class stays in
        rng = np.random.default_rng(config.seed)
        data = data.subset(np.sort(rng.choice(len(data), config.limit, replace=False)))
    splits = split(data, seed=config.seed)
    result = train_classifier("fasttext", splits, config=config.train_config(), glove=glove, device=device,
                              on_progress=on_progress)
    metrics = {**result.test.as_dict(), "valid_accuracy": result.training.best.valid_accuracy,
               "seconds_per_epoch": result.training.seconds_per_epoch}
    params = {DEFAULT_MARK: True, "dataset": data.name, "splits": splits.sizes(), "training": asdict(config)}
    return save_classifier(store, result.classifier, config.name, metrics=metrics, params=params)


@contextlib.contextmanager
def _store_lock(path: Path, on_wait) -> Iterator[None]:
    """An exclusive flock on `path`; separate opens conflict even within one process, so threads are covered too."""
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---- the user's text and files -> documents -------------------------------------------------------------

@dataclass(frozen=True)
class Documents:
    """Texts to score, each with where it came from (`line 3`, `row 7`), and notes on what was skipped."""

    texts: list[str]
    positions: list[int]
    unit: str  # "line", "row" or "file"
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)


def check_text(text: str) -> str:
    """A typed text, stripped; refuses empty, whitespace-only and oversized text."""
    if not text:
        raise LabError("Type or paste some text first: the box is empty.")
    stripped = text.strip()
    if not stripped:
        raise LabError("The text holds only spaces and line breaks; type some words to classify.")
    if len(stripped) > MAX_DOCUMENT_CHARS:
        raise LabError(
            f"The text has {len(stripped):,} characters; one text may have at most {MAX_DOCUMENT_CHARS:,} (the models read "
            f"its head and tail past its cap of words). For many texts, upload a .txt file with one text per line."
        )
    return stripped


def read_text_file(data: bytes, name: str, *, whole: bool = False) -> Documents:
    """A .txt upload as one document per non-blank line, or (`whole`) the whole file as one document."""
    text = decode_text(data, name)
    if whole:
        whole_text = _fits(text.strip(), f"{name} as one document", "use one document per line instead")
        return Documents([whole_text], [1], "file")
    lines = text.splitlines()
    kept = [(number, line.strip()) for number, line in enumerate(lines, start=1) if line.strip()]
    _refuse_long((len(line) for _, line in kept), [number for number, _ in kept], "line", name)
    skipped = len(lines) - len(kept)
    notes = [f"Skipped {skipped:,} blank line{'s' if skipped != 1 else ''}."] if skipped else []
    return _limited(Documents([line for _, line in kept], [number for number, _ in kept], "line", notes), name)


def read_csv_table(data: bytes, name: str) -> pd.DataFrame:
    """A .csv upload as a table of strings (delimiter sniffed), for the page to offer its columns."""
    return read_csv_text(decode_text(data, name), name)


def read_csv_column(table: pd.DataFrame, column: str, name: str) -> Documents:
    """One document per row of `column`; rows without text are skipped (and counted), a column of numbers refused."""
    if column not in table.columns:
        listed = ", ".join(map(repr, map(str, table.columns)))
        raise LabError(f"{name} has no column {column!r}; its columns are {listed}.")
    values = table[column].astype(str).str.strip()
    missing = values.str.lower().isin(NOT_TEXT)
    numbers = ~missing & pd.to_numeric(values, errors="coerce").notna()
    if missing.all():
        raise LabError(f"Column {column!r} of {name} is empty (every cell is blank or NaN). "
                       f"Pick the column that holds the texts.")
    if (missing | numbers).all():
        examples = ", ".join(pd.unique(values[numbers])[:3])
        raise LabError(f"Column {column!r} of {name} holds numbers ({examples}, …), not text. "
                       f"Pick the column that holds the texts.")
    keep = ~missing.to_numpy()
    rows = (np.flatnonzero(keep) + 2).tolist()  # +2: a spreadsheet's row number, after the header
    texts = values[keep].tolist()
    _refuse_long(map(len, texts), rows, "row", name)
    skipped = int((~keep).sum())
    plural = "s" if skipped != 1 else ""
    notes = [f"Skipped {skipped:,} row{plural} with no text (blank or NaN) in {column!r}."] if skipped else []
    return _limited(Documents(texts, rows, "row", notes), name)


def _fits(text: str, what: str, fix: str) -> str:
    if len(text) > MAX_DOCUMENT_CHARS:
        raise LabError(f"{what} has {len(text):,} characters; a document may have at most {MAX_DOCUMENT_CHARS:,} "
                       f"(the models read a long text's head and tail). {fix[0].upper()}{fix[1:]}.")
    return text


def _refuse_long(lengths, positions: Sequence[int], unit: str, name: str) -> None:
    long = [(position, n) for position, n in zip(positions, lengths) if n > MAX_DOCUMENT_CHARS]
    if long:
        listed = ", ".join(f"{unit} {position:,} ({n:,} characters)" for position, n in long[:3])
        more = f" and {len(long) - 3:,} more" if len(long) > 3 else ""
        raise LabError(f"{name}: {listed}{more} {'is' if len(long) == 1 else 'are'} longer than {MAX_DOCUMENT_CHARS:,} "
                       f"characters, the most one document may have (the models read a long text's head and tail). "
                       f"Split or shorten {'it' if len(long) == 1 else 'them'}.")


def _limited(documents: Documents, name: str) -> Documents:
    if not documents.texts:
        raise LabError(f"{name} holds no text to classify.")
    if len(documents) > MAX_DOCUMENTS:
        raise LabError(f"{name} holds {len(documents):,} documents; the page scores at most {MAX_DOCUMENTS:,} at once. "
                       f"Split the file.")
    return documents


# ---- scoring and the predictions table ------------------------------------------------------------------

def score(classifier: SentimentClassifier, texts: Sequence[str], *, chunk: int = SCORE_CHUNK,
          on_progress: ProgressCallback | None = None) -> np.ndarray:
    """(n, n_classes) probabilities for any number of texts, `chunk` at a time, reporting after each chunk."""
    if not 1 <= chunk <= MAX_TEXTS:
        raise LabError(f"chunk must be between 1 and {MAX_TEXTS:,}; got {chunk}.")
    if not texts:
        raise LabError("there are no texts to classify.")
    parts = []
    for start in range(0, len(texts), chunk):
        parts.append(classifier.predict_proba(list(texts[start:start + chunk])))  # (chunk, n_classes)
        if on_progress:
            on_progress(min(start + chunk, len(texts)), len(texts), {"phase": "scoring"})
    return np.concatenate(parts)


def predictions_table(documents: Documents, label_names: Sequence[str], probabilities: np.ndarray) -> pd.DataFrame:
    """One row per document: where it came from, the text, the label, its probability, and every class's probability."""
    best = probabilities.argmax(axis=1)
    frame = pd.DataFrame({documents.unit: documents.positions, "text": documents.texts,
                          "label": [label_names[i] for i in best], "confidence": probabilities.max(axis=1)})
    for i, name in enumerate(label_names):
        frame[f"P({name})"] = probabilities[:, i]
    return frame


def with_second_opinion(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """The first model's table plus the second model's label and confidence, and whether the two agree."""
    labels = second["label"].to_numpy()
    return first.assign(**{"second label": labels, "second confidence": second["confidence"].to_numpy(),
                           "agree": first["label"].to_numpy() == labels})


def label_counts(table: pd.DataFrame, label_names: Sequence[str]) -> pd.DataFrame:
    """How many documents got each label (every class listed, zeros included), with their share."""
    counts = table["label"].value_counts().reindex(list(label_names), fill_value=0)
    shares = counts.to_numpy() / max(1, len(table))
    return pd.DataFrame({"label": counts.index, "documents": counts.to_numpy(), "share": shares})


def to_csv(table: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV with a byte-order mark, so spreadsheets read emoji and accents correctly."""
    return table.to_csv(index=False).encode("utf-8-sig")


# ---- one text, explained -------------------------------------------------------------------------------

BANDS = ("strong_for", "for", "neutral", "against", "strong_against")


@dataclass(frozen=True)
class Explanation:
    """A prediction and, for each word, how much P(predicted label) falls when that word is removed."""

    prediction: Prediction
    words: list[str]
    scores: np.ndarray  # (words,) positive: the word supports the label; NaN beyond the attributed prefix
    unknown: list[bool]  # per word: not in the model's vocabulary (always False for MiniLM's word pieces)

    def ranked(self) -> pd.DataFrame:
        """Words by their effect, strongest support first."""
        frame = pd.DataFrame({"position": range(1, len(self.words) + 1), "word": self.words, "effect": self.scores,
                              "unknown to the model": self.unknown})
        return frame.dropna(subset=["effect"]).sort_values("effect", ascending=False, ignore_index=True)


def predict_text(classifier: SentimentClassifier, text: str) -> Prediction:
    return classifier.predict([check_text(text)])[0]


def explain(classifier: SentimentClassifier, text: str) -> Explanation:
    """Predict `text` and attribute the predicted label to its words by occlusion (one batched call)."""
    prediction = predict_text(classifier, text)
    words = sentiment_tokens(check_text(text))
    target = classifier.label_names.index(prediction.label)
    scores = occlusion(lambda texts: classifier.predict_proba(list(texts)), words, target) if words else np.array([])
    featurizer = classifier.featurizer
    vocab = featurizer.vocab if isinstance(featurizer, WordFeaturizer) else None
    return Explanation(prediction, words, scores, [vocab is not None and word not in vocab for word in words])


def bands(scores: np.ndarray) -> list[str]:
    """A colour band per word, relative to the strongest effect in this text (so short and long texts both read)."""
    finite = np.abs(scores[np.isfinite(scores)])
    scale = float(finite.max()) if finite.size else 0.0
    result = []
    for value in scores:
        if not np.isfinite(value) or scale < 1e-4 or abs(value) < max(0.15 * scale, 1e-3):
            result.append("neutral")
        elif value > 0:
            result.append("strong_for" if value >= 0.5 * scale else "for")
        else:
            result.append("strong_against" if -value >= 0.5 * scale else "against")
    return result
