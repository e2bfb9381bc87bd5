"""Embedding space: project a set of word vectors to 2D or 3D (PCA, t-SNE, UMAP or a coordinates CSV),
then search, read a word's neighbours, select, isolate and export. Nothing is computed before Project."""

import uuid

import numpy as np
import pandas as pd
import streamlit as st

import app_state
from engine import clusters, exact_knn, explorer, format_writers, projection, trust
from engine.errors import LabError
from engine.projection import ProjectionParams
from pages import _point_map as point_map
from pages import _space_figures as space_figures
from pages import _space_sets as sets
from pages._space_compute import METHODS, cluster_ids, cluster_names, compute, trust_of

AUTO_TRUST = 20_000  # words: up to here the trust figures come with every projection (about 3 s at most, once)

st.title("Embedding space")
st.caption("See the geometry of a space: project words to 2D or 3D, search, read neighbours (in the original space), "
           "select and isolate regions, export coordinates. Projections start only when you press **Project**.")
sets.show_flash()
sets.apply_pending_choice()
top = st.columns([3, 1])
with top[0]:
    embedding = app_state.pick_embedding_set("Embedding set", key=sets.SET_KEY)
set_key = st.session_state[sets.SET_KEY]
if st.session_state.get("space_count_for") != set_key:  # a new set: start from a sensible number of words
    st.session_state["space_count"], st.session_state["space_count_for"] = min(5_000, len(embedding)), set_key
    st.session_state.pop("space_subset", None)
count = top[1].number_input("Words to project", min_value=min(1_000, len(embedding)), max_value=len(embedding), step=1_000,
                            key="space_count", help=f"The first words of the set (for GloVe the most frequent), up to all {len(embedding):,}.")
sets.upload_panel()
sets.folder_panel()
sets.manage_panel()

st.subheader("Projection", divider="gray")
cols = st.columns([3, 1.2, 1.2, 1.2, 1.2, 1])
method = cols[0].radio("Method", list(METHODS), format_func=METHODS.__getitem__, horizontal=True, key="space_method")
dims = cols[1].radio("Dimensions", [2, 3], format_func=lambda d: f"{d}D", horizontal=True, key="space_dims")
perplexity, neighbors, min_dist, metric, seed, epochs, coords_file = 30, 15, 0.1, "cosine", 0, 0, None
if method == "tsne":
    perplexity = cols[2].slider("Perplexity", 5, 100, 30, key="space_perplexity", help="Roughly how many neighbours each point keeps close.")
elif method == "umap":
    neighbors = cols[2].slider("n_neighbors", 2, 100, 15, key="space_n_neighbors", help="Larger keeps more global structure.")
    min_dist = cols[3].slider("min_dist", 0.0, 1.0, 0.1, 0.05, key="space_min_dist", help="How tightly points may pack.")
    epochs = cols[1].selectbox(
        "Layout epochs", [0, 50, 100, 200, 500], key="space_umap_epochs", format_func=lambda e: str(e) if e else "auto",
        help=f"auto: umap-learn's own 200 (500 under 10,000 words) while neighbours are exact; "
             f"{projection.LARGE_EPOCHS} on all cores above {exact_knn.EXACT_KNN_MAX['cpu']:,} words on a CPU, where "
             f"200 take minutes longer (on 400,000 GloVe words {projection.LARGE_EPOCHS} keep about 80 % of "
             f"umap-learn's neighbour preservation in a quarter of its time).")
if method in ("tsne", "umap"):
    metric = cols[4].selectbox("Metric", projection.METRICS, key="space_metric")
    seed = cols[5].number_input("Seed", 0, 2**31 - 1, 0, key="space_seed")
elif method == "csv":
    coords_file = cols[2].file_uploader("Coordinates CSV (word,x,y[,z])", type=["csv"], key="space_coords_file")
axes_text, colour_axis = [], ""
if method == "axes":
    axis_help = "One word ('good') or two joined by ' - ' ('he - she'): words are placed by their cosine to that direction."
    axes_text = [cols[2].text_input("X axis", "he - she", key="space_axis_x", help=axis_help),
                 cols[3].text_input("Y axis", "good - bad", key="space_axis_y", help=axis_help)]
    if dims == 3:
        axes_text.append(cols[4].text_input("Z axis", "king - man", key="space_axis_z", help=axis_help))
    colour_axis = cols[5].text_input("Colour direction", "", key="space_axis_colour", placeholder="e.g. rich - poor",
                                     help="Optional: a third direction, shown as a diverging colour.")
params = ProjectionParams("pca" if method in ("csv", "axes") else method, dims, perplexity, neighbors, min_dist, metric, int(seed), epochs)
subset = st.session_state.get("space_subset")  # (rows of the set, reason) after Isolate
if subset and max(subset[0]) >= count:  # fewer words chosen since: the isolated rows no longer all exist
    subset = st.session_state.pop("space_subset") and None
if st.button("Project", key="space_project", type="primary", icon=":material/scatter_plot:"):
    st.session_state["space_request"] = dict(id=uuid.uuid4().hex, set=set_key, count=int(count), rows=subset[0] if subset else None,
                                             method=method, params=params, csv=coords_file.getvalue() if coords_file else None,
                                             axes=axes_text, colour_axis=colour_axis)

request = st.session_state.get("space_request")
if request is None or request["set"] != set_key:
    st.info("Choose a set and a method, then press **Project**.", icon=":material/touch_app:")
    st.stop()
words_set = app_state.words_shown(request["set"], request["count"], request["rows"])
result = st.session_state.get("space_result")
try:
    if result is None or result["id"] != request["id"]:
        result = compute(request, words_set)
except LabError as error:
    st.error(str(error), icon=":material/error:")
    st.stop()
st.session_state["space_result"] = result

space, found = result["space"], result["projection"]
coords, count_shown = found.coords, len(result["space"])
base_rows = np.asarray(request["rows"] if request["rows"] is not None else np.arange(request["count"]))[result["rows"]]  # rows in the set

st.subheader("Map", divider="gray")
cols = st.columns([3, 1, 2, 1, 2])
query = cols[0].text_input("Search: words (comma-separated) or a regex", key="space_search", max_chars=500, placeholder="e.g. king, queen  or  ^pre")
regex = cols[1].toggle("Regex", key="space_regex")
direction = result.get("direction")  # (label, values): the semantic axes' colour direction
colour_choices = (["direction"] if direction else []) + ["rank", "cluster", "search", "trust"] + [
    f"meta:{name}" for name in app_state.set_metadata(set_key)]
colour_names = {"rank": "Row (frequency rank)", "cluster": "k-means cluster", "search": "Search match",
                "trust": "Trust (neighbours kept)", "direction": f"Direction: {direction[0]}" if direction else ""}
colour = cols[2].selectbox("Colour by", colour_choices, key="space_colour", format_func=lambda c: colour_names.get(c, c.removeprefix("meta:")))
k = cols[3].number_input("Clusters", 2, clusters.MAX_CLUSTERS, 8, key="space_k", disabled=colour != "cluster")
label_top = cols[4].slider("Label the most frequent", 0, space_figures.MAX_LABELS, 0, 10, key="space_labels")
try:
    matches = explorer.match_words(space.words, query, regex=regex)
except LabError as error:
    st.error(str(error), icon=":material/error:")
    matches = np.zeros(len(space), dtype=bool)

left, right = st.columns([1, 3])
with left:
    st.markdown("**Neighbours** · cosine in the original space")
    if space.neighbour_index is not None:
        st.caption(f"Approximate, as the set has {len(space):,} words: an index shortlists, exact cosines rank. Recall@10 "
                   f"against exact search: {space.neighbour_index.recall:.3f}, measured on {space.neighbour_index.sample} "
                   "words when the index was built; the scores shown are exact.")
    neighbour_word = st.text_input("Neighbours of", key="space_neighbour", max_chars=200, placeholder="a word in the plot")
    top_k = st.slider("How many", 5, 50, 10, key="space_neighbour_k")
    focus, neighbours, links = np.zeros(len(space), dtype=bool), [], None
    if neighbour_word.strip():
        try:
            centre, neighbours = space.index_of(neighbour_word), space.nearest(neighbour_word, k=top_k)
        except LabError as error:
            st.error(str(error), icon=":material/error:")
        else:
            near_rows = np.array([space.index[w] for w, _ in neighbours])
            focus[[centre, *near_rows]] = True
            far, _ = trust.far_in_picture(coords, centre, near_rows)
            links = (centre, near_rows, far)
            table = pd.DataFrame(neighbours, columns=["word", "cosine"])
            table["rank in plot"] = explorer.projection_ranks(coords, centre, near_rows.tolist())
            table["far in plot"] = far
            st.markdown(f"**{int(far.sum())} of its {len(near_rows)} neighbours** are more than {trust.FAR:g}× farther "
                        "than its nearest point in the picture (dashed lines).")
            st.dataframe(table, key="space_neighbour_table", hide_index=True, width="stretch",
                         column_config={"cosine": st.column_config.NumberColumn(format="%.3f"),
                                        "rank in plot": st.column_config.NumberColumn(help="How near it is to the word in the projection (1 = nearest)"),
                                        "far in plot": st.column_config.CheckboxColumn(help=f"More than {trust.FAR:g}× the distance to the word's nearest point in the picture")})

measured, group_labels = None, None
if colour == "trust" or count_shown <= AUTO_TRUST:
    try:
        measured = trust_of(result["id"], space.vectors, coords)
    except LabError as error:
        st.error(str(error), icon=":material/error:")
if colour == "direction" and direction:
    colouring = space_figures.Colouring(f"cos to {direction[0]}", direction[1], False, "RdBu", (-1.0, 1.0))
elif colour == "trust" and measured is not None:
    colouring = space_figures.Colouring(f"of {measured.k} neighbours kept", measured.preservation, False, "RdYlGn", (0.0, 1.0))
elif colour == "cluster":
    ids = cluster_ids(request["set"], request["count"], request["rows"], int(k))[result["rows"]]
    names = [f"{i + 1} · {name}" for i, name in enumerate(cluster_names(request["set"], request["count"], request["rows"], int(k)))]
    colouring = space_figures.Colouring(f"k-means (k={k}), named by their most central words", [names[i] for i in ids], True)
    group_labels = {names[i]: np.median(coords[ids == i], axis=0) for i in np.unique(ids)}
elif colour == "search":
    colouring = space_figures.Colouring("search", np.where(matches, "match", "no match"), True)
elif colour.startswith("meta:"):
    column = app_state.set_metadata(set_key)[colour.removeprefix("meta:")]
    colouring = space_figures.Colouring(colour.removeprefix("meta:"), [column[r] for r in base_rows], True)
else:
    colouring = space_figures.Colouring("row", base_rows + 1, False)
labels = focus | matches & (np.cumsum(matches) <= 100)
labels[: min(label_top, len(labels))] = True
drawn = explorer.drawn_rows(count_shown, found.params.dims, keep=matches | focus)
title = f"{space.name} · {METHODS[request['method'] if request['method'] in ('csv', 'axes') else found.params.method]} {found.params.dims}D"
drawing = dict(colouring=colouring, highlight=matches, focus=focus, labels=labels, links=links, group_labels=group_labels,
               title=title, axis_titles=found.axis_titles)
stem = f"{space.name}-{request['method']}-{coords.shape[1]}d".replace(" ", "_").replace("/", "_")
on_map = found.params.dims == 2 and len(drawn) > point_map.POINT_MAP_FROM
figure = None if on_map else space_figures.scatter_figure(coords, space.words, drawn, **drawing)


def plotly_figure():
    """The plotly figure of what is drawn, for the exports; a large map builds it only when an export asks."""
    return figure or space_figures.scatter_figure(coords, space.words, drawn, **drawing)


with right:
    summary = f"**Drawn: {len(drawn):,} of {count_shown:,} projected words** · the set has {len(embedding):,}. "
    if len(drawn) < count_shown:
        summary += f"The {explorer.MAX_DRAWN[found.params.dims]:,} most frequent are drawn (plus every match); search, neighbours and exports cover all {count_shown:,}. "
    how = "loaded from the cache" if found.cached else f"computed in {found.seconds:.1f} s"
    if request["rows"] is not None:
        summary += f"Isolated {st.session_state.get('space_subset', (None, 'words'))[1]}: {count_shown:,} words re-projected on their own. "
    st.caption(summary + (result["note"] or f"{found.params.describe()}, {how}.") + (f" {found.note}" if found.note else "") + (f" **Search:** {int(matches.sum()):,} matches ({int(matches[drawn].sum()):,} drawn)." if query.strip() else ""))
    if measured is not None:
        over = "" if measured.sampled == count_shown else f" ± {measured.error:.3f} (a sample of {measured.sampled:,} words)"
        st.caption(f"**Trust:** trustworthiness {measured.trustworthiness:.3f}{over} (1 = nothing drawn near that is far in "
                   f"the original space); on average {measured.mean_preservation:.0%} of a word's {measured.k} nearest "
                   f"neighbours (cosine) are among its {measured.k} nearest in the picture — a random picture keeps "
                   f"{measured.chance:.2%}. Colour by **Trust** to see where.")
    elif count_shown > AUTO_TRUST:
        st.caption(f"**Trust:** over {AUTO_TRUST:,} words it is measured on request: colour by **Trust**.")
    if on_map:
        try:
            payload, figure_id = point_map.map_payload(coords, space.words, drawn, **drawing, file_stem=stem)
        except LabError as error:
            st.error(str(error), icon=":material/error:")
            selection = np.array([], dtype=np.int64)
        else:
            selection = point_map.point_map(payload, figure_id, drawn, key="space_map")
    elif found.params.dims == 2:
        event = st.plotly_chart(figure, key="space_plot", on_select="rerun", selection_mode=("box", "lasso"), width="stretch")
        selection = space_figures.selected_rows(event)
    else:
        st.plotly_chart(figure, key="space_plot_3d", width="stretch")
        selection = np.array([], dtype=np.int64)
        st.caption("Box and lasso selection work in 2D; drag to rotate, scroll to zoom.")


def isolate(rows: np.ndarray, reason: str) -> None:
    """Re-project only these rows (of the current plot) with the same method and parameters."""
    st.session_state["space_subset"] = (tuple(int(r) for r in base_rows[rows]), reason)
    st.session_state["space_request"] = {**request, "id": uuid.uuid4().hex, "rows": st.session_state["space_subset"][0], "method": request["method"] if request["method"] != "csv" else "pca"}


def show_all() -> None:
    st.session_state.pop("space_subset", None)
    st.session_state["space_request"] = {**request, "id": uuid.uuid4().hex, "rows": None}


actions = st.columns(4)
if len(selection):
    actions[0].button(f"Isolate {len(selection):,} selected", key="space_isolate_selection", on_click=isolate, args=(selection, "selection"), disabled=len(selection) < 5)
if focus.any():
    actions[1].button("Isolate the neighbourhood", key="space_isolate_neighbours", on_click=isolate, args=(np.flatnonzero(focus), "neighbourhood"), disabled=focus.sum() < 5)
if request["rows"] is not None:
    actions[2].button("Show all words again", key="space_isolate_reset", on_click=show_all)
if len(selection):
    picked = pd.DataFrame({"word": [space.words[r] for r in selection], "row in set": base_rows[selection] + 1,
                           **{axis: coords[selection, i] for i, axis in enumerate("xyz"[: coords.shape[1]])}})
    st.markdown(f"**Selection** · {len(selection):,} words")
    st.dataframe(picked, key="space_selection_table", hide_index=True, width="stretch", height=min(400, 38 + 35 * len(picked)))

st.subheader("Export", divider="gray")
extra = {"row_in_set": base_rows + 1, **{name: [column[r] for r in base_rows] for name, column in app_state.set_metadata(set_key).items()},
         **({colouring.title: list(colouring.values)} if colouring.categorical else {})}
out = st.columns(5)
out[0].download_button("Coordinates CSV", lambda: format_writers.write_coordinates(space.words, coords, extra), f"{stem}.csv", "text/csv", key="space_export_csv", icon=":material/download:")
out[1].download_button("vectors.tsv", lambda: format_writers.write_projector_vectors(space.vectors.cpu().numpy()), "vectors.tsv",
                       "text/tab-separated-values", key="space_export_vectors", icon=":material/download:")
out[2].download_button("metadata.tsv", lambda: format_writers.write_projector_metadata(space.words, extra), "metadata.tsv",
                       "text/tab-separated-values", key="space_export_metadata", icon=":material/download:")
out[3].download_button("Figure (HTML)", lambda: plotly_figure().to_html(include_plotlyjs=True, full_html=True).encode("utf-8"), f"{stem}.html", "text/html", key="space_export_html", icon=":material/download:")
if on_map:
    out[4].caption("The map's **PNG** button saves the view you see.")
elif out[4].button("Figure (PNG)", key="space_export_png", icon=":material/image:"):
    try:
        st.session_state["space_png"] = (result["id"], space_figures.figure_png(figure))
    except LabError as error:
        st.error(str(error), icon=":material/error:")
png = st.session_state.get("space_png")
if png and png[0] == result["id"]:
    out[4].download_button("Save the PNG", png[1], f"{stem}.png", "image/png", key="space_export_png_file", icon=":material/download:")
if not on_map:
    st.caption("The chart's own toolbar (camera icon) also saves a PNG of the current view.")
