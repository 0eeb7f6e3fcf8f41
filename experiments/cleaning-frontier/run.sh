#!/usr/bin/env bash
# The cleaning frontier of the real-image demo world (issue 17): for each seed, the demo's world and poisoned model
# (world.sh), then two `cleanclip sweep`s over cleaning recipes of that model, CleanCLIP (lr × λ2 × epochs) and
# MMCL-only (lr × epochs), each run evaluated zero-shot (CA@1, ASR@1) at its end; finally `cleanclip frontier` over
# all sweeps: CA against ASR per recipe, mean and range over the seeds, and each method's Pareto front.
# Usage (repository root): experiments/cleaning-frontier/run.sh [OUT]   SEEDS="1 2 3", CLEANCLIP=path/to/cleanclip
# Rerunning continues: complete worlds and sweep points are skipped.
set -euo pipefail
OUT=${1:-runs/cleaning-frontier}; SEEDS=${SEEDS:-"1 2 3"}; CC=${CLEANCLIP:-cleanclip}
here=$(dirname "$0")
. "$here/clean-base.sh"
for S in $SEEDS; do
  "$here/world.sh" "$S" "$OUT"
  W=$OUT/seed-$S
  base="$(clean_base "$W" "$S" "$W/real-world/clean/labels.csv")"
  cat > "$W/cleanclip-grid.json" <<GRID
{"command": [$base, "--method", "CleanClip"],
 "vary": {"--lr": [1e-3, 1.5e-3], "--inmodal-weight": [1, 2, 4], "--epochs": [5, 10]}}
GRID
  cat > "$W/mmcl-grid.json" <<GRID
{"command": [$base, "--method", "Mmcl"],
 "vary": {"--lr": [5e-4, 1e-3, 1.5e-3, 2e-3], "--epochs": [5, 10]}}
GRID
  $CC sweep --grid "$W/cleanclip-grid.json" --out "$W/sweep-cleanclip" --jobs 1
  $CC sweep --grid "$W/mmcl-grid.json" --out "$W/sweep-mmcl" --jobs 1
done
sweeps=(); for S in $SEEDS; do sweeps+=("$OUT/seed-$S/sweep-cleanclip" "$OUT/seed-$S/sweep-mmcl"); done
$CC frontier "${sweeps[@]}" --by --method --out "$OUT/frontier"
