#!/usr/bin/env python3
"""The corpus stage beside its peers, like for like, in one run: see scripts/bench-corpus.sh.

    scripts/bench_corpus.py --mekong BIN --python PY --data FILE --work DIR [--repeats N]

PY is a Python with the peers installed: `opusfilter` (with `py3langid==0.2.2`), `datatrove`
with what its MinHash steps import (`tokenizers`, `orjson`, and `xxhash<3.6`: datatrove 0.10
hashes `str`, which xxhash 3.6 refuses). Every
command runs REPEATS times, the peers and Mekong in turn; the table gives the median CPU time
(user + sys), the wall time and the peak RSS of the median run. MB = input bytes / 10^6.

Rows:
- OpusFilter 3.3 with the filter kinds it shares with Mekong's defaults: exact dedup, then
  LengthFilter (words 1–200), LengthRatioFilter (char, 3), CharacterScoreFilter (Latin 0.8),
  TerminalPunctuationFilter, NonZeroNumeralsFilter, RepetitionFilter; on DATA repeated 4 times
  and on DATA once.
- `mekong corpus` defaults (normalisation, all 8 filters with language identification, exact
  and MinHash dedup, kept and rejected rows written) on the same inputs, all cores and one.
- MinHash dedup alone: datatrove's MinhashDedupSignature → Buckets → Cluster → Filter (writing
  kept and removed documents) against `mekong corpus` with every filter, normalisation step and
  exact dedup off; both on DATA's pairs joined into one text a line, word 5-gram shingles of
  lower-cased text without punctuation (diacritics and digits kept: datatrove's options set to
  match), 14 bands of 8 rows, 64-bit hashes.
"""

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import textwrap

OPUS_YAML = """\
common:
  output_directory: {out}
steps:
  - type: remove_duplicates
    parameters:
      inputs: [{src}, {tgt}]
      outputs: [dedup.en, dedup.vi]
  - type: filter
    parameters:
      inputs: [dedup.en, dedup.vi]
      outputs: [filtered.en, filtered.vi]
      filters:
        - LengthFilter: {{unit: word, min_length: 1, max_length: 200}}
        - LengthRatioFilter: {{unit: char, threshold: 3}}
        - CharacterScoreFilter: {{scripts: [Latin, Latin], thresholds: [0.8, 0.8]}}
        - TerminalPunctuationFilter: {{}}
        - NonZeroNumeralsFilter: {{}}
        - RepetitionFilter: {{}}
"""

DATATROVE = """\
import sys
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup import (MinhashDedupBuckets, MinhashDedupCluster,
                                      MinhashDedupFilter, MinhashDedupSignature)
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
from datatrove.utils.hashing import HashConfig
from datatrove.utils.text import TextNormConfig
from datatrove.utils.word_tokenizers import WordTokenizer

class Whitespace(WordTokenizer):
    # Words of the simplified text, as Mekong's shingles take them.
    def word_tokenize(self, text):
        return text.split()
    def sent_tokenize(self, text):
        return [text]
    def span_tokenize(self, text):
        return [(0, len(text))]

data, work = sys.argv[1:3]
config = MinhashConfig(
    n_grams=5, num_buckets=14, hashes_per_bucket=8,
    hash_config=HashConfig(precision=64, hash_fc="xxhash"),
    norm_config=TextNormConfig(norm_unicode_diacritics=False, norm_numbers=False))
words = Whitespace()
def run(steps, name, tasks=1):
    # One worker: the tasks run one after another, on one core.
    LocalPipelineExecutor(pipeline=steps, tasks=tasks, workers=1,
                          logging_dir=f"{work}/logs/{name}").run()
run([JsonlReader(data), MinhashDedupSignature(f"{work}/sigs", config=config, language=words)], "sigs")
run([MinhashDedupBuckets(f"{work}/sigs", f"{work}/buckets", config=config)], "buckets",
    tasks=config.num_buckets)
run([MinhashDedupCluster(f"{work}/buckets", f"{work}/remove", config=config)], "cluster")
run([JsonlReader(data),
     MinhashDedupFilter(f"{work}/remove", exclusion_writer=JsonlWriter(f"{work}/removed")),
     JsonlWriter(f"{work}/kept")], "filter")
"""

MINHASH_ONLY = """\
[normalize]
remove_invisible = false
remove_control = false
nfc = false
vi_tone = "off"
collapse_whitespace = false

[filters]
disable = ["length", "ratio", "untranslated", "numerals", "script", "markup", "repetition", "langid"]

[dedup]
exact = false
"""


def measure(command, env=None):
    """(wall s, CPU s, peak RSS MiB) of one run, which must succeed."""
    timing = "time.txt"
    with open("log.txt", "w") as log:
        subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", timing, *command],
                       check=True, stdout=log, stderr=subprocess.STDOUT,
                       env={**os.environ, **(env or {})})
    wall, user, sys_, rss = open(timing).read().split()[-4:]
    return float(wall), float(user) + float(sys_), int(rss) / 1024


def median_run(runs):
    by_cpu = sorted(runs, key=lambda r: r[1])
    return by_cpu[len(by_cpu) // 2]


def split_pairs(tsv, src, tgt):
    with open(tsv, encoding="utf-8") as f, open(src, "w") as a, open(tgt, "w") as b:
        for line in f:
            cols = line.rstrip("\n").replace("\r", "").split("\t") + [""]
            a.write(cols[0] + "\n")
            b.write(cols[1] + "\n")


def joined_documents(tsv, jsonl, txt):
    """The pairs as one text each: JSONL for datatrove, a line each for Mekong."""
    with open(tsv, encoding="utf-8") as f, open(jsonl, "w") as j, open(txt, "w") as t:
        for i, line in enumerate(f):
            text = " ".join(line.rstrip("\n").replace("\r", "").split("\t")[:2])
            j.write(json.dumps({"id": str(i), "text": text}, ensure_ascii=False) + "\n")
            t.write(text + "\n")


def count_lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return sum(1 for _ in f)


def mekong_kept(out):
    with open(os.path.join(out, "stats.json")) as f:
        return sum(s["kept"] for s in json.load(f)["languages"].values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mekong", required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    args.mekong = os.path.abspath(args.mekong)
    os.makedirs(args.work, exist_ok=True)
    os.chdir(args.work)
    bin_dir = os.path.dirname(args.python)
    opusfilter = os.path.join(bin_dir, "opusfilter")

    with open(args.data, "rb") as f:
        once = f.read()
    inputs = {"x4": once * 4, "x1": once}
    for name, content in inputs.items():
        with open(f"{name}.tsv", "wb") as f:
            f.write(content)
        split_pairs(f"{name}.tsv", f"{name}.en", f"{name}.vi")
        with open(f"opus-{name}.yaml", "w") as f:
            f.write(OPUS_YAML.format(out=os.path.abspath(f"opus-{name}"),
                                     src=os.path.abspath(f"{name}.en"),
                                     tgt=os.path.abspath(f"{name}.vi")))
    joined_documents("x1.tsv", "joined.jsonl", "joined.txt")
    with open("datatrove_minhash.py", "w") as f:
        f.write(DATATROVE)
    with open("minhash-only.toml", "w") as f:
        f.write(MINHASH_ONLY)

    def fresh(*paths):
        for path in paths:
            shutil.rmtree(path, ignore_errors=True)

    rows = []  # (label, input name, command, env, cleanup, kept counter)
    for name in ("x4", "x1"):
        rows.append((f"OpusFilter 3.3, shared filter kinds", name,
                     [opusfilter, f"opus-{name}.yaml"], None, [f"opus-{name}"],
                     lambda n=name: count_lines(f"opus-{n}/filtered.en")))
        rows.append(("`mekong corpus` defaults, 2 threads", name,
                     [args.mekong, "corpus", "--parallel", f"en-vi={name}.tsv", "--output", f"mk-{name}"],
                     None, [f"mk-{name}"], lambda n=name: mekong_kept(f"mk-{n}")))
        rows.append(("`mekong corpus` defaults, 1 thread", name,
                     [args.mekong, "corpus", "--parallel", f"en-vi={name}.tsv", "--output", f"mk1-{name}"],
                     {"RAYON_NUM_THREADS": "1"}, [f"mk1-{name}"], lambda n=name: mekong_kept(f"mk1-{n}")))
    rows.append(("datatrove 0.10 MinHash dedup (4 steps)", "joined",
                 [args.python, "datatrove_minhash.py", os.path.abspath("joined.jsonl"), os.path.abspath("dt")],
                 None, ["dt"], lambda: sum(count_lines(os.path.join("dt/kept", f)) for f in os.listdir("dt/kept"))))
    rows.append(("`mekong corpus` MinHash dedup alone, 1 thread", "joined",
                 [args.mekong, "corpus", "--config", "minhash-only.toml", "--mono", "vi=joined.txt", "--output", "mk-minhash"],
                 {"RAYON_NUM_THREADS": "1"}, ["mk-minhash"], lambda: mekong_kept("mk-minhash")))

    sizes = {"x4": len(inputs["x4"]), "x1": len(inputs["x1"]), "joined": os.path.getsize("joined.txt")}
    results = {i: [] for i in range(len(rows))}
    kept = {}
    for repeat in range(args.repeats):
        for i, (label, name, command, env, cleanup, counter) in enumerate(rows):
            fresh(*cleanup)
            results[i].append(measure(command, env))
            kept[i] = counter()
            print(f"  run {repeat + 1}/{args.repeats}: {label} on {name}: {results[i][-1]}", file=sys.stderr)

    peers = {"x4": 0, "x1": 3, "joined": 6}
    print("| run | input | MB | CPU s | wall s | MB per CPU s | × peer per core | peak RSS MiB | kept |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for i, (label, name, *_rest) in enumerate(rows):
        wall, cpu, rss = median_run(results[i])
        mb = sizes[name] / 1e6
        _, peer_cpu, _ = median_run(results[peers[name]])
        ratio = (mb / cpu) / (mb / peer_cpu)
        print(f"| {label} | {name} | {mb:.1f} | {cpu:.2f} | {wall:.2f} | {mb / cpu:.1f} | "
              f"{ratio:.1f}× | {rss:.0f} | {kept[i]:,} |")
    print()
    print(textwrap.dedent(f"""\
        Inputs: x4 = {os.path.basename(args.data)} repeated 4 times, x1 = once, joined = x1's pairs
        joined into one text a line. Medians of {args.repeats} runs each, interleaved."""))


if __name__ == "__main__":
    main()
