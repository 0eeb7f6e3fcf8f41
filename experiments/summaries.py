"""What the experiments' summary scripts share: their command line (an experiment's output folder and a folder for
the summary) and how they write it (NAME.json with the numbers, NAME.md with the table, which is also printed)."""
import argparse
import json
import os
import platform


def arguments(doc, name, source="run.sh's output folder", options=()):
    """OUT --out DIR (args.out, args.summary), plus any (flags, settings) pairs of `options` for add_argument."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help=source)
    parser.add_argument("--out", dest="summary", required=True, help=f"folder for {name}.md and {name}.json")
    for flags, settings in options:
        parser.add_argument(*flags, **settings)
    return parser.parse_args()


def cpu_model():
    """The machine's CPU model name from /proc/cpuinfo, for the tables' machine line."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def inputs(doc, name, what):
    """The command line of a summary over several inputs (runs, result folders): INPUT ... --out DIR; args.inputs, args.out."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", help=what)
    parser.add_argument("--out", required=True, help=f"folder for {name}.md and {name}.json")
    return parser.parse_args()


def write(folder, name, numbers, lines):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"{name}.json"), "w") as f:
        json.dump(numbers, f, indent=1)
        f.write("\n")
    with open(os.path.join(folder, f"{name}.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
