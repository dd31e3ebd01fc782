#!/usr/bin/python3
"""bench-train-compare.py - one scMMAE training step, C vs PyTorch, same run.

Runs `scmmae bench train --json` and `ref_scmmae.py bench` (Debian's
PyTorch; paper size, no qkv bias, synthetic inputs, batch 128) for each
stage, one after the other in this process's environment, so both see the
same OpenBLAS kernels (set OPENBLAS_CORETYPE before running to force them),
and prints one JSON line per stage with both sides and the speed ratio.

Inference: when stage 2 is among the stages, or with --infer, it also
times the stage-2 cell embedding (no gradients) of --infer-batches batches
on both sides, `scmmae bench embed` against the reference's
infer_stage2_embed (which that script measures only after a stage-2
training run, so --infer without stage 2 costs one reference training
step), and prints a line of kind infer_compare with the ratio.

Usage (from the build directory):
  /usr/bin/python3 ../bench/model/bench-train-compare.py --cli src/cli/scmmae \
      [--stages 1,2,3] [--steps 3] [--threads 2] [--preset paper] \
      [--infer] [--infer-batches 5]
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


def ratios(out, c, r):
    """Speed-up of C over PyTorch (>1: C faster) and the peak-RSS ratio."""
    if c and r:
        out["speedup_median"] = r["median_ms"] / c["median_ms"]
        out["speedup_min"] = r["min_ms"] / c["min_ms"]
        out["rss_ratio"] = c["peak_rss_mb"] / r["peak_rss_mb"]


def ref_bench(a, stage, steps, warmup, infer_batches):
    if a.preset != "paper":
        return None, "reference only at the paper size"
    return run_json(["/usr/bin/python3", a.ref, "bench", "--threads", str(a.threads),
                     "--stages", str(stage), "--steps", str(steps), "--warmup", str(warmup),
                     "--no-qkv-bias", "--infer-batches", str(infer_batches)])


def pick(rows, kind):
    rows = [x for x in rows or [] if x.get("kind") == kind]
    return rows[0] if rows else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--stages", default="1,2,3")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--preset", default="paper")
    ap.add_argument("--ref", default=REF)
    ap.add_argument("--infer", action="store_true",
                    help="time the stage-2 embedding even without stage 2 in --stages")
    ap.add_argument("--infer-batches", type=int, default=5)
    a = ap.parse_args()
    stages = [int(x) for x in a.stages.split(",") if x]
    infer = a.infer_batches > 0 and (a.infer or 2 in stages)
    ref_infer = None, "not run"
    for s in stages:
        c_rows, c_err = run_json([a.cli, "bench", "train", "--stage", str(s), "--preset", a.preset,
                                  "--batch", "128", "--steps", str(a.steps), "--threads",
                                  str(a.threads), "--json"])
        # the reference's stage-2 run also measures its inference
        ib = a.infer_batches if infer and s == 2 else 0
        r_rows, r_err = ref_bench(a, s, a.steps, 1, ib)
        if ib:
            ref_infer = pick(r_rows, "infer_stage2_embed"), r_err
        out = dict(kind="train_compare", stage=s, preset=a.preset, threads=a.threads,
                   c=pick(c_rows, "train"), c_error=c_err, torch=pick(r_rows, "train"),
                   torch_error=r_err)
        ratios(out, out["c"], out["torch"])
        print(json.dumps(out), flush=True)
    if infer:
        c_rows, c_err = run_json([a.cli, "bench", "embed", "--preset", a.preset, "--batch", "128",
                                  "--batches", str(a.infer_batches), "--threads", str(a.threads),
                                  "--json"])
        if 2 not in stages:
            # one untimed-for-us training step, then its inference timing
            r_rows, r_err = ref_bench(a, 2, 1, 0, a.infer_batches)
            ref_infer = pick(r_rows, "infer_stage2_embed"), r_err
        out = dict(kind="infer_compare", stage=2, preset=a.preset, threads=a.threads,
                   c=pick(c_rows, "infer_stage2_embed"), c_error=c_err, torch=ref_infer[0],
                   torch_error=ref_infer[1])
        ratios(out, out["c"], out["torch"])
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
