#!/usr/bin/env python3
"""Tokenizer benchmark: builds an 18-language corpus from ../shared/data, trains tokenizers with
Mekong, Hugging Face's BpeTrainer and ParityBpeTrainer (default byte-level pre-tokenizer) and
SentencePiece BPE, and measures time, memory and fairness on three sets (sets/):

- `gettext/test`: 200 segments per language of the gettext bitexts (the training text's own
  domain), held out: `mekong tokenizer devset --partial` draws them with `gettext/dev` (200 more
  per language, 2,000 for Vietnamese: the recommended parity dev set) and both are removed from
  the training text.
  A language's line is empty where its bitext lacks the English segment; each language is
  measured against English on its own rows, and English on all of them.
- `help`: LibreOffice help segments aligned in 12 of the languages, translated in all of them, of
  4 words or more in English, none found verbatim in the training text: another domain.
- `udhr`: the UDHR, 31 lines in all 18 languages: a third domain, and the dev set of the
  `*-udhr` systems and of hf-parity (then not held out for them, and marked so).
- `udhr-half`: the UDHR's articles 1, 3, …, 29 (15 lines) and `udhr-even` the preamble and
  the even articles (16 lines); `help-b` every second help segment (`help-a` the others). They
  measure dev sets of several genres, each held out from the dev sets that hold its other half:
  `mixed-dev` is the gettext dev set with `udhr-even` below it, `mixed-dev-help` the same with
  `help-a` between them, and `-u6`, `-u17` repeat the UDHR's lines 6 or 17 times, so that the
  genre weighs in a language's dev length as a third or as much as the gettext dev set (971
  English words against 16,899); `mixed-dev-help-u0` is gettext and `help-a` without the UDHR.
  `mekong-udhr-even` has `udhr-even` alone as its dev set.
- `vi-rest`: Vietnamese alone, on the rest of its catalogue (the training text takes its first
  megabyte of 8.6): every pair whose Vietnamese is not in Vietnamese's training text, whose
  English is not in English's, and that is in neither the dev nor the test set (about 63,000).
  Vietnamese's premium there is known to about ± 0.003, where 200 test segments tell it to
  ± 0.05.
- `tatoeba`: Vietnamese alone again, on Tatoeba's English–Vietnamese sentence pairs (everyday
  sentences, a fourth genre; about 9,400, the same unseen rule).

  bench_tokenizer.py build DATA OUT GETTEXT_BYTES VIWIKI_BYTES MEKONG_BINARY [SEED]
      (SEED: the devset draw, default 0; another seed draws other dev and test segments)
  bench_tokenizer.py build-vi-sets DATA OUT   (`vi-rest` and `tatoeba` for a corpus built before them)
  bench_tokenizer.py run OUT VOCAB MEKONG_BINARY [SYSTEMS...]
  bench_tokenizer.py train-SYSTEM OUT VOCAB          (used by `run`, one process per system)
  bench_tokenizer.py draws VOCAB OUT... -- SYSTEMS... (one system's figures draw by draw, from the
      results `run` saved in each OUT: the per-draw tables of docs/benchmarks.md)
  bench_tokenizer.py offsets VOCAB OUT...  (genre offsets: each language's premium on one genre
      over its premium on another, for every system `run` saved and for the texts in characters
      and bytes, ranges over the draws)
"""
import json
import math
import os
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

LANGS = "en vi zh ja ko km hi id de fr es ru th lo my am yo sw".split()
GETTEXT = {"zh": "zh_CN"}
# The help set's file names (LibreOffice help: 12 of the 18 languages).
HELP = {"en": "en-US", "vi": "vi", "zh": "zh-CN", "ja": "ja", "ko": "ko", "km": "km", "hi": "hi",
        "id": "id", "de": "de", "fr": "fr", "es": "es", "ru": "ru"}
UDHR = {"en": "eng", "vi": "vie", "zh": "cmn_hans", "ja": "jpn", "ko": "kor", "km": "khm",
        "hi": "hin", "id": "ind", "de": "deu_1996", "fr": "fra", "es": "spa", "ru": "rus",
        "th": "tha", "lo": "lao", "my": "mya", "am": "amh", "yo": "yor", "sw": "swh"}
# The measured sets, held out unless a system chose its merges on one.
SETS = {"gettext": "sets/gettext/test", "help": "sets/help", "help-b": "sets/help-b",
        "udhr": "sets/udhr", "udhr-half": "sets/udhr-half", "udhr-even": "sets/udhr-even",
        "vi-rest": "sets/vi-rest", "tatoeba": "sets/tatoeba", "gettext-dev": "sets/gettext/dev"}
# The dev sets of several genres: (name, with help-a, copies of the UDHR's even lines).
UDHR_COPIES = [1, 6, 17]
MIXED_DEVS = [(f"mixed-dev{help}{'' if copies == 1 else f'-u{copies}'}", bool(help), copies)
              for help in ["", "-help"] for copies in UDHR_COPIES]
MIXED_DEVS.append(("mixed-dev-help-u0", True, 0))  # gettext and help, no UDHR
# A dev set, and the measured sets it holds (a system's figures there are not held out).
DEV_HOLDS = {"sets/udhr": ["sets/udhr", "sets/udhr-half", "sets/udhr-even"],
             "sets/udhr-even": ["sets/udhr", "sets/udhr-even"],
             **{f"sets/{name}": ["sets/gettext/dev"] + (["sets/help"] if help else [])
                + (["sets/udhr", "sets/udhr-even"] if copies else [])
                for name, help, copies in MIXED_DEVS}}
SPECIAL = "<|endoftext|>"
SYSTEMS = ["mekong", "hf-parity", "sentencepiece", "mekong-no-cap", "mekong-no-tolerance",
           "mekong-char", "mekong-byte", "mekong-udhr", "mekong-mixed-dev", "hf-classic",
           "mekong-char-classic",
           "mekong-recipe-classic"]
# Mekong's systems: dev set (under OUT) and extra flags. `mekong` is the recipe docs/tokenizer.md
# recommends; `mekong-no-cap` the one before it (2026-12-05 02:00), `mekong-no-tolerance` the
# one before that (2026-12-04 23:00), `mekong-char` the one before that (2026-12-04 17:00),
# without the prefix space and with chunks of 12 clusters.
CHAR = ["--base", "char"]
SPLIT = CHAR + ["--prefix-space", "--unspaced-chunk", "48"]
TOLERANCE = SPLIT + ["--parity-tolerance", "1.01"]
# Vietnamese first: held at English's level (0.99 × the tolerance), measured on 2,000 dev rows.
RECIPE = TOLERANCE + ["--premium-cap", "vi=0.99"]
VI_DEV_ROWS = 2000
WINDOW = ["--window", "100", "--alpha", "2"]
MEKONG = {
    "mekong": ("sets/gettext/dev", RECIPE),
    "mekong-char": ("sets/gettext/dev", CHAR),
    "mekong-no-cap": ("sets/gettext/dev", TOLERANCE),
    "mekong-no-tolerance": ("sets/gettext/dev", SPLIT),
    **{f"mekong-{name}": (f"sets/{name}", RECIPE) for name, _, _ in MIXED_DEVS},
    "mekong-udhr-even": ("sets/udhr-even", RECIPE),
    "mekong-prefix": ("sets/gettext/dev", CHAR + ["--prefix-space"]),
    "mekong-chunk48": ("sets/gettext/dev", CHAR + ["--unspaced-chunk", "48"]),
    "mekong-recipe-classic": (None, SPLIT + ["--algorithm", "classic"]),
    "mekong-char-window": ("sets/gettext/dev", CHAR + WINDOW),
    "mekong-char-window-vi": ("sets/gettext/dev", CHAR + WINDOW + ["--premium-cap", "vi=0.98"]),
    "mekong-char-classic": (None, CHAR + ["--algorithm", "classic"]),
    "mekong-byte": ("sets/gettext/dev", []),
    "mekong-udhr": ("sets/udhr", []),
    "mekong-udhr-targets": ("sets/udhr", ["--premium-cap", "vi=1.0,my=1.2,lo=1.2,yo=1.2"]),
    "mekong-vi-first": ("sets/gettext/dev", ["--premium-cap", "vi=0.9"]),
    "mekong-classic": (None, ["--algorithm", "classic"]),
    "mekong-minfreq5": ("sets/gettext/dev", ["--min-frequency", "5"]),
    "mekong-global10k": ("sets/gettext/dev", ["--global-merges", "10000"]),
    "mekong-window": ("sets/gettext/dev", WINDOW),
    "mekong-caps": ("sets/gettext/dev", ["--premium-cap", "lo=1.2,yo=1.2,sw=1.2,am=1.2"]),
    **{f"mekong-tolerance-{t}": ("sets/gettext/dev", CHAR + ["--parity-tolerance", t])
       for t in ["1.02", "1.03", "1.05", "1.1"]},
    "mekong-recipe-tolerance-1.02": ("sets/gettext/dev", SPLIT + ["--parity-tolerance", "1.02"]),
}


def clean(line):
    """What the corpus stage would do at least: NFC, no zero-width spaces, no stray whitespace."""
    return unicodedata.normalize("NFC", line).replace("\u200b", "").strip()


def same_text(line):
    """How held-out segments are matched in the training text (as `mekong tokenizer devset`)."""
    return " ".join(line.split())


def held_segments(out):
    """Every segment of the gettext dev and test sets, as `same_text` matches them."""
    return {same_text(line) for folder in ("dev", "test")
            for f in (Path(out) / "sets/gettext" / folder).glob("*.txt")
            for line in f.read_text(encoding="utf-8").splitlines() if line}


def build(data, out, gettext_bytes, viwiki_bytes, mekong, seed):
    data, out = Path(data), Path(out)
    bitexts = [f"--bitext=en-{lang}={data / 'parallel/gettext' / GETTEXT.get(lang, lang)}.tsv"
               for lang in LANGS if lang != "en"]
    subprocess.run([mekong, "tokenizer", "devset", *bitexts, "--partial", "--dev-size", "200",
                    "--dev-size-for", f"vi={VI_DEV_ROWS}",
                    "--test-size", "200", "--seed", str(seed), "--output",
                    str(out / "sets/gettext")], check=True)
    held = held_segments(out)
    (out / "train").mkdir(parents=True, exist_ok=True)
    (out / "sets/udhr").mkdir(parents=True, exist_ok=True)
    english = []
    for lang in LANGS:
        lines, size = [], 0
        if lang != "en":
            tsv = data / "parallel/gettext" / f"{GETTEXT.get(lang, lang)}.tsv"
            for row in tsv.read_text(encoding="utf-8").splitlines():
                source, _, target = row.partition("\t")
                target = clean(target)
                if target and size < gettext_bytes and same_text(target) not in held:
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
        udhr = (data / "parallel/udhr" / f"{UDHR[lang]}.txt").read_text(encoding="utf-8")
        (out / "sets/udhr" / f"{lang}.txt").write_text(
            "\n".join(clean(l) for l in udhr.splitlines()) + "\n", encoding="utf-8")
    # English: the source side of the gettext pairs, deduplicated, about gettext_bytes.
    seen, lines, size = set(), [], 0
    for line in english:
        if line and line not in seen and size < gettext_bytes and same_text(line) not in held:
            seen.add(line)
            lines.append(line)
            size += len(line.encode())
    (out / "train" / "en.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for lang in LANGS:
        size = (out / "train" / f"{lang}.txt").stat().st_size
        print(f"{lang}: {size / 1e6:.2f} MB train", file=sys.stderr)
    build_help(data, out)
    build_genre_sets(out)
    build_vi_sets(data, out)


def build_vi_sets(data, out):
    """`vi-rest` and `tatoeba` (see the module's docstring) from the training text and the sets
    built already."""
    data, out = Path(data), Path(out)
    tatoeba = data / "parallel/tatoeba-en-vi"
    english, vietnamese = ((tatoeba / name).read_text(encoding="utf-8").splitlines()
                           for name in ("eng.txt", "vie.txt"))
    if len(english) != len(vietnamese):
        sys.exit(f"{tatoeba}/eng.txt has {len(english)} lines and vie.txt {len(vietnamese)}: "
                 "the pairs are aligned line by line")
    held = held_segments(out)
    trained = {lang: set((out / "train" / f"{lang}.txt").read_text(encoding="utf-8").splitlines())
               for lang in ("en", "vi")}
    catalogue = [row.partition("\t") for row in
                 (data / "parallel/gettext/vi.tsv").read_text(encoding="utf-8").splitlines()]
    write_pairs(out, "vi-rest",
                unseen_pairs(((en, vi) for en, _, vi in catalogue), held, trained))
    write_pairs(out, "tatoeba", unseen_pairs(zip(english, vietnamese), held, trained))


def unseen_pairs(pairs, held, trained):
    """The (English, Vietnamese) pairs, cleaned, that no system saw: neither side in its
    language's training text (`trained`) nor in the gettext dev or test set (`held`, as
    `same_text` matches); each pair once."""
    unseen, seen = [], set()
    for source, target in pairs:
        source, target = clean(source), clean(target)
        new = (source and target and source not in trained["en"] and target not in trained["vi"]
               and same_text(source) not in held and same_text(target) not in held)
        if new and (source, target) not in seen:
            seen.add((source, target))
            unseen.append((source, target))
    return unseen


def write_pairs(out, name, pairs):
    folder = out / "sets" / name
    folder.mkdir(parents=True, exist_ok=True)
    for lang, side in (("en", 0), ("vi", 1)):
        (folder / f"{lang}.txt").write_text("".join(p[side] + "\n" for p in pairs), encoding="utf-8")
    print(f"{name}: {len(pairs)} unseen pairs", file=sys.stderr)


def build_genre_sets(out):
    """The UDHR's and the help set's halves and the dev sets of several genres (see the module's
    docstring), from the sets built already."""
    def write(folder, lang, lines):
        (out / "sets" / folder).mkdir(parents=True, exist_ok=True)
        (out / "sets" / folder / f"{lang}.txt").write_text(
            "".join(line + "\n" for line in lines), encoding="utf-8")

    def read(folder, lang):
        return (out / "sets" / folder / f"{lang}.txt").read_text(encoding="utf-8").split("\n")[:-1]

    # Help rows that share a segment with the gettext dev or test set stay out of both halves:
    # `help-a` goes into dev sets, which must be disjoint from the test set.
    held = held_segments(out)
    help_set = {lang: read("help", lang) for lang in HELP}
    shared = {row for lines in help_set.values() for row, line in enumerate(lines)
              if same_text(line) in held}
    help_rows = [row for row in range(len(help_set["en"])) if row not in shared]
    for lang in LANGS:
        udhr, gettext = read("udhr", lang), read("gettext/dev", lang)
        write("udhr-half", lang, udhr[1::2])
        write("udhr-even", lang, udhr[0::2])
        # Languages without help text get empty lines: not measured on those rows.
        help_text = [help_set[lang][row] if lang in HELP else "" for row in help_rows]
        if lang in HELP:
            write("help-a", lang, help_text[0::2])
            write("help-b", lang, help_text[1::2])
        for name, with_help, copies in MIXED_DEVS:
            extra_help = help_text[0::2] if with_help else []
            write(name, lang, gettext + extra_help + udhr[0::2] * copies)


def build_help(data, out):
    """The help set (see the module's docstring), cleaned as the other sets are."""
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
    (out / "sets/help").mkdir(parents=True, exist_ok=True)
    for lang in HELP:
        (out / "sets/help" / f"{lang}.txt").write_text("\n".join(text[lang][r] for r in rows) + "\n",
                                                       encoding="utf-8")
    print(f"help set: {len(rows)} segments in {len(HELP)} languages", file=sys.stderr)


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
        mekong = Tokenizer.from_file(str(Path(out) / "mekong-udhr" / "tokenizer.json"))
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
        dev_iterators=[iter(read_lines(Path(out) / "sets/udhr" / f"{l}.txt")) for l in langs])
    tokenizer.save(str(Path(out) / folder / "tokenizer.json"))


def train_sentencepiece(out, vocab, system="sentencepiece", normalization="nmt_nfkc"):
    """SentencePiece BPE; by default with its own default normalisation (NFKC and a few NMT
    rules), `sentencepiece-nfc` without it: the bench's text is NFC already, as Mekong's
    tokenizer.json normalises it."""
    import sentencepiece as spm
    folder = Path(out) / system
    corpus = folder / "all.txt"
    with open(corpus, "w", encoding="utf-8") as f:
        for lang in LANGS:
            f.write((Path(out) / "train" / f"{lang}.txt").read_text(encoding="utf-8"))
    spm.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(folder / "spm"), vocab_size=vocab, model_type="bpe",
        character_coverage=0.9995, byte_fallback=True, num_threads=os.cpu_count(),
        input_sentence_size=0, max_sentence_length=1 << 16, minloglevel=2,
        normalization_rule_name=normalization)


def encoder(system, out):
    """A function from lines to their token counts (no special tokens)."""
    if system.startswith("sentencepiece"):
        import sentencepiece as spm
        sp = spm.SentencePieceProcessor(model_file=str(Path(out) / system / "spm.model"))
        return lambda lines: [len(ids) for ids in sp.encode(lines)]
    from tokenizers import Tokenizer
    tokenizer = Tokenizer.from_file(str(Path(out) / system / "tokenizer.json"))
    return lambda lines: [len(e.ids) for e in tokenizer.encode_batch(lines, add_special_tokens=False)]


def measure(encode, folder):
    """Per language: tokens on the rows where it and English both have text, its premium
    (those tokens ÷ English's on the same rows) and the premium's 95 % interval (± 1.96 standard
    errors of a ratio of sums, over the rows), as `mekong tokenizer train --test` measures."""
    text = {f.stem: f.read_text(encoding="utf-8").split("\n")[:-1] for f in Path(folder).glob("*.txt")}
    english = encode(text["en"])
    tokens, premium, error = {}, {}, {}
    for lang, lines in sorted(text.items()):
        rows = [i for i, (a, b) in enumerate(zip(lines, text["en"])) if a.strip() and b.strip()]
        pairs = list(zip(encode([lines[i] for i in rows]), (english[i] for i in rows)))
        tokens[lang] = sum(x for x, _ in pairs)
        premium[lang] = tokens[lang] / sum(y for _, y in pairs)
        error[lang] = ratio_standard_error(pairs, premium[lang])
    return {"tokens": tokens, "premium": premium,
            "interval": {lang: 1.96 * e for lang, e in error.items()},
            "total": sum(tokens.values()), "gini": gini(list(premium.values())),
            "gini_floor": gini_noise_floor(list(error.values()))}


def gini_noise_floor(errors):
    """The Gini that equal premiums would show from sampling alone (the crate's `statistics`)."""
    n = len(errors)
    spread = sum((a * a + b * b) ** 0.5 for a in errors for b in errors)
    return (2 / math.pi) ** 0.5 * spread / (2 * n * n)


def ratio_standard_error(pairs, ratio):
    """The delta method's standard error of Σx / Σy (the crate's `statistics` module)."""
    n = len(pairs)
    mean_y = sum(y for _, y in pairs) / n
    return (sum((x - ratio * y) ** 2 for x, y in pairs) / (n * (n - 1))) ** 0.5 / mean_y


def gini(values):
    n, mean = len(values), sum(values) / len(values)
    return sum(abs(a - b) for a in values for b in values) / (2 * n * n * mean)


def dev_set(system):
    """The set a system chose its merges on (its figures on the sets it holds, `DEV_HOLDS`, are
    not held out)."""
    if system in MEKONG:
        return MEKONG[system][0]
    return "sets/udhr" if system.startswith("hf-parity") else None


def run(out, vocab, mekong, systems):
    out = Path(out)
    if not all((out / "sets" / name).exists() for name, _, _ in MIXED_DEVS):
        build_genre_sets(out)  # a corpus built before these sets existed
    # Results accumulate across runs of the same corpus, so systems can be measured one at a time.
    saved = out / f"results-{vocab}.json"
    results = json.loads(saved.read_text()) if saved.exists() else {}
    # Times compare only within one run (one invocation, nothing else running).
    run_at = time.strftime("%Y-%m-%d %H:%M:%S")
    for system in systems:
        folder = out / system
        folder.mkdir(parents=True, exist_ok=True)
        if system in MEKONG:
            dev, extra = MEKONG[system]
            dev_args = ["--dev", str(out / dev)] if dev else []
            command = [mekong, "tokenizer", "train", "--train", str(out / "train"), *dev_args,
                       "--test", str(out / SETS["gettext"]), "--vocab-size", str(vocab),
                       "--output", str(folder / "tokenizer.json")] + extra
        else:
            command = [sys.executable, __file__, f"train-{system}", str(out), str(vocab)]
        timing = folder / "time.txt"
        print(f"[{system}] {' '.join(command)}", file=sys.stderr)
        subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(timing)] + command, check=True)
        wall, user, system_cpu, rss_kb = timing.read_text().split()[-4:]
        encode = encoder(system, out)
        results[system] = {"wall_s": float(wall), "cpu_s": float(user) + float(system_cpu),
                           "peak_rss_mb": int(rss_kb) / 1024, "dev": dev_set(system), "run_at": run_at,
                           "sets": {name: measure(encode, out / path) for name, path in SETS.items()}}
        saved.write_text(json.dumps(results, indent=1))
    print(markdown(results, vocab))


def markdown(results, vocab):
    systems = list(results)
    rows = ["| | " + " | ".join(systems) + " |", "|---|" + "---:|" * len(systems)]
    def row(name, fmt):
        rows.append(f"| {name} | " + " | ".join(fmt(results[s]) for s in systems) + " |")
    row("wall time (s)", lambda r: f"{r['wall_s']:.1f}")
    row("CPU time (s)", lambda r: f"{r['cpu_s']:.1f}")
    row("peak RSS (MB)", lambda r: f"{r['peak_rss_mb']:.0f}")
    for name, path in SETS.items():
        def held(r, text, path=path):
            return f"{text} (dev)" if path in DEV_HOLDS.get(r["dev"], [r["dev"]]) else text
        def cell(fmt, name=name):
            # Results saved before a set was added have no figures for it.
            return lambda r: held(r, fmt(r["sets"][name])) if name in r["sets"] else "—"
        langs = max(len(r["sets"][name]["tokens"]) for r in results.values() if name in r["sets"])
        row(f"**{name}** ({langs} languages): tokens", cell(lambda s: f"{s['total']:,}"))
        if name in results.get("sentencepiece", {}).get("sets", {}):
            spm_total = results["sentencepiece"]["sets"][name]["total"]
            row(f"{name}: tokens vs SentencePiece",
                cell(lambda s, t=spm_total: f"{(s['total'] / t - 1) * 100:+.2f} %"))
        # A premium is against English: English's own count shows what evenness cost it.
        row(f"{name}: English tokens", cell(lambda s: f"{s['tokens']['en']:,}"))
        row(f"{name}: Gini", cell(lambda s: f"{s['gini']:.3f}" + (
            f" (sampling alone {s['gini_floor']:.3f})" if "gini_floor" in s else "")))
        row(f"{name}: max premium", cell(lambda s: "{:.2f} ({})".format(
            *max((p, l) for l, p in s["premium"].items()))))
        # ± 95 % interval over the set's rows (results saved before it was measured have none).
        row(f"{name}: vi", cell(lambda s: f"{s['premium']['vi']:.2f}" + (
            f" ± {s['interval']['vi']:.2f}" if "interval" in s else "")))
    for lang in LANGS[1:]:
        row(f"gettext: premium {lang}", lambda r, lang=lang: f"{r['sets']['gettext']['premium'][lang]:.2f}")
    return f"Vocabulary {vocab}.\n\n" + "\n".join(rows)


def draws(vocab, outs, systems):
    """A Markdown table per system: its figures on each draw (OUT) against SentencePiece's and
    hf-parity's saved in the same OUT, "—" where a run did not measure them. Training times are
    compared only when both systems were trained in the same run."""
    def vs(r, base, name):
        mine, theirs = r.get(name), base.get(name)
        return f"{(mine['total'] / theirs['total'] - 1) * 100:+.2f} %" if mine and theirs else "—"

    def premium(s, lang):
        if not s:
            return "—"
        return f"{s['premium'][lang]:.3f}" + (f" ± {s['interval'][lang]:.3f}" if "interval" in s else "")

    def largest(s):
        return "{:.3f} ({})".format(*max((p, l) for l, p in s["premium"].items())) if s else "—"

    def evenness(s):
        return f"{s['gini']:.3f} ({s['gini_floor']:.3f})" if s else "—"

    tables = []
    for system in systems:
        rows = ["| draw | gettext: tokens vs SentencePiece | vs SentencePiece without NFKC "
                "| Gini (sampling alone) | max premium | vi, vi-rest | vi, tatoeba | help-b: Gini "
                "| udhr-half: Gini | training / hf-parity |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        for out in outs:
            results = json.loads((Path(out) / f"results-{vocab}.json").read_text())
            if system not in results:
                continue
            r, sets = results[system], results[system]["sets"]
            spm = results.get("sentencepiece", {}).get("sets", {})
            # Like for like: SentencePiece on the NFC text as it is, as Mekong's tokenizer.json
            # leaves it (its default NFKC folds characters, so its tokens do not decode to them).
            spm_nfc = results.get("sentencepiece-nfc", {}).get("sets", {})
            hf = results.get("hf-parity")
            same_run = hf and r.get("run_at") and r.get("run_at") == hf.get("run_at")
            seconds = f"{r['wall_s']:.1f} / " + (f"{hf['wall_s']:.1f} s" if same_run else "— s")
            rows.append(" | ".join([
                f"| {Path(out).name}", vs(sets, spm, "gettext"), vs(sets, spm_nfc, "gettext"),
                evenness(sets.get("gettext")),
                largest(sets.get("gettext")), premium(sets.get("vi-rest"), "vi"),
                premium(sets.get("tatoeba"), "vi"), evenness(sets.get("help-b")),
                evenness(sets.get("udhr-half")), seconds]) + " |")
        tables.append(f"**{system}** (vocabulary {vocab})\n\n" + "\n".join(rows))
    return "\n\n".join(tables)


# Genre pairs whose offsets `offsets` reports: (numerator set, denominator set).
GENRE_PAIRS = [("udhr-half", "gettext"), ("help-b", "gettext"), ("udhr-half", "help-b")]
# Each set once, denominators first: gettext, udhr-half, help-b.
GENRES = list(dict.fromkeys(name for pair in GENRE_PAIRS for name in reversed(pair)))


def offsets(vocab, outs):
    """A Markdown table: per system, over the draws, each genre's Gini and the Gini of the
    languages' genre offsets (premium on one genre ÷ premium on the other). The offsets bound
    what one tokenizer can reach on both genres: the mean absolute difference of log premiums
    obeys |log o_i − log o_j| ≤ |log u_i − log u_j| + |log g_i − log g_j| (o = u / g), so for
    dispersions this small Gini(u) + Gini(g) ≥ Gini(o) very nearly; every pair measured obeys
    it. The texts' own offsets (premiums in characters and in bytes) show how much of it no
    merge order made."""
    units = {"the texts, in characters": len,
             "the texts, in bytes": lambda line: len(line.encode("utf-8"))}
    ranges, slack = {}, []
    for out in outs:
        results = json.loads((Path(out) / f"results-{vocab}.json").read_text())
        measured = {system: r["sets"] for system, r in results.items()}
        for unit, length in units.items():
            def count(lines, length=length):
                return [length(line) for line in lines]
            measured[unit] = {name: measure(count, Path(out) / SETS[name]) for name in GENRES}
        for system, sets in measured.items():
            if not all(name in sets for name in GENRES):
                continue  # saved before the genre halves existed
            figures = ranges.setdefault(system, {})
            for name in GENRES:
                figures.setdefault(f"Gini, {name}", []).append(sets[name]["gini"])
            for top, bottom in GENRE_PAIRS:
                u, g = sets[top]["premium"], sets[bottom]["premium"]
                both = [lang for lang in u if lang in g]  # help: 12 of the 18 languages
                offset = gini([u[lang] / g[lang] for lang in both])
                figures.setdefault(f"offsets' Gini, {top} ÷ {bottom}", []).append(offset)
                slack.append(gini([u[lang] for lang in both]) + gini([g[lang] for lang in both])
                             - offset)
    columns = list(next(iter(ranges.values())))
    rows = ["| system (draws) | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for system, figures in ranges.items():
        cells = [f"{min(figures[c]):.3f}–{max(figures[c]):.3f}" for c in columns]
        rows.append(f"| {system} ({len(figures[columns[0]])}) | " + " | ".join(cells) + " |")
    return "\n".join(rows) + ("\n\nGini(one genre) + Gini(the other) − Gini(their offsets): "
                              f"at least {min(slack):+.4f} over {len(slack)} pairs.")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "build":
        build(args[0], args[1], int(args[2]), int(args[3]), args[4], int(args[5]) if args[5:] else 0)
    elif command == "build-vi-sets":
        build_vi_sets(args[0], args[1])
    elif command == "run":
        run(args[0], int(args[1]), args[2], args[3:] or SYSTEMS)
    elif command == "draws":
        split = args.index("--")
        print(draws(int(args[0]), args[1:split], args[split + 1:]))
    elif command == "offsets":
        print(offsets(int(args[0]), args[1:]))
    elif command.startswith("train-"):
        {"train-hf-classic": train_hf_classic, "train-hf-parity": train_hf_parity,
         "train-hf-parity-fair": lambda out, vocab: train_hf_parity(out, vocab, fair=True),
         "train-sentencepiece": train_sentencepiece,
         "train-sentencepiece-nfc": lambda out, vocab: train_sentencepiece(
             out, vocab, "sentencepiece-nfc", "identity")}[command](args[0], int(args[1]))
    else:
        sys.exit(__doc__)
