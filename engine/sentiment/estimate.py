"""How long fine-tuning MiniLM will take here, measured before it starts rather than guessed.

Fine-tuning costs minutes on a CPU and seconds on a GPU, and the difference between the two, the length
cap and the number of layers is too large for a rule of thumb. So the estimate times the real work on
this device: one training step of the model at the texts' mean length (with the padding the
length-bucketed batches leave), and one pass of the frozen lower layers, then scales them by the
number of steps and texts. It leaves out what the disk cache will save on a second run, so it errs long.
"""

from __future__ import annotations

import copy
import math
import time

import torch

from engine.sentiment.encoder import LAYERS, STATE_DIM, attention_width, autocast, pretrained_layer, run_layers
from engine.sentiment.models import FineTunedMiniLM
from engine.sentiment.train import adam_options

_PADDING = 1.1  # length-bucketed batches pad about a tenth (measured on the movie reviews)


def fine_tune_seconds(*, n_train: int, n_other: int, mean_pieces: float, layers: int, epochs: int, batch_size: int,
                      device: torch.device, n_pool: int = 0) -> float:
    """Seconds to encode every text with the frozen lower layers, then train `epochs` epochs and validate each.

    `n_train` texts train each epoch, `n_other` validate and test; `n_pool` more are only encoded (the rest of
    a pool that each epoch draws from, see `train.EpochSample`).
    """
    length = attention_width(max(8, int(mean_pieces * _PADDING)), device)  # a GPU pads further (see the encoder)
    states = torch.randn(batch_size, length, STATE_DIM, device=device)  # (batch, seq, 384)
    lengths = torch.full((batch_size,), length, device=device)
    model = FineTunedMiniLM(1, layers=layers).to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, **adam_options(device))  # as training runs it

    def step() -> None:
        with autocast(device):
            loss = model(states, lengths).float().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    step_s = _timed(step, device)
    lower = [copy.deepcopy(pretrained_layer(i)).to(device) for i in range(LAYERS - layers)]  # the shared model stays put
    mask = torch.ones(batch_size, length, dtype=torch.long, device=device)

    @torch.inference_mode()
    def encode() -> None:
        with autocast(device):
            run_layers(lower, states, mask, model.config)

    encode_s = _timed(encode, device) if lower else 0.0
    steps = math.ceil(n_train / batch_size)
    texts = n_train + n_other + n_pool
    # Validation and test are forward passes (about a third of a step) over the other texts.
    return epochs * steps * step_s + (texts / batch_size) * encode_s + epochs * (n_other / batch_size) * step_s / 3


def _timed(work, device: torch.device) -> float:
    """The faster of two runs after a warm-up (the first run pays for allocation)."""
    work()
    times = []
    for _ in range(2):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        started = time.perf_counter()
        work()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - started)
    return min(times)
