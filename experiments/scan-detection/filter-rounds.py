#!/usr/bin/env python3
"""Summarizes filter-retrain.sh runs: per seed and round, the scan's AUROC and precision at the true poison count
(primary detector), how many poisoned pairs the filtered table still holds, and the retrained model's CA@1 / ASR@1.

    python3 experiments/scan-detection/filter-rounds.py FRONTIER_OUT RESULT_DIR ... --out DIR   # DIR/filter-rounds.md/.json
"""
import argparse
import csv
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from summaries import write  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("frontier", help="experiments/cleaning-frontier's output folder (the poisoned tables)")
    parser.add_argument("results", nargs="+", help="filter-retrain.sh RESULT_DIRs, each named ...seedS")
    parser.add_argument("--out", required=True, help="folder for filter-rounds.md and filter-rounds.json")
    args = parser.parse_args()
    rows = []
    for result in args.results:
        seed = int(re.search(r"seed-?(\d+)$", os.path.basename(os.path.normpath(result))).group(1))
        pretrain = os.path.join(args.frontier, f"seed-{seed}", "real-world", "pretrain")
        for round_dir in sorted(glob.glob(os.path.join(result, "round-*")), key=lambda d: int(d.rsplit("-", 1)[1])):
            number = int(round_dir.rsplit("-", 1)[1])
            with open(os.path.join(round_dir, "scan", "scan.json")) as f:
                scan = json.load(f)
            metrics = scan["metrics"][scan["primary"]]
            with open(os.path.join(pretrain, f"poisoned.{os.path.basename(os.path.normpath(result))}-round-{number}.csv")) as f:
                table = list(csv.DictReader(f))
            with open(os.path.join(round_dir, "retrained", "metrics.jsonl")) as f:
                epoch = [json.loads(line) for line in f if '"kind":"epoch"' in line][-1]
            rows.append({"seed": seed, "round": number, "scanned_rows": scan["rows"], "poisoned_scanned": metrics["poisoned"],
                         "detector": scan["primary"], "auroc": metrics["auroc"], "precision_at_poison_count": metrics["precision_at_poison_count"],
                         "removed": scan["rows"] - len(table), "poisoned_left": sum(int(r["is_backdoor"]) for r in table), "rows_left": len(table),
                         "clean_accuracy": epoch["clean_accuracy"], "attack_success_rate": epoch["attack_success_rate"]})
    rows.sort(key=lambda r: (r["seed"], r["round"]))
    lines = ["# Scan, filter, retrain in rounds", "",
             "Written by experiments/scan-detection/filter-rounds.py. Each round scans its table with the model trained on it "
             "(round 1: the poisoned model), drops the top-scoring rows and trains the demo's model afresh on the rest; CA@1 / "
             "ASR@1 % of that model on the shipped test images.", "",
             "| seed | round | scanned: poisoned of rows | detector AUROC / precision | removed | poisoned left of rows | retrained CA@1 / ASR@1 |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['seed']} | {r['round']} | {r['poisoned_scanned']} of {r['scanned_rows']} | {r['detector']} {r['auroc']:.3f} / "
                     f"{r['precision_at_poison_count']:.2f} | {r['removed']} | {r['poisoned_left']} of {r['rows_left']} | "
                     f"{100 * r['clean_accuracy']:.1f} / {100 * r['attack_success_rate']:.1f} |")
    write(args.out, "filter-rounds", {"rounds": rows}, lines)


if __name__ == "__main__":
    main()
