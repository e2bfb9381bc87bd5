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
from pages._space_compute import active_set, metadata_of

SET_KEY = "space_set"
_FLASH = "space_flash"


def show_flash() -> None:
    """The outcome of the last add/rename/delete, set by a button callback."""
    kind, message = st.session_state.pop(_FLASH, (None, ""))
    if kind == "error":
        st.error(message, icon=":material/error:")
    elif kind == "success":
        st.success(message, icon=":material/check_circle:")


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
        labels = {info.key: info.label for info in uploaded}
        st.selectbox("Uploaded set", list(labels), format_func=labels.__getitem__, key="space_manage_set")
        left, right = st.columns(2)
        left.text_input("New name", key="space_rename_to", max_chars=80)
        left.button("Rename", key="space_rename", on_click=_rename)
        right.checkbox("Yes, delete it for good", key="space_delete_confirm")
        right.button("Delete", key="space_delete", on_click=_delete, type="secondary", icon=":material/delete:")


def _add_upload() -> None:
    upload = st.session_state.get("space_upload_file")
    if upload is None:
        st.session_state[_FLASH] = ("error", "Choose a vector file first.")
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
        st.session_state[_FLASH] = ("error", f"{upload.name} was not added: {error}")
        return
    st.session_state[SET_KEY] = key
    notes = " ".join(loaded.notes)
    st.session_state[_FLASH] = (
        "success", f"Added “{name}”: {len(loaded.words):,} words × {loaded.vectors.shape[1]} ({formats.FORMATS[fmt]}). {notes}"
    )


def _rename() -> None:
    key = st.session_state.get("space_manage_set")
    try:
        manifest = app_state.store().rename(key.removeprefix("store:"), st.session_state.get("space_rename_to", ""))
    except LabError as error:
        st.session_state[_FLASH] = ("error", str(error))
        return
    _forget()
    st.session_state[_FLASH] = ("success", f"Renamed to “{manifest.name}”.")


def _delete() -> None:
    key = st.session_state.get("space_manage_set")
    if not st.session_state.get("space_delete_confirm"):
        st.session_state[_FLASH] = ("error", "Tick “Yes, delete it for good” first.")
        return
    try:
        app_state.store().delete(key.removeprefix("store:"))
    except LabError as error:
        st.session_state[_FLASH] = ("error", str(error))
        return
    _forget()
    if st.session_state.get(SET_KEY) == key:
        st.session_state[SET_KEY] = registry.GLOVE_KEY
    st.session_state["space_delete_confirm"] = False
    st.session_state[_FLASH] = ("success", "Deleted.")


def _forget() -> None:
    """Drop every cached copy of a renamed or deleted set: the shared loader's and this page's."""
    app_state.forget_sets()
    active_set.clear()
    metadata_of.clear()
