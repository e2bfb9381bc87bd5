"""Large vector files from the vectors folder: what may be opened, the checks before reading, the cache."""

import os

import numpy as np
import pytest
import torch

from engine import registry, vector_cache, vector_folder
from engine.errors import LabError
from engine.jobs import JobCancelled
from engine.store import ModelStore
from engine.vectors import EmbeddingSet

CPU = torch.device("cpu")
RNG = np.random.default_rng(0)
WORDS = [f"w{i}" for i in range(50)] + ["café", "東京"]
MATRIX = RNG.normal(size=(len(WORDS), 8)).astype(np.float32)


def write_binary(path, words=WORDS, matrix=MATRIX, rows=None):
    with open(path, "wb") as handle:
        handle.write(f"{rows or len(words)} {matrix.shape[1]}\n".encode())
        for word, row in zip(words, matrix):
            handle.write(word.encode() + b" " + row.astype("<f4").tobytes() + b"\n")
    return path


def write_text(path, header=True, trailing=""):
    lines = [f"{word} " + " ".join(repr(float(x)) for x in row) + trailing for word, row in zip(WORDS, MATRIX)]
    path.write_text((f"{len(WORDS)} {MATRIX.shape[1]}\n" if header else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path, monkeypatch):
    vectors = tmp_path / "vectors"
    (vectors / "sub").mkdir(parents=True)
    monkeypatch.setenv(vector_folder.FOLDER_ENV_VAR, str(vectors))
    return vectors


def read(path, fmt="auto", **kwargs):
    return vector_cache.read_into_cache(vector_folder.preflight(path, fmt), **kwargs)


def test_the_folder_is_off_unless_set_and_must_be_a_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(vector_folder.FOLDER_ENV_VAR, raising=False)
    assert vector_folder.vectors_folder() is None
    monkeypatch.setenv(vector_folder.FOLDER_ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(LabError, match="not a folder"):
        vector_folder.vectors_folder()


def test_only_readable_files_inside_the_folder_open(folder, tmp_path, monkeypatch):
    write_binary(folder / "sub" / "inside.bin")
    outside = write_binary(tmp_path / "secret.bin")
    (folder / "link.bin").symlink_to(outside)
    (folder / "dir.vec").mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.md").write_text("not vectors")
    assert [file.name for file in vector_folder.list_files(folder)] == ["sub/inside.bin"]
    assert vector_folder.resolve(folder, "sub/inside.bin") == (folder / "sub" / "inside.bin").resolve()
    for name, reason in [("../secret.bin", "without '..'"), (str(outside), "without '..'"), ("link.bin", "leads outside"),
                         ("dir.vec", "is a folder"), ("empty.txt", "is empty"), ("gone.bin", "there is no gone.bin")]:
        with pytest.raises(LabError, match=reason):
            vector_folder.resolve(folder, name)
    monkeypatch.setattr(vector_folder.os, "access", lambda path, mode: False)  # tests run as root, who reads anything
    with pytest.raises(LabError, match="no read permission"):
        vector_folder.resolve(folder, "sub/inside.bin")


def test_a_file_that_will_not_fit_in_memory_is_refused_before_reading(folder):
    path = write_binary(folder / "big.bin")
    with pytest.raises(LabError, match=r"52 words × 8: 0\.0 GB .* has 0\.0 GB free"):
        vector_folder.preflight(path, available=1_000)
    checked = vector_folder.preflight(path, available=10**9)
    assert (checked.format, checked.rows, checked.dim, checked.exact_rows) == ("word2vec-binary", 52, 8, True)


def test_a_header_the_file_cannot_hold_is_refused_before_reading(folder):
    path = write_binary(folder / "cut.bin", rows=10**6)
    with pytest.raises(LabError, match="promises 1,000,000 words .* cut short"):
        vector_folder.preflight(path)
    with pytest.raises(LabError, match="starts with a header"):
        vector_folder.preflight(write_text(folder / "plain.txt", header=False), "word2vec-text")


@pytest.mark.parametrize("name, header, trailing, fmt", [
    ("a.bin", None, "", "word2vec-binary"), ("b.txt", True, "", "word2vec-text"),
    ("c.vec", True, " ", "fasttext-vec"), ("d.txt", False, "", "glove")])
def test_every_format_reads_into_the_cache_and_answers_as_in_memory(folder, name, header, trailing, fmt):
    path = write_binary(folder / name) if header is None else write_text(folder / name, header, trailing)
    entry = read(path)
    assert (entry.rows, entry.dim, entry.format) == (len(WORDS), 8, fmt)
    opened = vector_cache.open_cached(entry, name, CPU)
    in_memory = EmbeddingSet(WORDS, MATRIX, device=CPU)
    assert opened.words == WORDS
    np.testing.assert_allclose(opened.vectors.numpy(), MATRIX, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(opened.unit.numpy(), in_memory.unit.numpy(), rtol=1e-5, atol=1e-6)
    assert [w for w, _ in opened.nearest("café", k=5)] == [w for w, _ in in_memory.nearest("café", k=5)]


def test_a_binary_file_cut_short_is_named_and_leaves_nothing(folder):
    long_words = [f"{'x' * 40}{i}" for i in range(len(WORDS))]  # long words: the size check alone cannot tell
    path = write_binary(folder / "short.bin", long_words[:-1], MATRIX[:-1], rows=len(WORDS))
    with pytest.raises(LabError, match=f"ends after {len(WORDS) - 1} of the {len(WORDS)} words"):
        read(path)
    assert vector_cache.cached(path) is None and list(vector_cache.cache_root().iterdir()) == []


@pytest.mark.parametrize("bad, message", [
    (lambda lines: lines.__setitem__(5, lines[5].replace("w4 ", "w1 ")), "line 6 repeats the word 'w1'"),
    (lambda lines: lines.__setitem__(7, lines[7].rsplit(" ", 1)[0] + " nan"), "line 8 .* not finite"),
    (lambda lines: lines.__setitem__(9, lines[9].rsplit(" ", 1)[0] + " 1.2.3"), "line 10: '?1.2.3'? is not a number"),
    (lambda lines: lines.__setitem__(3, lines[3] + " 0.5"), "line 4 has 9 numbers"),
])
def test_bad_rows_are_named_by_their_line(folder, bad, message):
    path = write_text(folder / "bad.txt")
    lines = path.read_text().split("\n")
    bad(lines)
    path.write_text("\n".join(lines))
    with pytest.raises(LabError, match=message):
        read(path)
    assert list(vector_cache.cache_root().iterdir()) == []


def test_the_cache_is_used_again_and_read_afresh_when_the_file_changes(folder, monkeypatch):
    path = write_text(folder / "glove.txt", header=False)
    read(path)
    assert vector_cache.cached(path) is not None
    with monkeypatch.context() as patched:
        patched.setattr(vector_cache, "_text_blocks", lambda checked: pytest.fail("a cached file must not be read again"))
        assert registry.load_set(registry.folder_key("glove.txt"), ModelStore(), CPU).words == WORDS
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # edited since
    assert vector_cache.cached(path) is None
    with pytest.raises(LabError, match="not been read into the lab yet"):
        registry.load_set(registry.folder_key("glove.txt"), ModelStore(), CPU)


def test_a_cancelled_read_leaves_nothing(folder):
    path = write_binary(folder / "a.bin")

    def cancel(step, total, metrics):
        raise JobCancelled

    with pytest.raises(JobCancelled):
        read(path, on_progress=cancel)
    assert vector_cache.cached(path) is None and list(vector_cache.cache_root().iterdir()) == []


def test_read_files_join_every_picker(folder):
    read(write_binary(folder / "sub" / "mine.bin"))
    write_binary(folder / "unread.bin")
    infos = {info.key: info for info in registry.available_sets(ModelStore())}
    assert "folder:sub/mine.bin" in infos and "folder:unread.bin" not in infos
    assert (infos["folder:sub/mine.bin"].words, infos["folder:sub/mine.bin"].dim) == (len(WORDS), 8)
