#!/usr/bin/env bash
# Tokenizer benchmark (see docs/benchmarks.md, section "tokenizer"):
#   scripts/bench-tokenizer.sh [VOCAB] [SYSTEMS...]
# Builds an 18-language corpus from ../shared/data (gettext translations, about GETTEXT_BYTES per
# language, plus VIWIKI_BYTES of Vietnamese Wikipedia), with the measured sets: held-out gettext
# segments (200 per language, drawn with 200 dev segments by `mekong tokenizer devset --partial`,
# both removed from the training text), LibreOffice help in 12 languages, the UDHR, and
# Vietnamese on the unseen rest of its catalogue (about 63,000 pairs) and on Tatoeba's sentences
# (scripts/bench_tokenizer.py says more). Then trains
# with Mekong, Hugging Face BpeTrainer and ParityBpeTrainer (byte-level pre-tokenizer) and
# SentencePiece BPE, one process each under /usr/bin/time, and prints a Markdown table.
# SEED (default 0) draws the dev and test segments (OUT then defaults to target/bench-tokenizer-seedN
# for another seed): a second draw checks that a figure is not one draw's luck.
# Needs: pip install tokenizers sentencepiece.
set -euo pipefail
cd "$(dirname "$0")/.."
VOCAB=${1:-32000}
shift || true
DATA=${DATA:-../shared/data}
SEED=${SEED:-0}
OUT=${OUT:-target/bench-tokenizer$([ "$SEED" = 0 ] || echo "-seed$SEED")}
GETTEXT_BYTES=${GETTEXT_BYTES:-1000000}
VIWIKI_BYTES=${VIWIKI_BYTES:-10000000}
PROFILE=${PROFILE:-release}

python3 -c "import tokenizers, sentencepiece" 2>/dev/null || pip install tokenizers sentencepiece
if [ "$PROFILE" = release ]; then cargo build --release -p mekong; else cargo build -p mekong; fi
MEKONG=target/$([ "$PROFILE" = release ] && echo release || echo debug)/mekong
[ -d "$OUT/sets/help" ] || python3 scripts/bench_tokenizer.py build "$DATA" "$OUT" "$GETTEXT_BYTES" "$VIWIKI_BYTES" "$MEKONG" "$SEED"
[ -d "$OUT/sets/tatoeba" ] || python3 scripts/bench_tokenizer.py build-vi-sets "$DATA" "$OUT"
python3 scripts/bench_tokenizer.py run "$OUT" "$VOCAB" "$MEKONG" "$@" | tee "$OUT/report-$VOCAB.md"
