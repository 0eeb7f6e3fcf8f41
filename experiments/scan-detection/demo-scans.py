#!/usr/bin/env python3
"""The scan stage of `cleanclip demo --seeds`, over worlds, seeds and thread counts: for each run of the given seed-sweep
summaries (docs/results/demo-*-seeds*.json, whose run folders must still exist), every detector's AUROC and precision at
the true poison count from the run's scan/scan.json, next to the poisoned model's CA@1 / ASR@1.

    python3 experiments/scan-detection/demo-scans.py SEEDS.json ... --out DIR   # writes DIR/demo-scans.md and .json
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from summaries import inputs, write  # noqa: E402
from summarize import detectors_of, model_cell, table  # noqa: E402


def main():
    args = inputs(__doc__, "demo-scans", "cleanclip-demo-seeds/1 summaries")

    rows = []
    for path in args.inputs:
        with open(path) as f:
            sweep = json.load(f)
        machine = sweep["machine"]
        for run in sweep["runs"]:
            with open(os.path.join(run["output"], "scan", "scan.json")) as f:
                scan = json.load(f)
            poisoned = next(r for r in run["rows"] if r["stage"] == "poisoned")
            detectors = detectors_of(scan)
            first = next(iter((scan.get("metrics") or {}).values()), {}) or {}
            rows.append({"world": sweep["world_kind"], "trigger": sweep["trigger"], "seed": run["seed"],
                         "threads": machine["torch_threads"], "rows": scan["rows"], "poisoned": first.get("poisoned"),
                         "k": scan["k"], "reference_batch": scan["reference_batch"],
                         "clean_accuracy": poisoned["clean_accuracy"], "attack_success_rate": poisoned["attack_success_rate"],
                         "detectors": detectors, "cpu": machine["cpu_model"], "logical_cpus": machine["logical_cpus"]})
    rows.sort(key=lambda r: (r["world"], r["threads"], r["seed"]))
    cpus = sorted({f"{r['cpu']}, {r['logical_cpus']} logical CPUs" for r in rows})
    lines = [f"# The demo's scan stage: AUROC / precision at the true poison count", "",
             f"Written by experiments/scan-detection/demo-scans.py from {len(rows)} demo runs; machine: {'; '.join(cpus)}. "
             "The demo scans its poisoned pretraining table with the poisoned model (k and reference batch as listed; "
             "no setting chosen from the true rate). CA@1 / ASR@1 % of the poisoned model.", ""]
    lines += table(rows, ["world", "trigger", "threads", "seed", "poisoned of rows", "CA@1 / ASR@1"], lambda r: [
        r["world"], r["trigger"], str(r["threads"]), str(r["seed"]), f"{r['poisoned']} of {r['rows']}", model_cell(r)])
    write(args.out, "demo-scans", {"runs": rows}, lines)


if __name__ == "__main__":
    main()
