#!/usr/bin/env python3
"""Writes the README's full attack x defense grid from a `cleanclip matrix` result (matrix.json): one row per attack,
one column per defense, each cell "ASR@1 (linear-probe ASR)" in %, and a last row with each defense's mean CA@1 over
the attacks. Cells the run has not finished are "…".

    python3 tools/readme-tables/matrix_grid.py docs/results/full-matrix/matrix.json              # print the grid
    python3 tools/readme-tables/matrix_grid.py docs/results/full-matrix/matrix.json --write README.md

--write replaces the text between <!-- matrix-grid:begin --> and <!-- matrix-grid:end -->. `--record-machine THREADS`
adds this machine's record to matrix.json (only on the machine that ran the matrix).
"""
from markers import machine_text, main


def grid(result, source):
    cells = {(c["attack"], c["defense"]): c for c in result["summary"]}
    defenses = result["defenses"]
    lines = ["| attack | " + " | ".join(defenses) + " |", "|---|" + "---|" * len(defenses)]

    def cell(attack, defense):
        c = cells.get((attack, defense))
        if not c or not c.get("attack_success_rate"):
            return "…"
        text = f"{100 * c['attack_success_rate']['mean']:.1f}"
        probe = c.get("linear_probe_attack_success_rate")
        return text + (f" ({100 * probe['mean']:.1f})" if probe else "")

    for attack in result["attacks"]:
        lines.append(f"| {attack} | " + " | ".join(cell(attack, d) for d in defenses) + " |")
    accuracy = []
    for defense in defenses:
        values = [cells[(a, defense)]["clean_accuracy"]["mean"] for a in result["attacks"] if cells.get((a, defense), {}).get("clean_accuracy")]
        accuracy.append(f"{100 * sum(values) / len(values):.1f}" if values else "…")
    lines.append("| mean CA@1 | " + " | ".join(accuracy) + " |")
    machine = result.get("machine")
    seeds = ", ".join(str(s) for s in result["seeds"])
    lines += ["", f"ASR@1 (linear-probe ASR) in %, {result['world_kind'].lower()} world, target {result['target']}, "
                  f"{100 * result['poison_rate']:g} % poison, seed{'s' if len(result['seeds']) > 1 else ''} {seeds}"
                  f"{'; ' + machine_text(machine) if machine else ''}. Written by tools/readme-tables/matrix_grid.py from {source}."]
    return "\n".join(lines)


main(__doc__, grid, "matrix-grid")
