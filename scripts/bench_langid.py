#!/usr/bin/env python3
"""Measures the corpus stage's language filters (script, then langid) on real text.

    scripts/bench_langid.py [--mekong BIN] [--data ../shared/data] [--config FILE] [--only PART]

Needs ../shared/data (UDHR, Tatoeba, Vietnamese text, gettext pairs, LibreOffice help) and the
test sentences Lingua's model crates carry (`cargo fetch` in tools/langid-model puts them in
Cargo's registry); uses only the standard library and `mekong corpus langid`. The model is
Lingua's, learnt from other text: every line here is held out from it. Prints Markdown tables:

1. Own text (must pass): per benchmark language, the share of its own lines dropped, on clean
   text (the UDHR, Lingua's test sentences, Tatoeba, Vietnamese Wikipedia and law), and on
   localisation files (gettext, LibreOffice help), whose lines are partly left untranslated, so
   that a drop there is often right.
2. Wrong text (must be caught): for each benchmark language T, the clean lines of every other
   benchmark language put where T is expected; the share dropped, over the lines long enough to
   be judged and over all.
3. The UDHR's hundreds of versions: each in its own language (drops), and English put in its
   place (catches).
"""

import argparse
import collections
import csv
import glob
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The 18 benchmark languages: (BCP 47, UDHR file, gettext locale, LibreOffice file, Lingua name).
LANGS = [
    ("en", "eng", None, "en-US", "english"),
    ("vi", "vie", "vi", "vi", "vietnamese"),
    ("zh", "cmn_hans", "zh_CN", "zh-CN", "chinese"),
    ("ja", "jpn", "ja", "ja", "japanese"),
    ("ko", "kor", "ko", "ko", "korean"),
    ("km", "khm", "km", "km", None),
    ("hi", "hin", "hi", "hi", "hindi"),
    ("id", "ind", "id", "id", "indonesian"),
    ("de", "deu_1996", "de", "de", "german"),
    ("fr", "fra", "fr", "fr", "french"),
    ("es", "spa", "es", "es", "spanish"),
    ("ru", "rus", "ru", "ru", "russian"),
    ("th", "tha", "th", None, "thai"),
    ("lo", "lao", "lo", None, None),
    ("my", "mya", "my", None, None),
    ("am", "amh", "am", None, None),
    ("yo", "yor", "yo", None, "yoruba"),
    ("sw", "swh", "sw", None, "swahili"),
]
CARGO_HOME = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
# Letters a text needs before the model judges it (FilterConfig::langid_min_letters).
MIN_LETTERS = 20
# Lines of Lingua's test sentences used per language.
LINGUA_LINES = 1000
# Vietnamese Wikipedia and law paragraphs used.
VI_LINES = 2000


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").lstrip("\ufeff") for line in f]


def gettext_side(data, locale, column):
    path = os.path.join(data, "parallel", "gettext", f"{locale}.tsv")
    lines = []
    for line in read_lines(path):
        cols = line.split("\t")
        if len(cols) >= 2 and cols[column].strip():
            lines.append(cols[column])
    return lines


def lingua_sentences(name):
    """Lingua's test sentences of a language, from Cargo's registry ([] when not fetched)."""
    if name is None:
        return []
    pattern = os.path.join(CARGO_HOME, "registry", "src", "*",
                           f"lingua-{name}-language-model-1.3.0", "testdata", "sentences.txt")
    paths = sorted(glob.glob(pattern))
    return read_lines(paths[0])[:LINGUA_LINES] if paths else []


def clean_text(data, lang, udhr, lingua):
    """Lines known to be in `lang`: {source name: lines}."""
    sources = {"UDHR": read_lines(os.path.join(data, "parallel", "udhr", f"{udhr}.txt")),
               "Lingua": lingua_sentences(lingua)}
    tatoeba = {"en": "eng", "vi": "vie"}.get(lang)
    if tatoeba:
        sources["Tatoeba"] = read_lines(os.path.join(data, "parallel", "tatoeba-en-vi", f"{tatoeba}.txt"))
    if lang == "vi":
        for name in ("viwiki_2017", "vlc_legal"):
            lines = read_lines(os.path.join(data, "vi", f"{name}.txt"))
            sources[name] = lines[:: max(1, len(lines) // VI_LINES)][:VI_LINES]
    return {name: [l for l in lines if l.strip()] for name, lines in sources.items() if lines}


class Judge:
    """Runs `mekong corpus langid` on lists of lines, caching files in a work folder."""

    def __init__(self, mekong, work, config):
        self.mekong, self.work, self.config, self.count = mekong, work, config, 0

    def run(self, lang, lines):
        """[(letters, verdict)] per line: verdict is 'keep', 'script' or 'langid'."""
        self.count += 1
        path = os.path.join(self.work, f"in-{self.count}.txt")
        with open(path, "w", encoding="utf-8") as f:
            for line in lines:
                f.write(line.replace("\n", " ") + "\n")
        config = ["--config", self.config] if self.config else []
        out = subprocess.run(
            [self.mekong, "corpus", "langid", "--lang", lang, path, *config],
            check=True, capture_output=True, text=True,
        ).stdout
        rows = list(csv.reader(out.splitlines()[1:], delimiter="\t", quoting=csv.QUOTE_NONE))
        result = []
        for row in rows:
            verdict = row[8]
            kind = "keep" if verdict == "keep" else verdict.split()[1].rstrip(":")
            result.append((int(row[2]), kind, row[3]))
        return result


def letters(text):
    return sum(c.isalpha() for c in text)


def pct(n, d):
    return f"{100 * n / d:.1f}" if d else "—"


def dropped_share(judge, lang, lines):
    """(share dropped, 'what the drops read as')."""
    verdicts = judge.run(lang, lines)
    dropped = [v for v in verdicts if v[1] != "keep"]
    read_as = collections.Counter(f"{v[1]}→{v[2] or '?'}" for v in dropped)
    return len(dropped) / len(lines), ", ".join(f"{k} {n}" for k, n in read_as.most_common(3))


def own_text(judge, data):
    print("### Own text: share of lines dropped (script + langid)\n")
    print("| language | clean lines | dropped % | worst clean source (dropped %: read as) | gettext % | LibreOffice % |")
    print("|---|---:|---:|---|---:|---:|")
    for lang, udhr, locale, office, lingua in LANGS:
        clean = clean_text(data, lang, udhr, lingua)
        total = dropped = 0
        worst = (-1.0, "")
        for name, lines in clean.items():
            share, read_as = dropped_share(judge, lang, lines)
            total += len(lines)
            dropped += share * len(lines)
            if share > worst[0]:
                worst = (share, f"{name} ({len(lines):,}) {100 * share:.1f}" + (f": {read_as}" if read_as else ""))
        local = []
        for lines in (gettext_side(data, locale, 1) if locale else gettext_side(data, "vi", 0),
                      read_lines(os.path.join(data, "parallel", "libreoffice-help-12", f"{office}.txt")) if office else []):
            lines = [l for l in lines if l.strip()]
            local.append(f"{100 * dropped_share(judge, lang, lines)[0]:.1f}" if lines else "—")
        print(f"| {lang} | {total:,} | {pct(dropped, total)} | {worst[1]} | {local[0]} | {local[1]} |")
    print()


def wrong_text(judge, data):
    print("### Wrong text: share caught (clean lines of every other benchmark language)\n")
    print(f"Judged: lines with at least {MIN_LETTERS} letters; the script filter also judges shorter lines.\n")
    print("| expected | wrong lines | judged | caught % of judged | caught % of all | least caught (of judged) |")
    print("|---|---:|---:|---:|---:|---|")
    pools = {}
    for lang, udhr, _, _, lingua in LANGS:
        pools[lang] = [l for lines in clean_text(data, lang, udhr, lingua).values() for l in lines]
    total_judged = total_caught = 0
    for lang, *_ in LANGS:
        judged = caught = caught_all = lines_all = 0
        per_source = []
        for name, lines in pools.items():
            if name == lang:
                continue
            verdicts = judge.run(lang, lines)
            long = [v for v, line in zip(verdicts, lines) if letters(line) >= MIN_LETTERS or v[1] == "script"]
            got_long = sum(v[1] != "keep" for v in long)
            judged += len(long)
            caught += got_long
            caught_all += sum(v[1] != "keep" for v in verdicts)
            lines_all += len(lines)
            if long:
                per_source.append((got_long / len(long), name))
        total_judged += judged
        total_caught += caught
        least = ", ".join(f"{n} {100 * s:.1f}%" for s, n in sorted(per_source)[:3])
        print(f"| {lang} | {lines_all:,} | {judged:,} | {pct(caught, judged)} | {pct(caught_all, lines_all)} | {least} |")
    print(f"\nAll expected languages: {pct(total_caught, total_judged)} % of judged wrong lines caught.\n")


def udhr_versions(judge, data):
    udhr = os.path.join(data, "parallel", "udhr")
    english = [l for l in read_lines(os.path.join(udhr, "eng.txt")) if l.strip()]
    versions, flagged, missed = 0, [], []
    catches = collections.Counter()
    with open(os.path.join(udhr, "index.tsv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for row in rows:
        tag = row["bcp47"]
        if tag in ("und", "") or row["code"] == "eng":
            continue
        lines = [l for l in read_lines(os.path.join(udhr, f"{row['code']}.txt")) if l.strip()]
        if not lines:
            continue
        versions += 1
        verdicts = judge.run(tag, lines + english)
        own, eng = verdicts[: len(lines)], verdicts[len(lines):]
        dropped = [v for v in own if v[1] != "keep"]
        if dropped:
            read_as = collections.Counter(v[2] for v in dropped).most_common(1)[0][0]
            flagged.append((len(dropped) / len(lines), f"{row['code']} ({tag}, {row['name']}): {len(dropped)}/{len(lines)} as {read_as}"))
        caught = sum(v[1] != "keep" for v in eng)
        catches["caught" if caught == len(eng) else ("partly" if caught else "not")] += 1
        if caught < len(eng):
            missed.append(f"{row['code']} ({tag}) {caught}/{len(eng)}")
    print("### The UDHR's versions\n")
    print(f"{versions} versions with a language tag (not English). Own text: {versions - len(flagged)} with no line "
          f"dropped, {len(flagged)} with some; English in their place ({len(english)} lines): all caught in {catches['caught']}, "
          f"some in {catches['partly']}, none in {catches['not']}.\n")
    print("Versions with own lines dropped (most first):\n")
    for _, text in sorted(flagged, reverse=True)[:40]:
        print(f"- {text}")
    print("\nVersions where English is not always caught (first 40):\n")
    print(", ".join(missed[:40]))
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mekong", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "mekong"))
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    parser.add_argument("--config", help="a TOML file with a [filters] table, passed to mekong")
    parser.add_argument("--only", choices=["own", "wrong", "udhr"])
    args = parser.parse_args()
    if not os.path.isdir(args.data):
        sys.exit(f"missing {args.data}")
    with tempfile.TemporaryDirectory() as work:
        judge = Judge(args.mekong, work, args.config)
        if args.only in (None, "own"):
            own_text(judge, args.data)
        if args.only in (None, "wrong"):
            wrong_text(judge, args.data)
        if args.only in (None, "udhr"):
            udhr_versions(judge, args.data)


if __name__ == "__main__":
    main()
