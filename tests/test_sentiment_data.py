"""Datasets and user CSVs: what is accepted, what is refused (with a message), and seeded splits."""

import numpy as np
import pytest

from engine.errors import LabError
from engine.sentiment import data


def _csv(rows, header="text,label"):
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


GOOD_ROWS = [f"good text number {i},positive" for i in range(12)] + [f"bad text number {i},negative" for i in range(12)]


def test_bundled_tweets_have_three_or_two_classes():
    three, two = data.load_dataset("tweets-3"), data.load_dataset("tweets-2")
    assert three.label_names == ("negative", "neutral", "positive")
    assert two.label_names == ("negative", "positive")
    assert len(two) < len(three)
    assert int(three.counts()["texts"].sum()) == len(three)


def test_unknown_dataset_key_is_refused():
    with pytest.raises(LabError, match="tweets-3"):
        data.load_dataset("imdb")


def test_a_good_csv_reads_with_sorted_label_names():
    texts = data.read_csv(_csv(GOOD_ROWS), "text", "label")
    assert texts.label_names == ("negative", "positive")
    assert len(texts) == 24
    assert texts.texts[texts.labels.tolist().index(1)].startswith("good")


def test_columns_are_listed_for_the_picker():
    assert data.csv_columns(_csv(GOOD_ROWS, header="body,sentiment")) == ["body", "sentiment"]


@pytest.mark.parametrize(("raw", "text_column", "label_column", "message"), [
    (_csv(GOOD_ROWS), "review", "label", "no column 'review'"),
    (_csv([f"text {i},positive" for i in range(30)]), "text", "label", "at least two classes"),
    (_csv([f"text {i},label{i}" for i in range(2000)]), "text", "label", "2,000 different labels"),
    (_csv([*GOOD_ROWS, " ,positive"]), "text", "label", "empty text"),
    (_csv([*GOOD_ROWS, "orphan text,"]), "text", "label", "no label"),
    (_csv([f"text {i},{i % 2}" for i in range(30)]), "text", "label", "are numbers"),
    (_csv([*GOOD_ROWS, "lonely,neutral"]), "text", "label", "'neutral' \\(1\\)"),
    (_csv(GOOD_ROWS), "text", "text", "different columns"),
    ("text,label\ncaf\xe9 is nice,positive\n".encode("latin-1"), "text", "label", "not valid UTF-8"),
])
def test_bad_csvs_are_refused_with_a_reason(raw, text_column, label_column, message):
    with pytest.raises(LabError, match=message):
        data.read_csv(raw, text_column, label_column)


def test_an_oversized_file_is_refused(monkeypatch):
    monkeypatch.setattr(data, "LABELLED_TEXTS_LIMIT", 10)
    with pytest.raises(LabError, match="the upload limit is 0 MiB"):
        data.csv_columns(_csv(GOOD_ROWS))


def test_split_is_seeded_disjoint_and_stratified():
    texts = data.read_csv(_csv([f"t{i},{'ab'[i % 2]}" for i in range(200)]), "text", "label")
    first, again, other = data.split(texts, seed=3), data.split(texts, seed=3), data.split(texts, seed=4)
    assert first.train.texts == again.train.texts and first.test.texts == again.test.texts
    assert first.test.texts != other.test.texts
    parts = [set(first.train.texts), set(first.valid.texts), set(first.test.texts)]
    assert sum(map(len, parts)) == 200 and len(set.union(*parts)) == 200
    assert first.sizes() == {"train": 160, "valid": 20, "test": 20}
    for part in (first.train, first.valid, first.test):
        assert np.bincount(part.labels).tolist()[0] == len(part) // 2


def test_split_fractions_are_checked():
    texts = data.read_csv(_csv(GOOD_ROWS), "text", "label")
    with pytest.raises(LabError, match="fractions"):
        data.split(texts, valid=0.6)
