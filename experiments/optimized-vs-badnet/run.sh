#!/usr/bin/env bash
# Does BadCLIP's optimized trigger survive CleanCLIP better than BadNet at the same poison count (issue 20)? On the
# real-image demo world of seed S: train the demo's model on the clean pretraining pairs, learn a PATCH px patch
# against it (`cleanclip trigger optimize` with its defaults, target sneaker; its zero-shot ASR on the clean model is
# in trigger.npy.json), then `cleanclip matrix` with the attacks badnet and optimized (both PATCH px, 5 % dirty-label
# poison) and the defenses none and cleanclip, with the demo's recipe. Rerunning continues (finished steps and matrix
# cells are kept). Usage (repository root): experiments/optimized-vs-badnet/run.sh OUT   SEED=1, PATCH=12, CLEANCLIP=path/to/cleanclip
set -euo pipefail
OUT=${1:?usage: run.sh OUT}; S=${SEED:-1}; P=${PATCH:-12}; CC=${CLEANCLIP:-cleanclip}; D=data/fashion-mnist
W=$OUT/seed-$S
if [ ! -f "$W/vocab.txt.gz" ]; then
  if [ -e "$W" ]; then echo "$W holds an unfinished world; remove it (or choose another OUT) and rerun" >&2; exit 1; fi
  $CC caption-table --data $D --split train --range 0:10000 --seed "$S" --out "$W/world/table.csv"
  $CC vocab --train-data "$W/world/table.csv" --size 1014 --classes "$W/world/classes.json" --out "$W/vocab.txt.gz"
fi
if [ ! -f "$W/clean/complete.json" ]; then
  rm -rf "$W/clean"
  $CC train --train-data "$W/world/table.csv" --init demo-rn --vocab "$W/vocab.txt.gz" --out "$W/clean" \
      --epochs 10 --batch-size 64 --lr 2e-3 --warmup 78 --beta2 0.98 --weight-decay 0.01 --seed "$S" --no-tensorboard
fi
if [ ! -f "$W/trigger.npy.json" ]; then
  rm -f "$W/trigger.npy"
  $CC trigger optimize --model "$W/clean/model.safetensors" --vocab "$W/vocab.txt.gz" --eval-data $D --target sneaker \
      --patch-size "$P" --seed "$S" --out "$W/trigger.npy"
fi
$CC matrix --attacks badnet,optimized --trigger-file "$W/trigger.npy" --patch-size "$P" --defenses none,cleanclip --seeds "$S" --out "$W/matrix"
