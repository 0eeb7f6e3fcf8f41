#!/usr/bin/env bash
# Does a larger cleaning set make the demo's recipe hold on every seed? Cleans each seed's poisoned model of run.sh
# (OUT/seed-S/poisoned) on 5,000 clean pairs (train images 10,000–15,000 of the full Fashion-MNIST, Debian package
# dataset-fashion-mnist) instead of the shipped subset's 2,000, with CleanCLIP (λ2 1 and 2) and MMCL-only at lr 1e-3,
# 5 epochs (390 steps, the demo's 312 at 2,000 pairs × 10 epochs), then draws the frontier over the seeds.
# Usage (repository root, after run.sh): experiments/cleaning-frontier/larger-clean-set.sh [OUT] [FULL_FASHION_MNIST]
set -euo pipefail
. "$(dirname "$0")/clean-base.sh"
OUT=${1:-runs/cleaning-frontier}; FULL=${2:-/usr/share/datasets/fashion-mnist}; SEEDS=${SEEDS:-"1 2 3"}; CC=${CLEANCLIP:-cleanclip}
for S in $SEEDS; do
  W=$OUT/seed-$S
  [ -f "$W/poisoned/complete.json" ] || { echo "seed $S: no poisoned model in $W (run run.sh first)" >&2; exit 1; }
  [ -f "$W/clean-5000/labels.csv" ] || $CC caption-table --data "$FULL" --split train --range 10000:15000 --seed "$S" --out "$W/clean-5000/labels.csv"
  base="$(clean_base "$W" "$S" "$W/clean-5000/labels.csv"), \"--epochs\", \"5\""
  cat > "$W/clean-5000-mmcl.json" <<GRID
{"command": [$base, "--method", "Mmcl"], "vary": {"--lr": [1e-3]}}
GRID
  cat > "$W/clean-5000-cleanclip.json" <<GRID
{"command": [$base, "--method", "CleanClip", "--lr", "1e-3"], "vary": {"--inmodal-weight": [1, 2]}}
GRID
  $CC sweep --grid "$W/clean-5000-mmcl.json" --out "$W/sweep-clean-5000-mmcl" --jobs 1
  $CC sweep --grid "$W/clean-5000-cleanclip.json" --out "$W/sweep-clean-5000-cleanclip" --jobs 1
done
sweeps=(); for S in $SEEDS; do sweeps+=("$OUT/seed-$S/sweep-clean-5000-mmcl" "$OUT/seed-$S/sweep-clean-5000-cleanclip"); done
$CC frontier "${sweeps[@]}" --by --method --out "$OUT/frontier-clean-5000"
