#!/usr/bin/env bash
# Builds the seed corpus of `csv_records` from the real sample (never committed): its header
# followed by slices of its rows, plus the same slices with CRLF and CR line endings.
# Usage: fuzz/seed.sh [SAMPLE.csv] [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sample="${1:-$here/../../shared/data/chicago-crimes-2024-09-01_15.csv}"
out="${2:-$here/corpus/csv_records}"
if [[ ! -f "$sample" ]]; then
    echo "seed.sh: no sample at $sample" >&2
    exit 1
fi
mkdir -p "$out"
header="$(head -n 1 "$sample")"
total=$(($(wc -l < "$sample") - 1))
n=0
for start in $(seq 2 $((total / 40 + 1)) "$total"); do
    body="$(sed -n "${start},$((start + 7))p" "$sample")"
    printf '%s\n%s\n' "$header" "$body" > "$out/lf-$n.csv"
    printf '%s\n%s\n' "$header" "$body" | sed 's/$/\r/' > "$out/crlf-$n.csv"
    printf '%s\n%s\n' "$header" "$body" | tr '\n' '\r' > "$out/cr-$n.csv"
    n=$((n + 1))
done
echo "seed.sh: $((n * 3)) seeds from $sample in $out"
