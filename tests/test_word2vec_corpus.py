"""Reading corpora: bundled ones, .txt / .csv / .zip uploads, statistics, the Zipf table, binary refusals."""

import io
import zipfile

import pytest

from engine.errors import LabError
from engine.word2vec import corpus


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_lines_become_sentences_of_lower_case_word_tokens():
    chosen = corpus.from_upload("notes.txt", "The Cat sat.\n\nThe cat's 3 hats!\n".encode())
    assert chosen.sentences == [["the", "cat", "sat"], ["the", "cat", "s", "hats"]]
    assert chosen.documents == 1 and chosen.tokens == 7
    assert chosen.preview[0][1] == ["the", "cat", "sat", "the", "cat", "s", "hats"]


def test_statistics_and_zipf_table_agree_with_the_counts():
    chosen = corpus.from_documents("toy", ["a a a b b c", "a b d"])
    stats = chosen.statistics(min_count=2)
    assert (stats["tokens"], stats["vocabulary"], stats["vocabulary at min_count"], stats["words seen once"]) == (9, 4, 2, 2)
    assert stats["tokens covered at min_count"] == pytest.approx(7 / 9)
    table = chosen.zipf_table()
    assert list(table["word"]) == ["a", "b", "c", "d"] and list(table["rank"]) == [1, 2, 3, 4]
    assert table["frequency"].sum() == pytest.approx(1.0)


def test_long_lines_are_split_like_gensim_would_truncate_them():
    chosen = corpus.from_documents("long", [" ".join(["word"] * (corpus.MAX_SENTENCE_TOKENS + 5))])
    assert [len(s) for s in chosen.sentences] == [corpus.MAX_SENTENCE_TOKENS, 5]


def test_a_csv_column_is_read_row_by_row():
    data = b"id,review,stars\n1,Great film,5\n2,\"Dull, slow plot\",2\n"
    assert corpus.csv_columns("r.csv", data) == ["review"]
    chosen = corpus.from_upload("r.csv", data, column="review")
    assert chosen.documents == 2 and chosen.sentences == [["great", "film"], ["dull", "slow", "plot"]]
    with pytest.raises(LabError, match="choose the text column"):
        corpus.from_upload("r.csv", data, column="missing")


def test_a_zip_of_text_files_reads_every_txt_and_skips_the_rest():
    data = zipped({"b.txt": b"second file", "a.txt": b"first file", "img.png": b"\x89PNG", "__MACOSX/._a.txt": b"junk", "empty.txt": b""})
    chosen = corpus.from_upload("corpus.zip", data)
    assert chosen.documents == 2 and chosen.sentences == [["first", "file"], ["second", "file"]]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [("scan.txt", b"%PDF-1.7 binary", "PDF"), ("x.txt", b"ab\x00\x01cd", "binary"), ("pic.csv", b"\x89PNG\r\n", "PNG image"),
     ("a.zip", b"not a zip", "not a readable zip"), ("a.zip", zipped({"x.md": b"hi"}), "no .txt files"),
     ("data.xlsx", b"PK\x03\x04", "upload a .txt, .csv or .zip"), ("blank.txt", b"  \n", "empty"),
     ("digits.txt", b"12 34\n", "no words")],
)
def test_unusable_uploads_are_refused_with_the_reason(name, data, message):
    with pytest.raises(LabError, match=message):
        corpus.from_upload(name, data, column=None)


def test_uploads_over_the_limit_are_refused():
    with pytest.raises(LabError, match="upload limit"):
        corpus.from_upload("big.txt", b"word " * 1000, max_bytes=100)


def test_the_bundled_lee_corpus_reads():
    lee = corpus.bundled("lee")
    assert lee.documents == 300 and lee.tokens > 50_000 and len(lee.preview) == 3
    with pytest.raises(LabError, match="unknown corpus"):
        corpus.bundled("wikipedia")


def _patched_zip(text: bytes, *, flag_bits: int = 0, method: int | None = None, corrupt: bool = False) -> bytes:
    """A one-member stored zip, its headers or data altered the way damaged or exotic archives are."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("a.txt", text)
    data = bytearray(buffer.getvalue())
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    if flag_bits:
        data[local + 6] |= flag_bits
        data[central + 8] |= flag_bits
    if method is not None:
        data[local + 8 : local + 10] = method.to_bytes(2, "little")
        data[central + 10 : central + 12] = method.to_bytes(2, "little")
    if corrupt:
        start = data.find(text)
        data[start] ^= 0xFF  # the stored text no longer matches its CRC-32
    return bytes(data)


@pytest.mark.parametrize(("data", "message"), [
    (_patched_zip(b"some words here"), None),
    (_patched_zip(b"some words here", corrupt=True), r"corpus.zip: a.txt is damaged \(Bad CRC-32"),
    (_patched_zip(b"some words here", flag_bits=0x1), "a.txt is encrypted"),
    (_patched_zip(b"some words here", method=99), r"compression method .*\(method 99\)"),
])
def test_zip_members_that_cannot_be_read_are_refused_by_name(data, message):
    if message is None:  # the unaltered archive reads, so the alterations are what the refusals see
        assert corpus.from_upload("corpus.zip", data).tokens == 3
        return
    with pytest.raises(LabError, match=message):
        corpus.from_upload("corpus.zip", data)
