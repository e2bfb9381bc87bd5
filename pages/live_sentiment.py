"""Live sentiment: your own text or file through any stored classifier, with the words that drove each prediction."""

import hashlib

import streamlit as st

import app_state
from engine import uploads
from engine.errors import LabError
from engine.sentiment import scoring
from engine.sentiment.documents import read_csv_column, read_csv_table, read_text_file
from engine.sentiment.explain import METHODS
from engine.sentiment.predict import PROBES
from engine.sentiment.ready_defaults import describe
from pages import _live_default as ready_default
from pages import _live_explain, _live_global
from pages import _live_figures as figures
from pages import _markup as markup

ERROR = ":material/error:"

st.title("Live sentiment")
st.caption("Type a text or upload a file; any classifier in the model store labels it. Each word is coloured by how "
           "much it drove the prediction, by up to three methods side by side: occlusion (leave the word out), integrated "
           "gradients (through the model's embedding layer) and KernelSHAP (leave random subsets out) — and deletion "
           "curves show which method's words the model really relies on.")

manifests = ready_default.manifests_or_stop()
names = {manifest.id: describe(manifest) for manifest in manifests}
titles = {manifest.id: manifest.name for manifest in manifests}
left, right = st.columns([3, 2], vertical_alignment="bottom")
first = left.selectbox("Classifier", list(names), format_func=names.__getitem__, key="live_model")
compare = right.toggle("Compare with a second model", key="live_compare", disabled=len(names) < 2,
                       help="Train more models on the Sentiment lab page to compare them here.")
chosen = [first]
if compare and len(names) > 1:
    others = [model_id for model_id in names if model_id != first]
    chosen.append(st.selectbox("Second classifier", others, format_func=names.__getitem__, key="live_model_b"))
try:
    classifiers = {model_id: app_state.classifier(model_id) for model_id in chosen}
except LabError as error:
    st.error(str(error), icon=ERROR)
    st.stop()


def use_probe() -> None:
    st.session_state["live_text"] = st.session_state["live_shown"] = st.session_state["live_probe"]


text_tab, file_tab, model_tab = st.tabs(["Text", "File", "What the model learned"])
with text_tab:
    st.pills("Try a probe sentence", PROBES, key="live_probe", on_change=use_probe)
    with st.form("live_form", border=False):
        text = st.text_area("Your text", key="live_text", height=100,
                            placeholder="This film is not terrible, it's great!")
        if st.form_submit_button("Predict", type="primary", key="live_predict", icon=":material/psychology:"):
            st.session_state["live_shown"] = text
    methods = st.pills("Explain with", list(METHODS), format_func=METHODS.__getitem__, selection_mode="multi",
                       default=["occlusion"], key="live_methods",
                       help="Occlusion: P(label) minus P(label) without the word. Integrated gradients: the word's share of "
                            "P(label | text) − P(label | padding), from the gradients at the embedding layer. KernelSHAP: the "
                            "word's Shapley value, estimated from a seeded sample of texts with words left out.")
    if "live_shown" in st.session_state and not methods:
        st.info("Pick at least one method to colour the words by.", icon=":material/touch_app:")
    elif "live_shown" in st.session_state:
        try:
            for column, model_id in zip(st.columns(len(chosen), gap="large"), chosen):
                _live_explain.show(column, model_id, titles[model_id] if len(chosen) > 1 else None,
                                   st.session_state["live_shown"], methods, wide=len(chosen) == 1)
        except LabError as error:
            st.error(str(error), icon=ERROR)

with model_tab:  # before the File tab, whose code stops the script until a file is uploaded
    _live_global.show(next(manifest for manifest in manifests if manifest.id == first))

with file_tab:
    upload = st.file_uploader("A .txt file (one text per line, or the whole file) or a .csv file (pick the column)",
                              type=["txt", "csv"], key="live_file")
    if upload is None:
        st.stop()
    data = upload.getvalue()
    try:
        if upload.name.lower().endswith(".csv"):
            table = read_csv_table(data, upload.name)
            how = st.selectbox("Text column", uploads.columns_text_first(table), key="live_column")
            documents = read_csv_column(table, how, upload.name)
        else:
            how = st.radio("Read the file as", ["one text per line", "one text"], key="live_txt_mode", horizontal=True)
            documents = read_text_file(data, upload.name, whole=how == "one text")
    except LabError as error:
        st.error(str(error), icon=ERROR)
        st.stop()
    for note in documents.notes:
        st.caption(markup.escape_markdown(note))
    signature = (hashlib.sha1(data).hexdigest(), how, tuple(chosen))
    if st.session_state.get("live_scored", (None,))[0] != signature:  # score once; filtering reruns reuse it
        tables = []
        for number, model_id in enumerate(chosen, start=1):
            bar = st.progress(0.0, text=f"Scoring {len(documents):,} texts with {markup.escape_markdown(titles[model_id])}")

            def report(done: int, total: int, _: dict, bar=bar, number=number) -> None:
                bar.progress(done / total, text=f"Model {number} of {len(chosen)}: scored {done:,} of {total:,} texts")

            probabilities = scoring.score(classifiers[model_id], documents.texts, on_progress=report)
            tables.append(scoring.predictions_table(documents, classifiers[model_id].label_names, probabilities))
            bar.empty()
        merged = scoring.with_second_opinion(*tables) if len(tables) == 2 else tables[0]
        st.session_state["live_scored"] = (signature, merged)
    predictions = st.session_state["live_scored"][1]
    label_names = list(classifiers[first].label_names)
    chart_col, table_col = st.columns([2, 3], gap="large")
    counts = scoring.label_counts(predictions, label_names)
    chart_col.plotly_chart(figures.distribution_figure(counts), key="live_distribution")
    agreement = (f" The two models agree on {predictions['agree'].mean():.1%} of the texts; the table's last columns "
                 "hold the second model's label." if "agree" in predictions else "")
    chart_col.caption(f"Labels by {markup.escape_markdown(titles[first])}.{agreement}")
    with table_col:
        shown_labels = st.pills("Show labels", label_names, selection_mode="multi", default=label_names,
                                key="live_filter")
        shown = predictions[predictions["label"].isin(shown_labels)]
        st.dataframe(shown, hide_index=True, key="live_table", column_config={
            "confidence": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="percent"),
            **{f"P({name})": st.column_config.NumberColumn(format="%.3f") for name in label_names},
        })
        st.download_button(f"Download these {len(shown):,} predictions (CSV)", scoring.to_csv(shown),
                           f"{upload.name.rsplit('.', 1)[0]}-predictions.csv", "text/csv", key="live_download",
                           icon=":material/download:")
