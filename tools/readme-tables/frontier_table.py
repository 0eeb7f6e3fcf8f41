#!/usr/bin/env python3
"""Writes the README's cleaning-frontier table from a `cleanclip frontier` result (frontier.json).

    python3 tools/readme-tables/frontier_table.py docs/results/cleaning-frontier/frontier.json            # print it
    python3 tools/readme-tables/frontier_table.py docs/results/cleaning-frontier/frontier.json --write README.md

--write replaces the text between <!-- frontier-table:begin --> and <!-- frontier-table:end -->. The machine line
comes from the result's "machine" record; `--record-machine THREADS` adds this machine's record to a result that has
none (use it only on the machine that ran the sweeps).
"""
import argparse
import json
import os
import sys

from markers import record_machine, write_between


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
                 f"{machine['cpu_model']}, {machine['logical_cpus']} logical CPUs, {machine['torch_threads']} LibTorch thread{'' if machine['torch_threads'] == 1 else 's'}. "
                 f"Written by tools/readme-tables/frontier_table.py from {source}.")
    return "\n".join(lines)


parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("result")
parser.add_argument("--write", metavar="FILE")
parser.add_argument("--record-machine", type=int, metavar="THREADS")
args = parser.parse_args()
with open(args.result) as f:
    result = json.load(f)
if args.record_machine is not None:
    record_machine(args.result, result, args.record_machine)
text = table(result, os.path.relpath(args.result))
if args.write:
    write_between(args.write, "frontier-table", text)
else:
    print(text)
