"""Labelled texts for the sentiment lab: the bundled datasets and a user's CSV, checked before training.

Every source ends as `LabelledTexts` (texts, integer labels, label names) and passes the same checks,
so nothing trains on garbage silently: a missing column, one class, a column of ids or free text
(too many classes), texts without labels, numbers in the text column, numeric labels, an oversized or
non-UTF-8 file each stop with a message that says what was found and what to do. What can be cleaned
safely is cleaned and said in `notes`: blank rows dropped, labels stripped of spaces and lower-cased
(` Positive` and `positive` are one class), HTML markup noted (the featurisers read it as plain text). Splits are stratified and seeded, so a figure
quoted for "tweets, seed 0" always means the same test set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from engine import datasets
from engine.errors import LabError
from engine.sentiment.vocab import strip_markup
from engine.uploads import LABELLED_TEXTS_LIMIT, columns_text_first, decode_text, read_csv_text

MAX_CLASSES = 50
MIN_PER_CLASS = 10  # so a stratified 80/10/10 split leaves each class in validation and test


@dataclass(frozen=True)
class LabelledTexts:
    """Texts with integer labels; `label_names[i]` is what label i means."""

    name: str
    texts: list[str]
    labels: np.ndarray  # (n,) int64, each in range(len(label_names))
    label_names: tuple[str, ...]
    notes: tuple[str, ...] = ()  # what was cleaned on the way in, for the page to show
    # Short labelled texts from another source that only ever train, never validate or test: the models
    # that train on short texts (`ModelSpec.short_texts`) read them beside the training part.
    short_texts: LabelledTexts | None = None

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def n_classes(self) -> int:
        return len(self.label_names)

    def counts(self) -> pd.DataFrame:
        """One row per class: its name, how many texts carry it, and their share."""
        counts = np.bincount(self.labels, minlength=self.n_classes)
        return pd.DataFrame({"label": self.label_names, "texts": counts, "share": counts / max(1, counts.sum())})

    def subset(self, indices: Sequence[int] | np.ndarray) -> LabelledTexts:
        indices = np.asarray(indices, dtype=np.int64)
        return LabelledTexts(self.name, [self.texts[i] for i in indices], self.labels[indices], self.label_names, self.notes)


@dataclass(frozen=True)
class Splits:
    """Train / validation / test parts of one dataset, drawn with `seed`."""

    train: LabelledTexts
    valid: LabelledTexts
    test: LabelledTexts
    seed: int
    short_texts: LabelledTexts | None = None  # the dataset's, see `LabelledTexts.short_texts`

    @property
    def label_names(self) -> tuple[str, ...]:
        return self.train.label_names

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "valid": len(self.valid), "test": len(self.test)}


def _tweets(binary: bool) -> Callable[[], pd.DataFrame]:
    return lambda: datasets.tweets(binary=binary)


# key → (what the picker shows, loader of a text/label table)
DATASETS: dict[str, tuple[str, Callable[[], pd.DataFrame]]] = {
    "movie-reviews": ("Movie reviews (IMDB) · negative vs positive (1,180)", datasets.movie_reviews),
    "tweets-3": ("Tweets · negative / neutral / positive (38,158)", _tweets(False)),
    "tweets-2": ("Tweets · negative vs positive (23,140)", _tweets(True)),
    "bbc-news": ("BBC News · 5 topics (2,225 articles)", datasets.bbc_news),
}
# The IMDB reviews hold no short labelled film text; the lab ships 9,065 rated Rotten Tomatoes snippets to train on.
SHORT_TEXTS: dict[str, tuple[str, Callable[[], pd.DataFrame]]] = {"movie-reviews": ("film snippets", datasets.film_snippets)}
SMALL_DATASET = 5_000  # texts: below this, models need more passes over the data to learn


def suggested_epochs(n_texts: int) -> int:
    """At most 10 epochs for a small dataset (early stopping ends sooner), 5 for a large one."""
    return 10 if n_texts < SMALL_DATASET else 5


def load_dataset(key: str) -> LabelledTexts:
    """One of the bundled datasets by key (see `DATASETS`)."""
    if key not in DATASETS:
        raise LabError(f"dataset must be one of {', '.join(DATASETS)}; got {key!r}.")
    title, loader = DATASETS[key]
    data = from_frame(loader(), "text", "label", name=title.split(" (")[0])
    if key in SHORT_TEXTS:
        short_name, short_loader = SHORT_TEXTS[key]
        short = from_frame(short_loader(), "text", "label", name=short_name)
        if short.label_names != data.label_names:
            raise LabError(f"the short texts' labels {short.label_names} differ from the dataset's {data.label_names}.")
        data = replace(data, short_texts=short)
    return data


def dataset_key(name: str) -> str | None:
    """The key of the bundled dataset called `name` (a stored model's `dataset` parameter), or None for an upload."""
    return next((key for key, (title, _) in DATASETS.items() if title.split(" (")[0] == name), None)


def held_out_sample(key: str, *, seed: int, size: int) -> LabelledTexts:
    """Up to `size` texts of a bundled dataset's test split (drawn with `seed`, as the Sentiment lab draws it)."""
    test = split(load_dataset(key), seed=seed).test
    if size < len(test):
        test = test.subset(np.sort(np.random.default_rng(seed).choice(len(test), size, replace=False)))
    return test


def csv_columns(data: bytes) -> list[str]:
    """The column names of an uploaded CSV, text columns first (longest texts first): the page offers the first
    as the text column and the second as the label column."""
    return columns_text_first(_read_frame(data))


def read_csv(data: bytes, text_column: str, label_column: str, *, name: str = "your CSV") -> LabelledTexts:
    """A user's CSV as labelled texts, after every check in `from_frame`."""
    return from_frame(_read_frame(data), text_column, label_column, name=name)


def from_frame(frame: pd.DataFrame, text_column: str, label_column: str, *, name: str) -> LabelledTexts:
    """Validate a table of texts and labels; labels are numbered in sorted order of their names."""
    missing = [column for column in (text_column, label_column) if column not in frame.columns]
    if missing:
        raise LabError(
            f"{name} has no column {missing[0]!r}; its columns are {', '.join(map(repr, map(str, frame.columns)))}. "
            f"Pick the column that holds the texts and the one that holds the labels."
        )
    if text_column == label_column:
        raise LabError(f"the text and the label must be different columns; both are {text_column!r}.")
    notes: list[str] = []
    texts = frame[text_column].fillna("").astype(str).str.strip()
    blank = (texts == "") & (frame[label_column].fillna("").astype(str).str.strip() == "")
    if blank.any():
        frame, texts = frame[~blank], texts[~blank]
        notes.append(f"Dropped {int(blank.sum()):,} blank row{'s' if blank.sum() != 1 else ''} (no text and no label).")
    if frame.empty:
        raise LabError(f"{name} has no rows.")
    _refuse_rows(texts == "", f"an empty text in column {text_column!r}", "Remove those rows or pick the column that holds the texts.")
    numeric = pd.to_numeric(texts, errors="coerce").notna()
    if numeric.mean() > 0.5:
        raise LabError(f"column {text_column!r} holds numbers ({', '.join(texts[numeric].head(3))}, …), not text. "
                       f"Pick the column that holds the texts.")
    markup = texts.map(lambda text: strip_markup(text) != text)
    if markup.any():
        notes.append(f"{int(markup.sum()):,} texts hold HTML markup (such as <br />); the models read it as plain text.")
    raw_labels = frame[label_column]
    _refuse_rows(raw_labels.isna() | (raw_labels.astype(str).str.strip() == ""), f"no label in column {label_column!r}", "Label or remove those rows.")
    if pd.api.types.is_numeric_dtype(raw_labels) or pd.to_numeric(raw_labels, errors="coerce").notna().all():
        examples = ", ".join(map(str, pd.unique(raw_labels)[:4]))
        raise LabError(
            f"the labels in {label_column!r} are numbers ({examples}, …). The lab needs class names, so results can say "
            f"what each class means: map the numbers to names (0 → negative, say) or pick the column that holds names."
        )
    written = raw_labels.astype(str)
    labels = written.str.strip().str.lower()
    changed = written != labels
    if changed.any():
        examples = ", ".join(f"{before!r} → {after!r}" for before, after in
                             pd.DataFrame({"b": written[changed], "a": labels[changed]}).drop_duplicates().head(3).itertuples(index=False))
        notes.append(f"Labels were stripped of spaces and lower-cased in {int(changed.sum()):,} rows ({examples}).")
    names = sorted(labels.unique())
    if len(names) < 2:
        raise LabError(f"every row in {label_column!r} has the label {names[0]!r}; a classifier needs at least two classes.")
    if len(names) > MAX_CLASSES:
        raise LabError(
            f"{label_column!r} holds {len(names):,} different labels; the lab trains on at most {MAX_CLASSES}. "
            f"This looks like an id or free-text column: pick the column with the class of each text."
        )
    counts = labels.value_counts()
    rare = counts[counts < MIN_PER_CLASS]
    if len(rare):
        listed = ", ".join(f"{label!r} ({n})" for label, n in rare.items())
        raise LabError(
            f"every class needs at least {MIN_PER_CLASS} texts so that validation and test sets hold it; "
            f"too few for {listed}. Add examples or remove those rows."
        )
    codes = labels.map({label: i for i, label in enumerate(names)}).to_numpy(dtype=np.int64)
    return LabelledTexts(name, texts.tolist(), codes, tuple(names), tuple(notes))


def split(data: LabelledTexts, *, seed: int = 0, valid: float = 0.1, test: float = 0.1) -> Splits:
    """Stratified train / validation / test parts; the same seed always gives the same parts."""
    if not (0 < valid < 0.5 and 0 < test < 0.5 and valid + test < 0.9):
        raise LabError(f"valid and test must be fractions between 0 and 0.5 that leave room to train; got {valid} and {test}.")
    everything = np.arange(len(data))
    train, rest = train_test_split(everything, test_size=valid + test, random_state=seed, stratify=data.labels)
    valid_part, test_part = train_test_split(
        rest, test_size=test / (valid + test), random_state=seed, stratify=data.labels[rest]
    )
    return Splits(data.subset(train), data.subset(valid_part), data.subset(test_part), seed, data.short_texts)


def _read_frame(data: bytes) -> pd.DataFrame:
    """The upload as a table of strings (ids like 007 survive; numeric labels are recognised in from_frame)."""
    return read_csv_text(decode_text(data, "the file", limit_bytes=LABELLED_TEXTS_LIMIT), "the file")


def _refuse_rows(bad: pd.Series, problem: str, fix: str) -> None:
    if bad.any():
        rows = (np.asarray(bad.index[bad.to_numpy()]) + 2)[:5]  # +2: a spreadsheet's row number, after the header
        more = " …" if bad.sum() > len(rows) else ""
        raise LabError(f"{bad.sum():,} rows have {problem} (rows {', '.join(map(str, rows))}{more}). {fix}")
