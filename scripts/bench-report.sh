#!/usr/bin/env bash
# Tokenizer report benchmark (see docs/benchmarks.md, section "tokenizer report"):
#   [UNIT=article|sentence] scripts/bench-report.sh [LANGS] [LINES]
# Builds LANGS (200) UDHR languages × LINES (1000) lines from ../shared/data — UNIT=article
# (default): the 31 UDHR lines (whole articles, ≈ 370 bytes) repeated, aligned; UNIT=sentence: the
# articles cut into sentences (FLORES-like lengths, not aligned) — and a 32k byte-level BPE
# tokenizer.json, then times
#   mekong tokenizer report with 5 tokenizers (cl100k, o200k, p50k, r50k, the tokenizer.json)
# and, as the peer, the same token counting in Python (tiktoken + tokenizers, 2 threads).
# Needs: pip install tiktoken tokenizers. PROFILE=release builds an optimised binary first
# (default: the dev profile, whose dependencies — tiktoken-rs, tokenizers — are optimised too).
set -euo pipefail
cd "$(dirname "$0")/.."
LANGS=${1:-200}
LINES=${2:-1000}
DATA=${DATA:-../shared/data}
UNIT=${UNIT:-article}
OUT=${OUT:-target/bench-report/$UNIT}
PROFILE=${PROFILE:-dev}

python3 -c "import tiktoken, tokenizers" 2>/dev/null || pip install tiktoken tokenizers
if [ "$PROFILE" = release ]; then cargo build --release -p mekong; else cargo build -p mekong; fi
MEKONG=target/$([ "$PROFILE" = release ] && echo release || echo debug)/mekong
RANKS=$(dirname "$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -path '*tiktoken-rs-0.12*/assets/cl100k_base.tiktoken' | head -1)")
[ -d "$OUT/parallel" ] || python3 scripts/bench_report.py build "$DATA" "$OUT" "$LANGS" "$LINES" "$UNIT"

echo "== mekong tokenizer report: $LANGS languages × $LINES lines ($UNIT), $(du -sh "$OUT/parallel" | cut -f1), 5 tokenizers"
/usr/bin/time -f "mekong wall %e s, peak RSS %M KiB" "$MEKONG" tokenizer report \
  --tokenizer cl100k --tokenizer o200k --tokenizer p50k --tokenizer r50k \
  --tokenizer hf="$OUT/hf/tokenizer.json" \
  --parallel "$OUT/parallel" --reference eng --output "$OUT/report"
echo "== peer: Python tiktoken + tokenizers, token counts only"
/usr/bin/time -f "peer wall %e s, peak RSS %M KiB" python3 scripts/bench_report.py peer "$OUT" "$RANKS"
