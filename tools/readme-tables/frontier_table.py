#!/usr/bin/env python3
"""Writes the README's cleaning-frontier table from a `cleanclip frontier` result (frontier.json).

    python3 tools/readme-tables/frontier_table.py docs/results/cleaning-frontier/frontier.json            # print it
    python3 tools/readme-tables/frontier_table.py docs/results/cleaning-frontier/frontier.json --write README.md

--write replaces the text between <!-- frontier-table:begin --> and <!-- frontier-table:end -->. The machine line
comes from the result's "machine" record; `--record-machine THREADS` adds this machine's record to a result that has
none (use it only on the machine that ran the sweeps).
"""
import sys

from markers import machine_text, main


def spread(s):
    mean, lo, hi = (100 * s[k] for k in ("mean", "min", "max"))
    return f"{mean:.1f}" if lo == hi else f"{mean:.1f} ({lo:.1f}–{hi:.1f})"


def table(result, source):
    lines = ["| method | setting | runs | CA@1 % | ASR@1 % | front |", "|---|---|---|---|---|---|"]
    for s in result["settings"]:
        lines.append(f"| {s['group']} | {s['values']} | {len(s['runs'])} | {spread(s['clean_accuracy'])} | "
                     f"{spread(s['attack_success_rate'])} | {'★' if s['on_front'] else ''} |")
    machine = result.get("machine")
    if machine is None:
        sys.exit("the result has no machine record: --record-machine THREADS on the machine that ran the sweeps")
    lines.append("")
    lines.append(f"Mean (min–max) over the runs of each setting (one per seed); ★: on its method's Pareto front of the means. "
                 f"{machine_text(machine)}. "
                 f"Written by tools/readme-tables/frontier_table.py from {source}.")
    return "\n".join(lines)


main(__doc__, table, "frontier-table")
