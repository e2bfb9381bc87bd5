"""The Embedding space page's computing side: the words being projected, their clusters and metadata
(cached per process), and turning a Project request into coordinates — from a coordinates CSV, the disk
cache, PCA inline, or a t-SNE/UMAP background job watched in the shared job panel.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import app_state
from engine import clusters, explorer, formats, projection, semantic_axes, trust
from engine.errors import LabError
from engine.jobs import Job
from engine.projection import ProjectionParams
from engine.vectors import EmbeddingSet
from pages import _job_panel as job_panel

METHODS = {**projection.METHODS, "axes": "Semantic axes", "csv": "Coordinates from a CSV"}


@st.cache_data(max_entries=8, show_spinner="Clustering the original vectors…")
def cluster_ids(set_key: str, count: int, rows: tuple[int, ...] | None, k: int) -> np.ndarray:
    return clusters.kmeans(app_state.words_shown(set_key, count, rows).vectors, k)


@st.cache_data(max_entries=8, show_spinner=False)
def cluster_names(set_key: str, count: int, rows: tuple[int, ...] | None, k: int) -> list[str]:
    """Each k-means cluster's three most central words (see `cluster_ids`), for the legend and the map."""
    words_set = app_state.words_shown(set_key, count, rows)
    return clusters.cluster_names(words_set.vectors, cluster_ids(set_key, count, rows, k), words_set.words)


@st.cache_resource(max_entries=4, show_spinner="Measuring how well the map keeps neighbourhoods…")
def trust_of(result_id: str, _vectors, _coords: np.ndarray) -> trust.Trust | None:
    """The trust overlay's numbers, once per projection (`result_id` names it; the arrays are its own).

    k is 10, or fewer for a small isolated set (`trust.fitting_k`); None under 3 points.
    """
    k = trust.fitting_k(len(_coords))
    return trust.neighbourhood_trust(_vectors, _coords, k=k) if k >= 1 else None


def _semantic_axes(request: dict, words_set: EmbeddingSet) -> dict:
    """Words placed by their cosine to the axes the user named; an optional direction colours them.

    Axis words come from the whole set, not only the words projected: "rich - poor" works on a 1,000-word map.
    """
    whole = app_state.embedding_set(request["set"])
    axes = [semantic_axes.parse_axis(whole, text) for text in request["axes"]]
    points = semantic_axes.axis_coordinates(words_set, axes)  # (words, dims)
    result = dict(id=request["id"], rows=np.arange(len(words_set)), space=words_set, projection=projection.Projection(
        points, ProjectionParams(dims=len(axes)), 0.0, axis_names=tuple(f"cos to {axis.label}" for axis in axes)))
    result["note"] = "Each word placed by its cosine to " + " and ".join(f"**{axis.label}**" for axis in axes) + "."
    if request.get("colour_axis", "").strip():
        direction = semantic_axes.parse_axis(whole, request["colour_axis"])
        result["direction"] = (direction.label, semantic_axes.axis_coordinates(words_set, [direction])[:, 0])
    return result


def progress(job: Job) -> tuple[float, str]:
    """The projection's phase (kNN graph, layout epochs…) as its reports name it."""
    return job.fraction, f"{job.label}: {(job.history[-1] if job.history else {}).get('phase', 'starting')}"


def compute(request: dict, words_set: EmbeddingSet) -> dict:
    """The projection a request asks for: from a CSV, the disk cache, PCA inline, or a background job."""
    if request["method"] == "csv":
        if request["csv"] is None:
            raise LabError("Choose a coordinates CSV first.")
        rows, points, unknown = explorer.align_coordinates(words_set.words, formats.read_coordinates(request["csv"]))
        note = f"{len(rows):,} of {len(words_set):,} words have coordinates in the CSV"
        note += f"; {len(unknown):,} CSV word(s) not in this set were left out." if unknown else "."
        space = EmbeddingSet([words_set.words[r] for r in rows], words_set.vectors[rows], name=words_set.name, device=words_set.device)
        return dict(id=request["id"], rows=rows, space=space, note=note, projection=projection.Projection(
            points, ProjectionParams(dims=points.shape[1]), 0.0, axis_names=("x", "y", "z")[: points.shape[1]]))
    if request["method"] == "axes":
        return _semantic_axes(request, words_set)
    chosen = request["params"]
    job = app_state.jobs().get(st.session_state.get("space_job_id")) if st.session_state.get("space_job_for") == request["id"] else None
    found = None if job else projection.cached(words_set.vectors, chosen)
    if found is None and job is None and chosen.method == "pca":
        with st.spinner("PCA on the device…"):
            found = projection.project(words_set.vectors, chosen)
    if found is None:
        if job is None:
            previous = app_state.jobs().get(st.session_state.get("space_job_id"))
            if previous is not None and previous.active:  # a newer request replaces it: free the CPU
                previous.cancel()
            vectors = words_set.vectors
            job = app_state.jobs().start("projection", f"{chosen.describe()} of {len(words_set):,} words",
                                         lambda report: projection.project(vectors, chosen, on_progress=report))
            st.session_state["space_job_id"], st.session_state["space_job_for"] = job.id, request["id"]
        if not job_panel.follow(job, key="space", what="The projection", progress=progress):
            if not job.active:  # it failed or was cancelled: forget the request, so the form shows again
                del st.session_state["space_request"]
            st.stop()
        found = job.result
    return dict(id=request["id"], rows=np.arange(len(words_set)), space=words_set, note="", projection=found)
