#!/usr/bin/env python3
"""Summarizes filter-synthetic.sh runs: per run, the scan's primary detector AUROC and precision at the true poison
count, how many poisoned pairs the filtered table still holds, and the retrained model's zero-shot CA@1 / ASR@1.

    python3 experiments/scan-detection/filter-synthetic.py RESULT_DIR ... --out DIR   # DIR/filter-synthetic.md/.json
"""
import csv
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from summaries import cpu_model, inputs, write  # noqa: E402


def main():
    args = inputs(__doc__, "filter-synthetic", "filter-synthetic.sh RESULT_DIRs")
    runs = []
    for folder in args.inputs:
        with open(os.path.join(folder, "scan", "scan.json")) as f:
            scan = json.load(f)
        primary = scan["primary"]
        metrics = scan["metrics"][primary]
        filtered = scan["filter"]
        with open(filtered["output"]) as f:
            rows = list(csv.DictReader(f))
        with open(os.path.join(folder, "eval", "eval.json")) as f:
            model = json.load(f)["checkpoints"][0]
        runs.append({"run": os.path.basename(os.path.normpath(folder)), "rows": scan["rows"], "poisoned": metrics["poisoned"],
                     "detector": primary, "auroc": metrics["auroc"], "precision": metrics["precision_at_poison_count"],
                     "removed": filtered["removed"], "left": sum(r.get("is_backdoor") == "1" for r in rows), "kept": len(rows),
                     "clean_accuracy": model["clean_accuracy"]["1"], "attack_success_rate": model["attack_success_rate"]["1"]})
    machine = {"cpu": cpu_model(), "logical_cpus": os.cpu_count()}
    lines = ["# One round of scan, filter, retrain on the synthetic world", "",
             f"Written by experiments/scan-detection/filter-synthetic.py; machine: {machine['cpu']}, {machine['logical_cpus']} logical CPUs. "
             "The demo's poisoned synthetic table scanned with its poisoned model and vocabulary, the top rows dropped, the demo's "
             "model trained afresh on the rest; its zero-shot CA@1 / ASR@1 % on the synthetic test images.", "",
             "| run | scanned: poisoned of rows | detector AUROC / precision | removed | poisoned left of rows | retrained CA@1 / ASR@1 |",
             "|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r['run']} | {r['poisoned']} of {r['rows']} | {r['detector']} {r['auroc']:.3f} / {r['precision']:.2f} | {r['removed']} | "
                     f"{r['left']} of {r['kept']} | {100 * r['clean_accuracy']:.1f} / {100 * r['attack_success_rate']:.1f} |")
    write(args.out, "filter-synthetic", {"machine": machine, "runs": runs}, lines)


if __name__ == "__main__":
    main()
