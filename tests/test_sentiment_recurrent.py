"""The fused-kernel RNN runner gives the final states packing would give, for every recurrent model's shape."""

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from engine.sentiment.models import reverse_within_length, run_recurrent


def test_reversal_keeps_padding_in_place():
    x = torch.arange(8.0).reshape(2, 4, 1)
    flipped = reverse_within_length(x, torch.tensor([4, 2]))
    assert flipped[:, :, 0].tolist() == [[3, 2, 1, 0], [5, 4, 6, 7]]


@pytest.mark.parametrize("rnn", [
    nn.LSTM(7, 6, num_layers=2, bidirectional=True, batch_first=True),
    nn.GRU(7, 6, bidirectional=True, batch_first=True),
    nn.RNN(7, 6, batch_first=True),
], ids=["bilstm-2-layers", "bigru", "rnn"])
def test_final_states_match_packed_sequences(rnn):
    torch.manual_seed(0)
    rnn.eval()
    x = torch.randn(5, 9, 7)
    lengths = torch.tensor([9, 1, 4, 7, 2])
    x[1, 1:] = 1e3  # garbage in the padding must not reach any final state
    _, packed = rnn(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False))
    packed = packed[0] if isinstance(packed, tuple) else packed
    torch.testing.assert_close(run_recurrent(rnn, x, lengths), packed, atol=1e-5, rtol=1e-5)


def test_gradients_flow_to_every_direction_and_layer():
    rnn = nn.LSTM(4, 3, num_layers=2, bidirectional=True, batch_first=True)
    run_recurrent(rnn, torch.randn(2, 5, 4), torch.tensor([5, 3])).sum().backward()
    assert all(parameter.grad is not None and parameter.grad.abs().sum() > 0 for parameter in rnn.parameters())
