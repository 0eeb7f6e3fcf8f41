#!/usr/bin/env python3
"""Summarizes experiments/optimized-vs-badnet/run.sh over its seeds: per seed, the learned patch's zero-shot ASR@1 on
the clean model, and CA@1 / ASR@1 / linear-probe ASR for BadNet and the optimized patch, poisoned and after CleanCLIP.

    python3 experiments/optimized-vs-badnet/summarize.py OUT --out DIR   # writes DIR/summary.md and DIR/summary.json
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from summaries import arguments, write  # noqa: E402


def pct(x):
    return f"{100 * x:.1f}"


def main():
    args = arguments(__doc__, "summary", "run.sh's output folder (OUT/seed-S/...)")
    seeds = []
    for world in sorted(glob.glob(os.path.join(args.out, "seed-*"))):
        matrix_json, trigger_json = os.path.join(world, "matrix", "matrix.json"), os.path.join(world, "trigger.npy.json")
        if not (os.path.exists(matrix_json) and os.path.exists(trigger_json)):
            continue
        with open(matrix_json) as f:
            matrix = json.load(f)
        with open(trigger_json) as f:
            report = json.load(f)
        trigger, options = report["CleanModelEval"], report["Options"]
        cells = {(c["attack"], c["defense"]): c for c in matrix["cells"]}
        seeds.append({"seed": int(os.path.basename(world)[len("seed-"):]),
                      "patch_size": options["PatchSize"], "optimize_steps": options["Steps"], "optimize_lr": options["LearningRate"],
                      "patch_on_clean_model": {"clean_accuracy": trigger["CleanAccuracy"]["1"], "attack_success_rate": trigger["AttackSuccessRate"]["1"]},
                      "cells": [{k: cells[key][k] for k in ("attack", "defense", "clean_accuracy", "attack_success_rate", "linear_probe_attack_success_rate")}
                                for key in sorted(cells)]})
    seeds.sort(key=lambda s: s["seed"])
    sizes = sorted({s["patch_size"] for s in seeds})
    budgets = sorted({f"{s['optimize_steps']} Adam steps at {s['optimize_lr']:g}" for s in seeds})
    lines = [f"# Optimized patch vs BadNet ({', '.join(map(str, sizes))} px, 5 % dirty label, real-image world), per seed", "",
             "Written by experiments/optimized-vs-badnet/summarize.py. CA@1 / ASR@1 / linear-probe ASR %; the patch's "
             f"zero-shot ASR@1 is on the clean model before any poisoning ({', '.join(budgets)}).", "",
             "| seed | patch on the clean model (CA@1 / ASR@1) | BadNet poisoned | BadNet after CleanCLIP | optimized poisoned | optimized after CleanCLIP |",
             "|---|---|---|---|---|---|"]
    for s in seeds:
        c = {(x["attack"], x["defense"]): x for x in s["cells"]}
        cell = lambda a, d: " / ".join(pct(c[(a, d)][k]) for k in ("clean_accuracy", "attack_success_rate", "linear_probe_attack_success_rate")) if (a, d) in c else "–"
        p = s["patch_on_clean_model"]
        lines.append(f"| {s['seed']} | {pct(p['clean_accuracy'])} / {pct(p['attack_success_rate'])} | {cell('badnet', 'none')} | {cell('badnet', 'cleanclip')} | "
                     f"{cell('optimized', 'none')} | {cell('optimized', 'cleanclip')} |")
    after = lambda a: [next(x["attack_success_rate"] for x in s["cells"] if (x["attack"], x["defense"]) == (a, "cleanclip")) for s in seeds
                       if any((x["attack"], x["defense"]) == (a, "cleanclip") for x in s["cells"])]
    bad, opt = after("badnet"), after("optimized")
    if bad and opt:
        mean = lambda v: pct(sum(v) / len(v))
        higher = sum(o > b for o, b in zip(opt, bad))
        lines += ["", f"Mean ASR@1 after CleanCLIP: optimized {mean(opt)} %, BadNet {mean(bad)} %; the optimized patch keeps more on "
                      f"{higher} of {min(len(opt), len(bad))} seeds."]
    write(args.summary, "summary", {"seeds": seeds}, lines)


if __name__ == "__main__":
    main()
