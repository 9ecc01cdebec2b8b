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
# A real Slurm (issue 14): as root, set up a one-node cluster from Debian's packages and check that
# the demo's corpus and tokenizer stages as Slurm tasks give one process's result (about 15
# minutes on 2 cores with the release build; CI runs as root). Elsewhere it is skipped, saying so.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  bash scripts/test-slurm.sh
else
  echo "scripts/test-slurm.sh skipped: it installs Slurm from Debian's packages and needs root"
fi
