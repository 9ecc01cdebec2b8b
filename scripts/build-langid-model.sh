#!/usr/bin/env bash
# Rebuilds the corpus stage's language-identification model, corpus/src/langid/model.bin, from
# Lingua's language models (the lingua-*-language-model crates, Apache-2.0), with the tool in
# tools/langid-model (a workspace of its own: its 61 model crates, about 250 MB, are fetched
# only here). The output is byte-identical on every run; commit it with the tool's Cargo.lock.
#
#   scripts/build-langid-model.sh [COVERAGE]   # share of each language's trigram mass kept (0.99)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT/tools/langid-model"
cargo run --release --locked -- "$ROOT/corpus/src/langid/model.bin" "${1:-0.99}"
