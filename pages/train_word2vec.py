"""Train Word2Vec: pick a corpus, set the parameters, watch a background job learn, then probe the result."""

import pandas as pd
import streamlit as st

import app_state
from engine.device import default_device
from engine.errors import LabError
from engine.format_writers import write_vectors
from engine.jobs import Job
from engine.store import Manifest
from engine.word2vec import ARCHITECTURES, BACKENDS, OBJECTIVES, Word2VecParams, corpus, training_work
from engine.word2vec.evaluate import default_probes, word_map
from engine.word2vec.job import trained_sets
from pages import _job_panel as job_panel
from pages import _manage as manage
from pages import _word2vec_figures as figures
from pages import _word2vec_film as film

SOURCES = {**corpus.BUNDLED, "upload": "Your own file · .txt, a .csv column, or a .zip of .txt files"}
SAMPLES = [0.0, 1e-5, 1e-4, 1e-3, 1e-2]


@st.cache_resource(show_spinner="Reading and tokenising the corpus…", max_entries=3)
def bundled_corpus(key: str) -> corpus.Corpus:
    return corpus.bundled(key)


@st.cache_resource(show_spinner="Reading and tokenising your file…", max_entries=2)
def uploaded_corpus(name: str, data: bytes, column: str | None) -> corpus.Corpus:
    return corpus.from_upload(name, data, column=column)


def pick_corpus() -> corpus.Corpus:
    source = st.selectbox("Corpus", list(SOURCES), format_func=SOURCES.__getitem__, key="w2v_source")
    if source != "upload":
        return bundled_corpus(source)
    upload = st.file_uploader("Upload a corpus", type=list(corpus.UPLOAD_TYPES), key="w2v_upload")
    if upload is None:
        st.info("Upload a .txt file, a .csv file (then pick its text column) or a .zip of .txt files.",
                icon=":material/upload:")
        st.stop()
    data, column = upload.getvalue(), None
    if upload.name.lower().endswith(".csv"):
        column = st.selectbox("Text column", corpus.csv_columns(upload.name, data), key="w2v_column")
    return uploaded_corpus(upload.name, data, column)


def show_corpus(chosen: corpus.Corpus, min_count: int) -> None:
    stats = chosen.statistics(min_count)
    cols = st.columns(5)
    cols[0].metric("Documents", f"{stats['documents']:,}")
    cols[1].metric("Tokens", f"{stats['tokens']:,}")
    cols[2].metric("Vocabulary", f"{stats['vocabulary']:,}",
                   help=f"{stats['words seen once']:,} words occur only once.")
    cols[3].metric(f"Words with count ≥ {min_count}", f"{stats['vocabulary at min_count']:,}")
    cols[4].metric("Tokens they cover", f"{stats['tokens covered at min_count']:.1%}")
    with st.expander("Tokenisation preview and Zipf plot"):
        left, right = st.columns([1, 1])
        for raw, tokens in chosen.preview:
            flat = " ".join(raw.split())
            left.text(flat[:240] + ("…" if len(flat) > 240 else ""))
            left.code(" · ".join(tokens[:40]), language=None, wrap_lines=True)
        right.plotly_chart(figures.zipf_figure(chosen.zipf_table(5000), chosen.name), key="w2v_zipf")


def progress(job: Job) -> tuple[float, str]:
    latest = job.history[-1] if job.history else {}
    if latest.get("stage"):
        frames = f" (the film's frame {latest['frame']} of {latest['frames']})" if latest.get("frame") else ""
        return job.fraction, f"{job.label} · scoring on WordSim-353 and analogies{frames}"
    epoch = next((row["epoch"] for row in reversed(job.history) if "epoch" in row), 1)
    return job.fraction, f"{job.label} · epoch {epoch}"


def live_metrics(job: Job) -> None:
    """Words processed, speed, loss and the live loss curve, from the job's reports."""
    latest = {name: value for row in job.history for name, value in row.items()}  # newest value of each metric
    cols = st.columns(3)
    cols[0].metric(f"Words processed, of {job.total:,}", f"{job.step:,}")
    cols[1].metric("Words per second", f"{latest.get('words_per_s', 0):,.0f}")
    cols[2].metric("Loss per corpus word", f"{latest['loss']:.3f}" if "loss" in latest else "…")
    if any("loss" in row for row in job.history):
        st.plotly_chart(figures.loss_figure(job.history, "Training loss, live"), key="w2v_live_loss")


def show_model(key: str, manifest: Manifest) -> None:
    """Scores next to GloVe's, the loss curve, neighbours of probe words, the training film and a 2-D map of one model."""
    params, metrics = manifest.params, manifest.metrics
    st.caption(f"{params.get('corpus', '?')} · {params.get('backend')} on {metrics.get('device')} · "
               f"d={params.get('dim')} · window {params.get('window')} · {params.get('epochs')} epochs · "
               f"min_count {params.get('min_count')} · {metrics.get('words_per_second', 0):,} words/s")

    def score(name: str) -> str:
        return "—" if metrics.get(name) is None else f"{metrics[name]:.3f}"

    scores = pd.DataFrame({
        "benchmark (on the words both models know)": [
            f"WordSim-353 Spearman · {metrics.get('wordsim_pairs', 0)} pairs",
            f"Google analogies accuracy · {metrics.get('analogy_questions', 0):,} questions"],
        "this model": [score("wordsim_spearman"), score("analogy_accuracy")],
        "GloVe 6B 50d": [score("reference_wordsim_spearman"), score("reference_analogy_accuracy")],
    })
    left, right = st.columns([1, 1])
    left.table(scores, hide_index=True, border="horizontal")
    if metrics.get("loss_curve"):
        right.plotly_chart(figures.loss_figure(metrics["loss_curve"], "Training loss"), key="w2v_loss")
    embeddings = app_state.embedding_set(key)
    typed = st.text_input("Probe words (comma-separated)", key="w2v_probes")
    probes = [word.strip() for word in typed.split(",") if word.strip()][:6]
    try:
        neighbours = embeddings.nearest_many(probes, k=8) if probes else []
    except LabError as error:
        st.error(str(error), icon=":material/error:")
        neighbours = []
    for col, probe, found in zip(st.columns(max(len(neighbours), 1)), probes, neighbours):
        col.table(pd.DataFrame(found, columns=[probe, "cosine"]).round(3), hide_index=True, border="horizontal")
    film.show_film(key, manifest.name, probes)
    st.subheader("The finished map", divider="gray")
    title = f"The 300 most frequent words of {manifest.name}, PCA"
    st.plotly_chart(figures.map_figure(word_map(embeddings, 300), title), key="w2v_map")


def manage_model(key: str, manifest: Manifest) -> None:
    """Rename, delete (after a confirmation) or download one trained model."""
    manage.rename_delete_panel(key, manifest.name, "w2v")
    embeddings = app_state.embedding_set(key)

    def as_word2vec_text() -> bytes:  # built only when the button is clicked
        return write_vectors(embeddings.words, embeddings.vectors.cpu().numpy(), "word2vec-text")

    st.download_button("Download (word2vec text format)", as_word2vec_text, file_name=f"{manifest.id}.txt",
                       mime="text/plain", key="w2v_download", icon=":material/download:")


st.title("Train Word2Vec")
st.caption("Skip-gram or CBOW, negative sampling or hierarchical softmax, on a bundled corpus or your own. Training "
           "runs in the background: leave the page and come back, it keeps going. A finished model joins every "
           "page's picker.")
try:
    chosen = pick_corpus()
    show_corpus(chosen, int(st.session_state.get("w2v_min_count", 5) or 1))
except LabError as error:
    st.error(str(error), icon=":material/error:")
    st.stop()

job = app_state.jobs().get(st.session_state.get("w2v_job"))
with st.form("w2v_form"):
    cols = st.columns(4)
    architecture = cols[0].radio("Architecture", list(ARCHITECTURES), format_func=ARCHITECTURES.__getitem__,
                                 key="w2v_architecture")
    objective = cols[1].radio("Objective", list(OBJECTIVES), format_func=OBJECTIVES.__getitem__, key="w2v_objective")
    backend = cols[2].radio("Backend", list(BACKENDS), format_func=BACKENDS.__getitem__, key="w2v_backend",
                            index=0 if default_device().type == "cuda" else 1,
                            help=f"torch computes on {app_state.device_label()}.")
    seed = cols[3].number_input("Seed", value=1, step=1, key="w2v_seed")
    cols = st.columns(6)
    vector_size = cols[0].number_input("Vector size", value=100, step=10, key="w2v_vector_size")
    window = cols[1].number_input("Window", value=5, step=1, key="w2v_window",
                                  help="The largest window; each word draws its own from 1 to this.")
    negative = cols[2].number_input("Negatives", value=5, step=1, key="w2v_negative",
                                    help="Noise words per example (negative sampling only).")
    epochs = cols[3].number_input("Epochs", value=5, step=1, key="w2v_epochs")
    min_count = cols[4].number_input("min_count", value=5, step=1, key="w2v_min_count")
    sample = cols[5].select_slider("Subsampling threshold", SAMPLES, value=1e-3, key="w2v_sample",
                                   format_func=lambda v: f"{v:g}")
    name = st.text_input("Name for the model", key="w2v_name",
                         placeholder=f"{ARCHITECTURES[architecture]} · {chosen.name}")
    start = st.form_submit_button("Train", type="primary", icon=":material/model_training:", key="w2v_train",
                                  disabled=bool(job and job.active))

if start and job is not None and job.active:
    st.warning("A training run is already going; wait for it or cancel it first.", icon=":material/hourglass_top:")
elif start:
    params = Word2VecParams(architecture, objective, int(vector_size), int(window), int(negative), int(epochs),
                            int(min_count), float(sample), seed=int(seed))
    label = name.strip() or f"{params.label} · {chosen.name}"
    try:
        work = training_work(chosen, params, backend, name=label, store=app_state.store(), reference=app_state.glove())
    except LabError as error:
        st.error(str(error), icon=":material/error:")
    else:
        st.session_state["w2v_job"] = app_state.jobs().start("word2vec", label, work).id
        st.rerun()  # draw the form again with Train disabled while the job runs
if job is not None and job_panel.follow(job, key="w2v", what=f"Training {job.label}", progress=progress, details=live_metrics):
    if st.session_state.get("w2v_reported") != job.id:  # the first run after it finished: show the new model
        st.session_state["w2v_reported"], st.session_state["w2v_select_next"] = job.id, job.result
    st.success(f"{job.label}: trained in {job.elapsed:.0f} s and saved.", icon=":material/check_circle:")

st.header("Your trained models", divider="gray")
manage.show_outcome("w2v")
models = dict(trained_sets(app_state.store()))
if not models:
    st.info("No trained models yet. Train one above; it is saved here and appears in every page's embedding-set "
            "picker.", icon=":material/info:")
else:
    next_model = st.session_state.pop("w2v_select_next", None)
    if next_model in models or st.session_state.get("w2v_model") not in models:
        st.session_state["w2v_model"] = next_model if next_model in models else next(iter(models))
    key = st.selectbox("Model", list(models), format_func=lambda k: f"{models[k].name} · {models[k].created}",
                       key="w2v_model")
    try:  # a stored file damaged (or deleted by another session) since the list was read
        if st.session_state.get("w2v_shown_model") != key:  # a newly chosen model: reset the boxes that describe it
            st.session_state["w2v_probes"] = ", ".join(default_probes(app_state.embedding_set(key).words))
            st.session_state["w2v_rename_to"] = models[key].name
            st.session_state["w2v_shown_model"] = key
        show_model(key, models[key])
        with st.expander("Rename, delete or download"):
            manage_model(key, models[key])
    except LabError as error:
        st.error(str(error), icon=":material/error:")
