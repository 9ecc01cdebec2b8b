#!/usr/bin/env bash
# The long version of the fault suite (docs/reliability.md): many more SIGKILL trials per stage,
# the disk faults, and every fuzz target with thousands of cases. Same test binaries as
# scripts/test.sh (one shared target directory), so nothing extra is built.
#
#   scripts/chaos.sh                 50 kills per stage, a fresh seed, 4,000 cases per property
#   TRIALS=200 SEED=7 CASES=20000 scripts/chaos.sh
#
# Prints the seed first: a failing trial reruns with the same SEED (and TRIALS).
set -euo pipefail
cd "$(dirname "$0")/.."

trials=${TRIALS:-50}
seed=${SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
cases=${CASES:-4000}
echo "chaos: seed $seed, $trials kills per stage, $cases cases per fuzz property"

start=$(date +%s)
MEKONG_CHAOS_TRIALS=$trials MEKONG_CHAOS_SEED=$seed \
  cargo test --test chaos -- --nocapture 2>&1 | grep -E '^chaos|test result|panicked|left|differ'
cargo test --test disk_faults 2>&1 | grep -E 'test result|panicked'
echo "kills and disk faults: $(( $(date +%s) - start )) s"

for target in "-p mekong-corpus --test fuzz_readers" \
              "-p mekong-tokenizer --test report fuzz_loaders" \
              "-p mekong-pretrain --test fuzz_index" \
              "-p mekong-pretrain --test fuzz_checkpoint" \
              "--test pipeline_fuzz"; do
  start=$(date +%s%N)
  # shellcheck disable=SC2086 # the target's words are cargo's arguments
  result=$(PROPTEST_CASES=$cases cargo test $target 2>&1 | grep -E 'test result|panicked' || true)
  printf '%-45s %7d ms  %s\n' "$target" "$(( ($(date +%s%N) - start) / 1000000 ))" "$result"
done
