"""Rename or delete a stored embedding set: one panel, one confirmation, one cache clearing, on every page.

Buttons act in callbacks, before the page reruns, so a callback may also reset a picker drawn above it.
The outcome is kept in session state and shown by `show_outcome` at the top of the next run.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

import app_state
from engine import registry
from engine.errors import LabError


def set_outcome(prefix: str, kind: str, message: str) -> None:
    """Keep a result ("success" or "error") for `show_outcome` to draw on the next run."""
    st.session_state[f"{prefix}_outcome"] = (kind, message)


def show_outcome(prefix: str) -> None:
    """The result of the last action made under this prefix (a rename, a delete, or the page's own)."""
    kind, message = st.session_state.pop(f"{prefix}_outcome", (None, ""))
    if kind == "error":
        st.error(message, icon=":material/error:")
    elif kind == "success":
        st.success(message, icon=":material/check_circle:")


def rename_delete_panel(set_key: str, name: str, prefix: str, *, on_deleted: Callable[[], None] | None = None) -> None:
    """A name box with Rename, and Delete behind a confirming popover; widget keys start with `prefix`."""
    left, middle, right = st.columns([3, 1, 2], vertical_alignment="bottom")
    left.text_input("New name", key=f"{prefix}_rename_to", max_chars=80)
    middle.button("Rename", key=f"{prefix}_rename", on_click=_rename, args=(set_key, prefix))
    confirm = right.popover("Delete…", icon=":material/delete:")
    confirm.button(f"Delete {name} for good", key=f"{prefix}_delete", type="primary", on_click=_delete,
                   args=(set_key, name, prefix, on_deleted))


def _rename(set_key: str, prefix: str) -> None:
    try:
        name = registry.rename_set(app_state.store(), set_key, st.session_state.get(f"{prefix}_rename_to", ""))
    except LabError as error:
        set_outcome(prefix, "error", str(error))
        return
    app_state.store_changed()
    set_outcome(prefix, "success", f"Renamed to “{name}”.")


def _delete(set_key: str, name: str, prefix: str, on_deleted: Callable[[], None] | None) -> None:
    try:
        registry.delete_set(app_state.store(), set_key)
    except LabError as error:  # another session may have deleted it first: the caches must forget it all the same
        set_outcome(prefix, "error", str(error))
    else:
        set_outcome(prefix, "success", f"Deleted “{name}”.")
    app_state.store_changed()
    if on_deleted is not None:
        on_deleted()
