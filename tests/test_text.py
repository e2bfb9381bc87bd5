"""From text to vectors on tiny inputs: tokens and n-grams (engine.text), vocabularies and one-hot (engine.one_hot),
the hashing trick (engine.hashing_trick) and nn.Embedding (engine.dense_embeddings).

References are the lecture's own n-gram sets, scikit-learn (CountVectorizer, FeatureHasher,
cosine_similarity) and closed-form probability, never numbers copied from a previous run.
"""

from __future__ import annotations

import os
import string
import subprocess
import sys

import numpy as np
import pytest
import torch
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from engine import dense_embeddings, hashing_trick, one_hot, text
from engine.device import default_device
from engine.errors import LabError
from engine.sources import load_glove
from tests.conftest import ROOT

LECTURE = "The cat sat on the mat."
SAMPLES = ["The cat sat on the mat.", "The dog ate my homework."]
# The lecture's sets for "The cat sat on the mat." (case kept, punctuation stripped).
LECTURE_2GRAMS = {"The", "The cat", "cat", "cat sat", "sat", "sat on", "on", "on the", "the", "the mat", "mat"}
LECTURE_3GRAMS = {"The", "The cat", "cat", "cat sat", "The cat sat", "sat", "sat on", "on", "cat sat on", "on the",
                  "the", "sat on the", "the mat", "mat", "on the mat"}


@pytest.fixture(scope="module")
def glove():
    return load_glove(limit=20_000)


# ── text and tokens ─────────────────────────────────────────────────────────────────────────────


def test_text_splits_into_sentences_and_lines():
    corpus = text.prepare_text("The cat sat. Did it?\nYes!  \n\n It did")
    assert corpus.samples == ["The cat sat.", "Did it?", "Yes!", "It did"]
    assert corpus.notes == []


@pytest.mark.parametrize("empty", ["", "   ", "\n\t\n"])
def test_empty_text_is_refused(empty):
    with pytest.raises(LabError, match="empty"):
        text.prepare_text(empty)


def test_a_megabyte_is_capped_with_a_note_and_no_word_is_cut():
    big = "word " * 200_000
    corpus = text.prepare_text(big)
    assert corpus.kept_chars <= text.MAX_CHARS
    assert all(token == "word" for token in text.tokenize(" ".join(corpus.samples)))
    assert any(f"{len(big):,}" in note for note in corpus.notes)


def test_too_many_sentences_are_capped_with_a_note():
    corpus = text.prepare_text("Hi. " * (text.MAX_SAMPLES + 7))
    assert len(corpus.samples) == text.MAX_SAMPLES
    assert corpus.dropped_samples == 7
    assert any("7 more" in note for note in corpus.notes)


def test_the_tokenizers_differ_as_described():
    assert text.tokenize(LECTURE, "whitespace") == ["The", "cat", "sat", "on", "the", "mat."]
    assert text.tokenize(LECTURE, "keep case") == ["The", "cat", "sat", "on", "the", "mat"]
    assert text.tokenize(LECTURE, "standard") == ["the", "cat", "sat", "on", "the", "mat"]


def test_standard_tokenizer_keeps_inner_apostrophes_and_every_script_but_drops_emoji():
    tokens = text.tokenize("Don't say 'hello' 😀 — नमस्ते Привет 東京", "standard")
    assert tokens == ["don't", "say", "hello", "नमस्ते", "привет", "東京"]  # Devanagari vowel signs stay inside the word
    assert text.dropped_characters("Hi, 😀 there!") == [",", "😀", "!"]


def test_unknown_tokenizer_is_named():
    with pytest.raises(LabError, match="whitespace"):
        text.tokenize("x", "bpe")


@pytest.mark.parametrize("junk", ["?!?! ... ,,,", "😀 🐱 🎉"])
def test_punctuation_or_emoji_only_leaves_no_tokens_and_says_why(junk):
    with pytest.raises(LabError, match="punctuation, symbols or emoji"):
        text.tokenize_all(text.prepare_text(junk).samples, "standard")
    assert text.tokenize_all([junk], "whitespace") == [junk.split()]


def test_scripts_without_spaces_are_flagged():
    tokens = text.tokenize("東京タワーは高い cat สวัสดี")
    assert text.unspaced_tokens(tokens) == ["東京タワーは高い", "สวัสดี"]


# ── n-grams ────────────────────────────────────────────────────────────────────────────────────


def test_the_lectures_bags_of_2_and_3_grams():
    tokens = text.tokenize(LECTURE, "keep case")
    assert set(text.ngram_sequence(tokens, 2)) == LECTURE_2GRAMS
    assert set(text.ngram_sequence(tokens, 3)) == LECTURE_3GRAMS


def test_the_sequence_keeps_order_and_repeats_the_set_does_not():
    tokens = text.tokenize(LECTURE)
    sequence = text.ngram_sequence(tokens, 2)
    assert sequence[:4] == ["the", "the cat", "cat", "cat sat"]
    assert sequence.count("the") == 2
    assert len(sequence) == len(tokens) + len(tokens) - 1
    trigrams = [gram for gram in text.ngram_sequence(tokens, 3) if gram.count(" ") == 2]
    assert trigrams == ["the cat sat", "cat sat on", "sat on the", "on the mat"]


@pytest.mark.parametrize("bad", [0, -1, 50, text.MAX_NGRAM + 1])
def test_ngram_sizes_outside_the_range_are_refused(bad):
    with pytest.raises(LabError, match=f"got {bad}"):
        text.check_ngram_size(bad)


def test_count_matrix_matches_scikit_learns_own_ngrams():
    tokens = text.tokenize_all(SAMPLES)
    ours = text.count_matrix(tokens, 2)
    reference = CountVectorizer(ngram_range=(1, 2), token_pattern=r"[a-z']+")
    expected = reference.fit_transform(SAMPLES).toarray()
    by_term = dict(zip(reference.get_feature_names_out(), expected.T.tolist()))
    assert sorted(ours.terms) == sorted(by_term)
    assert {term: ours.counts[:, i].toarray().ravel().tolist() for i, term in enumerate(ours.terms)} == by_term
    assert ours.terms[:3] == ["the", "the cat", "cat"]  # order of first appearance


def test_top_terms_caps_to_the_most_frequent():
    matrix = text.count_matrix([["a", "b", "b", "c", "c", "c"]], 1)
    columns, capped = matrix.top_terms(2)
    assert capped and [matrix.terms[c] for c in columns] == ["b", "c"]
    assert matrix.top_terms(5) == (pytest.approx(np.arange(3)), False)


def test_shuffling_keeps_the_bag_of_words_but_not_the_bigrams():
    tokens = text.tokenize(LECTURE)
    check = text.order_check(tokens, 2, seed=3)
    assert check.shuffled != tokens and sorted(check.shuffled) == sorted(tokens)
    assert check.same_unigram_bag and not check.same_ngram_bag
    assert set(check.only_original) <= set(text.ngram_sequence(tokens, 2))
    assert all(" " in gram for gram in check.only_original + check.only_shuffled)


# ── vocabulary and one-hot ─────────────────────────────────────────────────────────────────────


def test_vocabulary_reserves_0_and_1_and_orders_by_frequency():
    vocabulary = one_hot.build_vocabulary(text.tokenize_all(SAMPLES))
    assert vocabulary.tokens[:3] == [one_hot.PAD, one_hot.OOV, "the"]
    assert vocabulary.tokens[3:5] == ["cat", "sat"]  # ties keep first appearance
    assert len(vocabulary) == 2 + 9 and vocabulary.dropped == []


def test_a_capped_vocabulary_maps_the_rest_to_oov():
    tokens = text.tokenize_all(SAMPLES)
    vocabulary = one_hot.build_vocabulary(tokens, max_words=3)
    assert vocabulary.tokens == [one_hot.PAD, one_hot.OOV, "the", "cat", "sat"]
    assert vocabulary.dropped == ["on", "mat", "dog", "ate", "my", "homework"]
    ids = vocabulary.encode(tokens, 8).cpu()
    assert ids[1].tolist() == [2, 1, 1, 1, 1, 0, 0, 0]
    with pytest.raises(LabError, match="at least 1"):
        one_hot.build_vocabulary(tokens, max_words=0)


def test_encoding_truncates_and_pads():
    vocabulary = one_hot.build_vocabulary([["a", "b", "c", "d"]])
    ids = vocabulary.encode([["a", "b", "c", "d"], ["b"]], 3)
    assert ids.device.type == default_device().type
    assert ids.cpu().tolist() == [[2, 3, 4], [3, 0, 0]]
    with pytest.raises(LabError, match="maximum length"):
        vocabulary.encode([["a"]], 0)


def test_word_one_hot_has_one_1_per_token_in_the_right_column_and_zero_rows_for_padding():
    tokens = text.tokenize_all(SAMPLES)
    vocabulary = one_hot.build_vocabulary(tokens)
    ids = vocabulary.encode(tokens, 8)
    hot = one_hot.one_hot(ids, len(vocabulary))
    assert hot.shape == (2, 8, len(vocabulary)) and hot.dtype == torch.float32
    index = vocabulary.index
    for sample, words in enumerate(tokens):
        for position, word in enumerate(words):
            assert hot[sample, position].nonzero().flatten().tolist() == [index[word]]
        assert hot[sample, len(words):].sum() == 0
    assert hot[..., 0].sum() == 0  # index 0 is never hot


def test_character_one_hot_over_printable_ascii():
    ids, others = one_hot.char_ids(["ab é😀"], 8)
    assert ids.shape == (1, 8)
    expected = [string.printable.index(c) + 1 for c in "ab "] + [one_hot.OTHER_CHAR, one_hot.OTHER_CHAR, 0, 0, 0]
    assert ids.cpu().tolist() == [expected]
    assert others == ["é", "😀"]
    labels = one_hot.char_labels()
    assert len(labels) == one_hot.OTHER_CHAR + 1 == 102 and len(set(labels)) == len(labels)
    hot = one_hot.one_hot(ids, len(labels))
    assert hot.sum() == 5 and hot[0, 3, one_hot.OTHER_CHAR] == 1


def test_drawn_columns_keep_every_column_until_the_cap_then_only_hot_ones():
    ids = torch.tensor([[5, 9, 0, 5]])
    hot = one_hot.one_hot(ids, 40)
    assert one_hot.drawn_columns(hot, 40) == (list(range(40)), 2)
    assert one_hot.drawn_columns(hot, 10, always=(0,)) == ([0, 5, 9], 2)
    many = one_hot.one_hot(torch.arange(1, 31).reshape(1, 30), 100)  # 30 hot columns, room for 12
    assert one_hot.drawn_columns(many, 12) == (list(range(1, 13)), 30)


def test_the_one_hot_budget_keeps_at_least_one_sample():
    assert one_hot.samples_within_budget(10, 10, 3) == 3
    assert one_hot.samples_within_budget(200, 10**6, 50) == 1
    assert one_hot.samples_within_budget(100, 1000, 10**6) * 100 * 1000 <= one_hot.ONE_HOT_CELLS


# ── hashing ───────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("dim", [1, 7, 16, 1000, 2**20])
def test_buckets_are_the_columns_scikit_learns_feature_hasher_uses(dim):
    tokens = ["the", "cat", "sat", "mat", "東京", "don't", "😀", "homework", "a", "zebra"]
    hasher = FeatureHasher(n_features=dim, input_type="string", alternate_sign=False)
    columns = [row.indices[0] for row in hasher.transform([[t] for t in tokens])]
    assert hashing_trick.hash_buckets(tokens, dim).tolist() == columns


def _in_fresh_process(code: str, hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_the_hash_is_stable_across_processes_where_pythons_hash_is_not():
    ours = "from engine.hashing_trick import hash_buckets; print(hash_buckets(['cat', 'dog', 'mat'], 1000).tolist())"
    assert _in_fresh_process(ours, "1") == str(hashing_trick.hash_buckets(["cat", "dog", "mat"], 1000).tolist())
    pythons = "print(hash('cat'))"
    assert _in_fresh_process(pythons, "1") != _in_fresh_process(pythons, "2")


def test_collisions_group_tokens_by_bucket():
    tokens = [f"word{i}" for i in range(40)] + ["word0"]  # a repeat is not a collision
    found = hashing_trick.collisions(tokens, 16)
    assert len(found.buckets) == 40
    for group in found.groups:
        assert len(group) > 1 and len({found.buckets[t] for t in group}) == 1
    sizes = np.bincount(list(found.buckets.values()), minlength=16)
    assert found.colliding == int(sizes[sizes > 1].sum())
    assert found.rate == pytest.approx(found.colliding / 40)
    assert hashing_trick.collisions(tokens, 1).rate == 1.0


def test_the_birthday_problem_is_exact():
    assert hashing_trick.birthday_probability(23, 365) == pytest.approx(0.5073, abs=1e-4)
    assert hashing_trick.birthday_probability(366, 365) == 1.0
    assert hashing_trick.birthday_probability(1, 10) == 0.0
    n = 100
    assert hashing_trick.birthday_probability(n, round(hashing_trick.birthday_dim(n))) == pytest.approx(0.5, abs=0.01)


def test_measured_collision_rate_follows_the_random_hash_expectation():
    tokens = [f"token-{i}" for i in range(3000)]
    for dim in (1000, 5000, 50_000):
        measured = hashing_trick.collision_curve(tokens, [dim])[0]
        assert measured["measured"] == pytest.approx(measured["expected"], abs=0.03)
    rows = hashing_trick.collision_curve(tokens[:50], hashing_trick.curve_dims(16, 50))
    assert [row["dimensionality"] for row in rows] == sorted({row["dimensionality"] for row in rows})
    assert 16 in [row["dimensionality"] for row in rows]
    expected = [row["expected"] for row in rows]
    assert expected == sorted(expected, reverse=True)


@pytest.mark.parametrize("bad", [0, -5, hashing_trick.MAX_HASH_DIM + 1])
def test_hash_dimensionality_out_of_range_is_refused(bad):
    with pytest.raises(LabError, match="dimensionality"):
        hashing_trick.hash_buckets(["a"], bad)


# ── dense embeddings ──────────────────────────────────────────────────────────────────────────


def test_the_embedding_layer_is_seeded_and_pads_with_zeros():
    layer = dense_embeddings.embedding_layer(12, 5, seed=7)
    assert isinstance(layer, torch.nn.Embedding) and layer.padding_idx == 0
    assert layer.weight.device.type == default_device().type
    assert torch.equal(layer.weight[0], torch.zeros(5, device=layer.weight.device))
    assert torch.equal(layer.weight, dense_embeddings.embedding_layer(12, 5, seed=7).weight)
    assert not torch.equal(layer.weight, dense_embeddings.embedding_layer(12, 5, seed=8).weight)
    with pytest.raises(LabError, match="embedding size"):
        dense_embeddings.embedding_layer(12, 0)


def test_one_hot_times_w_equals_the_looked_up_row():
    tokens = text.tokenize_all(SAMPLES)
    vocabulary = one_hot.build_vocabulary(tokens)
    ids = vocabulary.encode(tokens, 8)
    layer = dense_embeddings.embedding_layer(len(vocabulary), 6, seed=1)
    check = dense_embeddings.lookup_check(layer, ids)
    assert check.lookup.shape == check.product.shape == (2, 8, 6)
    assert check.exactly_equal and check.max_abs_difference == 0.0
    weight = layer.weight.detach()
    cat = vocabulary.index["cat"]
    assert torch.equal(check.product[0, 1], weight[cat])
    row = torch.nn.functional.one_hot(torch.tensor(cat), len(vocabulary)).float().to(weight.device)  # (vocabulary,)
    assert torch.equal(row @ weight, weight[cat])
    assert check.multiply_adds_product == 16 * len(vocabulary) * 6 and check.values_read_lookup == 16 * 6


def test_memory_table_counts_dimensions_non_zeros_and_bytes():
    rows = dense_embeddings.memory_table(vocab_size=11, hash_dim=1024, embed_dim=8, batch_tokens=16)
    assert [(r.vocabulary, r.representation) for r in rows][::3] == [(11, "one-hot"), (20_000, "one-hot")]
    by = {(r.vocabulary, r.representation): r for r in rows}
    assert by[20_000, "one-hot"].values_per_token == 20_000 and by[20_000, "one-hot"].non_zero_per_token == 1
    assert by[20_000, "one-hot"].batch_bytes == 16 * 20_000 * 4
    assert by[11, "hashing trick"].values_per_token == 1024 and by[11, "hashing trick"].parameter_bytes == 0
    assert by[20_000, "dense nn.Embedding"].parameter_bytes == 20_000 * 8 * 4
    assert by[20_000, "dense nn.Embedding"].non_zero_per_token == 8
    assert by[20_000, "hashing trick"].expected_shared_slot > by[11, "hashing trick"].expected_shared_slot


def test_human_bytes():
    assert one_hot.human_bytes(512) == "512 B"
    assert one_hot.human_bytes(1536) == "1.5 KiB"
    assert one_hot.human_bytes(3 * 2**30) == "3.0 GiB"


def test_cosine_matrix_matches_scikit_learn():
    vectors = torch.randn(7, 5, generator=torch.Generator().manual_seed(0))
    vectors[3] = 0
    ours = dense_embeddings.cosine_matrix(vectors).numpy()
    assert np.allclose(ours, cosine_similarity(vectors.numpy()), atol=1e-6)


def test_glove_brings_structure_a_random_table_lacks(glove):
    tokens = text.tokenize_all(["The cat and the dog.", "A king, a queen and xqzzyv."])
    vocabulary = one_hot.build_vocabulary(tokens)
    layer = dense_embeddings.embedding_layer(len(vocabulary), 50, seed=0)
    comparison = dense_embeddings.compare_with_glove(vocabulary, layer, glove)
    assert comparison.missing == ["xqzzyv"]
    assert comparison.known == len(comparison.words) == len(vocabulary) - 3
    assert comparison.glove_cosines.shape == (len(comparison.words),) * 2
    i, j = comparison.words.index("cat"), comparison.words.index("dog")
    assert float(comparison.glove_cosines[i, j]) == pytest.approx(glove.similarity("cat", "dog"), abs=1e-5)
    assert comparison.mean_off_diagonal("glove") > comparison.mean_off_diagonal("random") + 0.2
    assert comparison.closest_pair("glove")[2] > 0.5


def test_glove_comparison_needs_two_known_words(glove):
    vocabulary = one_hot.build_vocabulary([["xqzzyv", "qqqwx"]])
    with pytest.raises(LabError, match="two different words that GloVe knows"):
        dense_embeddings.compare_with_glove(vocabulary, dense_embeddings.embedding_layer(len(vocabulary), 4), glove)


def test_glove_sees_each_lower_case_word_once(glove):
    vocabulary = one_hot.build_vocabulary([["The", "cat", "the", "dog", "The"]])
    comparison = dense_embeddings.compare_with_glove(vocabulary, dense_embeddings.embedding_layer(len(vocabulary), 4), glove)
    assert comparison.words == ["The", "cat", "dog"]


def test_glove_comparison_is_capped_to_the_most_frequent_words(glove):
    vocabulary = one_hot.build_vocabulary([glove.words[100:140] + glove.words[100:105]])
    comparison = dense_embeddings.compare_with_glove(vocabulary, dense_embeddings.embedding_layer(len(vocabulary), 4), glove, cap=10)
    assert comparison.known == 40 and comparison.words == vocabulary.tokens[2:12]
    assert comparison.words[:5] == glove.words[100:105]  # seen twice, so ranked first
