#!/usr/bin/env bash
# Benchmark of the corpus stage against OpusFilter (PyPI `opusfilter`), with comparable
# filters and exact deduplication, on gettext English–Vietnamese pairs.
#
#   scripts/bench-corpus.sh            # needs ../shared/data, /usr/bin/time, pip install opusfilter
#
# Two inputs:
#   slice: the first $SLICE_LINES pairs of gettext/vi.tsv, run by both tools (OpusFilter is too
#          slow for more in a reasonable time; see docs/benchmarks.md);
#   big:   gettext/vi.tsv repeated $COPIES times (~200 MB), run by Mekong only.
# Throughput per core = input MB / CPU seconds (user + sys), so other load on the machine
# does not distort it. Peak RSS from /usr/bin/time. Prints a Markdown table.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${DATA:-$ROOT/../shared/data/parallel/gettext/vi.tsv}
WORK=${WORK:-/tmp/mekong-bench-corpus}
COPIES=${COPIES:-24}
SLICE_LINES=${SLICE_LINES:-5000}
# MEKONG=path/to/mekong uses that binary instead of building the release one.
MEKONG=${MEKONG:-}

[ -f "$DATA" ] || { echo "missing $DATA" >&2; exit 1; }
command -v opusfilter >/dev/null || { echo "pip install opusfilter 'py3langid==0.2.2'" >&2; exit 1; }
if [ -z "$MEKONG" ]; then
  (cd "$ROOT" && cargo build --release -p mekong >&2)
  MEKONG=${CARGO_TARGET_DIR:-$ROOT/target}/release/mekong
fi
mkdir -p "$WORK"
cd "$WORK"

head -n "$SLICE_LINES" "$DATA" > slice.tsv
: > big.tsv
for _ in $(seq "$COPIES"); do cat "$DATA" >> big.tsv; done
# OpusFilter reads one file per language.
python3 - <<'PY'
with open("slice.tsv", encoding="utf-8") as src, open("slice.en", "w") as en, open("slice.vi", "w") as vi:
    for line in src:
        cols = line.rstrip("\n").replace("\r", "").split("\t") + [""]
        en.write(cols[0] + "\n")
        vi.write(cols[1] + "\n")
PY

cat > opusfilter.yaml <<YAML
common:
  output_directory: $WORK/opus
steps:
  - type: filter
    parameters:
      inputs: [$WORK/slice.en, $WORK/slice.vi]
      outputs: [filtered.en, filtered.vi]
      filters:
        - LengthFilter: {unit: char, min_length: 1, max_length: 10000}
        - LengthFilter: {unit: word, min_length: 1, max_length: 2000}
        - LengthRatioFilter: {unit: char, threshold: 3}
        - SimilarityFilter: {threshold: 0.9}
        - NonZeroNumeralsFilter: {threshold: 0.5}
        - CharacterScoreFilter: {scripts: [Latin, Latin], thresholds: [0.5, 0.5]}
        - HtmlTagFilter: {}
        - RepetitionFilter: {}
        - LanguageIDFilter: {languages: [en, vi], id_method: langid, thresholds: [0, 0]}
  - type: remove_duplicates
    parameters:
      inputs: [filtered.en, filtered.vi]
      outputs: [dedup.en, dedup.vi]
YAML

# measure NAME INPUT_BYTES COMMAND...: one table row.
measure() {
  local name=$1 bytes=$2
  shift 2
  /usr/bin/time -f "%e %U %S %M" -o time.txt "$@" > "log-$name.txt" 2>&1
  read -r wall user sys rss < time.txt
  python3 - "$name" "$bytes" "$wall" "$user" "$sys" "$rss" <<'PY'
import sys
name, size, wall, user, sys_, rss = sys.argv[1:]
mb = int(size) / 1e6
cpu = float(user) + float(sys_)
print(f"| {name} | {mb:.1f} | {float(wall):.1f} | {cpu:.1f} | {mb / float(wall):.2f} | {mb / cpu:.2f} | {int(rss) / 1024:.0f} |")
PY
}

SLICE_BYTES=$(stat -c %s slice.tsv)
BIG_BYTES=$(stat -c %s big.tsv)
echo "| run | input MB | wall s | CPU s | MB/s (wall) | MB/s per core (MB / CPU s) | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|"
rm -rf opus out-*
measure "OpusFilter, slice" "$SLICE_BYTES" opusfilter opusfilter.yaml
measure "Mekong, slice, 1 thread" "$SLICE_BYTES" env RAYON_NUM_THREADS=1 \
  "$MEKONG" corpus --parallel en-vi=slice.tsv --no-near-dedup --output out-slice
measure "Mekong, slice, 1 thread, + MinHash near-dup" "$SLICE_BYTES" env RAYON_NUM_THREADS=1 \
  "$MEKONG" corpus --parallel en-vi=slice.tsv --output out-slice-near
measure "Mekong, big, 1 thread" "$BIG_BYTES" env RAYON_NUM_THREADS=1 \
  "$MEKONG" corpus --parallel en-vi=big.tsv --no-near-dedup --output out-big
measure "Mekong, big, all cores, + MinHash near-dup" "$BIG_BYTES" \
  "$MEKONG" corpus --parallel en-vi=big.tsv --output out-big-near
echo
echo "kept pairs: OpusFilter $(wc -l < opus/dedup.en), Mekong (slice, exact dedup) $(python3 -c "import json; print(json.load(open('out-slice/stats.json'))['languages']['en-vi']['kept'])")"
