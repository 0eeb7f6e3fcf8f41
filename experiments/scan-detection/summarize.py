#!/usr/bin/env python3
"""Summarizes experiments/scan-detection/run.sh: one row per (seed, trigger, poison count) with the poisoned model's
zero-shot CA@1 / ASR@1 at the end of training and each detector's AUROC and precision at the true poison count.

    python3 experiments/scan-detection/summarize.py OUT --out DIR      # writes DIR/detection.md and DIR/detection.json
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from summaries import arguments, cpu_model, write  # noqa: E402


def last_epoch(metrics):
    with open(metrics) as f:
        epochs = [json.loads(line) for line in f if '"kind":"epoch"' in line]
    return epochs[-1] if epochs else {}


def detectors_of(scan):
    """Each detector's AUROC and precision at the true poison count, from a scan.json with ground truth."""
    return {name: {"auroc": m["auroc"], "precision_at_poison_count": m["precision_at_poison_count"]}
            for name, m in (scan.get("metrics") or {}).items() if m}


def table(rows, columns, lead):
    """Markdown rows: the lead columns of each row (lead(row) gives their cells), then AUROC / precision per detector."""
    names = sorted({d for r in rows for d in r["detectors"]})
    lines = ["| " + " | ".join(columns + names) + " |", "|" + "---|" * (len(columns) + len(names))]
    for r in rows:
        cells = [f"{r['detectors'][n]['auroc']:.3f} / {r['detectors'][n]['precision_at_poison_count']:.2f}" if n in r["detectors"] else "–" for n in names]
        lines.append("| " + " | ".join(lead(r) + cells) + " |")
    return lines


def model_cell(row):
    ca, asr = row["clean_accuracy"], row["attack_success_rate"]
    return f"{100 * ca:.1f} / {100 * asr:.1f}" if ca is not None and asr is not None else "–"



def main():
    args = arguments(__doc__, "detection")
    rows = []
    for scan_json in sorted(glob.glob(os.path.join(args.out, "seed-*", "cells", "*", "scan", "scan.json"))):
        cell = os.path.dirname(os.path.dirname(scan_json))
        seed = os.path.basename(os.path.dirname(os.path.dirname(cell)))[len("seed-"):]
        name = os.path.basename(cell)
        captions = "templates" if name.endswith("-templates") else "world"
        trigger, count = name.removesuffix("-templates").rsplit("-", 1)
        with open(scan_json) as f:
            scan = json.load(f)
        epoch = last_epoch(os.path.join(cell, "model", "metrics.jsonl"))
        detectors = detectors_of(scan)
        rows.append({"seed": int(seed), "trigger": trigger, "captions": captions, "poisoned": int(count), "rows": scan["rows"],
                     "clean_accuracy": epoch.get("clean_accuracy"), "attack_success_rate": epoch.get("attack_success_rate"),
                     "table": scan["table"], "primary": scan["primary"], "k": scan["k"], "reference_batch": scan["reference_batch"], "detectors": detectors})
    rows.sort(key=lambda r: (r["seed"], r["trigger"], r["captions"] != "world", -r["poisoned"]))
    machine = {"cpu": cpu_model(), "logical_cpus": os.cpu_count()}
    # run.sh's synthetic world keeps its tables in world/train, the real one in world.
    synthetic = bool(rows) and all("/world/train/" in r["table"] for r in rows)
    lines = [f"# Scan detection on the {'synthetic' if synthetic else 'real-image'} demo world", "",
             f"{len(rows)} cells; machine: {machine['cpu']}, {machine['logical_cpus']} logical CPUs. Model CA@1 / ASR@1 % after "
             "pretraining on the poisoned table; per detector AUROC / precision at the true poison count "
             "(k = 16 and reference batch as recorded; multik is k-free). The attack succeeded where ASR@1 ≥ 50 %.", ""]
    lines += table(rows, ["seed", "trigger", "poisoned of rows", "CA@1 / ASR@1"], lambda r: [
        str(r["seed"]), r["trigger"] + ("" if r["captions"] == "world" else " (captions from TEMPLATES)"),
        f"{r['poisoned']} of {r['rows']}", model_cell(r)])
    write(args.summary, "detection", {"machine": machine, "cells": rows}, lines)


if __name__ == "__main__":
    main()
