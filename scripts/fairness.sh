#!/usr/bin/env bash
# The headline experiment: classic vs parity-aware BPE, same corpus, same model, bits per byte per
# language. Needs the demo corpus (scripts/demo.sh, or `mekong run pipelines/demo.toml --only corpus`).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 scripts/fetch_demo_data.py --output data/demo
cargo build --release
mekong=${CARGO_TARGET_DIR:-target}/release/mekong
$mekong run pipelines/demo.toml --only corpus
$mekong run pipelines/fairness-classic.toml "$@"
$mekong run pipelines/fairness-parity.toml "$@"
$mekong run pipelines/fairness.toml "$@"
