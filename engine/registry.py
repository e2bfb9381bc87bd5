"""One list of embedding sets for every page: GloVe, sets trained in the lab, sets users uploaded.

A set is named by a key: `glove` for the packaged GloVe 6B 50d, `store:<id>` for one kept in the
model store (kind `embeddings`; its `params["origin"]` says `trained` or `uploaded`), or `folder:<name>`
for a file in the vectors folder that has been read into its memory-mapped cache (`engine.vector_cache`).
Stored sets keep their words in extras.json and their matrix as the tensor `vectors`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from engine import vector_cache, vector_folder
from engine.errors import LabError
from engine.sources import GLOVE_NAME, GLOVE_WORDS, load_glove
from engine.store import Manifest, ModelStore
from engine.vectors import EmbeddingSet

GLOVE_KEY = "glove"
_STORE_PREFIX = "store:"
_FOLDER_PREFIX = "folder:"
ORIGINS = ("packaged", "trained", "uploaded")


@dataclass(frozen=True)
class SetInfo:
    """What a picker shows about an embedding set before loading it."""

    key: str
    name: str
    origin: str
    words: int
    dim: int

    @property
    def label(self) -> str:
        return f"{self.name} · {self.words:,} × {self.dim} · {self.origin}"


def available_sets(store: ModelStore) -> list[SetInfo]:
    """GloVe first, then the stored sets, newest first."""
    infos = [SetInfo(GLOVE_KEY, GLOVE_NAME, "packaged", GLOVE_WORDS, 50)]
    for manifest in store.manifests(kind="embeddings"):
        params = manifest.params
        infos.append(
            SetInfo(stored_key(manifest.id), manifest.name, params.get("origin", "uploaded"),
                    int(params.get("words", 0)), int(params.get("dim", 0)))
        )
    return infos + folder_sets()


def folder_sets() -> list[SetInfo]:
    """The vectors folder's files that have been read into the cache (none when the folder is not set)."""
    try:
        folder = vector_folder.vectors_folder()
    except LabError:
        return []
    if folder is None:
        return []
    infos = []
    for source, entry in vector_cache.cached_sources():  # the cache's own list: no walk of the folder on every page run
        if not source.is_relative_to(folder):
            continue
        name = source.relative_to(folder).as_posix()
        try:
            vector_folder.resolve(folder, name)  # still inside the folder, through no symlink out of it
        except LabError:
            continue
        infos.append(SetInfo(folder_key(name), name, "vectors folder", entry.rows, entry.dim))
    return infos


def folder_key(name: str) -> str:
    """The registry's key for the file `name` (relative to the vectors folder)."""
    return f"{_FOLDER_PREFIX}{name}"


def load_set(key: str, store: ModelStore, device: torch.device | None = None) -> EmbeddingSet:
    """Load the set a key names onto `device`."""
    if key == GLOVE_KEY:
        return load_glove(device=device)
    if key.startswith(_FOLDER_PREFIX):
        return _load_folder_set(key.removeprefix(_FOLDER_PREFIX), device)
    if _stored_id_or_none(key) is None:
        raise LabError(f"unknown embedding set {key!r}.")
    stored = store.load(_stored_id(key))
    if stored.manifest.kind != "embeddings" or "vectors" not in stored.tensors or "words" not in stored.extras:
        raise LabError(f"{stored.manifest.name} is not an embedding set.")
    return EmbeddingSet(stored.extras["words"], stored.tensors["vectors"], name=stored.manifest.name, device=device)


def _load_folder_set(name: str, device: torch.device | None) -> EmbeddingSet:
    folder = vector_folder.vectors_folder()
    if folder is None:
        raise LabError(f"{name} is in the vectors folder, and no vectors folder is set ({vector_folder.FOLDER_ENV_VAR}).")
    entry = vector_cache.cached(vector_folder.resolve(folder, name))
    if entry is None:
        raise LabError(f"{name} has not been read into the lab yet (or changed since): open it on the Embedding space page.")
    return vector_cache.open_cached(entry, name, device)


def save_set(
    store: ModelStore,
    name: str,
    words: Sequence[str],
    vectors: np.ndarray | torch.Tensor,
    *,
    origin: str,
    params: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
    metadata: dict[str, list[str]] | None = None,
    extra_tensors: dict[str, torch.Tensor] | None = None,
) -> str:
    """Validate words and vectors as an EmbeddingSet, store them, and return the new set's key.

    `metadata` holds optional per-word columns (for example a projector metadata.tsv), each a list
    as long as `words`; `extra_tensors` are kept beside the vectors (a trained model's film).
    """
    if origin not in ORIGINS:
        raise LabError(f"origin must be one of {', '.join(ORIGINS)}; got {origin!r}.")
    checked = EmbeddingSet(words, vectors, name=name, device=torch.device("cpu"))
    for column, values in (metadata or {}).items():
        if len(values) != len(checked):
            raise LabError(f"metadata column {column!r} has {len(values):,} rows for {len(checked):,} words.")
    manifest = store.save(
        "embeddings", name, {**(extra_tensors or {}), "vectors": checked.vectors},
        params={**(params or {}), "origin": origin, "words": len(checked), "dim": checked.dim},
        metrics=metrics,
        extras={"words": checked.words, "metadata": metadata or {}},
    )
    return stored_key(manifest.id)


def stored_key(manifest_id: str) -> str:
    """The registry's key for the set stored under `manifest_id`."""
    return f"{_STORE_PREFIX}{manifest_id}"


def stored_manifest(store: ModelStore, key: str) -> Manifest:
    """The manifest of a set kept in the store (LabError for GloVe or a set that is gone)."""
    return store.manifest(_stored_id(key))


def stored_tensor(store: ModelStore, key: str, name: str) -> torch.Tensor | None:
    """One named tensor kept with a stored set, read alone (None if the set has no such tensor)."""
    return store.load_tensor(_stored_id(key), name)


def rename_set(store: ModelStore, key: str, new_name: str) -> str:
    """Give a stored set a new name; returns the name as kept (cleaned). GloVe keeps its own."""
    return store.rename(_stored_id(key), new_name).name


def delete_set(store: ModelStore, key: str) -> None:
    """Remove a stored set for good (LabError if it is already gone, or is the packaged GloVe)."""
    store.delete(_stored_id(key))


def _stored_id_or_none(key: str) -> str | None:
    return key.removeprefix(_STORE_PREFIX) if key.startswith(_STORE_PREFIX) else None


def _stored_id(key: str) -> str:
    stored_id = _stored_id_or_none(key)
    if stored_id is None:
        raise LabError(f"{key!r} is not a set kept in the model store (the packaged GloVe cannot be renamed or deleted).")
    return stored_id


def set_metadata(key: str, store: ModelStore) -> dict[str, list[str]]:
    """The per-word metadata columns kept with a stored set (empty for GloVe and for sets without any)."""
    stored_id = _stored_id_or_none(key)
    if stored_id is None:
        return {}
    metadata = store.load(stored_id).extras.get("metadata") or {}
    return {str(name): [str(value) for value in values] for name, values in metadata.items()}
