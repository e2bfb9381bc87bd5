"""Embedding Lab: the router. It builds the navigation and the sidebar, and nothing else."""

import streamlit as st

import app_state

st.set_page_config(page_title="Embedding Lab", page_icon=":material/scatter_plot:", layout="wide")

PAGES = {
    "Start": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    ],
    "Learn": [st.Page("pages/text_to_vectors.py", title="Text → vectors", icon=":material/text_fields:", url_path="text_to_vectors")],
    "Explore": [st.Page("pages/embedding_space.py", title="Embedding space", icon=":material/scatter_plot:", url_path="embedding_space"),
                st.Page("pages/analogies.py", title="Analogies", icon=":material/calculate:", url_path="analogies")],
    "Train": [st.Page("pages/train_word2vec.py", title="Train Word2Vec", icon=":material/model_training:", url_path="train_word2vec"),
              st.Page("pages/sentiment_lab.py", title="Sentiment lab", icon=":material/sentiment_satisfied:", url_path="sentiment_lab")],
    "Use": [st.Page("pages/live_sentiment.py", title="Live sentiment", icon=":material/bolt:", url_path="live_sentiment")],
}

navigation = st.navigation(PAGES)
with st.sidebar:
    st.caption(f":material/memory: **Device** · {app_state.device_label()}", help="Set EMBEDDING_LAB_DEVICE=cpu|cuda|auto to choose.")
navigation.run()
