#!/usr/bin/env bash
# Does a trusted model find the poison (scan --trusted-checkpoint, the crossmodel detector)? Trains the trusted model:
# demo-rn on 10,000 Fashion-MNIST train images the poisoned worlds do not use (20,000-30,000 of the full set, captioned
# with caption-table seed 7, the demo's pretraining recipe, seed 7), then scans each given poisoned table with the model
# trained on it and the trusted model (which embeds the captions too), crossmodel and the trusted ensemble at k 16, 32
# and 64, mismatch and every single-model detector beside them, against the poison manifest, into OUT/NAME/k-K.
# crossmodel.py summarizes.
# Usage (repository root): crossmodel.sh OUT NAME:MODEL:TABLE:MANIFEST ...
#   CLEANCLIP=path/to/cleanclip, FULL=the full Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist, Debian's
#   dataset-fashion-mnist), VOCAB=a vocabulary of the world's captions for the trusted model (default: learned from its table),
#   WORLD=synthetic: the trusted model learns a synthetic world of seed 7 instead (cleanclip synth, 10,000 pairs at 32 px),
#   for tables of the synthetic demo; TRUSTED_SEED=the seed of the trusted model, its captions and its synthetic world (7)
set -euo pipefail
OUT=${1:?usage: crossmodel.sh OUT NAME:MODEL:TABLE:MANIFEST ...}; shift; CC=${CLEANCLIP:-cleanclip}
TS=${TRUSTED_SEED:-7}; FULL=${FULL:-/usr/share/datasets/fashion-mnist}; D=data/fashion-mnist; T=$OUT/trusted; TRUSTED_TABLE=$T/world/table.csv; CLASSES=(--classes "$T/world/classes.json")
EVAL=(--eval-data $D --target sneaker --trigger badnet --patch-size 8 --trigger-seed 1 --eval-every 10)
[ "${WORLD:-real}" = synthetic ] && { EVAL=(); TRUSTED_TABLE=$T/world/train/train.csv; CLASSES=(); }
if [ ! -f "$T/model/model.safetensors" ]; then
  if [ -e "$T" ]; then echo "$T holds an unfinished trusted model; remove it and rerun" >&2; exit 1; fi
  if [ "${WORLD:-real}" = synthetic ]; then
    $CC synth --out "$T/world" --n 10000 --size 32 --seed "$TS" --kind-centred 0.8 --finetune 100 --test 100
  else
    $CC caption-table --data "$FULL" --split train --range 20000:30000 --seed "$TS" --out "$T/world/table.csv"
  fi
  if [ -n "${VOCAB:-}" ]; then cp "$VOCAB" "$T/vocab.txt.gz"
  else $CC vocab --train-data "$TRUSTED_TABLE" --size 1014 "${CLASSES[@]}" --out "$T/vocab.txt.gz"; fi
  $CC train --train-data "$TRUSTED_TABLE" --init demo-rn --vocab "$T/vocab.txt.gz" --out "$T/model" --epochs 10 --batch-size 64 \
      --lr 2e-3 --warmup 78 --beta2 0.98 --weight-decay 0.01 --seed "$TS" --no-tensorboard \
      "${EVAL[@]}"
fi
for spec in "$@"; do
  IFS=: read -r NAME MODEL TABLE MANIFEST <<< "$spec"
  for K in 16 32 64; do
    dir=$OUT/$NAME/k-$K
    [ -f "$dir/scan.json" ] && continue
    rm -rf "$dir"
    $CC scan --checkpoint "$MODEL" --train-data "$TABLE" --manifest "$MANIFEST" --trusted-checkpoint "$T/model/model.safetensors" \
        --trusted-vocab "$T/vocab.txt.gz" --crossmodel-k "$K" --detector all --out "$dir" --cache-dir "$OUT/cache" > "$OUT/$NAME-k$K.log" 2>&1
  done
done
python3 "$(dirname "$0")/crossmodel.py" "$OUT" --out "$OUT/summary"
