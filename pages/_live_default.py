"""The Live sentiment page's ready defaults: on a first visit to an empty store, train FastText once, for everyone.

The training runs as a background job (engine/jobs.py), so it survives reruns and every session that
arrives meanwhile watches the same job; `ready_defaults.ensure_default` holds a file lock, so even two server
processes train it only once.
"""

import streamlit as st

import app_state
from engine.jobs import Job
from engine.sentiment import ready_defaults
from engine.store import Manifest
from pages import _job_panel as job_panel

JOB_KIND = "live-default"
STAGES = {"waiting": "another session is training it; waiting for that model", "preparing": "loading the data and GloVe"}


def progress(job: Job) -> tuple[float, str]:
    """Which default is training (of how many) and its epoch; the fraction is that model's."""
    configs = ready_defaults.DEFAULT_CONFIGS
    dataset = next((row["dataset"] for row in reversed(job.history) if "dataset" in row), configs[0].dataset)
    index = next((i for i, config in enumerate(configs) if config.dataset == dataset), 0)
    last = job.history[-1] if job.history else {}
    if last.get("phase") in ("train", "valid"):
        stage = f"epoch {last['epoch']}, batch {last['batch']} / {last['batches']}, accuracy {last['accuracy']:.1%}"
    else:
        stage = STAGES.get(last.get("phase"), "starting")
    return job.fraction, f"{configs[index].name} ({index + 1} of {len(configs)}): {stage}"


def manifests_or_stop() -> list[Manifest]:
    """Every stored classifier (the default first); with none, start or follow the default's training and stop."""
    store = app_state.store()
    manifests = ready_defaults.classifier_manifests(store)
    if manifests:
        return manifests
    jobs = app_state.jobs()
    job = next((running for running in jobs.jobs(JOB_KIND) if running.active), None)
    ended = jobs.get(st.session_state.get("live_default_job"))
    if job is None and ended is not None and not ended.active and not job_panel.succeeded(ended, "Training the default classifier"):
        if st.button("Try again", key="live_retry"):
            st.session_state.pop("live_default_job")
            st.rerun()
        st.stop()
    if job is None:
        glove, configs = app_state.glove(), ready_defaults.DEFAULT_CONFIGS
        job = jobs.start(JOB_KIND, configs[0].name,
                         lambda report: ready_defaults.ensure_default(store, configs=configs, glove=glove, on_progress=report))
    st.session_state["live_default_job"] = job.id
    st.info("The model store holds no classifier yet, so the lab is training its ready defaults once, for every "
            "session: FastText on the bundled IMDB movie reviews (negative / positive), then on the tweets "
            "(negative / neutral / positive); well under a minute.",
            icon=":material/model_training:")
    job_panel.follow(job, key="live_default", what="Training the default classifier", progress=progress, cancel=False)
    st.stop()
