#!/usr/bin/env python3
"""Tokenizer benchmark: builds an 18-language corpus from ../shared/data, trains tokenizers with
Mekong, Hugging Face's BpeTrainer and ParityBpeTrainer (default byte-level pre-tokenizer) and
SentencePiece BPE, and measures time, memory and fairness on the UDHR dev set (which the parity
trainers choose their merges on) and on a held-out test set: LibreOffice help segments aligned in
12 of the languages (../shared/data/parallel/libreoffice-help-12), translated in all of them,
of 4 words or more in English, none found verbatim in the training text, one per English text.

  bench_tokenizer.py build DATA OUT [--gettext-bytes N] [--viwiki-bytes N]
  bench_tokenizer.py run OUT VOCAB MEKONG_BINARY [SYSTEMS...]
  bench_tokenizer.py train-SYSTEM OUT VOCAB          (used by `run`, one process per system)
"""
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

LANGS = "en vi zh ja ko km hi id de fr es ru th lo my am yo sw".split()
GETTEXT = {"zh": "zh_CN"}
# The held-out set's file names (LibreOffice help: 12 of the 18 languages).
HELP = {"en": "en-US", "vi": "vi", "zh": "zh-CN", "ja": "ja", "ko": "ko", "km": "km", "hi": "hi",
        "id": "id", "de": "de", "fr": "fr", "es": "es", "ru": "ru"}
UDHR = {"en": "eng", "vi": "vie", "zh": "cmn_hans", "ja": "jpn", "ko": "kor", "km": "khm",
        "hi": "hin", "id": "ind", "de": "deu_1996", "fr": "fra", "es": "spa", "ru": "rus",
        "th": "tha", "lo": "lao", "my": "mya", "am": "amh", "yo": "yor", "sw": "swh"}
SPECIAL = "<|endoftext|>"
SYSTEMS = ["mekong", "hf-classic", "hf-parity", "sentencepiece"]


def clean(line):
    """What the corpus stage would do at least: NFC, no zero-width spaces, no stray whitespace."""
    return unicodedata.normalize("NFC", line).replace("\u200b", "").strip()


def build(data, out, gettext_bytes, viwiki_bytes):
    data, out = Path(data), Path(out)
    (out / "train").mkdir(parents=True, exist_ok=True)
    (out / "dev").mkdir(parents=True, exist_ok=True)
    english = []
    for lang in LANGS:
        lines, size = [], 0
        if lang != "en":
            tsv = data / "parallel/gettext" / f"{GETTEXT.get(lang, lang)}.tsv"
            for row in tsv.read_text(encoding="utf-8").splitlines():
                source, _, target = row.partition("\t")
                target = clean(target)
                if target and size < gettext_bytes:
                    lines.append(target)
                    size += len(target.encode())
                english.append(clean(source))
        if lang == "vi":
            wiki_size = 0
            with open(data / "vi/viwiki_2017.txt", encoding="utf-8") as wiki:
                for line in wiki:
                    line = clean(line)
                    if line:
                        lines.append(line)
                        wiki_size += len(line.encode())
                    if wiki_size >= viwiki_bytes:
                        break
        if lang != "en":
            (out / "train" / f"{lang}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        dev = (data / "parallel/udhr" / f"{UDHR[lang]}.txt").read_text(encoding="utf-8").splitlines()
        (out / "dev" / f"{lang}.txt").write_text("\n".join(clean(l) for l in dev) + "\n", encoding="utf-8")
    # English: the source side of the gettext pairs, deduplicated, about gettext_bytes.
    seen, lines, size = set(), [], 0
    for line in english:
        if line and line not in seen and size < gettext_bytes:
            seen.add(line)
            lines.append(line)
            size += len(line.encode())
    (out / "train" / "en.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for lang in LANGS:
        size = (out / "train" / f"{lang}.txt").stat().st_size
        print(f"{lang}: {size / 1e6:.2f} MB train", file=sys.stderr)
    build_test(data, out)


def build_test(data, out):
    """The held-out test set (see the module's docstring), cleaned as the dev set is."""
    help_dir = data / "parallel/libreoffice-help-12"
    text = {lang: [clean(l) for l in (help_dir / f"{name}.txt").read_text(encoding="utf-8").splitlines()]
            for lang, name in HELP.items()}
    trained = {lang: set((out / "train" / f"{lang}.txt").read_text(encoding="utf-8").splitlines())
               for lang in HELP}
    rows, seen = [], set()
    for row, english in enumerate(text["en"]):
        translated = all(text[l][row] and text[l][row] != english for l in HELP if l != "en")
        unseen = all(text[l][row] not in trained[l] for l in HELP)
        if translated and unseen and len(english.split()) >= 4 and english not in seen:
            seen.add(english)
            rows.append(row)
    (out / "test").mkdir(parents=True, exist_ok=True)
    for lang in HELP:
        (out / "test" / f"{lang}.txt").write_text("\n".join(text[lang][r] for r in rows) + "\n",
                                                   encoding="utf-8")
    print(f"held-out test set: {len(rows)} segments in {len(HELP)} languages", file=sys.stderr)


def read_lines(path):
    return [l for l in Path(path).read_text(encoding="utf-8").splitlines() if l]


def byte_level_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    return tokenizer


def train_hf_classic(out, vocab):
    from tokenizers import pre_tokenizers, trainers
    tokenizer = byte_level_tokenizer()
    trainer = trainers.BpeTrainer(vocab_size=vocab, min_frequency=2, special_tokens=[SPECIAL],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    lines = (l for lang in LANGS for l in read_lines(Path(out) / "train" / f"{lang}.txt"))
    tokenizer.train_from_iterator(lines, trainer)
    tokenizer.save(str(Path(out) / "hf-classic" / "tokenizer.json"))


def train_hf_parity(out, vocab, fair=False):
    from tokenizers import pre_tokenizers, trainers
    tokenizer = byte_level_tokenizer()
    folder = "hf-parity"
    if fair:
        # Mekong's pre-tokenizer (read from its tokenizer.json), to separate the trainer's cost
        # from the pre-tokenizer's.
        from tokenizers import Tokenizer
        mekong = Tokenizer.from_file(str(Path(out) / "mekong" / "tokenizer.json"))
        tokenizer.pre_tokenizer = mekong.pre_tokenizer
        folder = "hf-parity-fair"
    trainer = trainers.ParityBpeTrainer(num_merges=vocab, total_symbols=True, min_frequency=2,
                                        special_tokens=[SPECIAL],
                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                        show_progress=False)
    langs = sorted(LANGS)
    trainer.train_from_iterator(
        tokenizer,
        train_iterators=[iter(read_lines(Path(out) / "train" / f"{l}.txt")) for l in langs],
        dev_iterators=[iter(read_lines(Path(out) / "dev" / f"{l}.txt")) for l in langs])
    tokenizer.save(str(Path(out) / folder / "tokenizer.json"))


def train_sentencepiece(out, vocab):
    import sentencepiece as spm
    folder = Path(out) / "sentencepiece"
    corpus = folder / "all.txt"
    with open(corpus, "w", encoding="utf-8") as f:
        for lang in LANGS:
            f.write((Path(out) / "train" / f"{lang}.txt").read_text(encoding="utf-8"))
    spm.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(folder / "spm"), vocab_size=vocab, model_type="bpe",
        character_coverage=0.9995, byte_fallback=True, num_threads=os.cpu_count(),
        input_sentence_size=0, max_sentence_length=1 << 16, minloglevel=2)


def count_tokens(system, out, split="dev", langs=LANGS):
    """Tokens per language on the dev or test set (no special tokens)."""
    counts = {}
    if system == "sentencepiece":
        import sentencepiece as spm
        sp = spm.SentencePieceProcessor(model_file=str(Path(out) / system / "spm.model"))
        for lang in langs:
            lines = (Path(out) / split / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
            counts[lang] = sum(len(ids) for ids in sp.encode(lines))
    else:
        from tokenizers import Tokenizer
        tokenizer = Tokenizer.from_file(str(Path(out) / system / "tokenizer.json"))
        for lang in langs:
            lines = (Path(out) / split / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
            counts[lang] = sum(len(e.ids) for e in tokenizer.encode_batch(lines, add_special_tokens=False))
    return counts


def gini(values):
    n, mean = len(values), sum(values) / len(values)
    return sum(abs(a - b) for a in values for b in values) / (2 * n * n * mean)


def run(out, vocab, mekong, systems):
    out = Path(out)
    # Results accumulate across runs of the same corpus, so systems can be measured one at a time.
    saved = out / f"results-{vocab}.json"
    results = json.loads(saved.read_text()) if saved.exists() else {}
    for system in systems:
        folder = out / system
        folder.mkdir(parents=True, exist_ok=True)
        if system.startswith("mekong"):
            extra = {"mekong": [], "mekong-vi-first": ["--premium-cap", "vi=0.95"],
                     "mekong-classic": ["--algorithm", "classic"],
                     "mekong-minfreq5": ["--min-frequency", "5"],
                     "mekong-global10k": ["--global-merges", "10000"],
                     "mekong-window": ["--window", "100", "--alpha", "2"],
                     "mekong-targets": ["--premium-cap", "vi=1.0,my=1.2,lo=1.2,yo=1.2"]}[system]
            command = [mekong, "tokenizer", "train", "--train", str(out / "train"), "--dev",
                       str(out / "dev"), "--test", str(out / "test"), "--vocab-size", str(vocab),
                       "--output", str(folder / "tokenizer.json")] + extra
        else:
            command = [sys.executable, __file__, f"train-{system}", str(out), str(vocab)]
        timing = folder / "time.txt"
        print(f"[{system}] {' '.join(command)}", file=sys.stderr)
        subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(timing)] + command, check=True)
        wall, user, system_cpu, rss_kb = timing.read_text().split()[-4:]
        counts = count_tokens(system, out)
        premium = {l: counts[l] / counts["en"] for l in LANGS}
        test = count_tokens(system, out, "test", list(HELP))
        results[system] = {"wall_s": float(wall), "cpu_s": float(user) + float(system_cpu),
                           "peak_rss_mb": int(rss_kb) / 1024, "tokens": counts, "premium": premium,
                           "gini": gini(list(counts.values())), "total": sum(counts.values()),
                           "test_tokens": test, "test_premium": {l: test[l] / test["en"] for l in HELP},
                           "test_gini": gini(list(test.values())), "test_total": sum(test.values())}
        saved.write_text(json.dumps(results, indent=1))
    print(markdown(results, vocab))


def markdown(results, vocab):
    systems = list(results)
    rows = ["| | " + " | ".join(systems) + " |", "|---|" + "---|" * len(systems)]
    def row(name, fmt):
        rows.append(f"| {name} | " + " | ".join(fmt(results[s]) for s in systems) + " |")
    row("wall time (s)", lambda r: f"{r['wall_s']:.0f}")
    row("CPU time (s)", lambda r: f"{r['cpu_s']:.0f}")
    row("peak RSS (MB)", lambda r: f"{r['peak_rss_mb']:.0f}")
    row("dev tokens (total)", lambda r: f"{r['total']}")
    row("Gini", lambda r: f"{r['gini']:.3f}")
    row("max premium", lambda r: "{:.2f} ({})".format(*max((p, l) for l, p in r['premium'].items())))
    row("vi / en tokens", lambda r: f"{r['premium']['vi']:.2f}")
    for lang in LANGS:
        if lang != "en":
            row(f"premium {lang}", lambda r, lang=lang: f"{r['premium'][lang]:.2f}")
    row("**held out** tokens (12 languages)", lambda r: f"{r['test_total']}")
    row("held-out Gini", lambda r: f"{r['test_gini']:.3f}")
    row("held-out max premium", lambda r: "{:.2f} ({})".format(*max((p, l) for l, p in r['test_premium'].items())))
    for lang in HELP:
        if lang != "en":
            row(f"held-out premium {lang}", lambda r, lang=lang: f"{r['test_premium'][lang]:.2f}")
    return f"Vocabulary {vocab}.\n\n" + "\n".join(rows)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "build":
        build(args[0], args[1], int(args[2]), int(args[3]))
    elif command == "run":
        run(args[0], int(args[1]), args[2], args[3:] or SYSTEMS)
    elif command.startswith("train-"):
        {"train-hf-classic": train_hf_classic, "train-hf-parity": train_hf_parity,
         "train-hf-parity-fair": lambda out, vocab: train_hf_parity(out, vocab, fair=True),
         "train-sentencepiece": train_sentencepiece}[command](args[0], int(args[1]))
    else:
        sys.exit(__doc__)
