"""The Embedding space page's set management: add vectors from a file, rename or delete uploaded sets.

Uploads are parsed by engine.formats and kept in the model store by engine.registry, so they appear in
every page's set picker and survive a restart. A refused file leaves the chosen set as it was.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import app_state
from engine import formats, registry, uploads
from engine.errors import LabError
from pages import _manage as manage

SET_KEY = "space_set"


def show_flash() -> None:
    """The outcome of the last add, rename or delete."""
    manage.show_outcome("space")


def upload_panel() -> None:
    with st.expander("Add vectors from a file", icon=":material/upload_file:"):
        st.caption(
            "word2vec text or binary, GloVe text, fastText .vec, or a TensorBoard projector vectors.tsv (with an "
            f"optional metadata.tsv). Up to {uploads.VECTOR_FILE_LIMIT // uploads.MIB} MiB. Kept in the lab's model store."
        )
        left, right = st.columns(2)
        left.file_uploader("Vector file", type=["txt", "vec", "bin", "tsv"], key="space_upload_file")
        right.file_uploader("metadata.tsv (projector TSV only, optional)", type=["tsv"], key="space_upload_metadata")
        choices = ["auto", *formats.FORMATS]
        left.selectbox("Format", choices, key="space_upload_format",
                       format_func=lambda f: "Detect from the file" if f == "auto" else formats.FORMATS[f])
        right.text_input("Name in the lab", key="space_upload_name", max_chars=80, placeholder="defaults to the file name")
        st.button("Add to the lab", key="space_upload_add", icon=":material/add:", on_click=_add_upload)


def manage_panel() -> None:
    uploaded = [info for info in registry.available_sets(app_state.store()) if info.origin == "uploaded"]
    if not uploaded:
        return
    with st.expander("Manage uploaded sets", icon=":material/folder_managed:"):
        infos = {info.key: info for info in uploaded}
        chosen = st.selectbox("Uploaded set", list(infos), format_func=lambda key: infos[key].label, key="space_manage_set")
        manage.rename_delete_panel(chosen, infos[chosen].name, "space", on_deleted=lambda: _leave_deleted(chosen))


def _add_upload() -> None:
    upload = st.session_state.get("space_upload_file")
    if upload is None:
        manage.set_outcome("space", "error", "Choose a vector file first.")
        return
    metadata = st.session_state.get("space_upload_metadata")
    data = upload.getvalue()
    fmt = st.session_state.get("space_upload_format", "auto")
    fmt = formats.guess_format(upload.name, data) if fmt == "auto" else fmt
    name = (st.session_state.get("space_upload_name") or "").strip() or Path(upload.name).stem
    try:
        loaded = formats.read_vectors(data, fmt, metadata=metadata.getvalue() if metadata else None)
        key = registry.save_set(
            app_state.store(), name, loaded.words, loaded.vectors, origin="uploaded",
            params={"format": fmt, "file": upload.name}, metadata=loaded.metadata,
        )
    except LabError as error:
        manage.set_outcome("space", "error", f"{upload.name} was not added: {error}")
        return
    st.session_state[SET_KEY] = key
    notes = " ".join(loaded.notes)
    manage.set_outcome(
        "space", "success", f"Added “{name}”: {len(loaded.words):,} words × {loaded.vectors.shape[1]} ({formats.FORMATS[fmt]}). {notes}"
    )


def _leave_deleted(key: str) -> None:
    """The page was showing the set just deleted: show GloVe instead."""
    if st.session_state.get(SET_KEY) == key:
        st.session_state[SET_KEY] = registry.GLOVE_KEY
