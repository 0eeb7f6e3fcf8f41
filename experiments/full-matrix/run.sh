#!/usr/bin/env bash
# The full attack x defense matrix of issue 20, one seed, on the real-image world: every attack (the optimized one with
# a patch from experiments/optimized-vs-badnet, TRIGGER=path/to/trigger.npy) against every defense. Resumable: rerun
# the same command and finished cells are skipped. timing.py (--attacks 10 --defenses 7) reads how long each stage took from the run folder.
# Usage (repository root): experiments/full-matrix/run.sh OUT   TRIGGER=..., SEED=1, CLEANCLIP=path/to/cleanclip
set -euo pipefail
OUT=${1:?usage: run.sh OUT}; CC=${CLEANCLIP:-cleanclip}; S=${SEED:-1}; T=${TRIGGER:?TRIGGER=path/to/trigger.npy (cleanclip trigger optimize)}
$CC matrix --attacks badnet,blended,wanet,sig,label-consistent,badnet-stripes,blended-stripes,blended-triangles,watermark,optimized \
    --trigger-file "$T" --defenses none,mmcl,cleanclip,ssl,supervised,par,filter --seeds "$S" --out "$OUT"
