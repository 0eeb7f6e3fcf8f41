#!/usr/bin/env bash
# Does the scanned model's own caption side find the poison (scan --vocab: pmi and combined)? Scans each given poisoned
# table with the model trained on it and that model's vocabulary, every single-model detector (k = 16; multik k-free)
# beside pmi and combined, once per reference-batch partition (scan --seed), against the poison manifest, into
# OUT/NAME/seed-S. pmi.py summarizes.
# Usage (repository root): pmi.sh OUT NAME:MODEL:TABLE:MANIFEST:VOCAB ...
#   CLEANCLIP=path/to/cleanclip, SEEDS=the partition seeds (default "0 1 2 3 4"), SCAN_ARGS=more scan options
#   (e.g. "--precision bf16")
set -euo pipefail
OUT=${1:?usage: pmi.sh OUT NAME:MODEL:TABLE:MANIFEST:VOCAB ...}; shift; CC=${CLEANCLIP:-cleanclip}
mkdir -p "$OUT"
for spec in "$@"; do
  IFS=: read -r NAME MODEL TABLE MANIFEST VOCAB <<< "$spec"
  for S in ${SEEDS:-0 1 2 3 4}; do
    dir=$OUT/$NAME/seed-$S
    [ -f "$dir/scan.json" ] && continue
    rm -rf "$dir"
    $CC scan --checkpoint "$MODEL" --train-data "$TABLE" --manifest "$MANIFEST" --vocab "$VOCAB" --seed "$S" --out "$dir" \
        --cache-dir "$OUT/cache" ${SCAN_ARGS:-} > "$OUT/$NAME-seed$S.log" 2>&1
  done
done
python3 "$(dirname "$0")/pmi.py" "$OUT" --out "$OUT/summary"
