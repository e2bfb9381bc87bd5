"""word2vec binary files, read by gensim behind the checks gensim does not make.

A header's counts are checked against the file's size before gensim allocates a (count, dim) matrix
for them; a text file named .bin is refused rather than read as floats made of its characters; and
the repeated words gensim only logs are refused. Nothing here unpickles.
"""

from __future__ import annotations

import logging
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from gensim.models import KeyedVectors

from engine.errors import LabError
from engine.format_checks import MAX_DIM, is_number, preview, refuse_unusable_numbers, require_two


def read_word2vec_binary(data: bytes) -> tuple[list[str], np.ndarray]:
    """The words of a word2vec binary file and their (words, dim) float32 vectors."""
    header_line = data[:256].split(b"\n", 1)[0]
    parts = header_line.split()
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise LabError(
            f"line 1: a word2vec binary file starts with a text header 'word_count dimensions'; this one starts with "
            f"{preview(header_line.decode('utf-8', 'replace'))}. Is it a word2vec .bin file?"
        )
    count, dim = int(parts[0]), int(parts[1])
    if not 1 <= dim <= MAX_DIM or count < 1:
        raise LabError(f"line 1: the header says {count:,} words of {dim:,} numbers; expected 1 to {MAX_DIM:,} numbers.")
    # Each entry is at least one byte of word, a space and dim float32s: refuse a header the file cannot hold
    # before gensim allocates a (count, dim) matrix for it.
    if count * (dim * 4 + 2) > len(data):
        raise LabError(
            f"the header promises {count:,} words of {dim:,} numbers ({count * dim * 4:,} bytes of vectors), "
            f"but the whole file is {len(data):,} bytes: it is cut short or not a word2vec binary file."
        )
    require_two(count, 1)
    _refuse_text_as_binary(data, header_line, count, dim)
    with _temporary_file(data) as path, _gensim_duplicates() as duplicates:
        try:
            kv = KeyedVectors.load_word2vec_format(str(path), binary=True)
        except EOFError:
            raise LabError(
                f"the file ends before the {count:,} words its header promises: it is cut short or damaged."
            ) from None
        except UnicodeDecodeError as error:
            raise LabError(f"a word in the file is not UTF-8 text ({error.reason}); is it a word2vec binary file?") from None
        except ValueError as error:
            raise LabError(f"the file is not valid word2vec binary: {error}.") from None
    if duplicates:
        raise LabError(
            f"the file repeats words ({', '.join(map(repr, duplicates[:3]))}); each word may appear once."
        )
    words = list(kv.index_to_key)
    vectors = np.ascontiguousarray(kv.vectors, dtype=np.float32)
    refuse_unusable_numbers(vectors, [f"entry {i + 1:,}" for i in range(len(words))], words)
    return words, vectors


def _refuse_text_as_binary(data: bytes, header_line: bytes, count: int, dim: int) -> None:
    """A text file named .bin would be read as floats made of its characters: refuse it.

    The bytes of a binary file's first entries hold raw float32s; for real vectors some of those bytes are
    control characters or not UTF-8 (each float's 4 bytes pass as text with odds of a few in 100, and the
    window below holds up to 8 × dim of them). A window that reads as clean text is a text file.
    """
    start = len(header_line) + 1
    window = data[start : start + min(count, 8) * (dim * 4 + 16)]
    for cut in range(4):  # the window may end inside a multi-byte character
        try:
            text = window[: len(window) - cut].decode("utf-8")
            break
        except UnicodeDecodeError:
            continue
    else:
        return
    first_row = text.split("\n", 1)[0].split()
    if len(first_row) >= 2 and all(is_number(part) for part in first_row[1:]) and all(
        character.isprintable() or character in "\t\n\r" for character in text
    ):
        raise LabError(
            "this file is text, not word2vec binary (its vectors are written out as characters). "
            "Choose the word2vec text or GloVe format for it."
        )


@contextmanager
def _gensim_duplicates():
    """Collect the words gensim's reader skips as duplicates (it logs them instead of failing)."""
    found: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.msg.startswith("duplicate word") and record.args:
                found.append(str(record.args[0]))

    logger = logging.getLogger("gensim.models.keyedvectors")
    handler = Catch(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield found
    finally:
        logger.removeHandler(handler)


@contextmanager
def _temporary_file(data: bytes):
    """gensim's readers take a path, so an upload is written to a private temporary file first."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"
        path.write_bytes(data)
        yield path
