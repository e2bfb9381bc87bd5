"""Live sentiment: one text's prediction explained by the chosen methods side by side, and which one to believe.

UI only: the engine (`engine.sentiment.explain`) computes the attributions and the deletion curves; each
(model, text, method) is cached, so picking one more method computes only that one.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import app_state
from engine.attribution import DeletionCurve
from engine.sentiment.explain import METHODS, RANDOM_ORDER, Explanation, explain, faithfulness
from pages import _live_figures as figures
from pages import _markup as markup


@st.cache_data(max_entries=256, show_spinner=False)
def _explained(model_id: str, text: str, method: str) -> Explanation:
    return explain(app_state.classifier(model_id), text, (method,))


def explained(model_id: str, text: str, methods: list[str]) -> Explanation:
    """The text explained by every method in `methods` (each computed once per model and text)."""
    parts = [_explained(model_id, text, method) for method in methods]
    return replace(parts[0], attributions={key: part.attributions[key] for part, key in zip(parts, methods)})


@st.cache_data(max_entries=64, show_spinner=False)
def _curves(model_id: str, text: str, methods: tuple[str, ...]) -> dict[str, DeletionCurve]:
    return faithfulness(app_state.classifier(model_id), explained(model_id, text, list(methods)))


def show(column, model_id: str, title: str | None, text: str, methods: list[str], *, wide: bool) -> None:
    """Label, confidence and probabilities; the words coloured by each method; agreement and deletion curves.

    `wide`: the model has the page's width (methods side by side); else its column (methods stacked).
    """
    explanation = explained(model_id, text, methods)
    prediction = explanation.prediction
    if title is not None:
        column.markdown(f"**{markup.escape_markdown(title)}**")
    top = column.columns([1, 1, 2], vertical_alignment="center") if wide else [column] * 3
    top[0].metric("Label", prediction.label)
    top[1].metric("Confidence", f"{prediction.confidence:.1%}", help="The probability of the predicted label.")
    top[2].plotly_chart(figures.probabilities_figure(prediction), key=f"live_probs_{wide}_{model_id}")
    boxes = column.columns(len(methods)) if wide else [column] * len(methods)
    for box, method in zip(boxes, methods):
        found = explanation.attributions[method]
        card = box.container(border=True)
        card.markdown(f"**{METHODS[method]}**")
        card.markdown(markup.attribution_markdown(explanation.words, found.scores) or "*(no words)*")
        card.caption(f"{markup.escape_markdown(found.detail)} · {found.seconds * 1000:,.0f} ms")
    column.caption(markup.legend_markdown(prediction.label))
    if explanation.note:
        column.warning(explanation.note, icon=":material/content_cut:")
    if not explanation.words:
        column.info("The tokeniser finds no words in this text, so there is nothing to colour: the label is what the "
                    "model says about an empty text.", icon=":material/info:")
    elif all(explanation.unknown):
        column.warning("None of these words is known to the model: it reads each as the unknown token, so the label "
                       "says little about the text.", icon=":material/help:")
    notes = []
    if len(explanation.words) > explanation.attributed:
        notes.append(f"The label is for the whole text; its first {explanation.attributed:,} of {len(explanation.words):,} "
                     "words are explained.")
    if any(explanation.unknown) and not all(explanation.unknown):
        notes.append(f"{sum(explanation.unknown)} of {len(explanation.words)} words are not in this model's vocabulary; "
                     "it reads each as the unknown token.")
    if notes:
        column.caption(" ".join(notes))
    if not explanation.words:
        return
    _faithfulness(column, model_id, text, methods, explanation, wide=wide)
    with column.expander("Every word's score, ranked"):
        scores = {METHODS[method]: st.column_config.NumberColumn(format="%+.3f") for method in methods}
        st.dataframe(explanation.ranked(methods[0]), hide_index=True, key=f"live_effects_{model_id}", column_config=scores)


def _faithfulness(column, model_id: str, text: str, methods: list[str], explanation: Explanation, *, wide: bool) -> None:
    """Which method's words drive the model: deletion curves (lower area = more faithful) and the methods' agreement."""
    curves = _curves(model_id, text, tuple(methods))
    label = explanation.prediction.label
    chart, numbers = column.columns([3, 2], gap="medium") if wide else (column, column)
    chart.plotly_chart(figures.deletion_figure(curves, label), key=f"live_deletion_{wide}_{model_id}")
    areas = {name: curve.area for name, curve in curves.items() if name != RANDOM_ORDER}
    best_area = min(areas.values())
    best = [name for name, area in areas.items() if area <= best_area + 0.005]  # closer than the figures show: a tie
    steps = int(curves[best[0]].removed[-1])
    start, lowest = curves[best[0]].probability[0], curves[best[0]].probability.min()
    named = best[0] if len(best) == 1 else " and ".join([", ".join(best[:-1]), best[-1]]) + " (tied)"
    numbers.markdown(f"**Most faithful here: {named}** — removing its top {steps} word{'s' * (steps != 1)} takes "
                     f"P({markup.escape_markdown(label)}) from {start:.0%} down to {lowest:.0%} (area {best_area:.2f}; "
                     f"a random order: {curves[RANDOM_ORDER].area:.2f}).")
    numbers.caption("A deletion curve removes a method's top-ranked words one by one (up to half the text). The faster "
                    "P(label) falls, the more those words are what the model relies on: a smaller area is a more "
                    "faithful explanation.")
    if len(methods) > 1:
        agreement = explanation.agreement()
        pairs = [f"{first} ~ {second}: {agreement.loc[first, second]:.2f}" if agreement.notna().loc[first, second]
                 else f"{first} ~ {second}: –" for i, first in enumerate(agreement.index) for second in agreement.index[i + 1:]]
        numbers.markdown("**Agreement** (Spearman's ρ of the word scores; 1 = the same order)  \n" + "  \n".join(pairs))
