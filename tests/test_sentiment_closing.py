"""Closing passages: the last sentences of a long review, added to the fine-tuned transformer's training texts."""

import numpy as np
import pandas as pd
import pytest

from engine import datasets
from engine.errors import LabError
from engine.sentiment import experiment, models
from engine.sentiment.closing import closing_passage, closing_passages, with_closing_passages
from engine.sentiment.data import LabelledTexts, Splits, load_dataset, split

PLOT = "The film follows a family across three summers by the lake. " * 6  # 66 words of plot summary
REVIEW = PLOT + "The ending drags.<br /><br />Still, the cast is wonderful. Well worth a look!"


def test_the_closing_passage_is_the_last_whole_sentences_that_fit_without_markup():
    assert closing_passage(REVIEW, words=12) == "The ending drags. Still, the cast is wonderful. Well worth a look!"
    assert closing_passage(REVIEW, words=11) == "Still, the cast is wonderful. Well worth a look!"  # never half a sentence
    assert "<br" not in closing_passage(REVIEW, words=48)
    assert len(closing_passage(REVIEW, words=48).split()) <= 48


def test_a_last_sentence_longer_than_the_limit_comes_back_whole_and_alone():
    long_last = "Short start. " + " ".join(["word"] * 60) + "."
    assert closing_passage(long_last, words=48) == " ".join(["word"] * 60) + "."


def test_only_texts_longer_than_their_passage_add_one_and_labels_stay_with_their_texts():
    texts = ["Great fun!", REVIEW, "Dull. " * 60 + "Avoid it."]
    labels = np.array([1, 1, 0])
    passages, passage_labels = closing_passages(texts, labels)
    assert passages == [closing_passage(REVIEW), closing_passage(texts[2])]  # "Great fun!" is its own passage
    assert passage_labels.tolist() == [1, 0]
    all_texts, all_labels = with_closing_passages(texts, labels)
    assert all_texts == texts + passages and all_labels.tolist() == [1, 1, 0, 1, 0]


class _Stop(Exception):
    pass


@pytest.mark.parametrize("model_key, adds_short_texts", [("minilm_ft", True), ("fasttext", False)])
def test_only_the_fine_tuned_transformer_trains_on_short_texts_and_its_caps_come_from_the_reviews(
        monkeypatch, model_key, adds_short_texts):
    reviews = [PLOT + ("Well worth a look!" if i % 2 else "A waste of an evening.") for i in range(12)]
    part = LabelledTexts("reviews", reviews, np.arange(12) % 2, ("negative", "positive"))
    short = LabelledTexts("short", ["Not terrible at all.", "Dire."], np.array([1, 0]), ("negative", "positive"))
    splits = Splits(part, part.subset(range(4)), part.subset(range(4, 8)), 0, short)
    seen = {}

    def capture(model, train_items, train_labels, *args, **kwargs):
        seen["items"], seen["labels"], seen["sample"] = train_items, train_labels, kwargs.get("sample")
        raise _Stop

    fit = experiment.fit_featurizer
    monkeypatch.setattr(experiment, "fit_featurizer", lambda kind, texts, *a, **k: seen.setdefault("fit", texts) and fit(kind, texts, *a, **k))
    monkeypatch.setattr(experiment, "train", capture)
    with pytest.raises(_Stop):
        experiment.train_classifier(model_key, splits, hyper={"layers": 1} if model_key == "minilm_ft" else None, max_length=64)
    assert seen["fit"] == reviews  # the length caps and vocabulary see the reviews only
    # Reviews, then one closing passage each, then the short texts: 12 + 12 + 2 items, labels aligned.
    expected = part.labels.tolist() * 2 + [1, 0] if adds_short_texts else part.labels.tolist()
    assert len(seen["items"]) == len(expected) and seen["labels"].tolist() == expected
    assert seen["sample"] is None  # two short texts, fewer than the reviews: every epoch reads them all


def test_film_snippets_split_into_a_training_part_and_every_tenth_held_out_labelled_by_their_raters():
    table = pd.read_csv(datasets.FILM_SNIPPETS)
    assert len(table) == 10_605 and table["id"].is_unique and table["rating"].between(-4, 4).all()
    decided = table[table["rating"].abs() >= datasets.UNDECIDED_RATING]
    train, held_out = datasets.film_snippets("train"), datasets.film_snippets("held-out")
    assert len(train) + len(held_out) == len(decided) < len(table)  # the undecided ones are left out
    assert not set(train["text"]) & set(held_out["text"])
    assert held_out["text"].tolist() == decided.loc[decided["id"] % 10 == 0, "text"].tolist()
    expected = dict(zip(decided["text"], np.where(decided["rating"] > 0, "positive", "negative")))
    assert all(expected[text] == label for text, label in zip(train["text"], train["label"]))
    assert set(train["label"]) == set(held_out["label"]) == {"negative", "positive"}
    assert train["text"].str.contains("\u2019|\u00e9").any()  # read as UTF-8, not mangled


def test_a_missing_snippet_file_or_an_unknown_part_is_refused_with_a_reason(monkeypatch, tmp_path):
    with pytest.raises(LabError, match="part must be one of train, held-out"):
        datasets.film_snippets("test")
    datasets.film_snippets.cache_clear()
    monkeypatch.setattr(datasets, "FILM_SNIPPETS", tmp_path / "gone.csv")
    with pytest.raises(LabError, match="film snippets are missing"):
        datasets.film_snippets("train")
    datasets.film_snippets.cache_clear()


def test_the_movie_reviews_carry_the_training_snippets_which_never_validate_or_test():
    reviews = load_dataset("movie-reviews")
    assert reviews.short_texts is not None and reviews.short_texts.label_names == reviews.label_names
    assert reviews.short_texts.texts == datasets.film_snippets("train")["text"].tolist()
    parts = split(reviews, seed=1)
    assert parts.short_texts is reviews.short_texts
    held_out = set(parts.valid.texts) | set(parts.test.texts) | set(parts.train.texts)
    assert not held_out & set(reviews.short_texts.texts)  # they never validate or test, nor count as reviews
    assert not set(datasets.film_snippets("held-out")["text"]) & set(reviews.short_texts.texts)
    assert load_dataset("tweets-2").short_texts is None


def test_short_texts_beyond_the_training_part_are_a_pool_each_epoch_draws_as_many_from():
    reviews = LabelledTexts("reviews", [PLOT + "Great."] * 5, np.array([0, 1, 0, 1, 0]), ("negative", "positive"))
    short = LabelledTexts("short", [f"snippet {i}" for i in range(40)], np.arange(40) % 2, ("negative", "positive"))
    texts, labels, sample, passages = experiment.training_texts(models.spec("minilm_ft"), Splits(reviews, reviews, reviews, 3, short))
    assert texts == reviews.texts + [closing_passage(reviews.texts[0])] * 5 + short.texts  # every snippet is featurised once
    assert labels.tolist() == [0, 1, 0, 1, 0] * 2 + (np.arange(40) % 2).tolist()
    assert passages == 5 and (sample.start, sample.size) == (10, 5)  # the reviews and their passages always; 5 of the 40 each epoch
    few = short.subset(range(4))
    assert experiment.training_texts(models.spec("minilm_ft"), Splits(reviews, reviews, reviews, 3, few))[2] is None
    assert experiment.training_texts(models.spec("fasttext"), Splits(reviews, reviews, reviews, 3, short))[2] is None
