#!/usr/bin/env bash
# How well `cleanclip scan` finds the poison (issue 19): on the real-image demo world of seed S (Fashion-MNIST train
# images 0-10,000, captioned as the demo does), for each trigger and poison count, poison the table, train the demo's
# model on it with the demo's pretraining recipe (its zero-shot CA/ASR@1 on the shipped test images at the end), and
# scan the poisoned table with that model against the poison manifest (every detector). Then summarize.py writes the
# table. Rerunning skips finished cells (a cell is finished when its scan.json exists).
# Usage (repository root): experiments/scan-detection/run.sh OUT   SEED=1, TRIGGERS="badnet blended wanet badnet-stripes",
#   COUNTS="500 50" (of 10,000 pairs: 5% and 0.5%), CLEANCLIP=path/to/cleanclip, TEMPLATES=classes.json (poisoned captions
#   from that file's templates, e.g. the 80 of CIFAR-100's zero-shot file, instead of the world's own; cells get "-templates"),
#   DATA=folder the world's images come from (default the shipped subset; /usr/share/datasets/fashion-mnist is all 60,000
#   training images from Debian's dataset-fashion-mnist), RANGE=train images of the world (default 0:10000; 0:60000 with
#   COUNTS=60 gives the 0.1 % cells). Evaluation always uses the shipped subset's 2,000 test images.
#   WORLD=synthetic: the demo's synthetic world of seed S instead (cleanclip synth, 10,000 pairs at 32 px, target banana,
#   evaluated on its 1,000 test images).
# The scans embed the captions too (--vocab), so they score pmi and combined beside the image-only detectors.
set -euo pipefail
OUT=${1:?usage: run.sh OUT}; S=${SEED:-1}; CC=${CLEANCLIP:-cleanclip}; D=data/fashion-mnist
DATA=${DATA:-$D}; RANGE=${RANGE:-0:10000}
TRIGGERS=${TRIGGERS:-"badnet blended wanet badnet-stripes"}; COUNTS=${COUNTS:-"500 50"}
TEMPLATE_ARGS=(); SUFFIX=""; if [ -n "${TEMPLATES:-}" ]; then TEMPLATE_ARGS=(--templates "$TEMPLATES"); SUFFIX=-templates; fi
W=$OUT/seed-$S
TABLES=$W/world; INPUT=$W/world/table.csv; TARGET=sneaker; EVAL=$D; CLASSES=$W/world/classes.json
if [ "${WORLD:-real}" = synthetic ]; then
  TABLES=$W/world/train; INPUT=$W/world/train/train.csv; TARGET=banana; EVAL=$W/world/test; CLASSES=$W/world/test/classes.json
fi
if [ ! -f "$W/vocab.txt.gz" ]; then
  if [ -e "$W" ]; then echo "$W holds an unfinished world; remove it (or choose another OUT) and rerun" >&2; exit 1; fi
  if [ "${WORLD:-real}" = synthetic ]; then
    $CC synth --out "$W/world" --n 10000 --finetune 5000 --test 1000 --size 32 --seed "$S" --kind-centred 0.8
  else
    $CC caption-table --data "$DATA" --split train --range "$RANGE" --seed "$S" --out "$INPUT"
  fi
  $CC vocab --train-data "$INPUT" --size 1014 --classes "$CLASSES" --out "$W/vocab.txt.gz"
fi
for T in $TRIGGERS; do
  for N in $COUNTS; do
    C=$T-$N$SUFFIX; cell=$W/cells/$C
    [ -f "$cell/scan/scan.json" ] && { echo "$C: done"; continue; }
    mkdir -p "$cell"
    $CC poison --input "$INPUT" --name "$C" --target $TARGET --num-poison "$N" --trigger "$T" --patch-size 8 \
        --seed "$S" --resolution 32 --overwrite "${TEMPLATE_ARGS[@]}"
    rm -rf "$cell/model"
    $CC train --train-data "$TABLES/$C.csv" --init demo-rn --vocab "$W/vocab.txt.gz" --out "$cell/model" \
        --epochs 10 --batch-size 64 --lr 2e-3 --warmup 78 --beta2 0.98 --weight-decay 0.01 --seed "$S" --no-tensorboard \
        --eval-data "$EVAL" --target $TARGET --trigger "$T" --patch-size 8 --trigger-seed "$S" --eval-every 10
    rm -rf "$cell/scan"
    $CC scan --checkpoint "$cell/model/model.safetensors" --train-data "$TABLES/$C.csv" --manifest "$TABLES/$C/manifest.json" \
        --vocab "$W/vocab.txt.gz" --detector all --out "$cell/scan" --cache-dir "$OUT/cache"
  done
done
python3 "$(dirname "$0")/summarize.py" "$OUT" --out "$OUT/summary"
