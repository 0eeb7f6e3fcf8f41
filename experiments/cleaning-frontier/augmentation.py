#!/usr/bin/env python3
"""Summarizes augmentation.sh: each cleaning run of the given sweeps, CA@1 / ASR@1 % at its last evaluation, by method,
in-modal augmentation, epochs, λ2, seed and LibTorch threads.

    python3 experiments/cleaning-frontier/augmentation.py THREADS:SWEEP ... --out DIR   # DIR/augmentation.{md,json}
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from summaries import cpu_model, inputs, write  # noqa: E402


def last_evaluation(folder):
    last = None
    with open(os.path.join(folder, "metrics.jsonl")) as f:
        for line in f:
            entry = json.loads(line)
            if entry.get("kind") == "epoch" and "clean_accuracy" in entry:
                last = entry
    return last


def main():
    args = inputs(__doc__, "augmentation", "THREADS:SWEEP, a `cleanclip sweep` folder and the LibTorch threads it ran with")
    runs = []
    for item in args.inputs:
        threads, sweep = item.split(":", 1)
        with open(os.path.join(sweep, "sweep.json")) as f:
            points = json.load(f)["points"]
        for point in points:
            with open(os.path.join(point["folder"], "config.json")) as f:
                options = json.load(f)["run"]["options"]
            evaluation = last_evaluation(point["folder"])
            if evaluation is None:
                continue
            runs.append({"threads": int(threads), "seed": options["seed"], "method": options["method"],
                         "augmentation": (options["image_augmentation"] + (", symmetric" if options["symmetric_in_modal"] else ""))
                         if options["method"] != "mmcl" else None,
                         "lr": options["learning_rate"], "epochs": options["epochs"],
                         "inmodal_weight": options["in_modal_weight"] if options["method"] != "mmcl" else None,
                         "clean_accuracy": evaluation["clean_accuracy"], "attack_success_rate": evaluation["attack_success_rate"]})
    runs.sort(key=lambda r: (r["method"], r["epochs"], r["inmodal_weight"] or 0, r["threads"], r["seed"]))
    lines = ["# In-modal views (SimCLR-style or AutoAugment) and weight", "",
             f"Machine: {cpu_model()}. CA@1 / ASR@1 % at the end of each cleaning run (lr 1e-3, batch 64).", "",
             "| method | views | epochs | λ2 | threads | seed | CA@1 / ASR@1 |", "|---|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r['method']} | {r['augmentation'] or '–'} | {r['epochs']} | {r['inmodal_weight'] if r['inmodal_weight'] is not None else '–'} "
                     f"| {r['threads']} | {r['seed']} | {100 * r['clean_accuracy']:.1f} / {100 * r['attack_success_rate']:.1f} |")
    write(args.out, "augmentation", {"cpu_model": cpu_model(), "runs": runs}, lines)


if __name__ == "__main__":
    main()
