#!/usr/bin/env python3
"""Tabulates patch-budget.sh: per setting, the patch's mean cosine to the target text before and after optimizing and
its zero-shot CA@1 / ASR@1 / ASR@5 on the clean model.

    python3 experiments/optimized-vs-badnet/patch-budget.py BUDGET_OUT --out DIR   # writes DIR/patch-budget.md and .json
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from summaries import arguments, write  # noqa: E402


def main():
    args = arguments(__doc__, "patch-budget", "patch-budget.sh's output folder")
    rows = []
    for path in glob.glob(os.path.join(args.out, "*.json")):
        with open(path) as f:
            r = json.load(f)
        o, e = r["Options"], r["CleanModelEval"]
        rows.append({"patch_size": o["PatchSize"], "steps": o["Steps"], "lr": o["LearningRate"], "triplet_weight": o["TripletWeight"],
                     "seed": o["Seed"], "cosine_before": r["InitialTargetCosine"], "cosine_after": r["FinalTargetCosine"],
                     "clean_accuracy": e["CleanAccuracy"]["1"], "asr1": e["AttackSuccessRate"]["1"], "asr5": e["AttackSuccessRate"]["5"]})
    rows.sort(key=lambda r: (r["patch_size"], r["triplet_weight"] > 0, r["lr"], r["steps"]))
    lines = ["# Learned patch strength by optimization budget (clean model, before any poisoning)", "",
             "Written by experiments/optimized-vs-badnet/patch-budget.py from the reports of patch-budget.sh. Cosine: mean cosine "
             "of triggered images to the target text; CA@1 / ASR@1 / ASR@5 %: zero-shot on the real-image world's test images.", "",
             "| patch px | steps | lr | triplet weight | seed | cosine before → after | CA@1 | ASR@1 | ASR@5 |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['patch_size']} | {r['steps']} | {r['lr']:g} | {r['triplet_weight']:g} | {r['seed']} | {r['cosine_before']:.3f} → {r['cosine_after']:.3f} | "
                     f"{100 * r['clean_accuracy']:.1f} | {100 * r['asr1']:.1f} | {100 * r['asr5']:.1f} |")
    write(args.summary, "patch-budget", {"settings": rows}, lines)


if __name__ == "__main__":
    main()
