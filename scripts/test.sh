#!/usr/bin/env bash
# The whole test suite, as the README gives it and as CI runs it. Needs no GPU and no ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
# The CUDA backend must keep compiling on machines without CUDA (the driver is loaded at run time):
# the whole binary, so pretrain's and eval's CUDA paths are both checked.
cargo check -p mekong --features cuda
