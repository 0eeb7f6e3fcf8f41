#!/usr/bin/env bash
# Builds one seed's real-image demo world and poisoned model in OUT/seed-S with the commands `cleanclip demo` prints
# (caption-table, poison, vocab, train), so the sweeps clean the same models the demo cleans.
# Usage: world.sh SEED OUT   (CLEANCLIP: the cleanclip executable; run from the repository root)
set -euo pipefail
S=$1; W=$2/seed-$S; CC=${CLEANCLIP:-cleanclip}; D=data/fashion-mnist
if [ -f "$W/poisoned/complete.json" ]; then echo "seed $S: poisoned model exists"; exit 0; fi
if [ -e "$W/real-world" ] || [ -e "$W/poisoned" ] || [ -e "$W/vocab.txt.gz" ]; then
  echo "seed $S: $W holds an unfinished world; remove it (or choose another OUT) and rerun" >&2; exit 1
fi
mkdir -p "$W"
$CC caption-table --data $D --split train --range 0:10000 --seed "$S" --out "$W/real-world/pretrain/table.csv"
$CC caption-table --data $D --split train --range 10000:12000 --seed "$S" --out "$W/real-world/clean/labels.csv"
$CC poison --input "$W/real-world/pretrain/table.csv" --name poisoned --target sneaker --num-poison 500 \
    --trigger badnet --patch-size 8 --seed "$S" --resolution 32 --overwrite
$CC vocab --train-data "$W/real-world/pretrain/poisoned.csv" --size 1014 --classes "$W/real-world/pretrain/classes.json" --out "$W/vocab.txt.gz"
$CC train --train-data "$W/real-world/pretrain/poisoned.csv" --init demo-rn --vocab "$W/vocab.txt.gz" --out "$W/poisoned" \
    --epochs 10 --batch-size 64 --lr 2e-3 --warmup 78 --beta2 0.98 --weight-decay 0.01 --seed "$S" --no-tensorboard \
    --eval-data $D --target sneaker --trigger badnet --patch-size 8 --trigger-seed "$S" --eval-every 10
