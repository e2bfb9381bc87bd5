"""Which torch device the lab computes on, decided in one place.

`cuda` when torch sees a GPU, else `cpu`. The environment variable EMBEDDING_LAB_DEVICE may force
either (`cpu`, `cuda`, or `auto`, the default), so a GPU machine can still be tested on its CPU path.
"""

from __future__ import annotations

import os
from functools import lru_cache

import torch

from engine.errors import LabError

DEVICE_ENV_VAR = "EMBEDDING_LAB_DEVICE"
_ALLOWED = ("auto", "cpu", "cuda")


def choose_device(requested: str | None = None) -> torch.device:
    """Resolve a device request (`auto`, `cpu`, `cuda`; None reads the environment variable)."""
    if requested is None:
        requested = os.environ.get(DEVICE_ENV_VAR, "auto")
    choice = requested.strip().lower() or "auto"
    if choice not in _ALLOWED:
        raise LabError(
            f"{DEVICE_ENV_VAR} must be one of {', '.join(_ALLOWED)}; got {requested!r}. "
            f"Unset it to let the lab pick the GPU when there is one."
        )
    if choice == "cuda" and not torch.cuda.is_available():
        raise LabError(
            f"{DEVICE_ENV_VAR}=cuda was asked for, but torch sees no GPU on this machine. "
            f"Set it to 'auto' or 'cpu'."
        )
    if choice == "auto":
        choice = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(choice)


@lru_cache(maxsize=1)
def default_device() -> torch.device:
    """The device every engine function uses unless it is handed another one."""
    return choose_device()


def describe_device(device: torch.device | None = None) -> str:
    """A one-line, human-readable description for the UI: GPU name and memory, or CPU threads."""
    device = device or default_device()
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        return f"GPU · {props.name} · {props.total_memory / 2**30:.0f} GiB"
    cores = os.cpu_count() or 1
    return f"CPU · {torch.get_num_threads()} torch threads on {cores} cores"
