#!/usr/bin/env bash
# Fuzz every parser of untrusted input with SharpFuzz + AFL++ for a bounded time each.
#   fuzz/run.sh [SECONDS_PER_TARGET=120] [TARGET ...]
# Needs Debian's afl++ and `dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0`.
# Findings go to /tmp/cleanclip-fuzz/TARGET; copy any crash into fuzz/regressions/TARGET/ once fixed, so the corpus
# test (tests/.../Reliability/FuzzCorpusTests.cs) keeps it fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-120}; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(csv safetensors pickle classes wordnet image shard)
out=fuzz/CleanClip.Fuzz/bin/Release/net10.0
dotnet build -c Release fuzz/CleanClip.Fuzz >/dev/null
export PATH="$PATH:$HOME/.dotnet/tools"
sharpfuzz "$out/CleanClip.dll" >/dev/null || true      # instruments in place; says so if already instrumented
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
for target in "${targets[@]}"; do
  findings=/tmp/cleanclip-fuzz/$target
  rm -rf "$findings"; mkdir -p /tmp/cleanclip-fuzz
  afl-fuzz -V "$seconds" -t 10000 -m none -i "fuzz/corpus/$target" -o "$findings" -- dotnet "$out/CleanClip.Fuzz.dll" "$target" >"$findings.log" 2>&1 || true
  stats=$findings/default/fuzzer_stats
  echo "$target: $(grep -E '^execs_done' "$stats" | awk '{print $3}') execs in ${seconds} s, $(ls "$findings/default/crashes" 2>/dev/null | grep -vc README || true) crashes, $(ls "$findings/default/hangs" 2>/dev/null | wc -l) hangs, $(grep -E '^corpus_count' "$stats" | awk '{print $3}') queue entries"
done
