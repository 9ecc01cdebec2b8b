#!/usr/bin/env bash
# GPU benchmark of the pretrain stage, for a lent NVIDIA H100/H200 machine (x86-64, CUDA 13
# driver, PyTorch installed, no package registry). Trains the same model (default: the `base`
# preset, ~110M parameters with a 32k vocabulary), batch and sequence length twice on the same
# synthetic token stream: once with Mekong (burn's CUDA backend, bf16 mixed precision) and once
# with PyTorch (scripts/reference_gpt.py, bf16 autocast), and prints tokens/s, MFU and peak memory
# of both with their ratio. At most 8 minutes: Mekong is cut at 270 s and PyTorch at 150 s. The
# default (base, 16 × 1024) needs about 32 GiB by docs/pretrain.md's estimate: an 80 GB H100 fits.
#
# Needs the release binary built beforehand (it is carried to the GPU machine):
#   cargo build --release --features cuda        # builds without a CUDA toolkit
#   scripts/gpu-bench.sh                         # on the GPU machine
# Settings: MEKONG_BIN, PRESET, SEQ_LEN, BATCH, STEPS, VOCAB, PEAK_TFLOPS, TORCH_COMPILE=1.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${MEKONG_BIN:-target/release/mekong}
PRESET=${PRESET:-base}
SEQ_LEN=${SEQ_LEN:-1024}
BATCH=${BATCH:-16}
STEPS=${STEPS:-40}
SKIP=10   # steps left out of the timing (kernel compilation, autotuning, allocator warm-up)
VOCAB=${VOCAB:-32000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

[[ -x "$BIN" ]] || { echo "no $BIN: build it with 'cargo build --release --features cuda' first" >&2; exit 1; }
GPU=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
case "$GPU" in
  *H100*|*H200*) PEAK=${PEAK_TFLOPS:-989} ;;   # dense bf16 tensor-core peak (SXM)
  *A100*) PEAK=${PEAK_TFLOPS:-312} ;;
  *) PEAK=${PEAK_TFLOPS:?unknown GPU "$GPU": set PEAK_TFLOPS} ;;
esac
echo "GPU: $GPU (peak bf16 $PEAK TFLOP/s); preset $PRESET, seq_len $SEQ_LEN, batch $BATCH, $STEPS steps"

# 1. A synthetic token stream in Mekong's shard format (docs/pretrain.md), shared by both runs.
python3 scripts/synthetic_tokens.py "$WORK/tokens" "$VOCAB" 50000000

# Peak GPU memory as the driver sees it (both frameworks cache allocations), sampled every 100 ms.
watch_memory() { nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 > "$1" & echo $!; }
peak_gib() { sort -n "$1" | tail -1 | awk '{printf "%.1f", $1 / 1024}'; }

# 2. Mekong.
MON=$(watch_memory "$WORK/mekong-mem.txt")
timeout 270 "$BIN" pretrain train --tokens "$WORK/tokens" --output "$WORK/mekong" \
  --preset "$PRESET" --seq-len "$SEQ_LEN" --batch-size "$BATCH" --steps "$STEPS" \
  --warmup-steps 5 --lr 6e-4 --eval-every 0 --checkpoint-every 0 \
  --device cuda --precision bf16 --peak-tflops "$PEAK" 2>&1 | tail -5 || echo "mekong run failed or timed out"
kill "$MON" 2>/dev/null || true
MEKONG=$(python3 - "$WORK/mekong/train-log.jsonl" "$SKIP" <<'PY'
import json, statistics, sys
steps = [json.loads(l) for l in open(sys.argv[1])] if __import__("os").path.exists(sys.argv[1]) else []
timed = [s for s in steps if s["step"] > int(sys.argv[2])]
if not timed:
    print("nan nan nan nan"); sys.exit()
print(statistics.median(s["tokens_per_sec"] for s in timed), statistics.median(s["mfu"] for s in timed),
      steps[0]["loss"], steps[-1]["loss"])
PY
)
read -r M_TPS M_MFU M_FIRST M_LAST <<< "$MEKONG"
M_MEM=$(peak_gib "$WORK/mekong-mem.txt")

# 3. PyTorch, same model, optimizer, precision, batch and data.
MON=$(watch_memory "$WORK/torch-mem.txt")
COMPILE=()
[[ "${TORCH_COMPILE:-0}" == 1 ]] && COMPILE=(--compile)
TORCH=$(timeout 150 python3 scripts/reference_gpt.py --tokens "$WORK/tokens/train/xx.tokens" \
  --vocab "$VOCAB" --preset "$PRESET" --seq-len "$SEQ_LEN" --batch-size "$BATCH" --steps "$STEPS" \
  --warmup-measure "$SKIP" --peak-tflops "$PEAK" "${COMPILE[@]}" | tail -1) || TORCH='{}'
kill "$MON" 2>/dev/null || true
T_MEM=$(peak_gib "$WORK/torch-mem.txt")

# 4. Side by side.
python3 - "$M_TPS" "$M_MFU" "$M_MEM" "$M_FIRST" "$M_LAST" "$T_MEM" "$TORCH" "$GPU" <<'PY'
import json, math, sys
m_tps, m_mfu, m_mem, m_first, m_last, t_mem = map(float, sys.argv[1:7])
t = json.loads(sys.argv[7] or "{}")
t_tps, t_mfu = t.get("tokens_per_sec", math.nan), t.get("mfu", math.nan)
print(f"\n| {sys.argv[8]} | tokens/s | MFU | peak memory (GiB, nvidia-smi) | loss first → last |")
print("|---|---|---|---|---|")
print(f"| Mekong (burn CUDA, bf16) | {m_tps:,.0f} | {m_mfu:.1%} | {m_mem:.1f} | {m_first:.2f} → {m_last:.2f} |")
print(f"| {t.get('impl', 'pytorch')} {t.get('torch', '')} (bf16 autocast) | {t_tps:,.0f} | {t_mfu:.1%} | {t_mem:.1f} | "
      f"{t.get('first_loss', math.nan):.2f} → {t.get('last_loss', math.nan):.2f} |")
print(f"\nMekong / PyTorch tokens/s: {m_tps / t_tps:.2f}x (target >= 0.6x); Mekong MFU {m_mfu:.1%} (target >= 35%)")
PY
