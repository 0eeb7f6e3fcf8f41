#!/usr/bin/env bash
# Scan, filter, retrain, in rounds (issue 19): scans a poisoned pretraining table of experiments/cleaning-frontier
# (OUT/seed-S) with the model trained on it, drops the highest-scoring pairs, trains the demo's model afresh on the rest
# with the demo's pretraining recipe (zero-shot CA@1, ASR@1 on the shipped test images at the end), and repeats with the
# retrained model on the filtered table: REMOVES lists how many pairs each round drops ("2000" is one round, "2000 400"
# two). Each round prints how many poisoned pairs its table still holds (the tables keep the is_backdoor column).
# Rerunning skips finished rounds.
# Usage (repository root): filter-retrain.sh FRONTIER_OUT SEED "REMOVES" RESULT_DIR   (CLEANCLIP=path/to/cleanclip;
#   SCAN_ARGS="--trusted-checkpoint T --trusted-vocab V" ranks by a trusted model's scores, see crossmodel.sh)
set -euo pipefail
W=${1:?usage: filter-retrain.sh FRONTIER_OUT SEED REMOVES RESULT_DIR}/seed-$2; S=$2; REMOVES=$3; R=$4; CC=${CLEANCLIP:-cleanclip}; D=data/fashion-mnist
P=$W/real-world/pretrain
table=$P/poisoned.csv; model=$W/poisoned/model.safetensors; r=0
for N in $REMOVES; do
  r=$((r + 1)); O=$R/round-$r
  # The filtered tables lie beside the poisoned one, so their relative image paths resolve; named after RESULT_DIR.
  F=$P/poisoned.$(basename "$R")-round-$r.csv
  if [ ! -f "$O/retrained/complete.json" ]; then
    if [ -e "$O" ] || [ -e "$F" ]; then echo "$O or $F is left from an unfinished round; remove them and rerun" >&2; exit 1; fi
    mkdir -p "$O"
    # shellcheck disable=SC2086 # SCAN_ARGS is a list of options
    $CC scan --checkpoint "$model" --train-data "$table" --out "$O/scan" --filter-out "$F" --remove-top "$N" ${SCAN_ARGS:-}
    $CC train --train-data "$F" --init demo-rn --vocab "$W/vocab.txt.gz" --out "$O/retrained" \
        --epochs 10 --batch-size 64 --lr 2e-3 --warmup 78 --beta2 0.98 --weight-decay 0.01 --seed "$S" --no-tensorboard \
        --eval-data $D --target sneaker --trigger badnet --patch-size 8 --trigger-seed "$S" --eval-every 10
  fi
  echo "round $r: removed $N; $(tail -n +2 "$F" | awk -F, '{s += $NF} END {print s}') poisoned of $(($(wc -l < "$F") - 1)) rows left; retrained: $(tail -n 1 "$O/retrained/metrics.jsonl" | grep -o '"clean_accuracy":[^,]*,"attack_success_rate":[^,}]*')"
  table=$F; model=$O/retrained/model.safetensors
done
