#!/usr/bin/env python3
"""How many poisoned pairs one filter round would leave: for each table of a pmi.sh output folder and each partition
scanned, the poisoned rows ranked below the top N by the primary score (what `scan --filter-out F --remove-top N`
removes).

    python3 experiments/scan-detection/left-after-filter.py OUT --remove-top 1000 --out DIR   # DIR/left-after-filter.{md,json}
"""
import csv
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from summaries import arguments, write  # noqa: E402


def main():
    args = arguments(__doc__, "left-after-filter", "pmi.sh's output folder",
                     options=[(["--remove-top"], {"type": int, "required": True, "help": "rows a filter round removes"})])
    tables = {}
    for folder in sorted(glob.glob(os.path.join(args.out, "*", "seed-*"))):
        with open(os.path.join(folder, "scan.json")) as f:
            primary = json.load(f)["primary"]
        with open(os.path.join(folder, "scores.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        if not rows or "is_backdoor" not in rows[0]:
            continue
        left = sum(1 for r in rows if r["is_backdoor"] in ("1", "true", "True") and int(r["rank"]) > args.remove_top)
        poisoned = sum(1 for r in rows if r["is_backdoor"] in ("1", "true", "True"))
        entry = tables.setdefault(os.path.basename(os.path.dirname(folder)), {"primary": primary, "poisoned": poisoned, "rows": len(rows), "left": {}})
        entry["left"][os.path.basename(folder)] = left
    lines = [f"# Poisoned pairs left after removing the top {args.remove_top} by the primary score", "",
             "| table | primary | poisoned of rows | left, per partition |", "|---|---|---|---|"]
    for name, t in tables.items():
        lines.append(f"| {name} | {t['primary']} | {t['poisoned']} of {t['rows']} | {', '.join(str(v) for v in t['left'].values())} |")
    write(args.summary, "left-after-filter", {"remove_top": args.remove_top, "tables": tables}, lines)


if __name__ == "__main__":
    main()
