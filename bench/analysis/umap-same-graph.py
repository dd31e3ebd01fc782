#!/usr/bin/python3
"""umap-learn's layout of *our* kNN graph, beside our layout of the same graph.

bench-chain compares each stack end to end, so its trustworthiness figures
mix two effects: the kNN graph (ours vs pynndescent) and the layout.  This
script holds the graph fixed.  Inputs: a .h5ad with obsm/X_pca and
obsp/connectivities written by `scmmae neighbors -k 15 -o`, and a .h5ad with
our obsm/X_umap of the same graph (`scmmae umap -k 15`, which rebuilds the
identical kNN from the same seed).  Prints umap-learn's layout time and the
trustworthiness (k 15) of both layouts on one 5000-cell subsample.

    scmmae neighbors IN.h5ad -k 15 -o G.h5ad
    scmmae umap G.h5ad -k 15 -o U.h5ad
    /usr/bin/python3 bench/analysis/umap-same-graph.py G.h5ad U.h5ad

Needs python3-h5py, python3-scipy, python3-sklearn, umap-learn and
../shared/bench/ref_pipeline.py (its umap_layout: Scanpy's call, seed 0).
"""
import os
import sys
import time

import h5py
import numpy as np
import scipy.sparse as sp
from sklearn.manifold import trustworthiness

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "shared", "bench"))
import ref_pipeline as rp  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    graph_path, ours_path = sys.argv[1], sys.argv[2]
    with h5py.File(graph_path, "r") as h:
        P = h["obsm/X_pca"][:].astype(np.float32)
        g = h["obsp/connectivities"]
        n = P.shape[0]
        C = sp.csr_matrix((g["data"][:], g["indices"][:], g["indptr"][:]), shape=(n, n))
    with h5py.File(ours_path, "r") as h:
        ours = h["obsm/X_umap"][:]
    if ours.shape != (n, 2):
        sys.exit(f"{ours_path}: X_umap is {ours.shape}, expected ({n}, 2)")
    t0 = time.perf_counter()
    ref = rp.umap_layout(P, C, False)
    t1 = time.perf_counter()
    sub = np.random.RandomState(0).choice(n, min(n, 5000), replace=False)
    t_ref = trustworthiness(P[sub], ref[sub], n_neighbors=15)
    t_ours = trustworthiness(P[sub], ours[sub], n_neighbors=15)
    print(f"cells {n}, graph entries {C.nnz}")
    print(f"umap-learn layout of this graph: {t1 - t0:.1f} s")
    print(f"trustworthiness k15 (5000-cell subsample): umap-learn {t_ref:.4f}, ours {t_ours:.4f}, "
          f"difference {t_ours - t_ref:+.4f}")


if __name__ == "__main__":
    main()
