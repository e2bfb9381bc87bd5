"""Fine-tuning MiniLM's top layers, the on-disk state cache, and a fine-tuned classifier's round trip."""

import numpy as np
import torch

from engine.sentiment import models
from engine.sentiment.batches import MiniLMFeaturizer
from engine.sentiment.encoder import LAYERS, STATE_DIM, FrozenEncoder
from engine.sentiment.persist import load_classifier, save_classifier
from engine.sentiment.predict import SentimentClassifier, run_model
from engine.sentiment.state_cache import StateCache
from engine.sentiment.train import TrainConfig, train
from engine.store import ModelStore

CPU = torch.device("cpu")


def _loss(model, items, labels) -> float:
    logits = run_model(model, items, batch_size=8, pad_value=0.0, device=CPU)
    return models.loss_function(logits, torch.as_tensor(labels)).item()


def test_one_fine_tuning_step_lowers_the_loss_on_a_tiny_batch():
    torch.manual_seed(0)
    model = models.build_model("minilm_ft", 2, 0, {"layers": 1})
    model.start_from_pretrained()
    items = [torch.randn(n, STATE_DIM) for n in (5, 7, 6, 9, 4, 8, 5, 6)]
    labels = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    before = _loss(model, items, labels)
    train(model, items, labels, items, labels, pad_value=0.0, device=CPU,
          config=TrainConfig(epochs=1, batch_size=8, lr=1e-2, warmup=0.0))
    assert _loss(model, items, labels) < before


def test_every_layer_fine_tunes_from_piece_ids_and_the_loss_falls():
    torch.manual_seed(0)
    model = models.build_model("minilm_ft", 2, 0, {"layers": LAYERS})
    model.start_from_pretrained()
    texts = ["great film", "awful film", "a joy to watch", "a waste of time", "superb acting", "dull and long"]
    items, labels = MiniLMFeaturizer(32, CPU, layer=0).transform(texts), np.array([1, 0, 1, 0, 1, 0])
    before = _loss(model, items, labels)
    train(model, items, labels, items, labels, pad_value=0.0, device=CPU,
          config=TrainConfig(epochs=2, batch_size=6, lr=1e-2, warmup=0.0))
    assert _loss(model, items, labels) < before


def test_fine_tuned_layers_start_from_the_pretrained_ones_and_only_they_train():
    model = models.build_model("minilm_ft", 2, 0, {"layers": 2})
    model.start_from_pretrained()
    pretrained = FrozenEncoder(16, CPU).model.encoder.layer[LAYERS - 1].state_dict()
    for name, value in model.layers[-1].state_dict().items():
        assert torch.equal(value, pretrained[name])
    assert models.input_layer("minilm_ft", {"layers": 2}) == LAYERS - 2
    assert models.count_parameters(model) < 4_000_000  # two layers and a head; the frozen encoder is not counted


def test_training_attention_runs_without_dropout_and_leaves_the_shared_encoder_alone():
    """Attention-probability dropout would send training to PyTorch's slow attention path (see models.py);
    the hidden-state dropout stays, and the frozen encoder's own configuration is not changed."""
    from engine.sentiment.encoder import minilm_config

    before = minilm_config().attention_probs_dropout_prob
    model = models.build_model("minilm_ft", 2, 0, {"layers": 2})
    assert all(layer.attention.self.dropout.p == 0.0 for layer in model.layers)
    assert all(layer.output.dropout.p == minilm_config().hidden_dropout_prob > 0 for layer in model.layers)
    assert minilm_config().attention_probs_dropout_prob == before > 0


def test_states_are_read_back_from_disk_without_running_the_encoder(tmp_path, monkeypatch):
    texts = ["This film is great!", "A review <br /> with a line break.", "This film is great!"]
    first = FrozenEncoder(32, CPU, layer=4, cache=StateCache(tmp_path)).states(texts)
    assert first[0].shape[1] == STATE_DIM and first[0] is first[2]
    fresh = FrozenEncoder(32, CPU, layer=4, cache=StateCache(tmp_path))  # a new process: empty memory, same disk
    monkeypatch.setattr(FrozenEncoder, "_forward", lambda self, ids: (_ for _ in ()).throw(AssertionError("encoder ran")))
    again = fresh.states(texts)
    assert fresh.cache.disk_hits == 2
    for old, new in zip(first, again):
        assert torch.equal(old, new)


def test_a_damaged_cache_file_is_ignored_and_written_anew(tmp_path):
    encoder = FrozenEncoder(32, CPU, cache=StateCache(tmp_path))
    expected = encoder.states(["a damaged file must not break anything"])[0]
    (stored,) = list(tmp_path.rglob("*.safetensors"))
    stored.write_bytes(b"not a safetensors file")
    fresh = FrozenEncoder(32, CPU, cache=StateCache(tmp_path))
    assert torch.equal(fresh.states(["a damaged file must not break anything"])[0], expected)
    assert fresh.cache.disk_hits == 0 and stored.stat().st_size > 100


def test_the_states_depend_on_the_layer_and_the_cap(tmp_path):
    cache = StateCache(tmp_path)
    text = "word " * 100
    top = FrozenEncoder(32, CPU, cache=cache).states([text])[0]
    lower = FrozenEncoder(32, CPU, layer=4, cache=cache).states([text])[0]
    longer = FrozenEncoder(64, CPU, cache=cache).states([text])[0]
    assert len(top) == 32 and len(longer) == 64 and not torch.equal(top, lower)


def test_a_fine_tuned_classifier_comes_back_from_the_store_predicting_the_same(tmp_path):
    torch.manual_seed(0)
    model = models.build_model("minilm_ft", 2, 0, {"layers": 1})
    model.start_from_pretrained()
    classifier = SentimentClassifier("minilm_ft", model, MiniLMFeaturizer(32, CPU, layer=5), ("negative", "positive"),
                                     {"layers": 1, "dropout": 0.1}, CPU)
    store = ModelStore(tmp_path)
    manifest = save_classifier(store, classifier, "fine-tuned")
    again = load_classifier(store, manifest.id, CPU)
    texts = ["This film is not terrible, it's great!", "dull"]
    np.testing.assert_allclose(again.predict_proba(texts), classifier.predict_proba(texts), atol=1e-6)
    assert again.featurizer.encoder.layer == 5


def test_a_gpu_fine_tunes_every_layer_by_default_and_a_cpu_the_top_two():
    # Built as a layer count the model accepts: every layer on a GPU, the cached-states path on a CPU.
    on_gpu = models.default_fine_tune_layers(torch.device("cuda"))
    on_cpu = models.default_fine_tune_layers(CPU)
    assert (on_gpu, on_cpu) == (LAYERS, 2)
    assert models.build_model("minilm_ft", 2, 0, {"layers": on_gpu}).first_layer == 0
    assert models.build_model("minilm_ft", 2, 0, {"layers": on_cpu}).first_layer == LAYERS - 2


def test_every_layer_reads_piece_ids_and_scores_as_the_cached_layer_0_states_did(tmp_path, monkeypatch):
    # The same model fed the layer-0 states (the old cached path, float16 on disk) and fed the piece ids
    # (embedded on the device) must agree up to float16 rounding; the ids path writes nothing to the cache.
    # In float32: on a CPU with native bfloat16 (AMX), six layers of bfloat16 products moved the scores
    # by 1.2e-3, noise of the precision, not of the two inputs this test compares.
    monkeypatch.setenv("EMBEDDING_LAB_PRECISION", "float32")
    torch.manual_seed(0)
    model = models.build_model("minilm_ft", 2, 0, {"layers": LAYERS}).eval()
    model.start_from_pretrained()
    texts = ["This film is not terrible, it's great!", "A dull, long film <br /> with one good scene.", "fine"]
    cache = StateCache(tmp_path)
    states = FrozenEncoder(64, CPU, layer=0, cache=cache).states(texts, remember=False)
    featurizer = MiniLMFeaturizer(64, CPU, layer=0)
    ids = featurizer.transform(texts)
    assert [item.dtype for item in ids] == [torch.int64] * 3 and [len(item) for item in ids] == [len(s) for s in states]
    from_ids = run_model(model, ids, batch_size=8, pad_value=featurizer.pad_value, device=CPU)
    from_states = run_model(model, states, batch_size=8, pad_value=0.0, device=CPU)
    np.testing.assert_allclose(from_ids.numpy(), from_states.numpy(), atol=1e-3)
    assert not from_ids.isnan().any() and from_ids.std() > 0  # three different texts, three different scores
    assert not any(tmp_path.rglob("*.safetensors"))


def test_rounding_a_batch_up_to_the_gpu_multiple_changes_no_score_or_state(monkeypatch, tmp_path):
    # The worst cases for padding: a 1-piece text (63 padded positions beside one real one), one a piece
    # short of the multiple, one exactly on it (no padding), one just over it (63 again). Attention is
    # masked to the real pieces and the mean reads only them, so each score and state must stay what it was.
    from engine.sentiment import encoder
    monkeypatch.setenv("EMBEDDING_LAB_PRECISION", "float32")
    assert encoder.attention_length_multiple(torch.device("cuda")) == 64 and encoder.attention_length_multiple(CPU) == 1
    gpu = torch.device("cuda")
    assert [encoder.attention_width(n, gpu) for n in (1, 64, 65)] == [64, 64, 128] and encoder.attention_width(65, CPU) == 65
    torch.manual_seed(0)
    model = models.build_model("minilm_ft", 2, 0, {"layers": LAYERS}).eval()
    model.start_from_pretrained()
    assert models.build_model("nbow", 2, 10, {}).length_multiple(torch.device("cuda")) == 1  # no attention, no rounding
    items = [torch.randint(1_000, 20_000, (n,)) for n in (1, 63, 64, 65)]
    texts = ["fine", "A dull, long film <br /> with one good scene. " * 6, "This film is not terrible, it's great!"]
    plain = run_model(model, items, batch_size=1, pad_value=0, device=CPU)
    plain_states = FrozenEncoder(512, CPU, layer=2, cache=StateCache(tmp_path / "a")).states(texts, remember=False)
    monkeypatch.setattr(models, "attention_length_multiple", lambda device: 64)
    monkeypatch.setattr(encoder, "attention_length_multiple", lambda device: 64)
    assert model.length_multiple(CPU) == 64
    rounded = run_model(model, items, batch_size=1, pad_value=0, device=CPU)
    rounded_states = FrozenEncoder(512, CPU, layer=2, cache=StateCache(tmp_path / "b")).states(texts, remember=False)
    np.testing.assert_allclose(rounded.numpy(), plain.numpy(), atol=1e-5)
    assert plain.std() > 0  # four different texts, four different scores
    for before, after in zip(plain_states, rounded_states, strict=True):
        assert after.shape == before.shape  # the padding is not kept
        np.testing.assert_allclose(after.float().numpy(), before.float().numpy(), atol=2e-3)  # float16 storage
