"""Embedding Lab: the router. It builds the navigation and the sidebar, and nothing else."""

import streamlit as st

import app_state
from pages._catalog import CATALOG

st.set_page_config(page_title="Embedding Lab", page_icon=":material/scatter_plot:", layout="wide")

PAGES: dict[str, list] = {}
for entry in CATALOG:
    PAGES.setdefault(entry.section, []).append(
        st.Page(entry.path, title=entry.title, icon=entry.icon, url_path=entry.url_path, default=entry.url_path is None))

navigation = st.navigation(PAGES)
with st.sidebar:
    st.caption(f":material/memory: **Device** · {app_state.device_label()}", help="Set EMBEDDING_LAB_DEVICE=cpu|cuda|auto to choose.")
navigation.run()
