"""Home: what the lab offers, the device in use, and a first taste: nearest words in GloVe."""

import pandas as pd
import plotly.express as px
import streamlit as st

import app_state
from engine.errors import LabError
from pages._catalog import CATALOG
from pages._chart_text import plain

st.title("Embedding Lab")
st.markdown(
    "An interactive lab for **neural word embeddings**: see how text becomes vectors, explore the "
    "geometry of a pretrained space, do arithmetic with meaning, train your own Word2Vec and sentiment "
    "models, and run them on your own text. Everything runs on this machine, on the GPU when there is one."
)
st.info(f"Computing on **{app_state.device_label()}**.", icon=":material/memory:")

TOUR = [(entry.path, entry.title, entry.blurb) for entry in CATALOG if entry.blurb]
for row in (TOUR[:3], TOUR[3:]):
    for column, (path, title, blurb) in zip(st.columns(3), row):
        with column.container(border=True, height=118):
            st.page_link(path, label=f"**{title}**")
            st.caption(blurb)

st.subheader("Nearest words in GloVe")
st.caption("GloVe 6B, 50 dimensions, 400,000 words from Wikipedia and Gigaword. Similarity is the cosine of the angle between two word vectors.")
left, right = st.columns([3, 1])
word = left.text_input("A word", value="frog", key="home_word", max_chars=200, placeholder="type a word, e.g. frog")
top_k = right.slider("How many neighbours", 5, 30, 10, key="home_k")

if not word.strip():
    st.info("Type a word to see its nearest neighbours.", icon=":material/keyboard:")
    st.stop()
try:
    neighbours = app_state.glove().nearest(word, k=top_k)
except LabError as error:
    st.error(str(error), icon=":material/error:")
    st.stop()

table = pd.DataFrame(neighbours, columns=["word", "cosine similarity"])
table.index = range(1, len(table) + 1)
table_col, chart_col = st.columns([2, 3])
table_col.dataframe(table, key="home_neighbours", width="stretch", column_config={"cosine similarity": st.column_config.NumberColumn(format="%.3f")})
chart = px.bar(table.iloc[::-1], x="cosine similarity", y="word", orientation="h", title=f"Closest to “{plain(word.strip())}”", range_x=[0, 1])
chart.update_layout(height=max(320, 28 * len(table)), margin=dict(l=10, r=10, t=50, b=10))
chart_col.plotly_chart(chart, key="home_chart")
