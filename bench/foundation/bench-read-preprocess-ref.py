#!/usr/bin/python3
"""bench-read-preprocess-ref.py - the Python side of bench-read-preprocess.

Times the read and normalise steps of ../shared/bench/ref_pipeline.py (h5py +
scipy.sparse: read the 10x .h5 into a CSR matrix, normalise each cell to
1e4 and log1p) on one file, warm page cache, best of --reps, and prints one
line of key=value pairs for the C benchmark to parse:

    read_s=... norm_s=... total_s=... peak_rss_mb=... first_s=...

(first_s: read + normalise of the first repetition, before the allocator
has memory to reuse.)

Usage: /usr/bin/python3 bench-read-preprocess-ref.py --ref-dir DIR --input FILE [--reps N]
"""
import argparse
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref-dir", required=True, help="folder holding ref_pipeline.py")
    ap.add_argument("--input", required=True)
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    sys.path.insert(0, a.ref_dir)
    import ref_pipeline as rp

    best_read = best_norm = best_total = float("inf")
    first = None
    for _ in range(a.reps):
        t0 = time.perf_counter()
        X, _, _, _ = rp.read_10x_h5(a.input)
        t1 = time.perf_counter()
        rp.normalize_log1p(X)
        t2 = time.perf_counter()
        best_read = min(best_read, t1 - t0)
        best_norm = min(best_norm, t2 - t1)
        best_total = min(best_total, t2 - t0)
        if first is None:
            first = t2 - t0
        del X
    print("read_s=%.6f norm_s=%.6f total_s=%.6f peak_rss_mb=%.1f first_s=%.6f"
          % (best_read, best_norm, best_total, rp.peak_mb(), first), flush=True)


if __name__ == "__main__":
    main()
