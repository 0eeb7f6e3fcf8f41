#!/usr/bin/env python3
"""Summarizes experiments/scan-detection/pmi.sh: per poisoned table, AUROC / precision at the true poison count of every
detector as the mean and min-max over the reference-batch partitions scanned.

    python3 experiments/scan-detection/pmi.py OUT --out DIR      # writes DIR/pmi.md and DIR/pmi.json
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from summaries import arguments, cpu_model, write  # noqa: E402

DETECTORS = ["kdist", "slof", "dao", "multik", "samecaption", "pmi", "combined"]


def spread(values):
    return {"mean": sum(values) / len(values), "min": min(values), "max": max(values)} if values else None


def cell(entry):
    a, p = entry["auroc"], entry["precision"]
    if a is None:
        return "–"
    if a["min"] == a["max"] and p["min"] == p["max"]:
        return f"{a['mean']:.3f} / {p['mean']:.2f}"
    return f"{a['mean']:.3f} ({a['min']:.3f}–{a['max']:.3f}) / {p['mean']:.2f} ({p['min']:.2f}–{p['max']:.2f})"


def main():
    args = arguments(__doc__, "pmi", "pmi.sh's output folder")
    tables = []
    for folder in sorted(glob.glob(os.path.join(args.out, "*"))):
        scans = []
        for scan_json in sorted(glob.glob(os.path.join(folder, "seed-*", "scan.json"))):
            with open(scan_json) as f:
                scans.append(json.load(f))
        if not scans:
            continue
        metrics = [s.get("metrics") or {} for s in scans]
        entry = {"table": os.path.basename(folder), "rows": scans[0]["rows"], "partitions": [s["seed"] for s in scans],
                 "primary": scans[0]["primary"], "logit_scale": scans[0].get("logit_scale"),
                 "poisoned": (metrics[0].get("multik") or {}).get("poisoned"), "detectors": {}}
        for d in DETECTORS:
            found = [m[d] for m in metrics if m.get(d)]
            if not found and d == "samecaption":
                continue  # scans from before samecaption existed
            entry["detectors"][d] = {"auroc": spread([m["auroc"] for m in found]),
                                     "precision": spread([m["precision_at_poison_count"] for m in found])}
        tables.append(entry)
    machine = {"cpu": cpu_model(), "logical_cpus": os.cpu_count()}
    partitions = sorted({p for t in tables for p in t["partitions"]})
    columns = [d for d in DETECTORS if any(d in t["detectors"] for t in tables)]
    samecaption = ", samecaption at k = 16" if "samecaption" in columns else ""
    lines = ["# The caption side of the scanned model: pmi and combined", "",
             f"{len(tables)} poisoned tables; machine: {machine['cpu']}, {machine['logical_cpus']} logical CPUs. AUROC / precision at the "
             f"true poison count, mean (min–max) over the reference-batch partitions (scan --seed {', '.join(map(str, partitions))}); "
             f"kdist, slof and dao at k = 16, multik, pmi and combined k-free{samecaption}; pmi at each model's own temperature.", "",
             "| table | poisoned of rows | " + " | ".join(columns) + " |",
             "|" + "---|" * (2 + len(columns))]
    for t in tables:
        lines.append(f"| {t['table']} | {t['poisoned']} of {t['rows']} | " + " | ".join(cell(t["detectors"][d]) for d in columns) + " |")
    write(args.summary, "pmi", {"machine": machine, "tables": tables}, lines)


if __name__ == "__main__":
    main()
