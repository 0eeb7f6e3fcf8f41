#!/usr/bin/env python3
"""Writes the README's demo table from a `cleanclip demo --seeds` result (seeds.json).

    python3 tools/readme-tables/demo_table.py docs/results/demo-real-seeds.json            # print the table
    python3 tools/readme-tables/demo_table.py docs/results/demo-real-seeds.json --write README.md

--write replaces the text between <!-- demo-table:begin --> and <!-- demo-table:end --> in the given file
(`--marker NAME` for another pair, e.g. demo-table-1thread).
The machine line comes from the result's "machine" record (CPU model, logical CPUs, LibTorch threads), which the
demo writes; `--record-machine THREADS` adds this machine's record to a result written before the demo recorded it
(use it only on the machine that ran the demo).
"""
import sys

from markers import machine_text, main

COLUMNS = [("CA@1", "clean_accuracy"), ("ASR@1", "attack_success_rate"), ("ASR@5", "attack_success_rate5"),
           ("LP ASR", "linear_probe_attack_success_rate")]
LABELS = {"poisoned": "poisoned", "cleanclip": "CleanCLIP", "mmcl": "MMCL-only", "ssl": "SSL-only",
          "supervised": "supervised finetuning"}


def cell(values):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    mean = 100 * sum(values) / len(values)
    return f"{mean:.1f} ({100 * min(values):.1f}–{100 * max(values):.1f})"


def table(result, source):
    runs = result["runs"]
    stages = [row["stage"] for row in runs[0]["rows"]]
    lines = ["| model | " + " | ".join(name for name, _ in COLUMNS) + " |",
             "|---|" + "---|" * len(COLUMNS)]
    for stage in stages:
        rows = [next(r for r in run["rows"] if r["stage"] == stage) for run in runs]
        lines.append(f"| {LABELS.get(stage, stage)} | " + " | ".join(cell([r.get(key) for r in rows]) for _, key in COLUMNS) + " |")
    machine = result.get("machine")
    if machine is None:
        sys.exit("the result has no machine record: run the demo again, or --record-machine on the machine that ran it")
    seeds = ", ".join(str(s) for s in result["seeds"])
    minutes = result["total_seconds"] / 60 / len(runs)
    lines.append("")
    lines.append(f"Mean (min–max) in % over seeds {seeds} of `cleanclip demo --seeds {','.join(str(s) for s in result['seeds'])}` "
                 f"({result['world_kind']} world, {result['trigger']} → {result['target']}); {machine_text(machine)}, "
                 f"{minutes:.1f} min per seed. Written by tools/readme-tables/demo_table.py from "
                 f"{source}.")
    return "\n".join(lines)


main(__doc__, table, "demo-table")
