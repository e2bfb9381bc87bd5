"""The benchmark test sets: the Google analogy set and word-similarity sets (WordSim-353, SimLex-999).

Readers turn the files gensim bundles (or a user's upload in the same format) into typed questions and
pairs, with line-numbered errors; `engine.benchmarks` scores embeddings on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.errors import LabError
from engine.sources import gensim_test_file
from engine.uploads import BENCHMARK_FILE_LIMIT, decode_text

GOOGLE_FILE = "questions-words.txt"
PAIR_FILES = {"WordSim-353": "wordsim353.tsv", "SimLex-999": "simlex999.txt"}
_MAX_ERRORS_SHOWN = 5


@dataclass(frozen=True)
class AnalogySection:
    name: str
    questions: tuple[tuple[str, str, str, str], ...]  # (a, b, c, expected): a is to b as c is to expected
    lines: tuple[int, ...]  # 1-based line number of each question

    def spread(self, count: int) -> AnalogySection:
        """At most `count` questions taken evenly across the section (its first rows all share one word pair)."""
        every = slice(None, None, max(1, len(self.questions) // max(1, count)))
        return AnalogySection(self.name, self.questions[every][:count], self.lines[every][:count])


@dataclass(frozen=True)
class AnalogySet:
    name: str
    sections: tuple[AnalogySection, ...]

    @property
    def size(self) -> int:
        return sum(len(section.questions) for section in self.sections)

    def section(self, name: str) -> AnalogySection:
        """The section called `name`."""
        for section in self.sections:
            if section.name == name:
                return section
        raise LabError(f"{self.name} has no section {name!r}; it has {', '.join(s.name for s in self.sections)}.")


@dataclass(frozen=True)
class PairSet:
    name: str
    pairs: tuple[tuple[str, str, float], ...]  # (first, second, human score)
    lines: tuple[int, ...]


def read_analogies(source: Path | bytes, name: str = "") -> AnalogySet:
    """Read an analogy file: `: section` header lines, then lines of four words `a b c expected`.

    Questions before the first header form a section named after the file. Blank lines and lines
    starting with '#' are skipped; any other line without exactly four words is an error.
    """
    name = name or (source.name if isinstance(source, Path) else "uploaded analogies")
    sections: list[AnalogySection] = []
    current, questions, lines = name, [], []
    errors: list[str] = []
    for number, line in _lines(source, name):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line.startswith(": "):
            if questions:
                sections.append(AnalogySection(current, tuple(questions), tuple(lines)))
            current, questions, lines = line.lstrip(": ").strip(), [], []
            continue
        words = stripped.split()
        if len(words) != 4:
            errors.append(f"line {number}: expected 4 words (a b c expected), found {len(words)}")
            continue
        questions.append(tuple(words))
        lines.append(number)
    _raise_errors(errors, name, "Each question line holds four words separated by spaces; sections start with ': name'.")
    if questions:
        sections.append(AnalogySection(current, tuple(questions), tuple(lines)))
    if not sections:
        raise LabError(f"{name} holds no analogy questions (lines of four words).")
    return AnalogySet(name, tuple(sections))


def read_word_pairs(source: Path | bytes, name: str = "") -> PairSet:
    """Read a word-pair file: `first <tab> second <tab> score` per line (commas or spaces also work).

    Lines starting with '#' are comments, and a first line whose score is not a number is a header.
    """
    name = name or (source.name if isinstance(source, Path) else "uploaded word pairs")
    pairs, lines, errors = [], [], []
    for number, line in _lines(source, name):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        separator = "\t" if "\t" in stripped else "," if "," in stripped else None
        fields = [field.strip() for field in stripped.split(separator)]
        if len(fields) != 3:
            errors.append(f"line {number}: expected 3 columns (word, word, score), found {len(fields)}")
            continue
        try:
            score = float(fields[2])
        except ValueError:
            if pairs or errors:
                errors.append(f"line {number}: the score {fields[2]!r} is not a number")
            continue  # the file's header line
        if not np.isfinite(score):
            errors.append(f"line {number}: the score {fields[2]!r} is not a finite number")
            continue
        pairs.append((fields[0], fields[1], score))
        lines.append(number)
    _raise_errors(errors, name, "Each line holds two words and a number, separated by tabs.")
    if len(pairs) < 3:
        raise LabError(f"{name} holds {len(pairs)} word pairs; a correlation needs at least 3.")
    return PairSet(name, tuple(pairs), tuple(lines))


def google_analogies() -> AnalogySet:
    """Mikolov et al.'s 19,544 questions in 14 sections, as bundled with gensim."""
    return read_analogies(gensim_test_file(GOOGLE_FILE), "Google analogies")


def bundled_pairs(name: str) -> PairSet:
    if name not in PAIR_FILES:
        raise LabError(f"unknown word-pair set {name!r}; choose one of {', '.join(PAIR_FILES)}.")
    return read_word_pairs(gensim_test_file(PAIR_FILES[name]), name)


def _lines(source: Path | bytes, name: str) -> list[tuple[int, str]]:
    """(1-based number, text) for each line of a bundled file or an upload, decoded by engine.uploads."""
    data = source.read_bytes() if isinstance(source, Path) else bytes(source)
    return list(enumerate(decode_text(data, name, limit_bytes=BENCHMARK_FILE_LIMIT).splitlines(), start=1))


def _raise_errors(errors: list[str], name: str, advice: str) -> None:
    if not errors:
        return
    shown = "; ".join(errors[:_MAX_ERRORS_SHOWN])
    more = f" (and {len(errors) - _MAX_ERRORS_SHOWN} more)" if len(errors) > _MAX_ERRORS_SHOWN else ""
    raise LabError(f"{name} has {len(errors)} malformed line{'s' if len(errors) > 1 else ''}: {shown}{more}. {advice}")
