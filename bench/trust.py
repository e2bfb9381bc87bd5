"""The trust overlay: neighbourhood preservation and trustworthiness of a map of GloVe, beside scikit-learn.

Target (issue 14): the trust overlay for 20,000 words in ≤ 3 s on this CPU, from the vectors and the
picture to every point's preservation and the map's trustworthiness (a 1,000-row sample, with its error).

The picture is a 2D PCA of GloVe's most frequent words (the overlay's cost does not depend on how the
picture was made), k = 10. The peer is scikit-learn's `trustworthiness(..., metric="cosine")`, which
ranks every point against every other (an n × n argsort); it runs at sizes that fit in memory, each
beside the lab on the same words, both warm (one untimed call first), and the two figures must agree
(the lab with every row sampled, so exact). Run alone: `python bench/trust.py`. Exits 1 on a missed target.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import torch
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.device import default_device, describe_device  # noqa: E402
from engine.sources import load_glove  # noqa: E402
from engine.trust import K, neighbourhood_trust  # noqa: E402

WORDS, TARGET_S = 20_000, 3.0
PEER_SIZES = (2_000, 5_000, 10_000)


def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def main() -> int:
    device = default_device()
    print(f"Trust overlay benchmark on {describe_device(device)}; torch {torch.__version__}", flush=True)
    vectors = load_glove(limit=WORDS, device=torch.device("cpu")).vectors.numpy()
    coords = PCA(2, random_state=0).fit_transform(vectors)
    cold_s, _ = timed(lambda: neighbourhood_trust(vectors, coords, device=device))
    warm_s, found = timed(lambda: neighbourhood_trust(vectors, coords, device=device))
    print(f"  {WORDS:,} words, 2D PCA, k={K}: cold {cold_s:.2f} s, warm {warm_s:.2f} s; trustworthiness "
          f"{found.trustworthiness:.4f} ± {found.error:.4f} over {found.sampled:,} sampled rows; mean preservation "
          f"{found.mean_preservation:.3f} (chance {found.chance:.4f})  (target ≤ {TARGET_S:.0f} s)", flush=True)
    for n in PEER_SIZES:
        part, picture = vectors[:n], coords[:n]
        neighbourhood_trust(part, picture, sample=n, device=device)
        trustworthiness(part[:500], picture[:500], n_neighbors=K, metric="cosine")
        ours_s, ours = timed(lambda: neighbourhood_trust(part, picture, sample=n, device=device))
        peer_s, peer = timed(lambda: trustworthiness(part, picture, n_neighbors=K, metric="cosine"))
        print(f"  {n:>6,} words, every row: the lab {ours_s:.2f} s (preservation included), scikit-learn {peer_s:.2f} s "
              f"(×{peer_s / ours_s:.1f}); trustworthiness {ours.trustworthiness:.6f} vs {peer:.6f}", flush=True)
        if abs(ours.trustworthiness - peer) > 1e-6:
            print("  MISMATCH with scikit-learn", flush=True)
            return 1
    whole = neighbourhood_trust(vectors, coords, sample=WORDS, device=device)
    print(f"  {WORDS:,} words, every row (for the sample's check): trustworthiness {whole.trustworthiness:.4f}; the "
          f"sample is off by {abs(found.trustworthiness - whole.trustworthiness):.4f} ({abs(found.trustworthiness - whole.trustworthiness) / found.error:.1f} standard errors)", flush=True)
    missed = warm_s > TARGET_S or cold_s > TARGET_S
    print(f"trust: {WORDS:,} words cold {cold_s:.2f} s, warm {warm_s:.2f} s; "
          + ("target met" if not missed else f"MISSED: over {TARGET_S:.0f} s"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
