#!/usr/bin/env bash
# Benchmark of the corpus stage against its peers, like for like and in one run: OpusFilter
# (the filter kinds it shares with Mekong) and datatrove (MinHash dedup), on gettext
# English–Vietnamese pairs repeated 4 times and once. Prints a Markdown table; the rows and
# settings are described in scripts/bench_corpus.py.
#
#   scripts/bench-corpus.sh        # needs ../shared/data and /usr/bin/time
#
# PYTHON: a Python with the peers (default python3):
#   pip install opusfilter 'py3langid==0.2.2' datatrove tokenizers orjson 'xxhash<3.6'
# MEKONG=path/to/mekong uses that binary instead of building the release one;
# REPEATS (default 5: the host's speed drifts, so medians need a few) runs of every command;
# WORK (default /tmp/mekong-bench-corpus).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${DATA:-$ROOT/../shared/data/parallel/gettext/vi.tsv}
WORK=${WORK:-/tmp/mekong-bench-corpus}
PYTHON=${PYTHON:-python3}
MEKONG=${MEKONG:-}

[ -f "$DATA" ] || { echo "missing $DATA" >&2; exit 1; }
"$PYTHON" -c "import opusfilter, datatrove" 2>/dev/null ||
  { echo "$PYTHON lacks the peers: pip install opusfilter 'py3langid==0.2.2' datatrove tokenizers orjson 'xxhash<3.6'" >&2; exit 1; }
if [ -z "$MEKONG" ]; then
  (cd "$ROOT" && cargo build --release -p mekong >&2)
  MEKONG=${CARGO_TARGET_DIR:-$ROOT/target}/release/mekong
fi
exec python3 "$ROOT/scripts/bench_corpus.py" --mekong "$MEKONG" --python "$(command -v "$PYTHON")" \
  --data "$DATA" --work "$WORK" --repeats "${REPEATS:-5}"
