"""Corpora to train on: the bundled ones and the user's uploads, tokenised, with statistics and a Zipf table.

Tokenising is gensim's `simple_preprocess` (lower-case runs of letters; numbers and punctuation go),
each line of a document is a sentence, and a sentence never exceeds 10,000 tokens (gensim silently
truncates longer ones; here they are split, and both backends see the same split). Uploads may be a
.txt file, one column of a .csv file, or a .zip of .txt files; binary files are refused with the
reason, so a PDF or a spreadsheet never turns into a vocabulary of garbage.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath

import pandas as pd
from gensim.utils import simple_preprocess

from engine import datasets
from engine.errors import LabError
from engine.uploads import (CORPUS_LIMIT, MIB, ZIP_EXPANSION, check_size, columns_text_first, decode_text, holds_text,
                            read_csv_text)

BUNDLED = {
    "bbc": "BBC News · 2,225 articles in 5 topics",
    "lee": "Lee corpus · 300 short news stories (gensim)",
    "tweets": "Tweets · 38,158 short posts",
}
UPLOAD_TYPES = ("txt", "csv", "zip")
MAX_SENTENCE_TOKENS = 10_000
_PREVIEW_DOCUMENTS = 3
# Signatures of common binary formats, so the refusal can say what the file is.
_MAGIC = {
    b"%PDF": "a PDF document", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive", b"PK\x03\x04": "a zip archive (Word and Excel files are zip archives too)",
    b"\x7fELF": "a program", b"MZ": "a Windows program", b"\xd0\xcf\x11\xe0": "an old Office document",
}


def word2vec_tokens(text: str) -> list[str]:
    """Lower-case word tokens of a piece of text, as gensim's simple_preprocess finds them."""
    return simple_preprocess(text, min_len=1, max_len=40)


@dataclass
class Corpus:
    """A tokenised corpus: sentences of tokens, the document count, and a few documents for a preview."""

    name: str
    sentences: list[list[str]]
    documents: int
    preview: list[tuple[str, list[str]]] = field(default_factory=list)  # (raw text, its tokens)

    @cached_property
    def counts(self) -> Counter[str]:
        counter: Counter[str] = Counter()
        for sentence in self.sentences:
            counter.update(sentence)
        return counter

    @property
    def tokens(self) -> int:
        return sum(self.counts.values())

    def statistics(self, min_count: int = 5) -> dict[str, int | float]:
        """Tokens, documents, sentences, vocabulary size, and what min_count would keep."""
        counts = self.counts
        tokens = self.tokens
        kept = [count for count in counts.values() if count >= min_count]
        return {
            "documents": self.documents, "sentences": len(self.sentences), "tokens": tokens, "vocabulary": len(counts),
            "words seen once": sum(1 for count in counts.values() if count == 1),
            "vocabulary at min_count": len(kept), "tokens covered at min_count": sum(kept) / tokens if tokens else 0.0,
        }

    def zipf_table(self, limit: int | None = None) -> pd.DataFrame:
        """Words by rank with count and relative frequency; Zipf's law makes log count vs log rank a line."""
        ranked = self.counts.most_common(limit)
        table = pd.DataFrame(ranked, columns=["word", "count"])
        table.insert(0, "rank", range(1, len(table) + 1))
        table["frequency"] = table["count"] / max(self.tokens, 1)
        return table


def from_documents(name: str, documents: Iterable[str]) -> Corpus:
    """Tokenise documents line by line into sentences (empty lines dropped, long ones split)."""
    sentences: list[list[str]] = []
    preview: list[tuple[str, list[str]]] = []
    count = 0
    for document in documents:
        count += 1
        tokens_of_document: list[str] = []
        for line in document.splitlines():
            tokens = word2vec_tokens(line)
            for start in range(0, len(tokens), MAX_SENTENCE_TOKENS):
                sentences.append(tokens[start : start + MAX_SENTENCE_TOKENS])
            if len(preview) < _PREVIEW_DOCUMENTS:
                tokens_of_document.extend(tokens)
        if len(preview) < _PREVIEW_DOCUMENTS and document.strip():
            preview.append((document.strip()[:600], tokens_of_document[:120]))
    if not sentences:
        raise LabError(f"{name} has no words in it after tokenising (only numbers, punctuation or blank lines?).")
    return Corpus(name, sentences, count, preview)


def bundled(key: str) -> Corpus:
    """One of the corpora that ship with the lab, by key (bbc, lee, tweets)."""
    if key == "bbc":
        return from_documents("BBC News", datasets.bbc_news()["text"])
    if key == "lee":
        return from_documents("Lee corpus", datasets.lee_corpus())
    if key == "tweets":
        return from_documents("Tweets", datasets.tweets()["text"])
    raise LabError(f"unknown corpus {key!r}; choose one of {', '.join(BUNDLED)}.")


def csv_columns(filename: str, data: bytes) -> list[str]:
    """The columns of a CSV upload that hold text, longest text first, for the user to pick."""
    table = read_csv_text(_as_text(filename, data), filename)
    columns = [column for column in columns_text_first(table) if holds_text(table[column])]
    if not columns:
        raise LabError(f"{filename} has no column of text; every column holds numbers or blanks.")
    return columns


def from_upload(filename: str, data: bytes, *, column: str | None = None, max_bytes: int = CORPUS_LIMIT) -> Corpus:
    """A corpus from an uploaded .txt, one column of a .csv (each row a document), or a .zip of .txt files."""
    suffix = PurePosixPath(filename.lower()).suffix.lstrip(".")
    if suffix not in UPLOAD_TYPES:
        raise LabError(f"{filename}: upload a .txt, .csv or .zip file; got a .{suffix or '(no extension)'} file.")
    check_size(data, max_bytes, filename)
    if suffix == "zip":
        return from_documents(filename, _zip_texts(filename, data, max_bytes * ZIP_EXPANSION))
    if suffix == "csv":
        table = read_csv_text(_as_text(filename, data, max_bytes), filename)
        if column is None or column not in table.columns:
            raise LabError(f"{filename}: choose the text column; it has {', '.join(map(str, table.columns))}.")
        return from_documents(f"{filename} · {column}", table[column].dropna().astype(str))
    return from_documents(filename, [_as_text(filename, data, max_bytes)])


def _zip_texts(filename: str, data: bytes, max_unpacked: int) -> list[str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise LabError(f"{filename} is not a readable zip archive.") from None
    members = [
        info for info in archive.infolist()
        if not info.is_dir() and info.file_size > 0 and info.filename.lower().endswith(".txt")
        and not any(part.startswith((".", "__MACOSX")) for part in PurePosixPath(info.filename).parts)
    ]
    if not members:
        raise LabError(f"{filename} holds no .txt files; put the corpus in plain-text files inside the zip.")
    unpacked = sum(info.file_size for info in members)
    if unpacked > max_unpacked:
        raise LabError(f"{filename} unpacks to {unpacked / MIB:,.0f} MiB of text; at most {max_unpacked / MIB:,.0f} MiB is accepted.")
    return [_as_text(f"{filename}/{info.filename}", _read_member(filename, archive, info), max_unpacked)
            for info in sorted(members, key=lambda i: i.filename)]


def _read_member(filename: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One member's bytes, or a LabError naming the member and what is wrong with it."""
    where = f"{filename}: {info.filename}"
    if info.flag_bits & 0x1:
        raise LabError(f"{where} is encrypted; upload a zip without a password.")
    try:
        return archive.read(info)
    except NotImplementedError:
        raise LabError(f"{where} uses a compression method this reader does not support (method "
                       f"{info.compress_type}); re-zip it with ordinary deflate compression.") from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise LabError(f"{where} is damaged ({error}); the archive cannot be read whole.") from None


def _refuse_binary(filename: str, data: bytes) -> None:
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            raise LabError(f"{filename} is {kind}, not text. Upload plain text (.txt), a .csv, or a .zip of .txt files.")
    if b"\x00" in data[:65_536]:
        raise LabError(f"{filename} is a binary file (it contains NUL bytes), not text. Upload plain UTF-8 text.")


def _as_text(filename: str, data: bytes, max_bytes: int = CORPUS_LIMIT) -> str:
    """The text of a file, after refusing known binary formats by name; decoding is engine.uploads'."""
    _refuse_binary(filename, data)
    return decode_text(data, filename, limit_bytes=max_bytes)
