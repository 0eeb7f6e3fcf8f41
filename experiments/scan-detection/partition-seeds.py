#!/usr/bin/env python3
"""Summarizes experiments/scan-detection/partition-seeds.sh: per cell and detector, AUROC and precision at the true
poison count over the scans of every reference-batch partition seed (cell/partition-*/scan.json), as mean (min–max).

    python3 experiments/scan-detection/partition-seeds.py OUT --out DIR   # writes DIR/partition-seeds.md and .json
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from summaries import arguments, cpu_model, write  # noqa: E402
from summarize import detectors_of  # noqa: E402


def spread(values):
    return f"{sum(values) / len(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def main():
    args = arguments(__doc__, "partition-seeds")
    cells = []
    for cell in sorted(glob.glob(os.path.join(args.out, "seed-*", "cells", "*"))):
        scans = sorted(glob.glob(os.path.join(cell, "partition-*", "scan.json")))
        if not scans:
            continue
        runs = []
        for path in scans:
            with open(path) as f:
                scan = json.load(f)
            runs.append({"partition_seed": scan["seed"], "detectors": detectors_of(scan)})
        cells.append({"world_seed": int(os.path.basename(os.path.dirname(os.path.dirname(cell)))[len("seed-"):]),
                      "cell": os.path.basename(cell), "runs": runs})
    names = sorted({d for c in cells for r in c["runs"] for d in r["detectors"]})
    lines = ["# Scan results over reference-batch partitions", "",
             f"Written by experiments/scan-detection/partition-seeds.py. The same model and embeddings per cell, scanned "
             f"with `--seed` 1..{max((len(c['runs']) for c in cells), default=0)} (which rows share a reference batch); "
             "AUROC and precision at the true poison count as mean (min–max) over the partitions.", "",
             "| world seed | cell | partitions | " + " | ".join(f"{n} AUROC | {n} precision" for n in names) + " |",
             "|---|---|---|" + "---|---|" * len(names)]
    for c in cells:
        cols = []
        for n in names:
            a = [r["detectors"][n]["auroc"] for r in c["runs"] if n in r["detectors"]]
            p = [r["detectors"][n]["precision_at_poison_count"] for r in c["runs"] if n in r["detectors"]]
            cols += [spread(a), spread(p)] if a else ["–", "–"]
        lines.append(f"| {c['world_seed']} | {c['cell']} | {len(c['runs'])} | " + " | ".join(cols) + " |")
    write(args.summary, "partition-seeds", {"machine": {"cpu": cpu_model(), "logical_cpus": os.cpu_count()}, "cells": cells}, lines)


if __name__ == "__main__":
    main()
