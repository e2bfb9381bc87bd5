"""Which torch device the lab computes on, decided in one place.

`cuda` when torch sees a GPU, else `cpu`. The environment variable EMBEDDING_LAB_DEVICE may force
either (`cpu`, `cuda`, or `auto`, the default), so a GPU machine can still be tested on its CPU path.
"""

from __future__ import annotations

import os
from functools import lru_cache

import torch

from engine.allocator import keep_freed_memory
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


def flush_denormals() -> None:
    """Flush denormal floats to zero in the calling thread and in the threads it starts from now on.

    Why: gradients that fade through hundreds of RNN steps reach the denormal range, where x86 arithmetic
    is ~100× slower (an LSTM batch took 10 s instead of 1 s here); values below 1.2e-38 change nothing a
    model learns. The setting lives in each thread's FPU state and new threads copy their creator's, so
    it is made at import (the main thread, before torch starts its OpenMP workers) and first thing in
    every background job's thread (see `engine.jobs`).
    """
    torch.set_flush_denormal(True)


flush_denormals()
keep_freed_memory()  # process-wide, for every training thread to come (engine.allocator says why)


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


def low_precision(device: torch.device) -> torch.dtype | None:
    """The dtype transformer matrix products may run in under autocast on `device`, or None for float32.

    bfloat16 where the hardware multiplies it natively (CUDA with bf16 support; a CPU with AVX-512 BF16
    or AMX, which oneDNN reports): MiniLM's forward pass ran 2.3× faster here, its accuracy unchanged
    within seed noise. Elsewhere bfloat16 would be emulated and slower, so float32 stays.
    EMBEDDING_LAB_PRECISION=float32 turns it off.
    """
    if os.environ.get("EMBEDDING_LAB_PRECISION", "").strip().lower() == "float32":
        return None
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "cpu" and torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported():
        return torch.bfloat16
    return None
