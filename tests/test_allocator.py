"""engine.allocator: a training thread gets back the memory it frees without faulting it in again."""

import subprocess
import sys
from pathlib import Path

import pytest

from engine.allocator import ON_GLIBC

ROOT = Path(__file__).resolve().parents[1]
BLOCK_MIB, STEPS = 24, 100

# A background thread frees and reallocates one large tensor a step, as a training step does with its
# gradient. Its malloc arena is a thread arena; the process counts the page faults of all its threads.
CHILD = f"""
import resource, sys, threading
if sys.argv[1] == "keep":
    from engine.allocator import keep_freed_memory
    assert keep_freed_memory()
elif sys.argv[1] == "engine":
    import engine.device  # what every page and job imports before it trains
import torch
torch.set_num_threads(1)  # one thread touches the pages, so the count is the block's pages, not a worker's share

def steps(out):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range({STEPS}):
        block = torch.ones({BLOCK_MIB} * 2**18)
        small = torch.ones(1000)  # something allocated after it, as the next op's output would be
        del block
    out.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)

out = []
thread = threading.Thread(target=steps, args=(out,))
thread.start()
thread.join()
print(out[0])
"""


def faults_in_blocks(mode: str) -> float:
    """Page faults of the loop above, in units of one block's pages (a block faulted in once = 1)."""
    result = subprocess.run([sys.executable, "-c", CHILD, mode], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(result.stdout.split()[-1]) / (BLOCK_MIB * 2**20 / 4096)


@pytest.mark.skipif(not ON_GLIBC, reason="mallopt is glibc's")
def test_a_thread_reuses_freed_blocks_instead_of_faulting_them_in_every_step():
    default, kept = faults_in_blocks("default"), faults_in_blocks("keep")
    # The case this module exists for: with glibc's defaults the block is unmapped and faulted in again on
    # most of the steps (if this fails, glibc changed and the setting may no longer be needed).
    assert default > STEPS / 4
    # Kept: the block is faulted in a few times at most (first use, torch's own start-up), not per step.
    assert kept < 10, f"{kept:.1f} blocks' worth of page faults over {STEPS} steps"


@pytest.mark.skipif(not ON_GLIBC, reason="mallopt is glibc's")
def test_importing_the_engine_is_enough():
    assert faults_in_blocks("engine") < 10
