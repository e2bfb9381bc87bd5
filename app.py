"""Embedding Lab: the router. It builds the navigation and the sidebar, and nothing else."""

import streamlit as st

import app_state

st.set_page_config(page_title="Embedding Lab", page_icon=":material/scatter_plot:", layout="wide")

PAGES = {
    "Start": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    ],
}

navigation = st.navigation(PAGES)
with st.sidebar:
    st.caption(f":material/memory: **Device** · {app_state.device_label()}", help="Set EMBEDDING_LAB_DEVICE=cpu|cuda|auto to choose.")
navigation.run()
