#!/usr/bin/env python3
"""Writes the README's attack x defense table from a `cleanclip matrix` result (matrix.json), with the published numbers
of docs/results/published/par-structured-triggers.json beside the cells they cover (marked as another scale).

    python3 tools/readme-tables/matrix_table.py docs/results/matrix-structured/matrix.json              # print the table
    python3 tools/readme-tables/matrix_table.py docs/results/matrix-structured/matrix.json --write README.md

--write replaces the text between <!-- matrix-table:begin --> and <!-- matrix-table:end -->. matrix.json carries no
machine record: `--record-machine THREADS` adds this machine's (only on the machine that ran the matrix).
"""
import json
import os

from markers import machine_text, main

PUBLISHED = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "results", "published", "par-structured-triggers.json")


def spread(value):
    if not value:
        return "–"
    mean, low, high = 100 * value["mean"], 100 * value["min"], 100 * value["max"]
    return f"{mean:.1f}" if value.get("seeds", 1) == 1 or low == high else f"{mean:.1f} ({low:.1f}–{high:.1f})"


def table(result, source):
    with open(PUBLISHED) as f:
        published = json.load(f)
    lines = ["| attack | defense | CA@1 | ASR@1 | LP ASR | published ASR@1 (RN50 / ViT-B/32) |", "|---|---|---|---|---|---|"]
    for cell in result["summary"]:
        theirs = {c["model"]: c["attack_success_rate"] for c in published["cells"] if c["attack"] == cell["attack"] and c["defense"] == cell["defense"]}
        paper = f"{theirs.get('RN50', '–')} / {theirs.get('ViT-B/32', '–')}" if theirs else ""
        lines.append(f"| {cell['attack']} | {cell['defense']} | {spread(cell.get('clean_accuracy'))} | {spread(cell.get('attack_success_rate'))} | "
                     f"{spread(cell.get('linear_probe_attack_success_rate'))} | {paper} |")
    machine = result.get("machine")
    seeds = ", ".join(str(s) for s in result["seeds"])
    lines.append("")
    lines.append(f"Ours: % on the {result['world_kind'].lower()} world, seed{'s' if len(result['seeds']) > 1 else ''} {seeds}"
                 f"{'; ' + machine_text(machine) if machine else ''}. Published: {published['source']}; {published['scale']}. "
                 f"Written by tools/readme-tables/matrix_table.py from {source}.")
    return "\n".join(lines)


main(__doc__, table, "matrix-table")
