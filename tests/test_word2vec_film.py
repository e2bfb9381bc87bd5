"""The training film: frames recorded by both backends, aligned by Procrustes, their neighbours and scores, stored."""

import numpy as np
import pytest
import torch
from scipy.stats import special_ortho_group

from engine import registry
from engine.errors import LabError
from engine.store import ModelStore
from engine.vectors import EmbeddingSet
from engine.word2vec import Word2VecParams, corpus, training_work
from engine.word2vec.film import (MAX_FILM_BYTES, Film, FilmRecorder, film_frames, film_neighbours, film_rows,
                                  film_scores)
from engine.word2vec.gensim_backend import train_gensim
from engine.word2vec.job import stored_film
from engine.word2vec.train import train_torch

CPU = torch.device("cpu")


def film_of(frames: np.ndarray, words: list[str] | None = None) -> Film:
    words = words or [f"w{i}" for i in range(frames.shape[1])]
    return Film(words, [i / (len(frames) - 1) for i in range(len(frames))], frames.astype(np.float16))


def test_aligned_frames_of_a_rotated_copy_draw_the_same_picture():
    """Every frame is the last one turned by a different rotation: after Procrustes nothing moves."""
    rng = np.random.default_rng(0)
    last = rng.normal(size=(300, 20))
    rotations = special_ortho_group.rvs(20, size=4, random_state=1)
    frames = np.stack([last @ rotation for rotation in rotations] + [last])
    drawn = film_frames(film_of(frames), [f"w{i}" for i in range(0, 300, 3)])
    assert drawn.coordinates.shape == (5, 100, 2)
    np.testing.assert_allclose(drawn.coordinates, np.broadcast_to(drawn.coordinates[-1], drawn.coordinates.shape), atol=2e-3)
    # Without the alignment the same frames would be far apart: the test can fail.
    assert np.abs(frames[0] - frames[-1]).max() > 1


def test_a_word_that_moves_is_the_one_that_moves_in_the_film():
    rng = np.random.default_rng(2)
    last = rng.normal(size=(200, 16))
    first = last.copy()
    first[7] = -last[7]  # one word starts on the far side of the space
    drawn = film_frames(film_of(np.stack([first, last])), [f"w{i}" for i in range(200)])
    moved = np.linalg.norm(drawn.coordinates[0] - drawn.coordinates[1], axis=1)
    assert int(np.argmax(moved)) == 7 and np.median(moved) < 0.1 * moved[7]


def test_the_recorder_takes_a_frame_every_tenth_and_the_finished_model_last():
    recorder = FilmRecorder(vocab_size=50, dim=4, total_words=1000)
    vectors = torch.zeros(50, 4)
    recorder.capture(0, vectors)
    for words in range(37, 1000, 37):  # steps that never land exactly on a tenth
        vectors += 1
        if words >= recorder.next_at:
            recorder.capture(words, vectors)
    film = recorder.finish([f"w{i}" for i in range(50)], vectors)
    assert len(film.fractions) == 11 and film.fractions[0] == 0 and film.fractions[-1] == 1
    assert all(k / 10 <= f < k / 10 + 0.037 for k, f in enumerate(film.fractions[:-1]))
    assert film.frames.dtype == np.float16 and film.frames.shape == (11, 50, 4)
    np.testing.assert_array_equal(film.frames[-1], vectors.numpy())


def test_a_frame_that_repeats_the_last_waits_for_more_training_and_a_late_frame_keeps_the_next_due():
    # The worst case of gensim's Hogwild copies, built exactly: a job ends past a tenth, but every write was
    # already in the last frame. The recorder skips it, and the next jobs (past two tenths by then) still give
    # one frame per tenth.
    recorder = FilmRecorder(vocab_size=5, dim=2, total_words=100)
    vectors = torch.zeros(5, 2)
    recorder.capture(0, vectors)
    recorder.capture(12, vectors)  # nothing trained since the first frame
    assert recorder.next_at == 10  # still due
    vectors += 1
    recorder.capture(25, vectors)  # past 10 and 20: takes the frame due at 10 …
    assert recorder.next_at == 20  # … and the one due at 20 is taken by the next job to end
    vectors += 1
    recorder.capture(27, vectors)
    assert recorder.next_at == 30
    film = recorder.finish([f"w{i}" for i in range(5)], vectors)
    assert film.fractions == [0.0, 0.25, 0.27, 1.0]
    assert all(np.abs(film.frames[i + 1].astype(np.float32) - film.frames[i]).max() > 0 for i in range(2))


def test_the_film_keeps_at_most_5000_rows_and_64_mib():
    assert film_rows(400_000, 50) == 5_000 and film_rows(120, 50) == 120
    wide = film_rows(400_000, 1000)
    assert wide < 5_000 and wide * 1000 * 2 * 11 <= MAX_FILM_BYTES


@pytest.mark.parametrize("backend", ["torch", "gensim"])
def test_both_backends_record_eleven_distinct_frames_of_the_most_frequent_words(backend):
    lee = corpus.bundled("lee")
    params = Word2VecParams(vector_size=16, epochs=2, min_count=3, seed=3)
    model = (train_torch(lee.sentences, params, device=CPU) if backend == "torch"
             else train_gensim(lee.sentences, params))
    film = model.film
    assert film.words == model.words[: len(film.words)] and len(film.fractions) == 11
    assert film.fractions == sorted(film.fractions) and film.fractions[-1] == 1.0
    np.testing.assert_array_equal(film.frames[-1], model.vectors[: len(film.words)].astype(np.float16))
    # Each frame is taken after more training: no two in a row are equal (gensim's producer runs ahead of its
    # workers, so frames taken from its feed were copies of one another on a small corpus).
    assert all(np.abs(film.frames[i + 1].astype(np.float32) - film.frames[i]).max() > 0 for i in range(10))


def test_training_without_a_film_keeps_none():
    model = train_torch([["a", "b", "c"]] * 30, Word2VecParams(vector_size=4, epochs=1, min_count=1), device=CPU, film=False)
    assert model.film is None


def test_neighbours_per_frame_flag_the_new_ones():
    base = np.eye(6, dtype=np.float32)
    first = base.copy()
    first[1] = base[0] + 0.1 * base[2]  # w1 starts next to w0 …
    last = base.copy()
    last[3] = base[0] + 0.1 * base[4]  # … and w3 ends there instead
    table = film_neighbours(film_of(np.stack([first, last])), ["w0"], k=1)
    assert table[["frame", "word", "new"]].values.tolist() == [[0, "w1", False], [1, "w3", True]]


def test_scores_per_frame_are_on_the_words_the_reference_knows():
    glove_words = ["king", "queen", "man", "woman", "car", "automobile", "gem", "jewel"]
    rng = np.random.default_rng(0)
    reference = EmbeddingSet(glove_words, rng.normal(size=(8, 10)).astype(np.float32), device=CPU)
    words = glove_words + ["zzz"]
    frames = np.stack([rng.normal(size=(9, 10)), np.vstack([reference.vectors.numpy(), np.ones((1, 10))])])
    calls = []
    card = film_scores(film_of(frames, words), reference, lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]
    # The last frame holds the reference's own vectors on the shared words, so it scores exactly as the reference.
    assert card["frames"][-1]["wordsim_pairs"] == card["reference"]["wordsim_pairs"] > 0
    assert card["frames"][-1]["wordsim_spearman"] == pytest.approx(card["reference"]["wordsim_spearman"], abs=1e-3)


def test_too_few_recorded_words_is_a_message():
    with pytest.raises(LabError, match="at least 3 words"):
        film_frames(film_of(np.ones((2, 5, 3))), ["w1", "nope"])


def test_a_trained_model_keeps_its_film_and_scorecard_in_the_store():
    store = ModelStore()
    toy = corpus.from_documents("toy", ["the king rules the land", "the queen rules the land", "a dog barks at the cat"] * 40)
    params = Word2VecParams(vector_size=12, window=2, epochs=2, min_count=2, sample=0)
    key = training_work(toy, params, "torch", name="filmed", store=store, device=CPU)(lambda *args: None)
    words = registry.load_set(key, store, CPU).words
    film, card = stored_film(store, key, words)
    assert film.words == words and film.frames.shape[:2] == (11, len(words))
    assert len(card["frames"]) == 11 and card["reference"] is None and card["fractions"] == film.fractions
    # The film is the vectors' history: its last frame is the stored set itself.
    np.testing.assert_allclose(film.frames[-1], registry.load_set(key, store, CPU).vectors.numpy(), rtol=1e-3, atol=1e-4)
    with pytest.raises(LabError, match="does not match its words"):
        stored_film(store, key, words[:-1])
    uploaded = registry.save_set(store, "plain", ["a", "b"], np.eye(2, dtype=np.float32), origin="uploaded")
    assert stored_film(store, uploaded, ["a", "b"]) is None
