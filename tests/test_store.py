import json

import numpy as np
import pytest
import torch

from engine import registry
from engine.errors import LabError
from engine.store import ModelStore


@pytest.fixture
def store(tmp_path):
    return ModelStore(tmp_path)


def test_a_saved_model_comes_back_in_a_new_store_object(store, tmp_path):
    weights = {"w": torch.arange(6, dtype=torch.float32).reshape(2, 3)}
    saved = store.save("classifier", "  tiny   model ", weights, params={"lr": 0.1}, extras={"labels": ["a", "b"]})
    reopened = ModelStore(tmp_path).load(saved.id)
    assert reopened.manifest.name == "tiny model"
    assert reopened.manifest.params == {"lr": 0.1}
    assert torch.equal(reopened.tensors["w"], weights["w"])
    assert reopened.extras == {"labels": ["a", "b"]}
    assert not any(path.name.startswith(".tmp") for path in store.root.iterdir())


def test_rename_and_delete(store):
    saved = store.save("classifier", "first", {"w": torch.zeros(1)})
    assert store.rename(saved.id, "second").name == "second"
    assert [m.name for m in store.manifests()] == ["second"]
    store.delete(saved.id)
    assert store.manifests() == []
    with pytest.raises(LabError, match="no stored model"):
        store.load(saved.id)


@pytest.mark.parametrize(
    ("manifest_text", "reason"),
    [("{not json", "not valid JSON"), ('{"format_version": 99}', "store format 99"),
     ('{"format_version": 1, "kind": "pickle"}', "unknown model kind")],
)
def test_foreign_folders_are_refused_with_a_reason(store, manifest_text, reason):
    folder = store.root / "foreign-1"
    folder.mkdir()
    (folder / "manifest.json").write_text(manifest_text)
    assert store.manifests() == []
    assert any(reason in problem for problem in store.problems())
    with pytest.raises(LabError, match=reason):
        store.load("foreign-1")


def test_damaged_weights_are_refused(store):
    saved = store.save("classifier", "m", {"w": torch.ones(3)})
    (store.root / saved.id / "tensors.safetensors").write_bytes(b"\x00garbage")
    with pytest.raises(LabError, match="damaged"):
        store.load(saved.id)


def test_ids_cannot_escape_the_store(store):
    with pytest.raises(LabError, match="not a model id"):
        store.load("../../etc")


def test_registry_lists_and_loads_a_stored_set(store):
    words = ["alpha", "beta", "gamma"]
    vectors = np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32)
    key = registry.save_set(store, "toy", words, vectors, origin="uploaded", metadata={"pos": ["n", "n", "v"]})
    infos = registry.available_sets(store)
    assert infos[0].key == registry.GLOVE_KEY
    assert [(i.key, i.words, i.dim, i.origin) for i in infos[1:]] == [(key, 3, 2, "uploaded")]
    loaded = registry.load_set(key, store, torch.device("cpu"))
    assert loaded.words == words and loaded.nearest("alpha", k=1)[0][0] == "beta"
    stored = store.load(key.removeprefix("store:"))
    assert json.loads(json.dumps(stored.extras["metadata"])) == {"pos": ["n", "n", "v"]}


def test_registry_refuses_bad_sets(store):
    with pytest.raises(LabError, match="metadata column 'pos' has 1 rows for 2 words"):
        registry.save_set(store, "bad", ["a", "b"], np.eye(2), origin="uploaded", metadata={"pos": ["x"]})
    with pytest.raises(LabError, match="origin must be"):
        registry.save_set(store, "bad", ["a", "b"], np.eye(2), origin="web")
    assert store.manifests() == []
