#!/usr/bin/env bash
# Scan, filter, retrain (issue 19): scans a poisoned pretraining table of experiments/cleaning-frontier (OUT/seed-S)
# with the model trained on it, drops the REMOVE highest-scoring pairs, trains the demo's model afresh on the rest
# with the demo's pretraining recipe, and evaluates it zero-shot (CA@1, ASR@1 on the shipped test images) at the end.
# Usage (repository root): filter-retrain.sh FRONTIER_OUT SEED REMOVE RESULT_DIR   (CLEANCLIP=path/to/cleanclip)
set -euo pipefail
W=${1:?usage: filter-retrain.sh FRONTIER_OUT SEED REMOVE RESULT_DIR}/seed-$2; S=$2; N=$3; R=$4; CC=${CLEANCLIP:-cleanclip}; D=data/fashion-mnist
[ -f "$R/retrained/complete.json" ] && { echo "$R: done"; exit 0; }
if [ -e "$R" ]; then echo "$R holds an unfinished run; remove it and rerun" >&2; exit 1; fi
mkdir -p "$R"
T=$W/real-world/pretrain/poisoned.csv
# The filtered table lies beside the poisoned one, so its relative image paths resolve; it is named after RESULT_DIR.
F=$W/real-world/pretrain/poisoned.filtered-$N-$(basename "$R").csv
$CC scan --checkpoint "$W/poisoned/model.safetensors" --train-data "$T" --manifest "$W/real-world/pretrain/poisoned/manifest.json" \
    --out "$R/scan" --filter-out "$F" --remove-top "$N"
$CC train --train-data "$F" --init demo-rn --vocab "$W/vocab.txt.gz" --out "$R/retrained" \
    --epochs 10 --batch-size 64 --lr 2e-3 --warmup 78 --beta2 0.98 --weight-decay 0.01 --seed "$S" --no-tensorboard \
    --eval-data $D --target sneaker --trigger badnet --patch-size 8 --trigger-seed "$S" --eval-every 10
