#!/usr/bin/env bash
# How strong a patch `cleanclip trigger optimize` learns against a clean model, by patch size, step count, learning
# rate and triplet weight: its zero-shot ASR@1 on that model before any poisoning. Reads the clean model and
# vocabulary of run.sh's world for seed S (run.sh OUT first; it trains them). Writes one patch and report per setting;
# patch-budget.py tabulates the reports.
# Usage (repository root): experiments/optimized-vs-badnet/patch-budget.sh OUT BUDGET_OUT   SEED=3, CLEANCLIP=path/to/cleanclip
set -euo pipefail
OUT=${1:?usage: patch-budget.sh OUT BUDGET_OUT}; B=${2:?usage: patch-budget.sh OUT BUDGET_OUT}; S=${SEED:-3}; CC=${CLEANCLIP:-cleanclip}
W=$OUT/seed-$S; mkdir -p "$B"
# size, steps, lr, triplet weight
for setting in "8 200 0.001 500" "8 1000 0.001 500" "8 300 0.01 0" "8 300 0.01 500" "8 300 0.05 0" "8 1000 0.01 500" \
               "12 300 0.01 0" "12 300 0.01 500" "12 1000 0.01 500" "12 1000 0.001 500"; do
  set -- $setting
  name="$B/p$1-s$2-lr$3-w$4.npy"
  [ -f "$name.json" ] && continue
  $CC trigger optimize --model "$W/clean/model.safetensors" --vocab "$W/vocab.txt.gz" --eval-data data/fashion-mnist \
      --target sneaker --seed "$S" --patch-size "$1" --steps "$2" --lr "$3" --triplet-weight "$4" --out "$name"
done
