#!/usr/bin/python3
"""bench-train-compare.py - one scMMAE training step, C vs PyTorch, same run.

Runs `scmmae bench train --json` and `ref_scmmae.py bench` (Debian's
PyTorch; paper size, no qkv bias, synthetic inputs, batch 128) for each
stage, one after the other in this process's environment, so both see the
same OpenBLAS kernels (set OPENBLAS_CORETYPE before running to force them),
and prints one JSON line per stage with both sides and the speed ratio.

Usage (from the build directory):
  /usr/bin/python3 ../bench/model/bench-train-compare.py --cli src/cli/scmmae \
      [--stages 1,2,3] [--steps 3] [--threads 2] [--preset paper]
Without python3-torch the reference side is reported as missing.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..", "..", "..", "shared", "bench", "ref_scmmae.py")


def run_json(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip()[-400:]
    rows = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    return rows, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--stages", default="1,2,3")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--preset", default="paper")
    ap.add_argument("--ref", default=REF)
    a = ap.parse_args()
    for s in [int(x) for x in a.stages.split(",")]:
        c_rows, c_err = run_json([a.cli, "bench", "train", "--stage", str(s), "--preset", a.preset,
                                  "--batch", "128", "--steps", str(a.steps), "--threads",
                                  str(a.threads), "--json"])
        r_rows, r_err = (None, "reference only at the paper size")
        if a.preset == "paper":
            r_rows, r_err = run_json(["/usr/bin/python3", a.ref, "bench", "--threads",
                                      str(a.threads), "--stages", str(s), "--steps", str(a.steps),
                                      "--no-qkv-bias", "--infer-batches", "0"])
        c = c_rows[0] if c_rows else None
        r = r_rows[0] if r_rows else None
        out = dict(kind="train_compare", stage=s, preset=a.preset, threads=a.threads,
                   c=c, c_error=c_err, torch=r, torch_error=r_err)
        if c and r:
            out["speedup_median"] = r["median_ms"] / c["median_ms"]
            out["speedup_min"] = r["min_ms"] / c["min_ms"]
            out["rss_ratio"] = c["peak_rss_mb"] / r["peak_rss_mb"]
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
