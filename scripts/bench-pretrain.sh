#!/usr/bin/env bash
# CPU throughput of the pretrain stage next to PyTorch on the same machine: the same model
# (scripts/reference_gpt.py mirrors pretrain/src/model.rs), batch, sequence length, optimizer and
# synthetic token stream, f32, all cores. Prints median training tokens/s of both and the ratio.
# Mekong sets glibc's mmap and trim thresholds itself (pretrain/src/training/allocator.rs), so
# PyTorch runs twice: as installed, and with the same thresholds (GLIBC_TUNABLES), like for like.
# Needs numpy and torch for the peer (pip install torch numpy). GPU figures: scripts/gpu-bench.sh.
# Settings: MEKONG_BIN (default target/release/mekong, else target/debug/mekong), PRESETS, STEPS, VOCAB.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${MEKONG_BIN:-${CARGO_TARGET_DIR:-target}/release/mekong}
[[ -x "$BIN" ]] || BIN=${CARGO_TARGET_DIR:-target}/debug/mekong
PRESETS=${PRESETS:-"tiny:128:8 mini:256:4"}   # preset:seq_len:batch
STEPS=${STEPS:-25}
SKIP=5
VOCAB=${VOCAB:-16000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 scripts/synthetic_tokens.py "$WORK/tokens" "$VOCAB" 5000000
echo "binary $BIN; $(nproc) cores; vocab $VOCAB; $STEPS steps, first $SKIP untimed"
echo "| preset | seq × batch | Mekong tokens/s | PyTorch tokens/s | Mekong / PyTorch | PyTorch, Mekong's allocator settings | Mekong / that |"
echo "|---|---|---|---|---|---|---|"
for spec in $PRESETS; do
  IFS=: read -r preset seq batch <<< "$spec"
  rm -rf "$WORK/run"
  "$BIN" pretrain train --tokens "$WORK/tokens" --output "$WORK/run" --preset "$preset" \
    --seq-len "$seq" --batch-size "$batch" --steps "$STEPS" --warmup-steps 5 --lr 1e-3 \
    --eval-every 0 --checkpoint-every 0 --device cpu --precision f32 2> "$WORK/mekong.err" \
    || { cat "$WORK/mekong.err" >&2; exit 1; }
  mekong=$(python3 -c '
import json, statistics, sys
steps = [json.loads(l) for l in open(sys.argv[1])]
print(statistics.median(s["tokens_per_sec"] for s in steps if s["step"] > int(sys.argv[2])))' \
    "$WORK/run/train-log.jsonl" "$SKIP")
  peer() {
    env "$@" python3 scripts/reference_gpt.py --tokens "$WORK/tokens/train/xx.tokens" --vocab "$VOCAB" \
      --preset "$preset" --seq-len "$seq" --batch-size "$batch" --steps "$STEPS" --warmup-measure "$SKIP" \
      --device cpu --dtype f32 | tail -1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["tokens_per_sec"])'
  }
  torch=$(peer)
  tuned=$(peer GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=2147483647)
  python3 -c "
m, t, u = $mekong, $torch, $tuned
print(f'| $preset | $seq × $batch | {m:,.0f} | {t:,.0f} | {m / t:.2f}x | {u:,.0f} | {m / u:.2f}x |')"
done
