#!/usr/bin/env python3
"""Summarizes experiments/scan-detection/crossmodel.sh: per poisoned table, AUROC / precision at the true poison count
of the trusted model's scores (crossmodel and the trusted ensemble at each k, mismatch) and of the single-model
detectors (k = 16; multik k-free) beside them.

    python3 experiments/scan-detection/crossmodel.py OUT --out DIR      # writes DIR/crossmodel.md and DIR/crossmodel.json
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from summaries import arguments, cpu_model, write  # noqa: E402

SINGLE = ["kdist", "slof", "dao", "multik"]


def pick(metrics):
    return {m: metrics[m] for m in ("auroc", "precision_at_poison_count")} if metrics else None


def cell(metrics):
    return f"{metrics['auroc']:.3f} / {metrics['precision_at_poison_count']:.2f}" if metrics else "–"


def main():
    args = arguments(__doc__, "crossmodel", "crossmodel.sh's output folder")
    tables = {}
    for scan_json in sorted(glob.glob(os.path.join(args.out, "*", "k-*", "scan.json"))):
        k = int(os.path.basename(os.path.dirname(scan_json))[2:])
        name = os.path.basename(os.path.dirname(os.path.dirname(scan_json)))
        with open(scan_json) as f:
            scan = json.load(f)
        entry = tables.setdefault(name, {"table": name, "rows": scan["rows"], "crossmodel": {}, "trusted": {}, "single": {}})
        metrics = scan.get("metrics") or {}
        entry["poisoned"] = (metrics.get("crossmodel") or {}).get("poisoned")
        for d in ("crossmodel", "trusted"):
            entry[d][k] = pick(metrics.get(d))
        for d in SINGLE + ["mismatch"]:
            if metrics.get(d):
                entry["single"][d] = pick(metrics[d])
    rows = list(tables.values())
    ks = sorted({k for r in rows for k in r["crossmodel"]})
    machine = {"cpu": cpu_model(), "logical_cpus": os.cpu_count()}
    lines = ["# The crossmodel detector: scanned model against a trusted model", "",
             f"{len(rows)} poisoned tables; machine: {machine['cpu']}, {machine['logical_cpus']} logical CPUs. AUROC / precision at the true "
             "poison count; crossmodel and the trusted ensemble at each k, mismatch (k-free), the single-model detectors at "
             "k = 16 (multik k-free).", "",
             "| table | poisoned of rows | " + " | ".join(f"{d} k {k}" for d in ("crossmodel", "trusted") for k in ks) + " | mismatch | "
             + " | ".join(SINGLE) + " |",
             "|" + "---|" * (3 + 2 * len(ks) + len(SINGLE))]
    for r in rows:
        lines.append(f"| {r['table']} | {r['poisoned']} of {r['rows']} | " + " | ".join(cell(r[d].get(k)) for d in ("crossmodel", "trusted") for k in ks)
                     + " | " + " | ".join(cell(r["single"].get(d)) for d in ["mismatch"] + SINGLE) + " |")
    write(args.summary, "crossmodel", {"machine": machine, "tables": rows}, lines)


if __name__ == "__main__":
    main()
