"""The frozen MiniLM encoder: one 384-d state per word piece, loaded offline, cached per text."""

import torch

from engine.sentiment.encoder import STATE_DIM, FrozenEncoder

CPU = torch.device("cpu")


def test_states_have_one_row_per_word_piece_and_are_cached():
    encoder = FrozenEncoder(max_length=16, device=CPU)
    texts = ["This film is great!", "a much longer sentence, one that the limit of sixteen word pieces will certainly cut short before its end"]
    first = encoder.states(texts)
    for text, states in zip(texts, first):
        pieces = encoder.tokenize(text)
        assert pieces[0] == "[CLS]" and pieces[-1] == "[SEP]"
        assert states.shape == (len(pieces), STATE_DIM) and states.dtype == torch.float16
    assert len(first[1]) == 16
    again = encoder.states(list(reversed(texts)))
    assert again[0] is first[1] and again[1] is first[0]


def test_the_encoder_is_frozen_and_context_sensitive():
    encoder = FrozenEncoder(max_length=16, device=CPU)
    assert not any(parameter.requires_grad for parameter in encoder.model.parameters())
    good, bad = encoder.states(["the film was good", "the film was bad"])
    # Same words at the start, different contexts: the [CLS] states differ.
    assert not torch.equal(good[0], bad[0])
