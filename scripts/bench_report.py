#!/usr/bin/env python3
"""Tokenizer report benchmark helper (see scripts/bench-report.sh and docs/benchmarks.md).

build DATA OUT LANGS LINES [UNIT]: writes OUT/parallel/<code>.txt, LANGS UDHR versions (English
    first, then those with all 30 articles, by code) of LINES lines each. UNIT "article" (default):
    the 31 UDHR lines repeated, so every file stays aligned; a line is a whole article (~370 bytes).
    UNIT "sentence": the articles cut into sentences, repeated; lines have FLORES-like lengths
    (~130 bytes in English) but are not aligned across languages, so only the timing means
    anything. Then trains OUT/hf/tokenizer.json, a 32k byte-level BPE
    (Hugging Face tokenizers) on the UDHR texts, as the Hugging Face tokenizer to compare.
peer OUT RANKS_DIR: the same token counting in Python (tiktoken for cl100k/o200k/p50k/r50k from
    the rank files tiktoken-rs ships, tokenizers for tokenizer.json; NFC first, 2 threads),
    printing per-tokenizer mean premium and the wall time.
"""
import os
import re
import sys
import time
import unicodedata


# Sentence ends of the scripts in the UDHR set: Latin/Cyrillic/... stops, Devanagari danda,
# Myanmar, Khmer, Ethiopic, Arabic and CJK full stops.
SENTENCE_END = re.compile(r"(?<=[.!?;।॥။။។៕።؟。！？])\s*")


def segments(article_lines, unit):
    if unit == "article":
        return article_lines
    return [s for line in article_lines for s in SENTENCE_END.split(line) if s.strip()]


def build(data, out, langs, lines, unit="article"):
    if unit not in ("article", "sentence"):
        sys.exit(f"unknown UNIT '{unit}': expected article or sentence")
    udhr = os.path.join(data, "parallel", "udhr")
    rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(udhr, "index.tsv"), encoding="utf-8")]
    header, rows = rows[0], rows[1:]
    code_i, present_i = header.index("code"), header.index("articles_present_of_30")
    complete = sorted(r[code_i] for r in rows if r[present_i] == "30" and r[code_i] != "eng")
    codes = ["eng"] + complete[: langs - 1]
    target = os.path.join(out, "parallel")
    os.makedirs(target, exist_ok=True)
    texts = []
    for code in codes:
        articles = open(os.path.join(udhr, code + ".txt"), encoding="utf-8").read().split("\n")[:31]
        texts.extend(articles)
        source = segments(articles, unit)
        with open(os.path.join(target, code + ".txt"), "w", encoding="utf-8") as f:
            for i in range(lines):
                f.write(source[i % len(source)] + "\n")
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=32000, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tokenizer.train_from_iterator(texts, trainer)
    os.makedirs(os.path.join(out, "hf"), exist_ok=True)
    tokenizer.save(os.path.join(out, "hf", "tokenizer.json"))
    print(f"built {len(codes)} languages x {lines} lines ({unit}s) in {target}")


PATTERNS = {
    "r50k": r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
    "cl100k": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+""",
}


def peer(out, ranks_dir):
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe
    from tokenizers import Tokenizer

    os.environ.setdefault("RAYON_NUM_THREADS", "2")
    start = time.time()
    encoders = {}
    for name, pattern in [("cl100k", PATTERNS["cl100k"]), ("p50k", PATTERNS["r50k"]), ("r50k", PATTERNS["r50k"])]:
        ranks = load_tiktoken_bpe(os.path.join(ranks_dir, f"{name}_base.tiktoken"))
        encoding = tiktoken.Encoding(name, pat_str=pattern, mergeable_ranks=ranks, special_tokens={})
        encoders[name] = lambda lines, e=encoding: [len(t) for t in e.encode_ordinary_batch(lines, num_threads=2)]
    ranks = load_tiktoken_bpe(os.path.join(ranks_dir, "o200k_base.tiktoken"))
    o200k = tiktoken.Encoding("o200k", pat_str=_o200k_pattern(), mergeable_ranks=ranks, special_tokens={})
    encoders["o200k"] = lambda lines: [len(t) for t in o200k.encode_ordinary_batch(lines, num_threads=2)]
    hf = Tokenizer.from_file(os.path.join(out, "hf", "tokenizer.json"))
    encoders["hf"] = lambda lines: [len(e.ids) for e in hf.encode_batch(lines, add_special_tokens=False)]

    parallel = os.path.join(out, "parallel")
    languages = {}
    for name in sorted(os.listdir(parallel)):
        text = open(os.path.join(parallel, name), encoding="utf-8").read()
        lines = [unicodedata.normalize("NFC", l) for l in text.split("\n")[:-1]]
        languages[name[:-4]] = lines
    for name, encode in encoders.items():
        counts = {}
        for code, lines in languages.items():
            per_line = encode([l for l in lines if l])
            counts[code] = sum(per_line)
        premiums = [c / counts["eng"] for c in counts.values()]
        print(f"{name:8} mean premium {sum(premiums) / len(premiums):.2f}  max {max(premiums):.2f}")
    print(f"peer wall time {time.time() - start:.1f} s")


def _o200k_pattern():
    return "|".join(
        [
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        ]
    )


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), *sys.argv[6:7])
    elif sys.argv[1] == "peer":
        peer(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
