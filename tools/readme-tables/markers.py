"""Shared by the README table scripts: the command line, the machine record, and replacing the text between markers."""
import argparse
import json
import os
import re
import sys


def this_machine(threads):
    """CPU model, logical CPUs and the LibTorch thread count the run used (as the demo records them)."""
    model = None
    if os.path.exists("/proc/cpuinfo"):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpu_model": model or "unknown", "logical_cpus": os.cpu_count(), "torch_threads": threads}


def record_machine(path, result, threads):
    """Adds this machine's record to a result file written without one (only on the machine that ran it)."""
    result["machine"] = this_machine(threads)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def write_between(path, name, text):
    """Replaces what lies between <!-- NAME:begin --> and <!-- NAME:end --> in the file, atomically."""
    with open(path) as f:
        content = f.read()
    pattern = re.compile(r"(<!-- " + re.escape(name) + r":begin -->\n).*?(<!-- " + re.escape(name) + r":end -->)", re.S)
    if not pattern.search(content):
        sys.exit(f"{path}: no <!-- {name}:begin --> ... <!-- {name}:end --> markers")
    content = pattern.sub(lambda m: m.group(1) + text + "\n" + m.group(2), content)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(content)
    os.replace(tmp, path)


def machine_text(machine):
    """The machine line's part naming the CPU, its logical CPUs and the LibTorch threads the run used."""
    threads = machine["torch_threads"]
    return (f"{machine['cpu_model']}, {machine['logical_cpus']} logical CPUs, "
            f"{threads} LibTorch thread{'' if threads == 1 else 's'}")


def main(doc, table, marker):
    """RESULT [--write FILE] [--record-machine THREADS] [--marker NAME]: prints table(result, source) or writes it between the markers."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("result")
    parser.add_argument("--write", metavar="FILE")
    parser.add_argument("--record-machine", type=int, metavar="THREADS")
    parser.add_argument("--marker", default=marker)
    args = parser.parse_args()
    with open(args.result) as f:
        result = json.load(f)
    if args.record_machine is not None:
        record_machine(args.result, result, args.record_machine)
    text = table(result, os.path.relpath(args.result))
    if args.write:
        write_between(args.write, args.marker, text)
    else:
        print(text)
