import codecs

import pytest

from engine.errors import LabError
from engine.uploads import decode_text, read_csv_text


def test_utf8_with_and_without_a_mark_and_utf16_decode():
    assert decode_text("héllo ✓".encode()) == "héllo ✓"
    assert decode_text(codecs.BOM_UTF8 + "héllo".encode()) == "héllo"
    assert decode_text("good film\nbad film".encode("utf-16")) == "good film\nbad film"


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "is empty"), (b"  \n ", "is empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
     (b"fine\nline two \xff\xfe broken", "line 2")],
)
def test_refusals_say_why(data, reason):
    with pytest.raises(LabError, match=reason):
        decode_text(data, "upload.txt")


def test_the_size_limit_is_enforced():
    with pytest.raises(LabError, match=r"is 1.0 MiB; the upload limit is 1 MiB"):
        decode_text(b"a" * (2**20 + 1), limit_bytes=2**20)


def test_every_limit_lives_here_and_fits_under_the_servers():
    """The browser's limit (.streamlit/config.toml, in MiB) is SERVER_LIMIT; no reader allows more."""
    import tomllib
    from pathlib import Path

    from engine import uploads

    config = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * uploads.MIB == uploads.SERVER_LIMIT
    limits = [uploads.VECTOR_FILE_LIMIT, uploads.CORPUS_LIMIT, uploads.LABELLED_TEXTS_LIMIT, uploads.BENCHMARK_FILE_LIMIT]
    assert all(0 < limit <= uploads.SERVER_LIMIT for limit in limits)


def test_csv_delimiters_are_sniffed_and_values_stay_text():
    table = read_csv_text("text;label\ngreat film;1\nawful;0\n")
    assert list(table.columns) == ["text", "label"]
    assert table["label"].tolist() == ["1", "0"]
    with pytest.raises(LabError, match="no rows"):
        read_csv_text("text,label\n")


@pytest.mark.parametrize(("header", "rows", "expected"), [
    ("id,text,label", ["1,a long enough review here,positive", "2,another fairly long one,negative"], ["text", "label", "id"]),
    ("label,review", ["pos,the film was a quiet delight", "neg,two hours I will not get back"], ["review", "label"]),
    ("review,stars", ["great,5", "NaN,1", "awful,2"], ["review", "stars"]),  # 2 of 3 cells are text
    ("score,blank", ["1,", "2,-"], ["score", "blank"]),  # no text anywhere: the file's order
])
def test_one_rule_puts_the_text_columns_first(header, rows, expected):
    from engine.uploads import columns_text_first, read_csv_text

    assert columns_text_first(read_csv_text("\n".join([header, *rows]) + "\n")) == expected
