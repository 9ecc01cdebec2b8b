#!/usr/bin/env bash
# Tokenizer training memory against input size (see docs/benchmarks.md, section "tokenizer"):
#   scripts/bench-tokenizer-memory.sh [COPIES]
# Input: the 18-language corpus of scripts/bench-tokenizer.sh (built first when missing) with all
# of ../shared/data/vi added to Vietnamese, ≈ 117 MB. Trains the same 32k parity tokenizer on it
# as is and with every file repeated COPIES times (default 9: ≈ 1 GB), under /usr/bin/time.
# Repeating adds bytes but no new word types, so equal peaks show that memory follows the
# distinct word types, not the input size (the first run's peak is then the price of its types).
set -euo pipefail
cd "$(dirname "$0")/.."
COPIES=${1:-9}
VOCAB=${VOCAB:-32000}
DATA=${DATA:-../shared/data}
BENCH=target/bench-tokenizer
OUT=target/bench-tokenizer-memory

[ -d "$BENCH/train" ] || python3 scripts/bench_tokenizer.py build "$DATA" "$BENCH" 1000000 10000000
cargo build --release -p mekong
rm -rf "$OUT"
mkdir -p "$OUT/x1" "$OUT/x$COPIES"
for file in "$BENCH"/train/*.txt; do
  lang=$(basename "$file" .txt)
  cp "$file" "$OUT/x1/$lang.txt"
  if [ "$lang" = vi ]; then cat "$DATA"/vi/*.txt >> "$OUT/x1/vi.txt"; fi
  for _ in $(seq "$COPIES"); do cat "$OUT/x1/$lang.txt"; done > "$OUT/x$COPIES/$lang.txt"
done

echo "| input | bytes | wall (s) | CPU (s) | peak RSS (MiB) | dev tokens |"
echo "|---|---:|---:|---:|---:|---:|"
for run in x1 "x$COPIES"; do
  mkdir -p "$OUT/$run.out"
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/$run.time" "${CARGO_TARGET_DIR:-target}/release/mekong" tokenizer train \
    --train "$OUT/$run" --dev "$BENCH/dev" --vocab-size "$VOCAB" --algorithm parity \
    --output "$OUT/$run.out/tokenizer.json" 2> "$OUT/$run.log"
  read -r wall user sys rss < <(tail -1 "$OUT/$run.time")
  tokens=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['dev']['total_tokens'])" \
    "$OUT/$run.out/training.json")
  bytes=$(cat "$OUT/$run"/*.txt | wc -c)
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')
  echo "| $run | $bytes | $wall | $cpu | $((rss / 1024)) | $tokens |"
done
