#!/usr/bin/env bash
# How much a scan's result depends on its random reference batches (issue 19): rescans every cell of
# experiments/scan-detection/run.sh's OUT with `--seed` 1..N (the partition into reference batches; the embeddings come
# from OUT/cache, so only scoring runs), then partition-seeds.py writes the spread per cell and detector.
# Usage (repository root): experiments/scan-detection/partition-seeds.sh OUT   SEEDS="1 2 3 4 5", CLEANCLIP=path/to/cleanclip
set -euo pipefail
OUT=${1:?usage: partition-seeds.sh OUT}; CC=${CLEANCLIP:-cleanclip}; SEEDS=${SEEDS:-"1 2 3 4 5"}
for cell in "$OUT"/seed-*/cells/*/; do
  cell=${cell%/}; [ -f "$cell/scan/scan.json" ] || continue
  world=$(dirname "$(dirname "$cell")")/world; C=$(basename "$cell")
  for P in $SEEDS; do
    [ -f "$cell/partition-$P/scan.json" ] && continue
    rm -rf "$cell/partition-$P"
    $CC scan --checkpoint "$cell/model/model.safetensors" --train-data "$world/$C.csv" --manifest "$world/$C/manifest.json" \
        --detector all --seed "$P" --out "$cell/partition-$P" --cache-dir "$OUT/cache" > /dev/null
  done
done
python3 "$(dirname "$0")/partition-seeds.py" "$OUT" --out "$OUT/summary"
