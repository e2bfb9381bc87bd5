"""The tokeniser, bigrams and the vocabulary: ids, unknowns, and the JSON round trip."""

import pytest

from engine.errors import LabError
from engine.sentiment.vocab import PAD, PAD_INDEX, UNK, UNK_INDEX, SentimentVocabulary, add_bigrams, sentiment_tokens


def test_tokenize_keeps_sentiment_marks_and_replaces_links_and_users():
    tokens = sentiment_tokens("@Bob This film isn't GREAT :( see https://t.co/x1 #fail!")
    assert tokens == ["<user>", "this", "film", "isn't", "great", ":(", "see", "<url>", "#fail", "!"]


def test_words_in_every_script_are_read_whole():
    assert sentiment_tokens("Un café naïve, фильм хороший! 映画 l'été") == ["un", "café", "naïve", ",", "фильм", "хороший", "!", "映画", "l'été"]


def test_bigrams_follow_the_words():
    assert add_bigrams(["not", "very", "good"]) == ["not", "very", "good", "not very", "very good"]
    assert add_bigrams(["alone"]) == ["alone"]


def test_build_orders_by_frequency_and_drops_rare_tokens():
    vocab = SentimentVocabulary.build([["a", "b", "a"], ["a", "c", "b"], ["rare"]], min_freq=2)
    assert vocab.itos == [UNK, PAD, "a", "b"]
    assert vocab.encode(["b", "unseen", "a"]) == [3, UNK_INDEX, 2]
    assert vocab.stoi[PAD] == PAD_INDEX


def test_max_size_caps_the_vocabulary():
    vocab = SentimentVocabulary.build([list("aaabbc")], min_freq=1, max_size=2)
    assert len(vocab) == 4 and "c" not in vocab


def test_json_round_trip_keeps_every_id():
    vocab = SentimentVocabulary.build([["héllo", "wörld", "héllo", "wörld", ":)", ":)"]])
    again = SentimentVocabulary.from_json(vocab.to_json())
    assert again.itos == vocab.itos
    assert again.encode(["wörld", ":)", "x"]) == vocab.encode(["wörld", ":)", "x"])


@pytest.mark.parametrize("text", ["not json", '{"format": "other", "tokens": []}', '{"format": "embedding-lab-vocab/1", "tokens": ["a", "b"]}'])
def test_bad_vocabulary_json_is_refused(text):
    with pytest.raises(LabError):
        SentimentVocabulary.from_json(text)
