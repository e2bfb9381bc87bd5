"""Closing passages: the last sentences of a long review, added to the fine-tuned transformer's training texts."""

import numpy as np
import pytest

from engine.datasets import film_sentences
from engine.sentiment import experiment
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
        seen["items"], seen["labels"] = train_items, train_labels
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


def test_the_movie_reviews_carry_gensims_200_film_sentences_for_training_only():
    sentences = film_sentences()
    assert len(sentences) == 200 and sentences["label"].value_counts().to_dict() == {"negative": 100, "positive": 100}
    assert sentences["text"].str.contains("\u2014").any()  # cp1252's dash decoded, not replaced
    reviews = load_dataset("movie-reviews")
    assert reviews.short_texts is not None and reviews.short_texts.label_names == reviews.label_names
    assert reviews.short_texts.texts == sentences["text"].tolist()
    parts = split(reviews, seed=1)
    assert parts.short_texts is reviews.short_texts
    held_out = set(parts.valid.texts) | set(parts.test.texts) | set(parts.train.texts)
    assert not held_out & set(reviews.short_texts.texts)  # they never validate or test, nor count as reviews
    assert load_dataset("tweets-2").short_texts is None
