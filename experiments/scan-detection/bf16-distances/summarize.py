#!/usr/bin/env python3
"""Summarizes the bf16-distance harness (harness/Program.cs): per table and detector, AUROC / precision at the true
poison count with the reference batches' distances in fp32 and in bf16, mean (min-max) over the partitions.

    python3 experiments/scan-detection/bf16-distances/summarize.py isolated.csv --out DIR   # DIR/bf16-distances.{md,json}
"""
import csv
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from summaries import arguments, cpu_model, write  # noqa: E402

DETECTORS = ["kdist", "slof", "dao", "multik"]


def spread(values):
    return {"mean": sum(values) / len(values), "min": min(values), "max": max(values)}


def text(entry):
    a, p = entry["auroc"], entry["precision"]
    return f"{a['mean']:.3f} ({a['min']:.3f}–{a['max']:.3f}) / {p['mean']:.2f} ({p['min']:.2f}–{p['max']:.2f})"


def main():
    args = arguments(__doc__, "bf16-distances", source="the harness's CSV")
    runs = defaultdict(list)
    with open(args.out) as f:
        for row in csv.DictReader(f):
            runs[(row["cell"], row["detector"], row["precision"].lower())].append((float(row["auroc"]), float(row["p_at_count"])))
    tables = sorted({cell for cell, _, _ in runs})
    seeds = len(next(iter(runs.values())))
    numbers = {"cpu_model": cpu_model(), "partitions": seeds, "tables": {}}
    lines = ["# Reference-batch distances in bf16 against fp32, the same fp32 embeddings", "",
             f"{len(tables)} poisoned tables (demo-rn models, 128-d image embeddings); machine: {cpu_model()}. AUROC / precision at "
             f"the true poison count, mean (min–max) over {seeds} reference-batch partitions; each cell fp32 → bf16.", "",
             "| table | " + " | ".join(DETECTORS) + " |", "|---|" + "---|" * len(DETECTORS)]
    for table in tables:
        numbers["tables"][table] = {}
        cells = []
        for detector in DETECTORS:
            entry = {}
            for precision in ("fp32", "bf16"):
                values = runs[(table, detector, precision)]
                entry[precision] = {"auroc": spread([v[0] for v in values]), "precision": spread([v[1] for v in values])}
            numbers["tables"][table][detector] = entry
            cells.append(f"{text(entry['fp32'])} → {text(entry['bf16'])}")
        lines.append(f"| {table} | " + " | ".join(cells) + " |")
    write(args.summary, "bf16-distances", numbers, lines)


if __name__ == "__main__":
    main()
