"""The Embedding space page's set management: add vectors from a file, open a large one from the vectors
folder, rename or delete uploaded sets.

Uploads are parsed by engine.formats and kept in the model store by engine.registry, so they appear in
every page's set picker and survive a restart. Files in the vectors folder are read once, as a background
job, into a memory-mapped cache (engine.vector_cache) and then join the pickers too. A refused file leaves
the chosen set as it was.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import app_state
from engine import formats, registry, uploads, vector_cache, vector_folder
from engine.errors import LabError
from engine.jobs import Job
from pages import _job_panel as job_panel
from pages import _manage as manage

SET_KEY = "space_set"
SELECT_NEXT = "space_select_next"  # a set to choose on the next run, before the picker is drawn


def apply_pending_choice() -> None:
    """Choose the set a finished job asked for; must run before the set picker is drawn."""
    if (pending := st.session_state.pop(SELECT_NEXT, None)) is not None:
        st.session_state[SET_KEY] = pending


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


def folder_panel() -> None:
    """Open a vector file beyond the upload limit from $EMBEDDING_LAB_VECTORS (off, and saying how, when unset)."""
    with st.expander("Open a large file from the vectors folder", icon=":material/folder_open:"):
        try:
            folder = vector_folder.vectors_folder()
        except LabError as error:
            st.error(str(error), icon=":material/error:")
            return
        if folder is None:
            st.caption(f"For files beyond the upload limit (fastText's 2,000,000 × 300, say): set {vector_folder.FOLDER_ENV_VAR} "
                       "to the folder that holds them and restart the lab. Only files inside that folder can be opened.")
            return
        files = {file.name: file for file in vector_folder.list_files(folder)}
        if not files:
            st.info(f"The vectors folder ({folder}) holds no .bin, .vec or .txt files.", icon=":material/info:")
            return
        left, right = st.columns([3, 2])
        # labels stay the same when a file gets read: a changed label would make a new widget and lose the choice
        name = left.selectbox("File", list(files), key="space_folder_file", format_func=lambda n: files[n].label)
        right.selectbox("Format", ["auto", *vector_folder.FORMAT_NAMES], key="space_folder_format",
                        format_func=lambda f: "Detect from the file" if f == "auto" else vector_folder.FORMAT_NAMES[f])
        entry = vector_cache.cached(folder / name)
        state = (f"Read before ({entry.rows:,} × {entry.dim}, in {entry.seconds:.0f} s): it opens from its cache at once."
                 if entry else "Read once into a memory-mapped float32 cache in the lab's home (float32: the CPU's matrix "
                 "products are fast and exact in it); it opens again in seconds, and is read anew if the file changes.")
        st.caption(state)
        job = _folder_job()
        st.button("Open in the lab", key="space_folder_open", icon=":material/folder_open:", on_click=_open_from_folder,
                  args=(folder, name), disabled=job is not None and job.active)
        if job is not None and job_panel.follow(job, key="space_folder", what=f"Reading {job.label}",
                                                progress=_folder_progress):
            if st.session_state.pop("space_folder_select", None) == job.id:  # just finished: show the new set
                st.session_state[SELECT_NEXT] = job.result
                manage.set_outcome("space", "success", f"Read {job.label} in {job.elapsed:.0f} s; it opens from its "
                                   "cache from now on, on every page.")
                st.rerun()


def _folder_job() -> Job | None:
    return app_state.jobs().get(st.session_state.get("space_folder_job"))


def _folder_progress(job: Job) -> tuple[float, str]:
    if job.history and job.history[-1].get("stage") == "indexing":
        return job.fraction, f"{job.label} · building the index for fast neighbours, {job.step:,} of {job.total:,} words"
    rows = next((row["rows"] for row in reversed(job.history) if "rows" in row), 0)
    return job.fraction, f"{job.label} · {rows:,} words read"


def _open_from_folder(folder: Path, name: str) -> None:
    """Use the cached copy, or check the file (before anything heavy) and start reading it in the background."""
    try:
        path = vector_folder.resolve(folder, name)
        if vector_cache.cached(path) is not None:
            st.session_state[SET_KEY] = registry.folder_key(name)
            manage.set_outcome("space", "success", f"Opened {name} from the vectors folder (read before, from its cache).")
            return
        checked = vector_folder.preflight(path, st.session_state.get("space_folder_format", "auto"))
    except LabError as error:
        manage.set_outcome("space", "error", f"{name} was not opened: {error}")
        return

    def work(report) -> str:  # noqa: ANN001 - the job's progress callback
        vector_cache.read_into_cache(checked, report)
        return registry.folder_key(name)

    about = "" if checked.exact_rows else "about "
    job = app_state.jobs().start("vectors", f"{name} ({about}{checked.rows:,} × {checked.dim}, "
                                 f"{vector_folder.FORMAT_NAMES[checked.format]})", work)
    st.session_state["space_folder_job"] = job.id
    st.session_state["space_folder_select"] = job.id


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
