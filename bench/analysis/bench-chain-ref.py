#!/usr/bin/python3
"""bench-chain-ref.py: the reference side of bench-chain (and its input maker).

  gen  --n N --out FILE.h5 --labels-out FILE.csv
       Builds an N-cell 10x v3 file from REAL pbmc10k profiles: each new cell
       mixes two pbmc10k cells of the same cell type (weight w ~ U(0, 1)),
       rescales the library size by a log-normal factor (sd 0.35) and draws
       Poisson counts; GEX features only.  Labels CSV: barcode,cell_type.
  run  --h5 FILE.h5 --labels CSV[,CSV...] [--data-dir DIR]
       Times ref_pipeline.py's steps (imported unchanged from
       ../shared/bench) on FILE.h5 after its numba JIT warm-up, then reports
       Leiden ARI/NMI vs each labels CSV, modularity, UMAP trustworthiness
       (k 15, 5000-cell subsample, vs PCA-50).  One JSON object per line.
"""
import argparse
import csv
import json
import os
import sys
import time

import numpy as np
import scipy.sparse as sp

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.environ.get("SCM_SHARED_BENCH", os.path.join(HERE, "..", "..", "..", "shared", "bench"))
sys.path.insert(0, BENCH)
import ref_pipeline as rp  # noqa: E402


def read_gex(path):
    import h5py
    X, bc, _, _ = rp.read_10x_h5(path)
    with h5py.File(path, "r") as f:
        ft = f["matrix/features/feature_type"][...]
    gex = np.flatnonzero(ft == b"Gene Expression")
    if len(gex) < X.shape[1]:
        X = X[:, gex].tocsr()
    X.sort_indices()
    return X, bc


def load_labels(path, bc):
    with open(path) as f:
        r = csv.reader(f)
        next(r)
        d = {a: b for a, b in r}
    return np.array([d.get(b.decode(), "") for b in bc])


def gen(args):
    X, bc = read_gex(args.src)
    ct = load_labels(args.src_labels, bc)
    rng = np.random.default_rng(args.seed)
    types = sorted(set(ct))
    pools = {t: np.flatnonzero(ct == t) for t in types}
    a = rng.integers(0, X.shape[0], size=args.n)
    lab = ct[a]
    b = np.array([rng.choice(pools[t]) for t in lab])
    w = rng.random(args.n)
    lib = np.exp(rng.normal(0.0, 0.35, size=args.n))
    blocks = []
    for s in range(0, args.n, 20000):
        e = min(args.n, s + 20000)
        M = sp.diags(w[s:e] * lib[s:e]) @ X[a[s:e]] + sp.diags((1 - w[s:e]) * lib[s:e]) @ X[b[s:e]]
        M = M.tocsr()
        M.data = rng.poisson(M.data).astype(np.float32)
        M.eliminate_zeros()
        blocks.append(M)
    Y = sp.vstack(blocks, format="csr")
    Y.sort_indices()
    codes = np.array([types.index(t) for t in lab], dtype=np.int32)
    rp.write_10x_h5(args.out, Y.astype(np.int32), codes)
    with open(args.labels_out, "w") as f:
        f.write("barcode,cell_type\n")
        for i, t in enumerate(lab):
            f.write("CELL%07d-1,%s\n" % (i, t))
    print(json.dumps(dict(step="gen", n_cells=args.n, nnz=int(Y.nnz),
                          mean_counts=float(Y.sum() / args.n))), flush=True)


def run(args):
    out = []
    os.makedirs(args.data_dir, exist_ok=True)
    wpath = os.path.join(args.data_dir, "synth_2000x3000.h5")
    if not os.path.exists(wpath):
        Xw, lw = rp.synth_counts(2000, 3000, seed=7)
        rp.write_10x_h5(wpath, Xw, lw)
    wa = argparse.Namespace(pca_randomized=1, umap_parallel=0, exact=0, no_exact_k15=False)
    t0 = time.perf_counter()
    rp.run_pipeline(wpath, rp.Timer(2000, [], quiet=True), wa, is_warmup=True)
    print(json.dumps(dict(step="jit_warmup", s=time.perf_counter() - t0)), flush=True)

    T = rp.Timer(0, out)  # prints one JSON line per step (min_s, peak_rss_mb)
    T("read_h5_warm", read_gex, args.h5)
    rp.evict_from_page_cache(args.h5)
    X, bc = T("read_h5_cold", read_gex, args.h5)
    T.n = X.shape[0]
    X = T("normalize_log1p", rp.normalize_log1p, X)
    hvg = T("hvg_seurat", rp.hvg_seurat, X, 2000)
    D = T("scale", rp.scale_dense, X, hvg)
    del X
    P = T("pca50_arpack", rp.pca, D, "arpack")
    T("pca50_randomized", rp.pca, D, "randomized")
    del D
    idx15, d15 = T("knn_nndescent_k15", rp.knn_nndescent, P, 15)
    C = T("connectivities_k15", rp.connectivities, idx15, d15)
    g = T("igraph_build", rp.build_igraph, C)
    lm = T("leiden_modularity", rp.leiden, g, "modularity")
    lr = T("leiden_rbconfig_r1", rp.leiden, g, "rb")
    emb = T("umap_layout_serial", rp.umap_layout, P, C, False)

    from sklearn.metrics import adjusted_rand_score as ari, normalized_mutual_info_score as nmi
    from sklearn.manifold import trustworthiness
    q = dict(side="ref", step="quality", n_cells=int(P.shape[0]),
             n_clusters_rbconfig=int(lr.max() + 1), n_clusters_modularity=int(lm.max() + 1),
             modularity_rbconfig=float(g.modularity(lr.tolist(), weights="weight")))
    for path in args.labels.split(","):
        name = os.path.splitext(os.path.basename(path))[0].rsplit("labels_", 1)[-1]
        lab = load_labels(path, bc)
        ok = lab != ""
        q["ari_" + name] = float(ari(lab[ok], lr[ok]))
        q["nmi_" + name] = float(nmi(lab[ok], lr[ok]))
    rng = np.random.default_rng(0)
    sub = np.sort(rng.choice(P.shape[0], min(5000, P.shape[0]), replace=False))
    q["trustworthiness_k15_sub5000"] = float(trustworthiness(P[sub], emb[sub], n_neighbors=15))
    print(json.dumps(q), flush=True)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--n", type=int, required=True)
    g.add_argument("--out", required=True)
    g.add_argument("--labels-out", required=True)
    g.add_argument("--src", required=True)
    g.add_argument("--src-labels", required=True)
    g.add_argument("--seed", type=int, default=0)
    r = sub.add_parser("run")
    r.add_argument("--h5", required=True)
    r.add_argument("--labels", required=True)
    r.add_argument("--data-dir", default="/tmp/scmmae-bench-ref")
    a = ap.parse_args()
    gen(a) if a.cmd == "gen" else run(a)


if __name__ == "__main__":
    main()
