"""The training film on the Train Word2Vec page: the words moving as the model learned, their neighbours
frame by frame, and the scorecard climbing toward GloVe's line."""

from __future__ import annotations

import re

import pandas as pd
import plotly.colors
import streamlit as st

import app_state
from engine.errors import LabError
from engine.word2vec.film import Film, FilmFrames, film_frames, film_neighbours
from pages import _word2vec_figures as figures

WORD_CHOICES = {"probes": "The probe words and their neighbours", "frequent": "The most frequent words",
                "typed": "Words I type"}
NEIGHBOURS_IN_FILM = 10  # each probe brings its nearest words in the finished model
NEIGHBOURS_LISTED = 8
MAX_LABELS = 40  # more labels than this overlap into an unreadable blot; every point keeps its hover text
PALETTE = plotly.colors.qualitative.D3
OTHER_COLOUR = "#9AA0B4"


@st.cache_data(max_entries=4, show_spinner="Aligning the frames…")
def _frames(set_key: str, words: tuple[str, ...]) -> FilmFrames:
    film, _ = app_state.training_film(set_key)
    return film_frames(film, words)


@st.cache_data(max_entries=4, show_spinner=False)
def _neighbours(set_key: str, probes: tuple[str, ...], k: int) -> pd.DataFrame:
    film, _ = app_state.training_film(set_key)
    return film_neighbours(film, probes, k)


def show_film(set_key: str, name: str, probes: list[str]) -> None:
    """The film section of one trained model, or a line saying it has none."""
    loaded = app_state.training_film(set_key)
    st.subheader("Watch it learn", divider="gray")
    if loaded is None:
        st.caption("This model was trained before the lab recorded training films; train it again to watch it learn.")
        return
    film, card = loaded
    st.caption(f"The vectors of the {len(film.words):,} most frequent words were kept at the start and after every "
               "tenth of training. Each frame is turned onto the last one (orthogonal Procrustes over all of them) and "
               "every frame is drawn in the last frame's two principal axes, so what moves is what training changed, "
               "not an arbitrary rotation.")
    probes = film.rows_of(probes)[0]
    words, groups = _chosen_words(set_key, film, probes)
    try:
        frames = _frames(set_key, tuple(words))
    except LabError as error:
        st.warning(str(error), icon=":material/warning:")
        return
    label_all = st.session_state["w2v_film_words"] == "probes"
    colours, labels, sizes = _styles(frames.words, groups, probes, label_all=label_all)
    st.plotly_chart(figures.film_figure(frames.coordinates, frames.words, frames.fractions, colours=colours,
                                        labels=labels, sizes=sizes,
                                        title=f"{name} · {len(frames.words):,} words as training went"),
                    key="w2v_film", config={"displaylogo": False})
    shown = sum(bool(label) for label in labels)
    colour = ("Colour: the probe word each came with (big dots are the probes)." if label_all
              else "Big coloured dots are the probe words.")
    st.caption(f"{shown:,} of the {len(frames.words):,} words are labelled (hover for the others). The two axes show "
               f"{frames.explained:.0%} of the last frame's variance over these words. {colour} Press ▶ Play or drag "
               "the slider.")
    frame = st.select_slider("Snapshot", options=list(range(len(film.fractions))), value=len(film.fractions) - 1,
                             format_func=lambda i: f"{film.fractions[i]:.0%} trained", key="w2v_film_frame")
    left, right = st.columns([1, 1])
    with left:
        _neighbour_table(set_key, probes, frame, film.fractions)
    with right:
        _scorecard(card, frame)


def _chosen_words(set_key: str, film: Film, probes: list[str]) -> tuple[list[str], dict[str, int]]:
    """The film's words for the chosen mode, and each word's probe group (the index of the probe it came with)."""
    choice = st.radio("Words in the film", list(WORD_CHOICES), format_func=WORD_CHOICES.__getitem__, horizontal=True,
                      key="w2v_film_words")
    if choice == "frequent":
        count = st.number_input("How many of the most frequent words", min_value=3, max_value=len(film.words),
                                value=min(500, len(film.words)), step=100, key="w2v_film_count")
        return _probes_on_top(film.words[: int(count)], probes), {probe: slot for slot, probe in enumerate(probes)}
    if choice == "typed":
        typed = st.text_area("Your words (separated by spaces or commas)", key="w2v_film_typed",
                             placeholder="king queen man woman paris france london england")
        words, missing = film.rows_of([word for word in re.split(r"[\s,]+", typed.lower()) if word])
        if missing:
            shown = ", ".join(missing[:12]) + (f" and {len(missing) - 12:,} more" if len(missing) > 12 else "")
            st.info(f"Not in the film (it keeps the {len(film.words):,} most frequent words): {shown}.",
                    icon=":material/info:")
        return _probes_on_top(words, probes), {probe: slot for slot, probe in enumerate(probes)}
    if not probes:
        st.info("None of the probe words is among the words the film kept; type others above, or pick another mode.",
                icon=":material/info:")
        return [], {}
    last = _neighbours(set_key, tuple(probes), NEIGHBOURS_IN_FILM)
    last = last[last["frame"] == last["frame"].max()]
    groups: dict[str, int] = {probe: slot for slot, probe in enumerate(probes)}
    for slot, probe in enumerate(probes):
        for word in last.loc[last["probe"] == probe, "word"]:
            groups.setdefault(word, slot)
    return list(groups), groups


def _probes_on_top(words: list[str], probes: list[str]) -> list[str]:
    """The same words with the probes last, so that their dots are drawn over the others."""
    return [word for word in words if word not in probes] + [word for word in words if word in probes]


def _styles(words: list[str], groups: dict[str, int], probes: list[str], *,
            label_all: bool) -> tuple[list[str], list[str], list[float]]:
    """Colour by probe group (grey for the rest); label the probes and the first words, up to MAX_LABELS unless all."""
    colours = [PALETTE[groups[word] % len(PALETTE)] if word in groups else OTHER_COLOUR for word in words]
    labelled = set(words) if label_all else set(probes) | set(words[: max(MAX_LABELS - len(probes), 0)])
    labels = [word if word in labelled else "" for word in words]
    sizes = [14.0 if word in probes else 8.0 for word in words]
    return colours, labels, sizes


def _neighbour_table(set_key: str, probes: list[str], frame: int, fractions: list[float]) -> None:
    if not probes:
        return
    table = _neighbours(set_key, tuple(probes), NEIGHBOURS_LISTED)
    table = table[table["frame"] == frame]
    words = table.pivot(index="rank", columns="probe", values="word")[probes]
    new = table.pivot(index="rank", columns="probe", values="new")[probes]
    styled = words.style.apply(lambda _: new.map(lambda fresh: "background-color: #FFE8A3" if fresh else "").to_numpy(),
                               axis=None)
    since = f"since {fractions[frame - 1]:.0%}" if frame else "at the start"
    st.markdown(f"**Nearest neighbours at {fractions[frame]:.0%}** · new {since} highlighted")
    st.dataframe(styled, key="w2v_film_neighbours", width="stretch")


def _scorecard(card: dict, frame: int) -> None:
    scores, reference = card.get("frames") or [], card.get("reference")
    if not scores:
        return
    now, last = scores[frame], scores[-1]

    def score(row: dict | None, metric: str) -> str:
        return "—" if row is None or row.get(metric) is None else f"{row[metric]:.3f}"

    st.markdown(f"**Scorecard** · on the film's words that GloVe knows: {last.get('wordsim_pairs', 0)} WordSim pairs, "
                f"{last.get('analogy_questions', 0):,} analogy questions")
    st.table(pd.DataFrame({
        "benchmark": ["WordSim-353 Spearman ρ", "Google analogies accuracy"],
        f"at {card['fractions'][frame]:.0%}": [score(now, "wordsim_spearman"), score(now, "analogy_accuracy")],
        "GloVe 6B 50d": [score(reference, "wordsim_spearman"), score(reference, "analogy_accuracy")],
    }), hide_index=True, border="horizontal")
    st.plotly_chart(figures.film_score_figure(card["fractions"], scores, reference, frame), key="w2v_film_scores")
