#!/usr/bin/python3
"""quality-knn.py - what an scMMAE embedding is worth, next to PCA.

Reads the .h5ad files written by `scmmae embed` (obsm/X_scmmae) and
`scmmae pca` (obsm/X_pca) for the same cells, and the stage-2/3 checkpoint
whose /state/role holds the labelled (1) / held-out (2) split of the run.
Prints one JSON line per embedding with:
  * knn_acc_heldout: a k-nearest-neighbour classifier (k=15, Euclidean,
    majority vote) fitted on the labelled cells, scored on the held-out ones;
  * head_acc_heldout: the checkpoint's last-epoch held-out accuracy (scMMAE only);
  * Leiden ARI / NMI vs the labels on all cells, with the graph of
    ../shared/bench/ref_pipeline.py (exact kNN k=20, UMAP connectivities,
    RBConfiguration resolution 1, seed 0), the same recipe as ref_train.py.

Usage: /usr/bin/python3 quality-knn.py --ckpt s2.ckpt --labels cell_type \
          --emb emb.h5ad [--emb emb_s1.h5ad ...] --pca pca.h5ad [--tag pbmc10k]
"""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "shared", "bench"))

import h5py  # noqa: E402
import numpy as np  # noqa: E402


def read_obsm(path, key):
    with h5py.File(path, "r") as f:
        return np.asarray(f["obsm"][key], dtype=np.float32)


def read_labels(path, col):
    with h5py.File(path, "r") as f:
        g = f["obs"][col]
        codes = np.asarray(g["codes"]).astype(np.int64)
        cats = [c.decode() if isinstance(c, bytes) else str(c) for c in g["categories"][()]]
    return codes, cats


def knn_acc(P, y, tr, te, k):
    from sklearn.neighbors import KNeighborsClassifier
    clf = KNeighborsClassifier(n_neighbors=k).fit(P[tr], y[tr])
    return float((clf.predict(P[te]) == y[te]).mean())


def leiden_scores(P, y):
    try:
        import ref_pipeline as RP
        from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    except Exception as e:  # noqa: BLE001
        return dict(leiden_error=str(e))
    idx, dist = RP.knn_exact(P, 20)
    lab = RP.leiden(RP.build_igraph(RP.connectivities(idx, dist)), "rb")
    keep = y >= 0
    return dict(n_clusters=int(lab.max() + 1),
                ari=float(adjusted_rand_score(y[keep], lab[keep])),
                nmi=float(normalized_mutual_info_score(y[keep], lab[keep])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--labels", default="cell_type")
    ap.add_argument("--emb", action="append", required=True)
    ap.add_argument("--pca", required=True)
    ap.add_argument("--k", type=int, default=15)
    ap.add_argument("--tag", default="")
    a = ap.parse_args()
    with h5py.File(a.ckpt, "r") as f:
        role = np.asarray(f["state"]["role"])
        hist = np.asarray(f["history"]["epochs"])
        stage = int(f.attrs["stage"])
    y, cats = read_labels(a.pca, a.labels)
    tr = np.where((role == 1) & (y >= 0))[0]
    te = np.where((role == 2) & (y >= 0))[0]
    rows = [(p, "X_scmmae") for p in a.emb] + [(a.pca, "X_pca")]
    for path, key in rows:
        P = read_obsm(path, key)
        r = dict(kind="quality", tag=a.tag, embedding=key, file=os.path.basename(path),
                 dim=int(P.shape[1]), n_labelled=int(len(tr)), n_heldout=int(len(te)),
                 k=a.k, knn_acc_heldout=knn_acc(P, y, tr, te, a.k))
        if key == "X_scmmae" and path == a.emb[0] and len(hist):
            r["ckpt_stage"] = stage
            r["head_acc_heldout"] = float(hist[-1][7])
            r["head_acc_heldout_best_epoch"] = float(np.nanmax(hist[:, 7]))
            r["epochs"] = int(hist[-1][0])
        r.update(leiden_scores(P, y))
        print(json.dumps(r), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
