#!/usr/bin/env bash
# Is the in-modal view's augmentation a lever that helps CleanCLIP and not MMCL-only (whose loss has no in-modal
# term)? Cleans each seed's poisoned model of run.sh (OUT/seed-S, LibTorch's 2 threads) with CleanCLIP at lr 1e-3 and
# SimCLR-style views (--image-augmentation simclr) instead of AutoAugment, over epochs {5, 10} × λ2 {1, 2}; and, given
# the folder of `OMP_NUM_THREADS=1 cleanclip demo --seeds 1,2,3 --out T1`, the same with 1 thread for (5, 1) and
# (10, 2), with MMCL-only for 5 epochs beside them; and, on both, the demo's recipe (AutoAugment, 10 epochs) with λ2 3.
# augmentation.py summarizes.
# Usage (repository root, after run.sh): experiments/cleaning-frontier/augmentation.sh OUT [T1]
#   SEEDS="1 2 3", CLEANCLIP=path/to/cleanclip
set -euo pipefail
OUT=${1:?usage: augmentation.sh OUT [T1]}; T1=${2:-}; SEEDS=${SEEDS:-"1 2 3"}; CC=${CLEANCLIP:-cleanclip}
. "$(dirname "$0")/clean-base.sh"
for S in $SEEDS; do
  W=$OUT/seed-$S
  [ -f "$W/poisoned/complete.json" ] || { echo "seed $S: no poisoned model in $W (run run.sh first)" >&2; exit 1; }
  cat > "$W/simclr-grid.json" <<GRID
{"command": [$(clean_base "$W" "$S" "$W/real-world/clean/labels.csv"), "--method", "CleanClip", "--lr", "1e-3", "--image-augmentation", "simclr"],
 "vary": {"--epochs": [5, 10], "--inmodal-weight": [2, 1]}}
GRID
  $CC sweep --grid "$W/simclr-grid.json" --out "$W/sweep-simclr" --jobs 1
  cat > "$W/lambda3-grid.json" <<GRID
{"command": [$(clean_base "$W" "$S" "$W/real-world/clean/labels.csv"), "--method", "CleanClip", "--lr", "1e-3", "--epochs", "10"], "vary": {"--inmodal-weight": [3]}}
GRID
  $CC sweep --grid "$W/lambda3-grid.json" --out "$W/sweep-lambda3" --jobs 1
done
[ -n "$T1" ] || exit 0
for S in $SEEDS; do
  D=$T1/seed-$S
  base="\"clean\", \"--checkpoint\", \"$D/runs/poisoned/model.safetensors\", \"--train-data\", \"$D/real-world/clean/labels.csv\",
    \"--vocab\", \"$D/vocab.txt.gz\", \"--batch-size\", \"64\", \"--warmup\", \"12\", \"--beta2\", \"0.98\", \"--seed\", \"$S\",
    \"--no-tensorboard\", \"--eval-data\", \"data/fashion-mnist\", \"--target\", \"sneaker\", \"--trigger\", \"badnet\",
    \"--patch-size\", \"8\", \"--trigger-seed\", \"$S\", \"--eval-every\", \"5\", \"--lr\", \"1e-3\""
  for point in "5 1" "10 2"; do
    read -r E L <<< "$point"
    cat > "$D/simclr-$E-$L-grid.json" <<GRID
{"command": [$base, "--method", "CleanClip", "--image-augmentation", "simclr", "--epochs", "$E"], "vary": {"--inmodal-weight": [$L]}}
GRID
    OMP_NUM_THREADS=1 $CC sweep --grid "$D/simclr-$E-$L-grid.json" --out "$D/sweep-simclr-$E-$L" --jobs 1
  done
  cat > "$D/lambda3-grid.json" <<GRID
{"command": [$base, "--method", "CleanClip", "--epochs", "10"], "vary": {"--inmodal-weight": [3]}}
GRID
  OMP_NUM_THREADS=1 $CC sweep --grid "$D/lambda3-grid.json" --out "$D/sweep-lambda3" --jobs 1
  cat > "$D/mmcl-5-grid.json" <<GRID
{"command": [$base, "--method", "Mmcl"], "vary": {"--epochs": [5]}}
GRID
  OMP_NUM_THREADS=1 $CC sweep --grid "$D/mmcl-5-grid.json" --out "$D/sweep-mmcl-5" --jobs 1
done
