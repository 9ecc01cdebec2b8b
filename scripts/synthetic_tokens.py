#!/usr/bin/env python3
"""Writes a synthetic token stream in Mekong's shard format (docs/pretrain.md) for throughput
benchmarks: uniform random ids, one language `xx`, a train and a validation split. Both the
Mekong run and the PyTorch reference read the same file."""

import json
import os
import sys

import numpy as np


def main():
    out, vocab, train_tokens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(0)
    splits = {}
    for split, n in (("train", train_tokens), ("validation", 100_000)):
        os.makedirs(f"{out}/{split}", exist_ok=True)
        rng.integers(0, vocab, n, dtype=np.uint16).tofile(f"{out}/{split}/xx.tokens")
        np.array([n], dtype="<u8").tofile(f"{out}/{split}/xx.docs")
        splits[split] = {"xx": {"documents": 1, "tokens": n, "bytes": 4 * n}}
    meta = {"format_version": 1, "token_width": "u16", "separator": None, "splits": splits,
            "tokenizer": {"vocab_size": vocab, "sha256": "synthetic"}}
    with open(f"{out}/tokens.json", "w") as f:
        json.dump(meta, f)


if __name__ == "__main__":
    main()
