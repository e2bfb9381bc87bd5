"""Vector file readers and writers: round trips for every format, and a clear refusal for every bad upload."""

from __future__ import annotations

import numpy as np
import pytest

from engine import format_writers, formats
from engine.errors import LabError

WORDS = ["king", "queen", "man", "woman", "paris", "france"]


@pytest.fixture
def vectors() -> np.ndarray:
    return np.random.default_rng(3).normal(size=(len(WORDS), 7)).astype(np.float32)


@pytest.mark.parametrize("fmt", ["word2vec-text", "word2vec-binary", "glove", "fasttext-vec"])
def test_word2vec_family_round_trip(fmt, vectors):
    data = format_writers.write_vectors(WORDS, vectors, fmt)
    loaded = formats.read_vectors(data, fmt)
    assert loaded.words == WORDS
    assert loaded.vectors.dtype == np.float32
    np.testing.assert_allclose(loaded.vectors, vectors, rtol=1e-6)


@pytest.mark.parametrize(("filename", "fmt"), [
    ("v.bin", "word2vec-binary"), ("v.vec", "fasttext-vec"), ("vectors.tsv", "projector-tsv"),
    ("v.txt", "word2vec-text"), ("glove.6B.50d.txt", "glove"),
])
def test_guess_format_from_name_and_first_line(filename, fmt, vectors):
    sample = {"word2vec-text": format_writers.write_vectors(WORDS, vectors, "word2vec-text"),
              "glove": format_writers.write_vectors(WORDS, vectors, "glove")}.get(fmt, b"")
    assert formats.guess_format(filename, sample) == fmt


def test_projector_tsv_round_trip_with_metadata(vectors):
    kinds = ["royal", "royal", "person", "person", "place", "place"]
    vectors_tsv = format_writers.write_projector_vectors(vectors)
    metadata_tsv = format_writers.write_projector_metadata(WORDS, {"kind": kinds})
    loaded = formats.read_vectors(vectors_tsv, "projector-tsv", metadata=metadata_tsv)
    assert loaded.words == WORDS
    assert loaded.metadata == {"word": WORDS, "kind": kinds}
    np.testing.assert_allclose(loaded.vectors, vectors, rtol=1e-5)


def test_projector_tsv_without_metadata_names_rows(vectors):
    loaded = formats.read_vectors(format_writers.write_projector_vectors(vectors), "projector-tsv")
    assert loaded.words == [f"#{i}" for i in range(1, len(WORDS) + 1)]


def test_single_column_metadata_needs_no_header(vectors):
    metadata = ("\n".join(WORDS) + "\n").encode()
    loaded = formats.read_vectors(format_writers.write_projector_vectors(vectors), "projector-tsv", metadata=metadata)
    assert loaded.words == WORDS


def test_coordinates_round_trip():
    points = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -2.0], [3.0, 4.0, 5.0]], dtype=np.float32)
    words = ["a,b", "quote\"d", "plain"]  # CSV quoting must survive
    read = formats.read_coordinates(format_writers.write_coordinates(words, points))
    assert read.words == words
    assert read.axes == ["x", "y", "z"]
    np.testing.assert_allclose(read.points, points)


GLOVE_ROWS = "king 0.1 0.2 0.3\nqueen 0.2 0.3 0.4\nman 0.3 0.4 0.5\n"


@pytest.mark.parametrize(("data", "fmt", "expected"), [
    (b"", "glove", "empty"),
    (b"\n\n  \n", "glove", "empty"),
    (bytes(range(256)) * 8, "glove", "binary data"),
    (b"\xff\xfe\xfa king 0.1\n", "glove", "not valid UTF"),
    (b"word,x,y\nking,0.1,0.2\nqueen,0.3,0.4\n", "glove", "comma-separated"),
    (b"king 0.1 0.2 0.3\nqueen 0.2 0.3\nman 0.3 0.4 0.5\n", "glove", "line 2 has 2 numbers"),
    (b"king 0.1 0.2 0.3\n", "glove", "single word"),
    (GLOVE_ROWS.encode() + b"king 0.5 0.5 0.5\n", "glove", "line 4 repeats the word 'king' first seen on line 1"),
    (b"king 0.1 0.2 0.3\nqueen 0.2 nan 0.4\nman 0.3 0.4 0.5\n", "glove", "line 2"),
    (b"king 0.1 0.2 0.3\nqueen 0.2 inf 0.4\nman 0.3 0.4 0.5\n", "glove", "infinity"),
    (b"king 0.1 0.2 0.3\nqueen 0.2 zero 0.4\n", "glove", "line 2: 'zero' is not a number"),
    (b"5 3\n" + GLOVE_ROWS.encode(), "word2vec-text", "header promises 5 words"),
    (GLOVE_ROWS.encode(), "word2vec-text", "header"),
    (b"3 3\n" + GLOVE_ROWS.encode(), "projector-tsv", "line 1 of vectors.tsv has no tabs"),
])
def test_bad_text_uploads_are_refused_with_the_line(data, fmt, expected):
    with pytest.raises(LabError, match=expected):
        formats.read_vectors(data, fmt)


def test_nan_message_names_the_line_and_word():
    with pytest.raises(LabError, match=r"line 2 \('queen'\) holds nan"):
        formats.read_vectors(b"king 0.1 0.2\nqueen nan 0.3\n", "glove")


def test_an_upload_over_the_limit_is_refused_before_parsing():
    with pytest.raises(LabError, match="upload limit"):
        formats.read_vectors(GLOVE_ROWS.encode() * 10, "glove", max_bytes=100)


@pytest.mark.parametrize(("data", "expected"), [
    (b"\x00\x01\x02 junk that is not a header", "header"),
    (b"999999999 300\nking ", "cut short"),
    (b"3 2\nking " + bytes(8) + b"queen " + bytes(8), "ends before"),
])
def test_bad_binary_files_are_refused(data, expected):
    with pytest.raises(LabError, match=expected):
        formats.read_vectors(data, "word2vec-binary")


@pytest.mark.parametrize("data", [
    b"2 3\nhello nan inf 0.5 nan inf 0.5 nan inf\nworld inf nan 1.0 inf nan 1.0 nan\n",  # gensim read it as 2e-19s
    b"2 3\nhello 0.1 0.2 0.3\nworld 0.3 0.2 0.1\n",
    "2 2\ncafé 0.1 0.2\nthé 0.3 0.4\n".encode(),
])
def test_a_text_file_named_bin_is_refused_as_text(data):
    assert formats.guess_format("vectors.bin", data) == "word2vec-binary"
    with pytest.raises(LabError, match="this file is text, not word2vec binary"):
        formats.read_vectors(data, "word2vec-binary")


def test_real_binary_files_are_never_mistaken_for_text():
    """The text check must not refuse real files, even tiny ones whose floats happen to be printable bytes."""
    rng = np.random.default_rng(0)
    for dim in (1, 2, 3, 50):
        for _ in range(300):
            vectors = rng.normal(size=(2, dim)).astype(np.float32)
            loaded = formats.read_vectors(format_writers.write_vectors(["a", "b"], vectors, "word2vec-binary"), "word2vec-binary")
            np.testing.assert_array_equal(loaded.vectors, vectors)


@pytest.mark.parametrize("fmt", ["word2vec-text", "word2vec-binary", "glove", "fasttext-vec", "projector-tsv"])
def test_every_reader_refuses_absurd_values_the_same_way(fmt, vectors):
    absurd = vectors[:3].copy()
    absurd[2, 4] = -3e7
    if fmt == "projector-tsv":
        data, metadata = format_writers.write_projector_vectors(absurd), b"a\nb\nc\n"
    else:
        data, metadata = format_writers.write_vectors(["a", "b", "c"], absurd, fmt), None
    with pytest.raises(LabError, match=r"\('c'\) holds -3e\+07: numbers beyond ±1,000,000"):
        formats.read_vectors(data, fmt, metadata=metadata)


def test_binary_duplicates_and_nan_are_refused(vectors):
    doubled = format_writers.write_vectors(["a", "b", "c"], vectors[:3], "word2vec-binary").replace(b"c ", b"a ", 1)
    with pytest.raises(LabError, match="repeats words.*'a'"):
        formats.read_vectors(doubled, "word2vec-binary")
    broken = vectors[:3].copy()
    broken[1, 2] = np.inf
    with pytest.raises(LabError, match=r"entry 2 \('b'\)"):
        formats.read_vectors(format_writers.write_vectors(["a", "b", "c"], broken, "word2vec-binary"), "word2vec-binary")


@pytest.mark.parametrize(("metadata", "expected"), [
    (b"word\tkind\nking\troyal\n", "1 rows after its header"),
    (b"word\tkind\nking\troyal\nqueen\n" + b"x\ty\n" * 4, "line 3 of metadata.tsv has 1 columns"),
])
def test_bad_metadata_is_refused(metadata, expected, vectors):
    with pytest.raises(LabError, match=expected):
        formats.read_vectors(format_writers.write_projector_vectors(vectors), "projector-tsv", metadata=metadata)


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "empty"),
    (b"word,x\nking,1\nqueen,2\n", "2 or 3 coordinate columns"),
    (b"word,x,y\nking,1,2\nqueen,2,oops\n", "line 3 of the coordinates CSV: y is 'oops'"),
    (b"word,x,y\nking,1,2\nqueen,inf,1\n", r"line 3 of the coordinates CSV \('queen'\) holds inf"),
    (b"word,x,y\nking,1,2e9\nqueen,2,1\n", "beyond ±1,000,000"),
    (b"word,x,y\nking,1,2\nking,2,3\n", "line 3 repeats the word 'king'"),
    (b"word,x,y\nking,1,2\n", "at least two words"),
])
def test_bad_coordinates_are_refused(data, expected):
    with pytest.raises(LabError, match=expected):
        formats.read_coordinates(data)


def test_words_with_spaces_cannot_be_written_as_word2vec(vectors):
    with pytest.raises(LabError, match="may not contain spaces"):
        format_writers.write_vectors(["new york", *WORDS[1:]], vectors, "word2vec-text")
