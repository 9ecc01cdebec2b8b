#!/usr/bin/env bash
# The stages that run as tasks (corpus, tokenizer, pretrain's tokenizing), as one process and as
# 1 and 2 local tasks, on gettext English–Vietnamese pairs repeated 4 times and Vietnamese
# Wikipedia (about 113 MB): each stage's wall time, and what every step's tasks read and wrote
# (as `mekong run` reports it). Prints Markdown.
#
#   scripts/bench-scale.sh      # needs ../shared/data
#
# MEKONG=path/to/mekong uses that binary instead of building the release one.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${DATA:-$ROOT/../shared/data}
WORK=${WORK:-/tmp/mekong-bench-scale}
MEKONG=${MEKONG:-}
[ -d "$DATA" ] || { echo "missing $DATA" >&2; exit 1; }
if [ -z "$MEKONG" ]; then
  (cd "$ROOT" && cargo build --release -p mekong >&2)
  MEKONG=${CARGO_TARGET_DIR:-$ROOT/target}/release/mekong
fi
MEKONG=$(realpath "$MEKONG")
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK"
for _ in 1 2 3 4; do cat "$DATA/parallel/gettext/vi.tsv"; done > pairs.tsv
cp "$DATA/vi/viwiki_2017.txt" wiki.txt
input=$(( $(stat -c %s pairs.tsv) + $(stat -c %s wiki.txt) ))

cat > pipe.toml <<'EOF'
[corpus]
parallel = ["en-vi=pairs.tsv"]
mono = ["vi=wiki.txt"]

[corpus.input]
# 14 units, so that 2 tasks get even shares (the default, 64 MiB, suits inputs of gigabytes).
unit_bytes = 8_000_000

[tokenizer]
algorithm = "classic"
vocab_size = 8000

[pretrain]
device = "cpu"

[pretrain.train]
preset = "tiny"
steps = 1
batch_size = 2
seq_len = 64
warmup_steps = 1
eval_every = 1
eval_windows = 1
EOF

echo "Input: $(( input / 1000000 )) MB ($(wc -l < pairs.tsv) pairs, $(wc -l < wiki.txt) paragraphs)."
echo
echo "| run | corpus s | tokenizer s | pretrain s (tokenize + 1 step) |"
echo "|---|---:|---:|---:|"
steps=""
for run in "one process" "1 task" "2 tasks"; do
  case $run in
    "one process") args=() ;;
    "1 task") args=(--executor local --tasks 1) ;;
    *) args=(--executor local --tasks 2) ;;
  esac
  rm -rf runs
  row="| $run |"
  for stage in corpus tokenizer pretrain; do
    /usr/bin/time -f "%e" -o time.txt "$MEKONG" run pipe.toml --only "$stage" "${args[@]}" 2> log.txt
    row="$row $(cat time.txt) |"
    steps="$steps$(grep -E '\] step |assembled' log.txt | sed "s/^/$run: /" || true)"$'\n'
  done
  echo "$row"
done
echo
echo "What the steps' tasks read and wrote (from /proc/self/io: read and write calls):"
echo
echo '```'
printf '%s' "$steps" | grep -v '^$'
echo '```'
