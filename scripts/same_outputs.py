#!/usr/bin/env python3
"""Runs one pipeline with two mekong binaries and shows that every output is the same.

A refactoring must not change what the stages write. This runs PIPELINE once with each binary,
each into its own workdir (named like the pipeline's, so the model card's default name is the
same), then compares every file the two runs wrote:

  * binary files (Parquet shards, token shards, safetensors): byte for byte;
  * burn's checkpoint records (*.mpk, MessagePack): decoded and compared value for value, every
    tensor's bytes included, with each parameter's id replaced by the parameter's name. burn
    draws those ids at random on every run, and the optimizer record is a map keyed by them in
    hash order, so two runs of the same binary differ there, and only there;
  * text files: byte for byte after two rewrites that are not outputs of the work itself:
    the two workdirs' paths are replaced by one placeholder, and paths are normalised
    (`pipelines/../data` and `data` name the same file);
  * JSON and JSONL: after the same rewrites, as parsed values with the measured durations
    removed (keys listed in VOLATILE_KEYS: wall-clock seconds and speeds differ on every run).

Files whose content is a measurement of time by design are compared with those removed too:
  * train-log.jsonl lines (tokens_per_sec, mfu), training.json timings, manifest.json
    (recorded with the paths as each binary resolved them) are compared as JSON;
  * model cards and index pages print training time and speed: those numbers are masked.
In manifest.json and checkpoint.json the size and SHA-256 recorded for each file are left out
(DERIVED_KEYS): the files themselves are compared above, and a hash over a checkpoint or a
folder holding a manifest differs with the parameter ids and paths.

Usage: same_outputs.py BEFORE_BIN AFTER_BIN [PIPELINE]   (default pipelines/demo.toml)
With KEEP_BEFORE=1, a completed earlier run of BEFORE_BIN (its workdir holds report.html) is
reused, so a second AFTER_BIN can be checked against the same baseline; KEEP_AFTER=1 likewise.
Exit status 1 when any file differs or exists in one run only.
"""

import json
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Measured durations and speeds: different on every run, whatever the code.
VOLATILE_KEYS = {
    "seconds",
    "tokens_per_sec",
    "mfu",
    "timings",
    "elapsed_seconds",
    "wall_seconds",
    "train_seconds",
    "duration_seconds",
    "timings_s",
}
# Sizes and hashes of other files, in the records that list them.
DERIVED_KEYS = {"sha256", "bytes"}
RECORDS_OF_FILES = {"manifest.json", "checkpoint.json"}


def unpack(data):
    """Decodes one MessagePack value (the subset burn's recorder writes); returns it."""
    value, end = _unpack(data, 0)
    assert end == len(data), "trailing bytes"
    return value


def _unpack(d, i):
    b = d[i]
    i += 1
    fixed = {0xC0: None, 0xC2: False, 0xC3: True}
    if b in fixed:
        return fixed[b], i
    if b <= 0x7F:
        return b, i
    if b >= 0xE0:
        return b - 0x100, i
    if 0xA0 <= b <= 0xBF:
        return d[i : i + (b & 0x1F)].decode(), i + (b & 0x1F)
    if 0x90 <= b <= 0x9F:
        return _items(d, i, b & 0x0F, pairs=False)
    if 0x80 <= b <= 0x8F:
        return _items(d, i, b & 0x0F, pairs=True)
    sizes = {0xCC: ">B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q", 0xD0: ">b", 0xD1: ">h",
             0xD2: ">i", 0xD3: ">q", 0xCA: ">f", 0xCB: ">d"}
    if b in sizes:
        n = struct.calcsize(sizes[b])
        return struct.unpack(sizes[b], d[i : i + n])[0], i + n
    lengths = {0xD9: ">B", 0xDA: ">H", 0xDB: ">I", 0xC4: ">B", 0xC5: ">H", 0xC6: ">I",
               0xDC: ">H", 0xDD: ">I", 0xDE: ">H", 0xDF: ">I"}
    n = struct.calcsize(lengths[b])
    (count,) = struct.unpack(lengths[b], d[i : i + n])
    i += n
    if b in (0xD9, 0xDA, 0xDB):
        return d[i : i + count].decode(), i + count
    if b in (0xC4, 0xC5, 0xC6):
        return bytes(d[i : i + count]), i + count
    return _items(d, i, count, pairs=b in (0xDE, 0xDF))


def _items(d, i, count, pairs):
    items = []
    for _ in range(count * (2 if pairs else 1)):
        value, i = _unpack(d, i)
        items.append(value)
    if pairs:
        return dict(zip(items[::2], items[1::2])), i
    return items, i


def parameter_names(record, at="", names=None):
    """burn's random parameter id → the parameter's path in the model record."""
    names = {} if names is None else names
    if isinstance(record, dict):
        if set(record) == {"id", "param"}:
            names[record["id"]] = at
        for key, value in record.items():
            parameter_names(value, f"{at}.{key}", names)
    elif isinstance(record, list):
        for i, value in enumerate(record):
            parameter_names(value, f"{at}[{i}]", names)
    return names


def renamed(value, names):
    """The record with every parameter id replaced by its name (map keys included)."""
    if isinstance(value, dict):
        return {names.get(k, k): renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [renamed(v, names) for v in value]
    return names.get(value, value) if isinstance(value, str) else value


def comparable_record(path):
    """A checkpoint record decoded, ids named after the model record beside it."""
    names = parameter_names(unpack((path.parent / "model.mpk").read_bytes()))
    return renamed(unpack(path.read_bytes()), names)
TEXT_SUFFIXES = {".json", ".jsonl", ".md", ".html", ".csv", ".svg", ".txt", ".tsv"}
PATH_WITH_PARENT = re.compile(r"[\w.\-/]*/\.\./[\w.\-/]*")
# "12.3 s", "4,567 tokens/s", "0:03:21" in cards and pages: printed measurements of time.
PRINTED_TIME = re.compile(
    r"\d[\d,]*(\.\d+)?\s*(s|seconds|min|minutes|h|hours|tokens/s|tok/s)\b|\b\d+:\d\d:\d\d\b"
)


def run(binary, pipeline, label):
    """Runs `pipeline` with `binary` into runs/same-outputs/<label>/<stem>; returns that folder."""
    source = pipeline.read_text()
    workdir = ROOT / "runs" / "same-outputs" / label / pipeline.stem
    if os.environ.get(f"KEEP_{label.upper()}") and (workdir / "report.html").is_file():
        print(f"== {label}: reusing {workdir}", flush=True)
        return workdir
    if workdir.exists():
        shutil.rmtree(workdir)
    # The copy sits beside the original so that its relative paths mean the same files.
    copy = pipeline.with_name(f".same-outputs-{label}-{pipeline.name}")
    line = f'workdir = "{workdir}"'
    if re.search(r"(?m)^workdir\s*=", source):
        text = re.sub(r'(?m)^workdir\s*=.*$', line, source, count=1)
    elif re.search(r"(?m)^\[pipeline\]", source):
        text = re.sub(r"(?m)^\[pipeline\]\s*$", "[pipeline]\n" + line, source, count=1)
    else:
        text = f"[pipeline]\n{line}\n\n{source}"
    copy.write_text(text)
    try:
        print(f"== {label}: {binary} run {pipeline}", flush=True)
        subprocess.run([binary, "run", str(copy)], check=True, cwd=ROOT)
    finally:
        copy.unlink()
    return workdir


def normalise_text(text, workdir):
    text = text.replace(str(workdir), "<workdir>")
    return PATH_WITH_PARENT.sub(lambda m: os.path.normpath(m.group(0)), text)


def without_volatile(value, dropped):
    if isinstance(value, dict):
        return {k: without_volatile(v, dropped) for k, v in value.items() if k not in dropped}
    if isinstance(value, list):
        return [without_volatile(v, dropped) for v in value]
    return value


def first_difference(a, b, at=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            found = first_difference(a.get(key), b.get(key), f"{at}.{key}" if at else key)
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{at} (length {len(a)} vs {len(b)})"
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{at}[{i}]")
            if found:
                return found
        return None
    shown = lambda v: (f"{len(v)} bytes" if isinstance(v, bytes) else json.dumps(v)[:80])
    return None if a == b else f"{at}: {shown(a)} vs {shown(b)}"


def parse_json(text, name):
    if name.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)


def compare(path, before, after):
    """Why the two copies of `path` differ, or None; and how they were compared."""
    a, b = (before / path).read_bytes(), (after / path).read_bytes()
    if a == b:
        return None, "bytes"
    if path.suffix == ".mpk":
        found = first_difference(comparable_record(before / path), comparable_record(after / path))
        return (f"record differs at {found}" if found else None), "mpk"
    if path.suffix not in TEXT_SUFFIXES:
        return "bytes differ", "bytes"
    ta = normalise_text(a.decode(), before)
    tb = normalise_text(b.decode(), after)
    if path.suffix in {".json", ".jsonl"}:
        dropped = VOLATILE_KEYS | (DERIVED_KEYS if path.name in RECORDS_OF_FILES else set())
        va = without_volatile(parse_json(ta, path.name), dropped)
        vb = without_volatile(parse_json(tb, path.name), dropped)
        return first_difference(va, vb), "json"
    ta, tb = PRINTED_TIME.sub("<time>", ta), PRINTED_TIME.sub("<time>", tb)
    if ta == tb:
        return None, "text"
    line = next(
        i for i, (x, y) in enumerate(zip(ta.splitlines() + [""], tb.splitlines() + [""])) if x != y
    )
    return f"line {line + 1} differs", "text"


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    before_bin, after_bin = (pathlib.Path(p).resolve() for p in sys.argv[1:3])
    pipeline = pathlib.Path(sys.argv[3] if len(sys.argv) == 4 else "pipelines/demo.toml")
    pipeline = (ROOT / pipeline).resolve() if not pipeline.is_absolute() else pipeline
    before = run(before_bin, pipeline, "before")
    after = run(after_bin, pipeline, "after")

    files = lambda root: {p.relative_to(root) for p in root.rglob("*") if p.is_file()}
    in_before, in_after = files(before), files(after)
    differing = []
    counts = {"bytes": 0, "mpk": 0, "text": 0, "json": 0}
    for path in sorted(in_before | in_after):
        if path not in in_after or path not in in_before:
            differing.append(f"{path}: only in {'before' if path in in_before else 'after'}")
            continue
        why, how = compare(path, before, after)
        counts[how] += 1
        if why:
            differing.append(f"{path}: {why}")
    same = len(in_before & in_after) - sum(1 for d in differing if "only in" not in d)
    print(
        f"\n{same} of {len(in_before | in_after)} files the same "
        f"(compared as: {counts['bytes']} bytes as written, {counts['mpk']} checkpoint records "
        f"decoded with parameter ids named, {counts['text']} text and {counts['json']} JSON after the "
        "rewrites above)"
    )
    for line in differing:
        print(f"  DIFFERS {line}")
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
