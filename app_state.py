"""The UI side's shared objects: engine calls wrapped in Streamlit caches, and small shared widgets.

Heavy objects (GloVe on the device, stored embedding sets) are built once per process with
`st.cache_resource` and shared by every session and page; the engine itself never imports streamlit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from engine import registry
from engine.device import default_device, describe_device
from engine.errors import LabError
from engine.jobs import JobManager
from engine.store import ModelStore
from engine.vectors import EmbeddingSet

if TYPE_CHECKING:
    from engine.sentiment.predict import SentimentClassifier
    from engine.word2vec.film import Film


def _leave_legacy_pages_mode() -> None:
    """Make a deep link on a fresh server go through the router.

    With a `pages/` folder beside app.py, Streamlit runs a new server's first script in its legacy
    folder-of-pages mode until `st.navigation` is first called, so a first visit to `/analogies`
    would run that page alone, without app.py's menu and sidebar. Every page imports this module,
    so switching the mode off here and rerunning sends that first run through app.py instead.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_leave_legacy_pages_mode()


@st.cache_resource
def device_label() -> str:
    return describe_device(default_device())


@st.cache_resource
def jobs() -> JobManager:
    """The process-wide background-job manager: pages keep job ids in session state, never threads."""
    return JobManager()


def store() -> ModelStore:
    """The model store under $EMBEDDING_LAB_HOME (cheap to create; it holds no open files)."""
    return ModelStore()


@st.cache_resource(show_spinner="Loading embedding set…", max_entries=8)
def embedding_set(key: str) -> EmbeddingSet:
    """An embedding set from the registry on the lab's device, loaded once per process."""
    return registry.load_set(key, store(), default_device())


def glove() -> EmbeddingSet:
    """All 400,000 GloVe words on the lab's device, shared by every session."""
    return embedding_set(registry.GLOVE_KEY)


@st.cache_resource(max_entries=4, show_spinner=False)
def words_shown(set_key: str, count: int, rows: tuple[int, ...] | None) -> EmbeddingSet:
    """The words the Embedding space page projects: the first `count` of a set, or an isolated subset of those rows."""
    head = embedding_set(set_key).head(count)
    if rows is None:
        return head
    return EmbeddingSet([head.words[r] for r in rows], head.vectors[list(rows)], name=f"{head.name} (isolated)", device=head.device)


@st.cache_data(max_entries=8, show_spinner=False)
def set_metadata(set_key: str) -> dict[str, list[str]]:
    """A stored set's per-word metadata columns."""
    return registry.set_metadata(set_key, store())


@st.cache_resource(max_entries=2, show_spinner=False)
def training_film(set_key: str) -> tuple[Film, dict] | None:
    """A trained set's film and its card (None if it was trained without one), read once per process."""
    from engine.word2vec.job import stored_film  # gensim comes with it, which only the Word2Vec page needs

    return stored_film(store(), set_key, embedding_set(set_key).words)


def store_changed() -> None:
    """After a stored set was renamed or deleted: drop every cached copy, so every page sees the change."""
    embedding_set.clear()
    words_shown.clear()
    set_metadata.clear()
    training_film.clear()


def pick_embedding_set(label: str = "Embedding set", *, key: str) -> EmbeddingSet:
    """A select box over every embedding set in the registry; returns the chosen set, loaded.

    Stops the page with a message if the chosen set cannot be loaded (a damaged file, say).
    """
    infos = registry.available_sets(store())
    labels = {info.key: info.label for info in infos}
    chosen = st.selectbox(label, list(labels), format_func=labels.__getitem__, key=key)
    try:
        return embedding_set(chosen)
    except LabError as error:
        st.error(str(error), icon=":material/error:")
        st.stop()


@st.cache_resource(show_spinner="Loading classifier…", max_entries=8)
def classifier(model_id: str) -> SentimentClassifier:
    """A stored sentiment classifier on the lab's device, loaded once per process (store ids are never reused).

    Imported here, not at the top: the sentiment package pulls in transformers, which every other page can skip.
    """
    from engine.sentiment.persist import load_classifier

    return load_classifier(store(), model_id, default_device())
