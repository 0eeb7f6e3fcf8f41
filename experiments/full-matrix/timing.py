#!/usr/bin/env python3
"""How long each stage of a `cleanclip matrix` run took, from its run folder: the world is built, then per attack the
poisoned model is trained (poisoned/complete.json) and each defense's cell written (DEFENSE/cell.json), in order, so
the time between one finished file and the next is the later stage's wall time. Also the total so far and, for an
unfinished run, the attacks still to go at the mean time per finished attack.

    python3 experiments/full-matrix/timing.py OUT/seed-1 --attacks N --defenses M --out DIR   # DIR/timing.md and .json
"""
import argparse
import glob
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from summaries import write  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("seed_dir", help="a matrix's OUT/seed-S folder")
    parser.add_argument("--attacks", type=int, required=True, help="how many attacks the full run has")
    parser.add_argument("--defenses", type=int, required=True, help="how many defenses each attack has")
    parser.add_argument("--out", required=True, help="folder for timing.md and timing.json")
    args = parser.parse_args()
    start = os.path.getmtime(os.path.join(args.seed_dir, "world.json"))
    events = []
    for attack_json in glob.glob(os.path.join(args.seed_dir, "*", "attack.json")):
        attack = os.path.basename(os.path.dirname(attack_json))
        done = os.path.join(os.path.dirname(attack_json), "poisoned", "complete.json")
        if os.path.exists(done):
            events.append((os.path.getmtime(done), attack, "poison and train"))
        for cell in glob.glob(os.path.join(os.path.dirname(attack_json), "*", "cell.json")):
            events.append((os.path.getmtime(cell), attack, os.path.basename(os.path.dirname(cell))))
    events.sort()
    stages, previous = [], start
    for when, attack, stage in events:
        stages.append({"attack": attack, "stage": stage, "seconds": round(when - previous, 1)})
        previous = when
    complete = sorted(a for a in {s["attack"] for s in stages}
                      if sum(1 for s in stages if s["attack"] == a and s["stage"] != "poison and train") == args.defenses)
    mean = sum(s["seconds"] for s in stages if s["attack"] in complete) / len(complete) if complete else None
    total = previous - start
    estimate = mean * args.attacks if mean else None
    lines = ["# Matrix stage times", "", f"Written by experiments/full-matrix/timing.py from {args.seed_dir}: wall seconds per stage, "
             "from the finish times of the run's files (the world's build comes before the first stage).", "",
             "| attack | stage | seconds |", "|---|---|---|"]
    lines += [f"| {s['attack']} | {s['stage']} | {s['seconds']:.0f} |" for s in stages]
    lines += ["", f"Attacks with every defense done: {len(complete)} of {args.attacks}; {total / 3600:.2f} h so far"
              + (f"; {mean / 60:.1f} min per finished attack on average, so all {args.attacks} attacks about {estimate / 3600:.1f} h "
                 "(plus the world's build and, for the optimized attack, its patch)." if mean else ".")]
    write(args.out, "timing", {"stages": stages, "complete_attacks": complete, "seconds_so_far": total,
                               "mean_seconds_per_attack": mean, "estimated_total_seconds": estimate}, lines)


if __name__ == "__main__":
    main()
