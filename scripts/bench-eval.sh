#!/usr/bin/env bash
# Eval stage benchmark on ../shared/data (development data, never committed):
#  1. builds a corpus (Vietnamese Wikipedia head + Truyện Kiều + Tatoeba en-vi), a classic
#     tokenizer and a tiny model trained for a few steps, in $WORK;
#  2. times `mekong eval` scoring the LibreOffice help parallel set (vi, en-US: 2,820 aligned
#     segments each) without and with the contamination check against the corpus;
#  3. times the Python peer of the contamination check (scripts/bench_eval_contamination.py)
#     on the same texts and corpus, and compares the numbers it finds.
# PROFILE=debug uses target/debug (dependencies at opt-level 2); default release.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
DATA=${DATA:-$root/../shared/data}
WORK=${WORK:-/tmp/mekong-bench-eval}
PROFILE=${PROFILE:-release}
LINES=${LINES:-60000}
if [ "$PROFILE" = release ]; then cargo build --release; else cargo build; fi
M=${CARGO_TARGET_DIR:-$root/target}/$PROFILE/mekong
mkdir -p "$WORK" && cd "$WORK"
if [ ! -d model ]; then
  head -n "$LINES" "$DATA/vi/viwiki_2017.txt" > viwiki.txt
  "$M" corpus --mono vi=viwiki.txt --mono vi="$DATA/vi/truyen_kieu.txt" \
    --parallel en-vi="$DATA/parallel/tatoeba-en-vi/eng.txt,$DATA/parallel/tatoeba-en-vi/vie.txt" -o corpus
  "$M" tokenizer train --train corpus --vocab-size 4000 --algorithm classic --output tok/tokenizer.json
  "$M" pretrain tokenize --corpus corpus --tokenizer tok/tokenizer.json --output tokens
  "$M" pretrain train --tokens tokens --output model --preset tiny --steps 20 --batch-size 8 --device cpu
fi
set=$DATA/parallel/libreoffice-help-12
common=(eval --model tiny=model --tokenizer tok/tokenizer.json --parallel "$set" --languages vi,en-US --device cpu)
echo "== scoring only"
/usr/bin/time -f "%e s wall, %U s user, %M KB peak" "$M" "${common[@]}" --output out-score
echo "== scoring + contamination (ngram 50) against $(du -sh corpus | cut -f1) corpus"
/usr/bin/time -f "%e s wall, %U s user, %M KB peak" "$M" "${common[@]}" --corpus corpus --output out-full
echo "== python peer (contamination only)"
/usr/bin/time -f "%e s wall, %U s user, %M KB peak" python3 "$root/scripts/bench_eval_contamination.py" corpus 50 \
  vi="$set/vi.txt" en-US="$set/en-US.txt"
python3 -c "import json; c=json.load(open('out-full/eval.json'))['results']['contamination']['texts']; [print(json.dumps({k: t[k] for k in ('lang','exact_segments','ngrams','ngrams_found')})) for t in c]"
