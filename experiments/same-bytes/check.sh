#!/usr/bin/env bash
# Same-bytes check of training across two builds: run it with each build's cleanclip and compare the printed hashes.
# Usage: experiments/same-bytes/check.sh CLEANCLIP OUT   (a tiny synthetic world; about 15 s)
set -euo pipefail
CC=$1; O=$2
if [ -e "$O" ] && [ -n "$(ls -A "$O")" ]; then echo "$O is not empty: give a new folder" >&2; exit 1; fi
mkdir -p "$O"
export OMP_NUM_THREADS=1
$CC synth --out $O/w --n 256 --finetune 128 --test 96 --size 32 --seed 3 > /dev/null
$CC vocab --train-data $O/w/train/train.csv --size 700 --out $O/vocab.txt.gz > /dev/null
T="--vocab $O/vocab.txt.gz --batch-size 32 --no-tensorboard --seed 2"
$CC train --train-data $O/w/train/train.csv --init tiny-rn --out $O/train --epochs 2 --lr 1e-3 --warmup 2 $T > /dev/null
$CC clean --checkpoint $O/train/model.safetensors --train-data $O/w/finetune/finetune.csv --out $O/clean --epochs 2 --lr 1e-4 --warmup 2 $T --eval-data $O/w/test --target 0 > /dev/null
$CC clean --checkpoint $O/train/model.safetensors --train-data $O/w/finetune/finetune.csv --out $O/par --method Par --epochs 1 --lr 1e-4 --warmup 2 $T > /dev/null
$CC finetune-supervised --checkpoint $O/train/model.safetensors --train-data $O/w/test --out $O/sup --epochs 2 --batch-size 16 --lr 1e-4 --warmup 2 --seed 2 > /dev/null
$CC finetune-supervised --checkpoint $O/train/model.safetensors --train-data $O/w/test --out $O/sup2 --epochs 2 --batch-size 16 --lr 1e-4 --warmup 2 --seed 2 --stop-after 3 > /dev/null
$CC finetune-supervised --resume $O/sup2 > /dev/null
$CC clean --checkpoint $O/train/model.safetensors --train-data $O/w/finetune/finetune.csv --out $O/clean2 --epochs 2 --lr 1e-4 --warmup 2 $T --stop-after 5 > /dev/null
$CC clean --resume $O/clean2 > /dev/null
cd $O; for f in train clean par sup sup2 clean2; do echo "$f $(sha256sum < $f/model.safetensors | cut -c1-16) $(sed -E 's/"elapsed_seconds":[^,]*,//; s/"pairs_per_second":[^,}]*//' $f/metrics.jsonl | sha256sum | cut -c1-16)"; done; sha256sum sup/head.safetensors sup2/head.safetensors | cut -c1-16
