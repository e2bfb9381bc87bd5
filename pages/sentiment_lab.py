"""Sentiment lab: train the six notebook models on a dataset in the background and compare them."""

import hashlib

import pandas as pd
import streamlit as st

import app_state
from engine import uploads
from engine.device import default_device
from engine.errors import LabError
from engine.jobs import Job
from engine.sentiment import data, models
from engine.sentiment.batches import LengthPlan, plan_lengths
from engine.sentiment.estimate import fine_tune_seconds
from engine.sentiment.evaluate import BASELINE_NAME
from engine.sentiment.experiment import history_frame, training_texts
from engine.sentiment.job import comparison_work
from engine.sentiment.train import TrainConfig, epoch_seed
from pages import _job_panel as job_panel
from pages import _sentiment_figures as figures

JOB_KEY, CSV = "sentiment_job", "csv"


# Parsed datasets and splits are cached per process as shared objects (cache_resource: nothing mutates them),
# keyed by a short name: cache_data would copy them on every run and hash 30,000 texts (a second of held GIL
# for the tweets, paid by every training job running beside the page).
@st.cache_resource(max_entries=4, show_spinner="Reading the dataset…")
def bundled_dataset(key: str) -> data.LabelledTexts:
    return data.load_dataset(key)


@st.cache_resource(max_entries=2, show_spinner="Reading your CSV…")
def read_upload(raw: bytes, text_column: str, label_column: str, name: str) -> data.LabelledTexts:
    """Parse and validate an uploaded CSV once per choice of columns, not on every rerun of the page."""
    return data.read_csv(raw, text_column, label_column, name=name)


@st.cache_resource(max_entries=8, show_spinner="Splitting and measuring the texts…")
def split_and_plan(_dataset: data.LabelledTexts, dataset_key: str, seed: int) -> tuple[data.Splits, LengthPlan]:
    """The seeded split, and the caps that cover 95% of its training texts; `dataset_key` names `_dataset`."""
    splits = data.split(_dataset, seed=seed)
    return splits, plan_lengths(splits.train.texts)


@st.cache_resource(max_entries=8, show_spinner=False)
def short_text_plan(_splits: data.Splits, dataset_key: str, seed: int) -> tuple[LengthPlan, int, int, int]:
    """What the fine-tuned transformer reads beside the training part, for its estimate: the lengths of one
    epoch's short texts, how many are closing passages, how many of the dataset's short texts an epoch draws,
    and how many there are to draw from."""
    reads = training_texts(models.spec("minilm_ft"), _splits)
    rows = reads.sample.rows(len(reads.texts), epoch_seed(seed, 1)) if reads.sample is not None else range(len(reads.texts))
    short = [reads.texts[row] for row in rows][len(_splits.train):]
    pool = len(_splits.short_texts) if _splits.short_texts is not None else 0
    return plan_lengths(short), reads.passages, len(short) - reads.passages, pool


@st.cache_data(max_entries=8, show_spinner="Timing one fine-tuning step on this device…")
def fine_tune_estimate(n_train: int, n_other: int, mean_pieces: float, layers: int, epochs: int, batch_size: int,
                       n_pool: int) -> float:
    return fine_tune_seconds(n_train=n_train, n_other=n_other, mean_pieces=mean_pieces, layers=layers, epochs=epochs,
                             batch_size=batch_size, device=default_device(), n_pool=n_pool)


st.title("Sentiment lab")
st.caption("The six models of bentrevett's *pytorch-sentiment-analysis* notebooks, trained on the same seeded "
           "train / validation / test split and compared with a TF-IDF + logistic regression reference.")

sources = {**{key: title for key, (title, _) in data.DATASETS.items()}, CSV: "Your CSV (text and label columns)"}
source = st.selectbox("Dataset", list(sources), format_func=sources.__getitem__, key="sent_dataset")
try:
    if source == CSV:
        upload = st.file_uploader("A CSV file, UTF-8", type=["csv"], key="sent_csv", max_upload_size=uploads.LABELLED_TEXTS_LIMIT // uploads.MIB)
        if upload is None:
            st.info("Upload a CSV with one text and one label per row.", icon=":material/upload_file:")
            st.stop()
        raw = upload.getvalue()
        columns = data.csv_columns(raw)
        left, right = st.columns(2)
        text_column = left.selectbox("Text column", columns, key="sent_text_col")
        label_column = right.selectbox("Label column", columns, index=min(1, len(columns) - 1), key="sent_label_col")
        dataset = read_upload(raw, text_column, label_column, upload.name)
        dataset_key = f"{hashlib.sha256(raw).hexdigest()}:{text_column}:{label_column}"
    else:
        dataset, dataset_key = bundled_dataset(source), source
except LabError as error:
    st.error(str(error), icon=":material/error:")
    st.stop()
for note in dataset.notes:
    st.caption(f":material/cleaning_services: {note}")

st.plotly_chart(figures.class_counts(dataset), key="sent_counts")

catalogue = models.CATALOGUE
on_gpu = default_device().type == "cuda"
chosen = st.multiselect("Models", list(catalogue), default=["fasttext", "cnn"] + (["minilm_ft"] if on_gpu else []),
                        key="sent_models", format_func=lambda key: f"{catalogue[key].notebook} · {catalogue[key].title}")
with st.expander("What each model is"):
    for key, spec in catalogue.items():
        st.markdown(f"**{spec.notebook} · {spec.title}** — {spec.summary}")
cols = st.columns(4)
epochs = cols[0].number_input("Epochs (at most)", 1, 50, data.suggested_epochs(len(dataset)), key=f"sent_epochs_{source}",
                              help="Early stopping ends sooner: after 2 epochs without a better validation loss. "
                                   "MiniLM fine-tuned has its own epochs and batch size, below, when chosen.")
batch_size = cols[1].selectbox("Batch size", [16, 32, 64, 128, 256], index=2, key="sent_batch")
seed = cols[2].number_input("Seed (split and initialisation)", 0, 10_000, 0, key="sent_seed")
keep = cols[3].toggle("Save models to the store", value=True, key="sent_save")

try:
    splits, plan = split_and_plan(dataset, dataset_key, int(seed))
except LabError as error:
    st.error(str(error), icon=":material/error:")
    st.stop()
left, right = st.columns(2)
max_tokens = left.number_input("Words read (vocabulary models)", 16, 2_000, plan.max_tokens, key=f"sent_words_{source}_{seed}",
                               help="Chosen to cover 95% of the training texts whole; a longer text keeps its first "
                                    "quarter and its last three quarters (head + tail).")
max_length = right.number_input("Word pieces read (transformer models)", 16, 512, plan.max_length,
                                key=f"sent_pieces_{source}_{seed}",
                                help="MiniLM reads at most 512 pieces; a longer text keeps its head and tail.")
st.caption(f"From the {len(splits.train):,} training texts: {plan.max_tokens:,} words cover 95% of them whole; at "
           f"{max_tokens:,} words {plan.words_cut(max_tokens):.0%} are longer and read head + tail, and at {max_length:,} "
           f"word pieces {plan.pieces_cut(max_length):.0%} are longer for MiniLM.")
hyper: dict[str, dict] = {}
fine_tune: TrainConfig | None = None
if "minilm_ft" in chosen:
    st.markdown("**MiniLM fine-tuned** trains by its own recipe: a few epochs in small batches, as notebook 6 fine-tunes BERT.")
    left, middle, right = st.columns([2, 1, 1])
    layers = left.slider("MiniLM layers to fine-tune", 1, 6, models.default_fine_tune_layers(default_device()), key="sent_ft_layers",
                         help="The top layers train; the ones below stay frozen, their states computed once and cached on "
                              "disk. With all 6, the word pieces are embedded afresh at each step.")
    ft_epochs = middle.number_input("Fine-tuning epochs", 1, 20, models.FINE_TUNE_EPOCHS, key="sent_ft_epochs",
                                    help="The learning rate warms up over the first tenth of the steps, then decays to "
                                         "zero at the last epoch; the epoch best on validation is kept.")
    batches = [8, 16, 32, 64]
    ft_batch = right.selectbox("Fine-tuning batch size", batches, index=batches.index(models.FINE_TUNE_BATCH_SIZE),
                               key="sent_ft_batch")
    hyper["minilm_ft"] = {"layers": int(layers)}
    fine_tune = TrainConfig(epochs=int(ft_epochs), batch_size=int(ft_batch), seed=int(seed))
    short, passages, drawn, pool = short_text_plan(splits, dataset_key, int(seed))
    reads = LengthPlan(plan.word_counts + short.word_counts, plan.piece_counts + short.piece_counts)  # an epoch's texts
    seconds = fine_tune_estimate(len(reads.piece_counts), len(splits.valid) + len(splits.test), reads.mean_pieces(int(max_length)),
                                 int(layers), int(ft_epochs), int(ft_batch), pool - drawn)
    name = splits.short_texts.name if splits.short_texts is not None else ""
    extra_text = (f" and {drawn:,} of {pool:,} {name} (a fresh draw each epoch)" if drawn < pool else
                  f" and {pool:,} {name}") if pool else ""
    st.info(f"Fine-tuning {layers} of MiniLM's 6 layers on {len(splits.train):,} texts, their {passages:,} "
            f"closing passages{extra_text}, for at most {ft_epochs} epoch{'s' if ft_epochs != 1 else ''} in batches of "
            f"{ft_batch}: about "
            f"**{job_panel.duration(seconds)}** on {'this GPU' if on_gpu else 'this CPU'} (timed from one training step).",
            icon=":material/schedule:")
if "transformer" in chosen:
    st.caption(":material/schedule: MiniLM + GRU first runs the frozen encoder over every text once (about a minute "
               "for 2,000 reviews on a 2-core CPU, seconds on a GPU); the states are kept on disk for the next run.")

jobs = app_state.jobs()
job = jobs.get(st.session_state.get(JOB_KEY))
if st.button("Train", type="primary", key="sent_train", disabled=not chosen or bool(job and job.active)):
    try:
        # Threads: every core while this job runs alone, one each while jobs share the CPU (engine.torch_threads).
        config = TrainConfig(epochs=int(epochs), batch_size=int(batch_size), seed=int(seed))
        work = comparison_work(chosen, splits, dataset=dataset.name, config=config, glove=app_state.glove(),
                               device=default_device(), store=app_state.store() if keep else None,
                               max_tokens=int(max_tokens), max_length=int(max_length), hyper=hyper, fine_tune=fine_tune)
    except LabError as error:
        st.error(str(error), icon=":material/error:")
        st.stop()
    st.session_state[JOB_KEY] = jobs.start("sentiment", f"{', '.join(chosen)} on {dataset.name}", work).id
    st.rerun()  # draw the page again with Train disabled and the job's panel


def progress(job: Job) -> tuple[float, str]:
    """The whole comparison's fraction done (models counted alike) and what the current model is doing."""
    last = job.history[-1] if job.history else {}
    index, count = last.get("model_index", 0), last.get("models", 1)
    what = catalogue[last["model"]].title if "model" in last else "starting"
    if last.get("phase") == "encoding":
        detail = f"encoding texts with MiniLM: {last['texts']:,} / {job.total:,}"
    elif last:
        detail = f"epoch {last['epoch']}, batch {last['batch']} / {last['batches']}, loss {last['loss']:.3f}, accuracy {last['accuracy']:.1%}"
    else:
        detail = "preparing"
    return (index + job.fraction) / count, f"{what} ({index + 1} of {count}): {detail}"


def curves(job: Job) -> None:
    """Training loss and validation accuracy of every model so far, one line each."""
    frame = history_frame(job.history)
    if frame.empty:
        return
    left, right = st.columns(2)
    left.plotly_chart(figures.loss_curves(frame[frame["phase"] == "train"]), key="sent_loss_curve")
    valid_rows = frame[frame["phase"] == "valid"]
    if not valid_rows.empty:
        right.plotly_chart(figures.accuracy_curves(valid_rows), key="sent_valid_curve")


if job is None or not job_panel.follow(job, key="sent", what="Training", progress=progress, details=curves):
    st.stop()
curves(job)
comparison, saved = job.result
st.subheader(f"Comparison on {comparison.dataset}")
sizes = comparison.splits
trained = {result.classifier.model_key for result in comparison.results}
frozen = [part for key, part in (("transformer", "the MiniLM + GRU model's 22.7 M encoder weights"),
                                 ("minilm_ft", "the fine-tuned MiniLM's word embeddings and frozen lower layers")) if key in trained]
st.caption(f"Test split: {sizes['test']:,} texts (train {sizes['train']:,}, validation {sizes['valid']:,}). Parameters "
           f"count trainable weights (TF-IDF row: features)" + (f"; {' and '.join(frozen)} are not counted." if frozen else "."))
table = comparison.table()
chosen_model = comparison.chosen()
reference = (f" The {BASELINE_NAME} reference scored {comparison.baseline.scores.accuracy:.1%} on the same test split."
             if comparison.baseline is not None else "")
st.success(f"Best on validation: **{chosen_model.title}** ({chosen_model.training.best.valid_accuracy:.1%}), and on the "
           f"test split {chosen_model.test.accuracy:.1%} accuracy, macro-F1 {chosen_model.test.macro_f1:.3f}.{reference}",
           icon=":material/trophy:")
st.caption("A model is chosen on the validation split, as its best epoch is: choosing by test score would tune to the "
           "test split. The table is sorted by test accuracy.")
st.dataframe(table, key="sent_results", hide_index=True, placeholder="—", column_config={
    "parameters": st.column_config.NumberColumn(format="localized"),
    "seconds / epoch": st.column_config.NumberColumn(format="%.1f", help="TF-IDF row: seconds to fit"),
    **{name: st.column_config.NumberColumn(format="percent") for name in ("valid accuracy", "test accuracy", "test macro-F1")},
})
timings = [f"{result.title} {result.training.seconds_per_epoch:.1f} s an epoch" for result in comparison.results]
if comparison.baseline is not None:
    timings.append(f"{BASELINE_NAME} {comparison.baseline.seconds:.1f} s to fit")
st.caption(f":material/timer: Whole run {job.elapsed:.1f} s: {'; '.join(timings)}.")
if saved:
    st.caption(f"Saved to the model store: {', '.join(manifest.name for manifest in saved)}.")

st.subheader("Confusion matrices (test split)")
scored = {result.title: result.test for result in comparison.results} | {BASELINE_NAME: comparison.baseline.scores}
for tab, (title, scores) in zip(st.tabs(list(scored)), scored.items()):
    tab.plotly_chart(figures.confusion(scores, title), key=f"sent_confusion_{title}")

st.subheader("The notebooks' probe sentences")
st.caption("The last two hold the same words in another order: a plain bag of words (notebook 1's) scores them alike, "
           "so it gets at most one of them right; bigrams, convolutions and attention can tell them apart. "
           "Notebook 6 fine-tunes BERT on 25,000 IMDB reviews and reads all four right. On the 944 training reviews "
           "bundled here, the fine-tuned MiniLM read the third as negative on every seed tried until it also trained "
           "on short film text: the reviews' closing sentences and as many one-sentence Rotten Tomatoes reviews, "
           "drawn afresh each epoch. "
           "Now it reads all four right on each of six seeds at 3 epochs, batch 16 (docs/BENCHMARKS.md).")
probes = comparison.probes.assign(prediction=lambda t: t["label"] + " (" + t["confidence"].map("{:.0%}".format) + ")")
st.dataframe(probes.pivot(index="text", columns="model", values="prediction").reindex(pd.unique(probes["text"])), key="sent_probes")
