#!/usr/bin/env bash
# Checks that `mekong export` writes a Hugging Face model transformers runs as Mekong does: fetches
# the demo corpus (once), builds mekong and the hf_reference example, runs the demo's corpus stage
# and pipelines/check-hf-export.toml (tokenizer → pretrain → eval → export, a small model on the
# CPU), writes Mekong's own logits and token ids with hf_reference, then runs
# scripts/check_hf_export.py on the export: logits, tokenizer ids, bits per byte and generate().
# Needs cargo, python3 and PyPI access the first time: torch, transformers and numpy are installed
# into a virtual environment in ${CARGO_TARGET_DIR:-target}/hf-check-venv (or HF_VENV), reused
# afterwards (PyPI's Linux torch is the CUDA build: several GB). PROFILE=dev uses the test build's
# binaries instead of an optimised build. Extra arguments go to `mekong run` (for example --force). Exits with the check's status.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=${CARGO_TARGET_DIR:-target}
RUN=runs/check-hf-export
VENV=${HF_VENV:-$TARGET/hf-check-venv}
PROFILE=${PROFILE:-release}
[ "$PROFILE" = dev ] && BIN=$TARGET/debug || BIN=$TARGET/$PROFILE
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 scripts/fetch_demo_data.py --output data/demo

# One workspace build for both, so they share one feature set and one set of artefacts.
cargo build --profile "$PROFILE" --workspace --bins --examples
mekong=$BIN/mekong
hf_reference=$BIN/examples/hf_reference

"$mekong" run pipelines/demo.toml --only corpus
"$mekong" run pipelines/check-hf-export.toml "$@"

if ! "$VENV/bin/python" -c "import torch, transformers, numpy" >/dev/null 2>&1; then
  echo "installing torch, transformers and numpy into $VENV ..."
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet torch transformers numpy
fi

"$hf_reference" --checkpoint "$RUN/pretrain" --tokenizer "$RUN/tokenizer/tokenizer.json" \
  --parallel data/demo/dev --texts data/demo/dev --texts data/demo/udhr \
  --output "$WORK/reference.json"

"$VENV/bin/python" scripts/check_hf_export.py --export "$RUN/export" \
  --reference "$WORK/reference.json" --eval "$RUN/eval/eval.json"
