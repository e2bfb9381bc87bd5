"""The six networks: output shapes, a training step that lowers the loss, packing, and GloVe initialisation."""

import numpy as np
import pytest
import torch

from engine.sentiment import models
from engine.sentiment.vocab import PAD_INDEX, UNK_INDEX, SentimentVocabulary
from engine.vectors import EmbeddingSet

VOCAB = 40
KEYS = list(models.CATALOGUE)
# Order-sensitive models whose output must not depend on padding (the CNN sees zero rows by design).
PADDING_INVARIANT = ["nbow", "rnn", "lstm", "fasttext", "transformer"]


def _inputs(key: str, lengths: list[int], seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A padded batch for `key`: ids (batch, seq) or MiniLM-like states (batch, seq, 384)."""
    generator = torch.Generator().manual_seed(seed)
    seq = max(lengths)
    if models.spec(key).features == "minilm":
        inputs = torch.randn(len(lengths), seq, 384, generator=generator)
        for row, n in enumerate(lengths):
            inputs[row, n:] = 0.0
    else:
        inputs = torch.randint(2, VOCAB, (len(lengths), seq), generator=generator)
        for row, n in enumerate(lengths):
            inputs[row, n:] = PAD_INDEX
    return inputs, torch.tensor(lengths)


def _small(key: str, n_classes: int) -> models.SentimentModel:
    torch.manual_seed(0)
    small = {"hidden_dim": 16} if "hidden_dim" in models.spec(key).hyper else {}
    return models.build_model(key, n_classes, VOCAB, small)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_output_shape(key, n_classes):
    model = _small(key, n_classes).eval()
    inputs, lengths = _inputs(key, [7, 5, 6])
    logits = model(inputs, lengths)
    expected = 1 if n_classes == 2 and key != "cnn_multiclass" else n_classes
    assert logits.shape == (3, expected)
    probabilities = models.probabilities(logits)
    assert probabilities.shape == (3, n_classes)
    assert torch.allclose(probabilities.sum(dim=1), torch.ones(3))


@pytest.mark.parametrize("key", KEYS)
def test_one_training_step_lowers_the_loss(key):
    model = _small(key, 3).eval()  # eval: no dropout, so the two losses are comparable
    inputs, lengths = _inputs(key, [6, 6, 5, 4, 6, 5])
    labels = torch.tensor([0, 1, 2, 0, 1, 2])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    before = models.loss_function(model(inputs, lengths), labels)
    optimizer.zero_grad()
    before.backward()
    optimizer.step()
    after = models.loss_function(model(inputs, lengths), labels)
    assert after.item() < before.item()


@pytest.mark.parametrize("key", PADDING_INVARIANT)
def test_padding_does_not_change_a_text_s_output(key):
    model = _small(key, 3).eval()
    inputs, lengths = _inputs(key, [9, 3])
    alone = model(inputs[1:, :3], lengths[1:])
    padded = model(inputs, lengths)[1:]
    assert torch.allclose(alone, padded, atol=1e-5)


@pytest.mark.parametrize("key", KEYS)
def test_a_one_token_text_is_classified(key):
    model = _small(key, 2).eval()
    inputs, lengths = _inputs(key, [1, 4])
    if models.spec(key).build is models.CNN:  # the batcher pads up to the widest filter
        inputs = torch.nn.functional.pad(inputs, (0, 1), value=PAD_INDEX)
    assert torch.isfinite(model(inputs, lengths)).all()


def test_glove_rows_are_copied_and_unknown_and_padding_are_zero():
    vocab = SentimentVocabulary.build([["good", "good", "film", "film", "zzqx", "zzqx"]])
    glove = EmbeddingSet(["film", "good", "other"], np.arange(6, dtype=np.float32).reshape(3, 2) + 1, device=torch.device("cpu"))
    model = models.build_model("fasttext", 2, len(vocab), {"embedding_dim": 2})
    coverage = models.init_from_glove(model, vocab, glove)
    weight = model.embedding.weight.detach()
    assert coverage == pytest.approx(2 / len(vocab))
    assert torch.equal(weight[vocab.stoi["good"]], glove.vectors[glove.index["good"]])
    assert torch.equal(weight[vocab.stoi["film"]], glove.vectors[glove.index["film"]])
    assert not weight[UNK_INDEX].any() and not weight[PAD_INDEX].any()


def test_unknown_model_and_settings_are_refused():
    with pytest.raises(ValueError, match="model must be one of"):
        models.spec("bert")
    with pytest.raises(ValueError, match="unknown"):
        models.build_model("cnn", 2, VOCAB, {"kernel": 3})
