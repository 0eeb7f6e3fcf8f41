"""Shared by the README table scripts: this machine's record, and replacing the text between a pair of markers."""
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
