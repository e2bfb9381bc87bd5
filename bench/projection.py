"""Projection benchmark: the lab's UMAP and PCA against plain umap-learn and scikit-learn, same input, one run.

Targets (issue 3), on GloVe 6B 50d:
- UMAP 2D of the 20,000 most frequent words in a fresh process (after the once-per-installation numba
  compile) ≤ 15 s, measured from process start to result, imports and data loading included;
- the same projection repeated in another fresh process (disk cache) ≤ 1 s for the projection call;
- PCA of all 400,000 words to 3D ≤ 3 s.

Rows compare like with like (issue 12):
- cold against cold: each side in a fresh process with an empty numba cache, so both pay their compile;
- warm against warm: a second fit (seed 1) inside a process that has already fitted once (seed 0), so
  neither pays a compile nor the lab's result cache (a new seed is a new cache key);
- the once-per-installation compile, and the lab's fresh process after it: what a user sees on every
  later start (umap-learn has no compile cache, so its fresh process is its cold one);
- the repeat from the lab's result cache, labelled as the cache it is;
- 10-NN preservation of both sides' seed-0 layouts, checked: the lab's may not be worse by more than 0.01.

Each UMAP figure comes from its own subprocess with its own numba cache folder. Run it alone:
`flock /tmp/embedding-lab-bench.lock python bench/projection.py`. Exits 1 when a target is missed.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = 20_000
TARGETS = {"umap_fresh_s": 15.0, "umap_repeat_s": 1.0, "pca_400k_s": 3.0}


def child(role: str) -> dict:
    """One measured run inside a fresh process; returns its figures (printed as JSON by main)."""
    import numpy as np

    from engine.sources import load_glove

    if role == "warm-up":
        from engine.projection import warm_up_umap

        return {"seconds": warm_up_umap()}
    vectors = load_glove(WORDS).vectors.cpu().numpy()  # (20000, 50)
    fits = int(os.environ.get("BENCH_FITS", "1"))  # a second fit (seed 1) in the same process is the warm one
    if role == "lab":
        from engine.projection import ProjectionParams, project

        times, cached = [], []
        for seed in range(fits):
            started = time.perf_counter()
            result = project(vectors, ProjectionParams("umap", dims=2, metric="cosine", seed=seed))
            times.append(time.perf_counter() - started)
            cached.append(result.cached)
            if seed == 0:
                np.save(os.environ["BENCH_OUT"], result.coords)
                first_done = time.time()
        return {"project_s": times[0], "warm_s": times[-1], "cached": cached[0], "warm_cached": cached[-1],
                "first_done": first_done}
    if role == "plain":
        import umap

        times = []
        for seed in range(fits):
            started = time.perf_counter()
            coords = umap.UMAP(n_components=2, metric="cosine", random_state=seed).fit_transform(vectors)
            times.append(time.perf_counter() - started)
            if seed == 0:
                np.save(os.environ["BENCH_OUT"], coords)
                first_done = time.time()
        return {"first_s": times[0], "warm_s": times[-1], "first_done": first_done}
    raise SystemExit(f"unknown role {role}")


def run_child(role: str, numba_cache: Path, home: Path, out: Path | None = None, fits: int = 1) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(numba_cache), "EMBEDDING_LAB_HOME": str(home),
           "BENCH_OUT": str(out or home / "unused.npy"), "PYTHONWARNINGS": "ignore", "BENCH_FITS": str(fits)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, started_at = time.perf_counter(), time.time()
    done = subprocess.run([sys.executable, __file__, "--child", role], env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{role} failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    # CPU seconds show how much of a slow wall time was other people's load on this shared machine.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if "first_done" in figures:  # process start to the first result, before any second (warm) fit
        figures["process_s"] = figures.pop("first_done") - started_at
    return {**figures, "whole_process_s": wall, "cpu_s": cpu}


def neighbour_preservation(vectors, coords, k: int = 10) -> float:
    """Share of each word's k nearest neighbours (cosine, original space) that are among its k nearest in the plot."""
    import numpy as np

    from engine.exact_knn import nearest_neighbours

    original, _ = nearest_neighbours(vectors, k + 1, "cosine")
    projected, _ = nearest_neighbours(coords, k + 1, "euclidean")
    hits = [len(set(a[1:]) & set(b[1:])) for a, b in zip(original, projected)]
    return float(np.mean(hits)) / k


def pca_figures() -> dict:
    import numpy as np
    from sklearn.decomposition import PCA

    from engine.projection import ProjectionParams, project
    from engine.sources import load_glove

    vectors = load_glove().vectors.cpu().numpy()  # (400000, 50)
    started = time.perf_counter()
    ours = project(vectors, ProjectionParams("pca", dims=3))
    lab_s = time.perf_counter() - started
    started = time.perf_counter()
    repeat = project(vectors, ProjectionParams("pca", dims=3))
    repeat_s = time.perf_counter() - started
    started = time.perf_counter()
    reference = PCA(n_components=3, svd_solver="full").fit_transform(vectors)
    sklearn_s = time.perf_counter() - started
    agreement = min(abs(np.corrcoef(ours.coords[:, i], reference[:, i])[0, 1]) for i in range(3))
    return {"lab_s": lab_s, "repeat_s": repeat_s, "repeat_cached": repeat.cached, "sklearn_s": sklearn_s,
            "axis_correlation": agreement}


def main() -> int:
    import numpy as np
    import torch

    from engine.device import describe_device
    from engine.sources import load_glove

    print(f"device: {describe_device()}; torch threads {torch.get_num_threads()}; {os.cpu_count()} CPU cores")
    with tempfile.TemporaryDirectory(prefix="bench-projection-") as scratch:
        scratch = Path(scratch)
        print("\nUMAP 2D, 20,000 GloVe words, cosine, seeded (each line a fresh process, timed from its start)")
        print(f"  load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work slows every figure)")
        # Cold against cold: empty numba caches on both sides, empty result cache for the lab.
        lab_cold = run_child("lab", scratch / "numba-lab-cold", scratch / "home-cold", scratch / "lab-cold.npy")
        plain = run_child("plain", scratch / "numba-plain", scratch / "home-plain", scratch / "plain.npy", fits=2)
        print(f"  cold, empty caches   lab {lab_cold['process_s']:6.1f} s (call {lab_cold['project_s']:.1f} s)   "
              f"umap-learn {plain['process_s']:6.1f} s (first fit {plain['first_s']:.1f} s)   "
              f"ratio ×{plain['process_s'] / lab_cold['process_s']:.2f}")
        # Once per installation, then what every later start costs.
        lab_numba, home = scratch / "numba-lab", scratch / "home"
        compile_run = run_child("warm-up", lab_numba, scratch / "home-warm-up")
        print(f"  lab once-per-install compile (warm-up on 300 points) {compile_run['seconds']:.1f} s")
        fresh = run_child("lab", lab_numba, home, scratch / "lab.npy", fits=2)
        print(f"  fresh process after that compile: lab {fresh['process_s']:6.1f} s (call {fresh['project_s']:.1f} s); "
              f"umap-learn has no compile cache, so its fresh process is its cold one ({plain['process_s']:.1f} s)")
        # Warm against warm: the second fit (seed 1) of each process above.
        print(f"  warm, second fit in one process (seed 1)   lab {fresh['warm_s']:6.2f} s   "
              f"umap-learn {plain['warm_s']:6.2f} s   ratio ×{plain['warm_s'] / fresh['warm_s']:.2f}")
        repeat = run_child("lab", lab_numba, home, scratch / "lab-repeat.npy")
        print(f"  lab repeat in a fresh process: result cache {repeat['project_s']:.2f} s (cached={repeat['cached']}), "
              f"{repeat['process_s']:.1f} s for the process")

        vectors = load_glove(WORDS).vectors.cpu().numpy()
        lab_quality = neighbour_preservation(vectors, np.load(scratch / "lab.npy"))
        plain_quality = neighbour_preservation(vectors, np.load(scratch / "plain.npy"))
        print(f"  10-NN preservation (seed 0): lab {lab_quality:.3f} · umap-learn {plain_quality:.3f}")

        print("\nPCA to 3D, all 400,000 GloVe words")
        pca = pca_figures()
        print(f"  lab (torch, {describe_device()})  {pca['lab_s']:.2f} s  · repeat {pca['repeat_s']:.2f} s (cached={pca['repeat_cached']})")
        print(f"  scikit-learn PCA(svd_solver='full')  {pca['sklearn_s']:.2f} s  · |correlation| of axes ≥ {pca['axis_correlation']:.4f}")

    figures = {"umap_fresh_s": fresh["process_s"], "umap_repeat_s": repeat["project_s"], "pca_400k_s": pca["lab_s"]}
    missed = [f"{name} {figures[name]:.2f} s > {limit} s" for name, limit in TARGETS.items() if figures[name] > limit]
    if not repeat["cached"]:
        missed.append("the repeat did not come from the cache")
    if fresh["warm_cached"] or lab_cold["cached"]:
        missed.append("a fit meant to compute came from the result cache")
    if lab_quality < plain_quality - 0.01:
        missed.append(f"10-NN preservation {lab_quality:.3f} below umap-learn's {plain_quality:.3f}")
    if pca["axis_correlation"] < 0.999:
        missed.append("PCA axes disagree with scikit-learn's")
    print(
        f"\nRESULT cold vs cold: lab {lab_cold['process_s']:.1f}s, umap-learn {plain['process_s']:.1f}s "
        f"(×{plain['process_s'] / lab_cold['process_s']:.2f}) | warm vs warm: lab {fresh['warm_s']:.2f}s, "
        f"umap-learn {plain['warm_s']:.2f}s (×{plain['warm_s'] / fresh['warm_s']:.2f}) | once-per-install "
        f"{compile_run['seconds']:.0f}s, then fresh process {fresh['process_s']:.1f}s (≤15) | result cache "
        f"{repeat['project_s']:.2f}s (≤1) | 10-NN kept {lab_quality:.3f} vs {plain_quality:.3f} | "
        f"PCA 400k→3D {pca['lab_s']:.2f}s (≤3) vs sklearn {pca['sklearn_s']:.2f}s"
        + (f" | MISSED: {'; '.join(missed)}" if missed else " | all targets met")
    )
    return 1 if missed else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2])))
    else:
        sys.stdout.reconfigure(line_buffering=True)  # show each figure as it is measured
        sys.exit(main())
