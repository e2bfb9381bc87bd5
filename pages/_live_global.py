"""Live sentiment's "What the model learned" tab: one vocabulary model over a dataset's test texts.

UI only: `engine.sentiment.global_view` computes the class words and the drift; this draws them. The
class words take from seconds (bag of words) to a minute or two (the LSTM over a hundred reviews):
integrated gradients over every sampled text. So they run on a button press as a background job in
the shared job panel (progress, ETA, Cancel), and the result is kept per (model, dataset, seed, size).
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

import app_state
from engine.errors import LabError
from engine.sentiment import data, models
from engine.sentiment.global_view import class_words, embedding_drift
from engine.store import Manifest
from pages import _job_panel as job_panel
from pages import _markup as markup
from pages._live_figures import LABEL_COLOURS

MOVED_LABELLED = 15


def _start(signature: tuple[str, str, int, int]) -> None:
    """Start the class-words job for (model id, dataset, seed, size), unless its result is already kept."""
    model_id, dataset, seed, size = signature
    if signature in st.session_state.setdefault("live_global_results", {}):
        return
    classifier, texts = app_state.classifier(model_id), data.held_out_sample(dataset, seed=seed, size=size).texts
    job = app_state.jobs().start("global view", f"class words over {len(texts):,} texts",
                                 lambda report: (class_words(classifier, texts, on_progress=report), len(texts)))
    st.session_state["live_global_job"] = (signature, job.id)


@st.cache_data(max_entries=16, show_spinner="Aligning the model's embedding rows with GloVe…")
def _drift(model_id: str):
    return embedding_drift(app_state.classifier(model_id), app_state.glove())


def show(manifest: Manifest) -> None:
    """Class words and embedding drift for the stored classifier `manifest`, or why they do not apply."""
    st.caption("Which words push this model toward each class across many texts (the mean integrated gradient of each "
               "word over a sample of a dataset's test split), and how far training moved its word vectors from GloVe's.")
    if manifest.params.get("encoder"):
        st.info("The global view is for the five vocabulary models: the transformer models' word embeddings are MiniLM's, "
                "and they never change them. Pick another classifier above.", icon=":material/info:")
        return
    trained_on = data.dataset_key(str(manifest.params.get("dataset", "")))
    keys = list(data.DATASETS)
    left, middle, right = st.columns([3, 1, 1], vertical_alignment="bottom")
    dataset = left.selectbox("Texts from", keys, index=keys.index(trained_on) if trained_on else 0,
                             format_func=lambda key: data.DATASETS[key][0], key="live_global_dataset",
                             help="The model was trained on this dataset." if trained_on else None)
    seed = int((manifest.params.get("training") or {}).get("seed", 0))
    size = middle.number_input("Texts", 20, 1_000, 150, step=10, key="live_global_size",
                               help=f"A seeded sample of the test split (seed {seed}, the model's own split seed).")
    signature = (manifest.id, dataset, seed, int(size))
    results = st.session_state.setdefault("live_global_results", {})
    if right.button("Find the words", type="primary", key="live_global_run", icon=":material/travel_explore:"):
        try:
            _start(signature)
        except LabError as error:
            st.error(str(error), icon=":material/error:")
            return
    running = st.session_state.get("live_global_job")
    if running and running[0] == signature and signature not in results:
        job = app_state.jobs().get(running[1])
        if job is None or not job_panel.follow(job, key="live_global", what="Finding the words"):
            return
        results[signature] = job.result
    if signature not in results:
        st.info("Press **Find the words** to attribute every sampled text (seconds for the bag-of-words models, a minute "
                "or two for the LSTM over a hundred reviews) and to map where training moved the words.",
                icon=":material/touch_app:")
        return
    table, attributed = results[signature]
    st.plotly_chart(class_words_figure(table), key="live_global_words")
    st.caption(f"Over {attributed:,} texts of {markup.escape_markdown(data.DATASETS[dataset][0])}; words seen in at "
               "least 3 texts. A bar is the word's mean push on P(class) each time it occurs.")
    _show_drift(manifest)


def _show_drift(manifest: Manifest) -> None:
    st.subheader("Where training moved the words")
    try:
        drift = _drift(manifest.id)
    except LabError as error:
        st.error(str(error), icon=":material/error:")
        return
    from_glove = manifest.params.get("model") in models.CATALOGUE and models.spec(manifest.params["model"]).glove
    st.caption(("This model started from GloVe's vectors, so the distance is what training changed. " if from_glove else
                "This model learned its vectors from random ones, so the distance is how far its space is from GloVe's, "
                "not how far training moved it. ")
               + f"The largest move is {drift['moved'].max():.4f} (1 − cosine). Its {len(drift):,} most frequent words, "
                 "aligned to GloVe by the best rotation (Procrustes) and drawn in GloVe's two principal axes; "
                 f"the {MOVED_LABELLED} that moved most are labelled, with a line from "
                 "where GloVe has them.")
    chart, table = st.columns([3, 2], gap="large")
    chart.plotly_chart(drift_figure(drift), key="live_global_drift")
    table.dataframe(drift[["word", "frequency rank", "moved"]].head(50), hide_index=True, key="live_global_moved",
                    column_config={"moved": st.column_config.ProgressColumn(
                        "moved", min_value=0.0, max_value=float(max(drift["moved"].max(), 1e-9)), format="%.4f",
                        help="1 − cosine between the aligned model vector and GloVe's")})


def class_words_figure(table) -> go.Figure:
    """One horizontal bar panel per class: its top words by mean attribution, the largest on top."""
    classes = list(dict.fromkeys(table["class"]))
    figure = make_subplots(rows=1, cols=max(1, len(classes)), subplot_titles=[f"toward {name}" for name in classes],
                           horizontal_spacing=0.12)
    for column, name in enumerate(classes, start=1):
        rows = table[table["class"] == name].iloc[::-1]
        figure.add_trace(go.Bar(x=rows["mean attribution"], y=rows["word"], orientation="h", showlegend=False,
                                marker_color=LABEL_COLOURS.get(name, "#4C5FD5"), customdata=rows["texts"],
                                hovertemplate="%{y}: %{x:+.3f} (in %{customdata} texts)<extra></extra>"),
                         row=1, col=column)
    figure.update_layout(height=120 + 22 * max(1, table.groupby("class").size().max() if len(table) else 1),
                         margin=dict(l=10, r=10, t=40, b=10), title="Words that push toward each class")
    return figure


def drift_figure(drift) -> go.Figure:
    """GloVe's positions in grey; the model's aligned positions coloured by how far they moved; the top movers joined."""
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=drift["glove_x"], y=drift["glove_y"], mode="markers", name="GloVe",
                                marker=dict(color="#C9CCDA", size=5), text=drift["word"],
                                hovertemplate="%{text} (GloVe)<extra></extra>"))
    figure.add_trace(go.Scatter(x=drift["model_x"], y=drift["model_y"], mode="markers", name="this model",
                                marker=dict(color=drift["moved"], colorscale="Plasma", size=5, opacity=0.55,
                                            showscale=True, colorbar=dict(title="moved", tickformat=".2~g")),
                                text=drift["word"], customdata=drift["moved"],
                                hovertemplate="%{text}: moved %{customdata:.2f}<extra></extra>"))
    top = drift.head(MOVED_LABELLED)
    xs, ys = [], []
    for row in top.itertuples():
        xs += [row.glove_x, row.model_x, None]
        ys += [row.glove_y, row.model_y, None]
    figure.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="#E07B39", width=1.5), name="moved most",
                                hoverinfo="skip"))
    figure.add_trace(go.Scatter(x=top["model_x"], y=top["model_y"], mode="markers+text", text=top["word"],
                                textposition="top center", textfont=dict(size=13, color="#1F2330"), showlegend=False,
                                marker=dict(color="#E07B39", size=9, line=dict(color="white", width=1)),
                                customdata=top["moved"], hovertemplate="%{text}: moved %{customdata:.2f}<extra></extra>"))
    figure.update_layout(height=480, margin=dict(l=10, r=10, t=30, b=10), xaxis_title="GloVe PC 1", yaxis_title="GloVe PC 2",
                         legend=dict(orientation="h", yanchor="bottom", y=1.0))
    return figure
