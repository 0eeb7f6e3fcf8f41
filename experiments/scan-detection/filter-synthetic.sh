#!/usr/bin/env bash
# One round of scan, filter, retrain on the synthetic world: scans the poisoned pretraining table of a finished
# `cleanclip demo --world synthetic` run (DEMO_OUT: its --out folder) with the poisoned model and its vocabulary (so
# pmi and combined rank), drops the REMOVE highest-ranked pairs, trains the demo's model afresh on the rest with the
# demo's pretraining recipe, and evaluates zero-shot CA@1 and ASR@1 on the demo's synthetic test images with its
# trigger. Prints (filter-synthetic.py, into RESULT_DIR/summary) how many poisoned pairs the filtered table still holds. Rerunning skips a finished retraining.
# Usage (repository root): filter-synthetic.sh DEMO_OUT SEED REMOVE RESULT_DIR   (CLEANCLIP=path/to/cleanclip;
#   SCAN_ARGS adds scan options)
set -euo pipefail
W=${1:?usage: filter-synthetic.sh DEMO_OUT SEED REMOVE RESULT_DIR}; S=$2; N=$3; R=$4; CC=${CLEANCLIP:-cleanclip}
table=$W/world/train/poisoned.csv
# The filtered table lies beside the poisoned one, so its relative image paths resolve; named after RESULT_DIR.
F=$W/world/train/poisoned.$(basename "$R").csv
if [ ! -f "$R/retrained/complete.json" ]; then
  if [ -e "$R" ] || [ -e "$F" ]; then echo "$R or $F is left from an unfinished run; remove them and rerun" >&2; exit 1; fi
  mkdir -p "$R"
  # shellcheck disable=SC2086 # SCAN_ARGS is a list of options
  $CC scan --checkpoint "$W/runs/poisoned/model.safetensors" --train-data "$table" --vocab "$W/vocab.txt.gz" --out "$R/scan" \
      --filter-out "$F" --remove-top "$N" ${SCAN_ARGS:-}
  $CC train --train-data "$F" --init demo-rn --vocab "$W/vocab.txt.gz" --out "$R/retrained" \
      --epochs 10 --batch-size 64 --lr 2e-3 --warmup 78 --beta2 0.98 --weight-decay 0.01 --seed "$S" --no-tensorboard
fi
[ -f "$R/eval/eval.json" ] || $CC eval --checkpoint "$R/retrained/model.safetensors" --labels filtered --eval-data "$W/world/test" \
    --vocab "$W/vocab.txt.gz" --trigger badnet --patch-size 8 --trigger-seed "$S" --target banana --seed "$S" --metrics ca,asr --out "$R/eval" > "$R/eval.log"
python3 "$(dirname "$0")/filter-synthetic.py" "$R" --out "$R/summary"
