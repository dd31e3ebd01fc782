#!/usr/bin/python3
"""pynndescent-recall.py: pynndescent's time and recall@k on points written
by `bench-graph --synthetic N --dims D --dump-npy FILE.npy`, so our
NN-descent (bench-graph's knn_nndescent line) and the reference are
compared on the same data.

Recall is measured as bench-graph's sampled_recall does: for 500 random
rows, the fraction of the k - 1 exact neighbours (self excluded, brute
force in numpy) found among the k - 1 approximate ones.  pynndescent runs
as ref_pipeline.py (and Scanpy) call it: umap.umap_.nearest_neighbors(X,
k, "euclidean", random_state 0, low_memory=True), i.e. umap-learn's choice
of trees and iterations; the first call is a small JIT warm-up so the
timing is of the search, not of numba compiling.

    /usr/bin/python3 pynndescent-recall.py FILE.npy [--k 15]
"""
import argparse
import time

import numpy as np
import pynndescent
from umap.umap_ import nearest_neighbors


def exact_rows(X, rows, k):
    out = np.empty((len(rows), k - 1), dtype=np.int64)
    sq = np.einsum("ij,ij->i", X, X)
    for a, i in enumerate(rows):
        d = sq - 2.0 * (X @ X[i]) + sq[i]
        d[i] = np.inf
        part = np.argpartition(d, k - 1)[: k - 1]
        out[a] = part[np.argsort(d[part], kind="stable")]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("npy")
    ap.add_argument("--k", type=int, default=15)
    ap.add_argument("--sample", type=int, default=500)
    args = ap.parse_args()
    X = np.load(args.npy, mmap_mode=None).astype(np.float32, copy=False)
    n = X.shape[0]
    warm = np.random.default_rng(1).standard_normal((2000, X.shape[1])).astype(np.float32)
    nearest_neighbors(warm, args.k, "euclidean", {}, False, np.random.RandomState(0),
                      low_memory=True)
    t0 = time.perf_counter()
    idx, _, _ = nearest_neighbors(X, args.k, "euclidean", {}, False, np.random.RandomState(0),
                                  low_memory=True)
    t = time.perf_counter() - t0
    rows = np.random.default_rng(99).choice(n, size=min(args.sample, n), replace=False)
    ex = exact_rows(X.astype(np.float64), rows, args.k)
    hits = 0
    for a, i in enumerate(rows):
        approx = set(int(j) for j in idx[i] if j != i)
        hits += sum(int(j) in approx for j in ex[a])
    rec = hits / (len(rows) * (args.k - 1))
    print("pynndescent (umap nearest_neighbors): %d x %d, k %d: %.2f s, recall %.4f "
          "(%d sampled rows), numba threads %s"
          % (n, X.shape[1], args.k, t, rec, len(rows), __import__("numba").get_num_threads()))


if __name__ == "__main__":
    main()
