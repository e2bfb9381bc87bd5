"""The training film: snapshots of the vectors while Word2Vec trains, and what a page shows from them.

Recording. `FilmRecorder` is told how many corpus words training has done after every step (a float
compare; the copy happens only at a tenth of the way, eleven times a run) and keeps the rows of the
most frequent words, as float16 on the CPU, bounded to `MAX_FILM_BYTES` whatever the vocabulary.
Both backends use it: the torch trainer between batches, the gensim backend from its corpus feed
(gensim's workers run while the copy is taken, so a gensim frame is a Hogwild-style snapshot).

Playing. Every frame is turned onto the last one by orthogonal Procrustes over all the recorded rows,
so what moves in the film is learning, not the arbitrary rotation SGD drifts through; one PCA fitted on
the last frame then places every frame's words, so the axes hold still. Neighbours and scores are
computed per frame from the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import torch

from engine.alignment import procrustes, unit_rows
from engine.errors import LabError
from engine.vectors import EmbeddingSet
from engine.word2vec.evaluate import model_scores, reference_scores_on, shared_rows

SNAPSHOTS = 10  # a frame every tenth of the corpus words, plus the untrained start: eleven frames
MAX_FILM_ROWS = 5_000
MAX_FILM_BYTES = 64 * 2**20


def film_rows(vocab_size: int, dim: int, frames: int = SNAPSHOTS + 1) -> int:
    """How many of the most frequent words a film keeps: at most 5,000, and at most 64 MiB of float16 frames."""
    return max(1, min(vocab_size, MAX_FILM_ROWS, MAX_FILM_BYTES // (2 * dim * frames)))


@dataclass(frozen=True)
class Film:
    """Recorded frames of one training run: rows of the most frequent words, a frame per tenth of training."""

    words: list[str]  # the recorded rows, most frequent first
    fractions: list[float]  # share of the corpus words trained on at each frame: 0.0, 0.1, …, 1.0
    frames: np.ndarray  # (frames, rows, dim) float16

    @cached_property
    def index(self) -> dict[str, int]:
        return {word: row for row, word in enumerate(self.words)}

    @cached_property
    def unit(self) -> np.ndarray:
        """(frames, rows, dim) float32 unit rows: cosine geometry, which is what neighbours and scores read."""
        return unit_rows(self.frames.astype(np.float32))

    def rows_of(self, words: Sequence[str]) -> tuple[list[str], list[str]]:
        """(the words the film recorded, in order without repeats; the ones it did not)."""
        known = list(dict.fromkeys(word for word in words if word in self.index))
        return known, [word for word in dict.fromkeys(words) if word not in self.index]


class FilmRecorder:
    """Keeps a frame each time training passes the next tenth of its corpus words."""

    def __init__(self, vocab_size: int, dim: int, total_words: float, snapshots: int = SNAPSHOTS) -> None:
        self.rows, self.total = film_rows(vocab_size, dim, snapshots + 1), max(float(total_words), 1.0)
        self._marks = [self.total * k / snapshots for k in range(snapshots)]  # the last frame is the finished model
        self._frames: list[np.ndarray] = []
        self._fractions: list[float] = []
        self.next_at = 0.0  # corpus words at which the next frame is due; the one check made every step

    def capture(self, words: float, vectors: torch.Tensor | np.ndarray) -> None:
        """Copy the recorded rows of `vectors` (the input embeddings, most frequent word first) as a frame."""
        rows = vectors[: self.rows]
        frame = rows.detach().to("cpu", torch.float16).numpy() if isinstance(rows, torch.Tensor) else rows.astype(np.float16)
        if words < self.total and self._frames and np.array_equal(frame, self._frames[-1]):
            # gensim's workers write while another copies (Hogwild): when the only job that ended in between
            # had finished its writes before the last copy, this frame would repeat it (seen 1 run in 40 on the
            # Lee corpus). Keep `next_at`, so the next finished job, which has trained further, takes the frame.
            return
        self._frames.append(frame)  # (rows, dim)
        self._fractions.append(min(words / self.total, 1.0))
        # One mark per frame: a frame taken late (a long job, or one skipped above) leaves the next one due at once.
        taken = len(self._frames)
        self.next_at = self._marks[taken] if taken < len(self._marks) else float("inf")

    def finish(self, words: Sequence[str], vectors: torch.Tensor | np.ndarray) -> Film:
        """The film, its last frame the finished model's vectors."""
        self.capture(self.total, vectors)
        return Film(list(words[: self.rows]), [round(f, 4) for f in self._fractions], np.stack(self._frames))


@dataclass(frozen=True)
class FilmFrames:
    """Where the chosen words sit in each frame: one PCA of the last frame, every frame turned onto it first."""

    words: list[str]
    fractions: list[float]
    coordinates: np.ndarray  # (frames, words, 2)
    explained: float  # share of the last frame's variance (over the chosen words) the two axes show


def film_frames(film: Film, words: Sequence[str]) -> FilmFrames:
    """Align every frame to the last (Procrustes over all recorded rows) and place `words` by the last frame's PCA."""
    chosen, _ = film.rows_of(words)
    if len(chosen) < 3:
        raise LabError(f"the film needs at least 3 words it recorded to draw; {len(chosen)} of these are among its "
                       f"{len(film.words):,} most frequent words.")
    unit, last = film.unit, film.unit[-1]  # (frames, rows, dim), (rows, dim)
    rows = [film.index[word] for word in chosen]
    aligned = np.stack([frame[rows] @ procrustes(frame, last) for frame in unit])  # (frames, n, dim)
    centre = aligned[-1].mean(axis=0)
    _, singular, vt = np.linalg.svd(aligned[-1] - centre, full_matrices=False)
    axes = vt[:2].T  # (dim, 2): the last frame's principal axes
    explained = float((singular[:2] ** 2).sum() / max((singular**2).sum(), 1e-12))
    return FilmFrames(chosen, film.fractions, (aligned - centre) @ axes, explained)


def film_neighbours(film: Film, probes: Sequence[str], k: int = 8) -> pd.DataFrame:
    """Each probe's k nearest recorded words in each frame.

    Columns: frame, probe, rank, word, cosine, new (the word was not among the probe's k in the frame before).
    """
    chosen, _ = film.rows_of(probes)
    k = min(k, len(film.words) - 1)
    rows = [film.index[word] for word in chosen]
    unit = film.unit
    similarity = np.einsum("fpd,frd->fpr", unit[:, rows], unit)  # (frames, probes, rows)
    similarity[:, np.arange(len(rows)), rows] = -np.inf  # a word is not its own neighbour
    top = np.argsort(-similarity, axis=2, kind="stable")[:, :, :k]  # (frames, probes, k)
    records = []
    for frame in range(unit.shape[0]):
        for slot, probe in enumerate(chosen):
            before = set(top[frame - 1, slot].tolist()) if frame else set(top[0, slot].tolist())
            for rank, row in enumerate(top[frame, slot].tolist(), start=1):
                records.append((frame, probe, rank, film.words[row], float(similarity[frame, slot, row]), row not in before))
    return pd.DataFrame(records, columns=["frame", "probe", "rank", "word", "cosine", "new"])


def film_scores(film: Film, reference: EmbeddingSet | None,
                on_frame: Callable[[int, int], None] | None = None) -> dict[str, object]:
    """WordSim-353 ρ and Google-analogy accuracy of every frame on the recorded words the reference knows.

    Returns {"frames": [scores per frame], "reference": the reference's scores on the same words, or None}.
    `on_frame(done, total)` is called after each frame (a job reports and may cancel there).
    """
    rows = shared_rows(film.words, reference)
    words = [film.words[row] for row in rows]
    scores = []
    for number, frame in enumerate(film.frames, start=1):
        scores.append(model_scores(words, frame[rows].astype(np.float32)))
        if on_frame is not None:
            on_frame(number, len(film.frames))
    return {"frames": scores, "reference": reference_scores_on(words, reference) if reference is not None and words else None}
