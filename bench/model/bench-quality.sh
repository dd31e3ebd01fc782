#!/bin/sh
# bench-quality.sh: what scMMAE training is worth on real data, next to PCA.
#
#   pbmc10k (CITE-seq): stage 1 (masked pre-training) -> stage 2 (fine-tuning
#   on a stratified 30% of cell_type labels); held-out accuracy of the head,
#   kNN (k=15) held-out accuracy and Leiden ARI/NMI of the embedding, the same
#   for the stage-1-only embedding and for PCA-50 of the scaled HVGs.
#   pbmc3k (RNA only): stage 3 transfer from the stage-2 checkpoint (genes
#   aligned by symbol), 30% of cell_type labels; the same metrics.
#   Then our own chain on every embedding (scmmae analyze: kNN k=20, Leiden,
#   UMAP) scored by scmmae metrics against cell_type (the paper's metrics),
#   one JSON object per embedding, after a line naming it.
#
# Usage: bench-quality.sh SCMMAE_CLI OUT_DIR [E1 E2 E3]
#   (epochs default to the desktop preset's; run with `nice`, it takes long)
set -e
CLI=$1
O=$2
HERE=$(cd "$(dirname "$0")" && pwd)
D=$HERE/../../../shared/data
PY=/usr/bin/python3
[ -n "$CLI" ] && [ -n "$O" ] || { echo "usage: $0 SCMMAE_CLI OUT_DIR [E1 E2 E3]" >&2; exit 2; }
mkdir -p "$O"
E1=${3:+--epochs $3}
E2=${4:+--epochs $4}
E3=${5:+--epochs $5}
T="--threads 2 --seed 0 --preset desktop"
date -u +"start %T"
$CLI train --stage 1 $T $E1 "$D/pbmc10k/pbmc10k.h5ad" -o "$O/s1.ckpt"
date -u +"stage 1 done %T"
$CLI train --stage 2 $T $E2 --from "$O/s1.ckpt" --labels cell_type "$D/pbmc10k/pbmc10k.h5ad" -o "$O/s2.ckpt"
date -u +"stage 2 done %T"
$CLI embed "$D/pbmc10k/pbmc10k.h5ad" --model "$O/s2.ckpt" --threads 2 -o "$O/emb10k.h5ad"
$CLI embed "$D/pbmc10k/pbmc10k.h5ad" --model "$O/s1.ckpt" --threads 2 -o "$O/emb10k_s1.h5ad"
$CLI pca "$D/pbmc10k/pbmc10k.h5ad" -o "$O/pca10k.h5ad"
$PY "$HERE/quality-knn.py" --tag pbmc10k --ckpt "$O/s2.ckpt" --emb "$O/emb10k.h5ad" \
    --emb "$O/emb10k_s1.h5ad" --pca "$O/pca10k.h5ad"
$CLI train --stage 3 $T $E3 --from "$O/s2.ckpt" --labels cell_type "$D/pbmc3k/pbmc3k.h5ad" -o "$O/s3.ckpt"
date -u +"stage 3 done %T"
$CLI embed "$D/pbmc3k/pbmc3k.h5ad" --model "$O/s3.ckpt" --threads 2 -o "$O/emb3k.h5ad"
$CLI pca "$D/pbmc3k/pbmc3k.h5ad" -o "$O/pca3k.h5ad"
$PY "$HERE/quality-knn.py" --tag pbmc3k --ckpt "$O/s3.ckpt" --emb "$O/emb3k.h5ad" \
    --pca "$O/pca3k.h5ad"
for e in emb10k:X_scmmae emb10k_s1:X_scmmae pca10k:X_pca emb3k:X_scmmae pca3k:X_pca; do
  f=${e%%:*}; rep=${e#*:}
  $CLI analyze "$O/$f.h5ad" --use-rep $rep --no-markers -o "$O/an-$f.h5ad" > /dev/null
  echo "scmmae metrics: $f ($rep)"
  $CLI metrics --truth cell_type --pred leiden --rep $rep --json "$O/an-$f.h5ad"
done
date -u +"end %T"
