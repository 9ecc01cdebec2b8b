#!/usr/bin/env python3
"""Peer for the eval stage's contamination check: the same measure (exact segments, share of
N-character n-grams found) in plain Python with a set of every evaluation n-gram, scanning the
corpus Parquet shards with pyarrow. Prints one JSON line per language."""
import glob, json, sys, time, unicodedata

import pyarrow.parquet as pq

def normalise(text):
    return " ".join(unicodedata.normalize("NFC", text).lower().split())

def main(corpus, n, texts):
    started = time.time()
    evals = {}
    for spec in texts:
        lang, path = spec.split("=", 1)
        lines = [normalise(l) for l in open(path, encoding="utf-8") if l.strip()]
        evals[lang] = lines
    whole = {}
    grams = {}
    for lang, lines in evals.items():
        for s, line in enumerate(lines):
            whole.setdefault(line, []).append((lang, s))
            for i in range(len(line) - n + 1):
                grams.setdefault(line[i:i + n], []).append((lang, s, i))
    found_segments, found_grams = set(), set()
    for path in sorted(glob.glob(f"{corpus}/*.parquet")):
        table = pq.read_table(path)
        for column in ("text", "src_text", "tgt_text"):
            if column not in table.column_names:
                continue
            for value in table.column(column).to_pylist():
                if value is None:
                    continue
                text = normalise(value)
                for hit in whole.get(text, ()):
                    found_segments.add(hit)
                for i in range(len(text) - n + 1):
                    for hit in grams.get(text[i:i + n], ()):
                        found_grams.add(hit)
    for lang, lines in evals.items():
        total = sum(max(len(l) - n + 1, 0) for l in lines)
        print(json.dumps({
            "lang": lang,
            "exact_segments": sum(1 for h in found_segments if h[0] == lang),
            "ngrams": total,
            "ngrams_found": sum(1 for h in found_grams if h[0] == lang),
        }))
    print(f"python contamination: {time.time() - started:.1f}s", file=sys.stderr)

if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])
