#!/usr/bin/env bash
# Does scoring the caption side, or image and caption together, find the poison better than the image side alone?
# Scans each given poisoned table with the model trained on it, once per side (image, text, joint), every detector,
# against the poison manifest, into OUT/NAME/SIDE; then prints AUROC and precision at the true count per side.
# Usage: sides.sh OUT NAME:MODEL:TABLE:MANIFEST:VOCAB ...   (CLEANCLIP=path/to/cleanclip)
set -euo pipefail
OUT=${1:?usage: sides.sh OUT NAME:MODEL:TABLE:MANIFEST:VOCAB ...}; shift; CC=${CLEANCLIP:-cleanclip}
mkdir -p "$OUT"
for spec in "$@"; do
  IFS=: read -r NAME MODEL TABLE MANIFEST VOCAB <<< "$spec"
  for SIDE in image text joint; do
    dir=$OUT/$NAME/$SIDE
    [ -f "$dir/scan.json" ] && continue
    rm -rf "$dir"
    $CC scan --checkpoint "$MODEL" --train-data "$TABLE" --manifest "$MANIFEST" --vocab "$VOCAB" --side "$SIDE" \
        --detector all --out "$dir" --cache-dir "$OUT/cache" > "$OUT/$NAME-$SIDE.log" 2>&1
  done
done
python3 - "$OUT" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
print("| table | side | " + " | ".join(["kdist", "slof", "dao", "multik"]) + " |")
print("|---|---|---|---|---|---|")
for scan in sorted(glob.glob(os.path.join(out, "*", "*", "scan.json"))):
    side = os.path.basename(os.path.dirname(scan)); name = os.path.basename(os.path.dirname(os.path.dirname(scan)))
    m = json.load(open(scan))["metrics"]
    cells = [f"{m[d]['auroc']:.3f} / {m[d]['precision_at_poison_count']:.2f}" if m.get(d) else "–" for d in ["kdist", "slof", "dao", "multik"]]
    print(f"| {name} | {side} | " + " | ".join(cells) + " |")
PY
