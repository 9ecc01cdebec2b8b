#!/usr/bin/env python3
"""Check that a Mekong Hugging Face export is the same model in transformers (see
scripts/check-hf-export.sh, which builds everything this reads).

The export folder is loaded with plain `AutoModelForCausalLM` / `AutoTokenizer` (no remote code),
and compared with what Mekong itself computed (reference.json, written by the `hf_reference`
example of mekong-eval, and eval.json, written by the eval stage):

1. load: the folder loads as f32, and its separator token is Mekong's document token;
2. logits: the model's logits for one sequence match Mekong's within 1e-4 (weights, layout,
   RoPE, norms and tied embeddings all exported right);
3. tokenizer: tokenizer.json gives Mekong's ids for every line and eval text, the same ids for
   NFD input (its NFC normaliser works), and decodes back to the NFC text;
4. bits per byte: Mekong's eval rule (the document token first, sliding windows, every target
   scored once) run in transformers gives eval.json's figures within 0.2 %;
5. generate: `model.generate` runs greedily from a Vietnamese prompt and produces tokens.

Figures are printed as each check runs, then one PASS/FAIL line per check and a summary
`check-hf-export: N passed, N failed`; the exit status is 1 when any check failed.
Needs torch, transformers and numpy.
"""

import argparse
import json
import math
import sys
import traceback
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer

LOGITS_TOLERANCE = 1e-4
BPB_RELATIVE_TOLERANCE = 0.002
PROMPT = "Việt Nam là"
MAX_NEW_TOKENS = 20
# Largest f32 logits tensor one scoring batch may produce (elements): 256 MiB.
MAX_BATCH_LOGITS = 64 * 1024 * 1024


@dataclass
class Outcome:
    name: str
    passed: bool
    detail: str


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--export", required=True, help="the exported Hugging Face folder")
    parser.add_argument("--reference", required=True, help="reference.json from hf_reference")
    parser.add_argument("--eval", required=True, help="eval.json from Mekong's eval stage")
    return parser.parse_args()


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def clip(ids, n=12):
    """An id list for a message: its first n ids, and how many more there are."""
    ids = list(ids)
    return str(ids[:n])[:-1] + (f", … {len(ids) - n} more]" if len(ids) > n else "]")


def dtype_argument():
    """transformers 4.56 renamed from_pretrained's `torch_dtype` to `dtype` (and warns on the
    old name since); older versions know only `torch_dtype`."""
    major, minor = (int(part) for part in transformers.__version__.split(".")[:2])
    return "dtype" if (major, minor) >= (4, 56) else "torch_dtype"


def rope_theta(config):
    """RoPE base as transformers understood config.json: `rope_parameters` in 5.x,
    `rope_theta` in 4.x."""
    parameters = getattr(config, "rope_parameters", None)
    if isinstance(parameters, dict) and "rope_theta" in parameters:
        return parameters["rope_theta"]
    return getattr(config, "rope_theta", None)


# --- 1. load -------------------------------------------------------------------------------------


def load(export, document_token):
    model = AutoModelForCausalLM.from_pretrained(export, **{dtype_argument(): torch.float32})
    model.eval()
    tok = AutoTokenizer.from_pretrained(export)
    config = model.config
    params = sum(p.numel() for p in model.parameters())
    print(f"transformers {transformers.__version__}, torch {torch.__version__}, "
          f"numpy {np.__version__}")
    print(f"model: {type(model).__name__}, {params:,} parameters, dtype {model.dtype}; "
          f"tokenizer: {type(tok).__name__}, {len(tok):,} tokens")
    print(f"config: vocab {config.vocab_size}, hidden {config.hidden_size}, "
          f"layers {config.num_hidden_layers}, heads {config.num_attention_heads}, "
          f"rope theta {rope_theta(config)}, tied embeddings {config.tie_word_embeddings}")
    print(f"special ids: document token {document_token}; config bos/eos/pad "
          f"{config.bos_token_id}/{config.eos_token_id}/{config.pad_token_id}; "
          f"tokenizer eos {tok.eos_token_id} ({tok.eos_token!r})")

    problems = []
    if model.dtype != torch.float32:
        problems.append(f"loaded as {model.dtype}")
    if config.eos_token_id != document_token:
        problems.append(f"config eos_token_id {config.eos_token_id} is not the document token")
    if tok.eos_token_id != document_token:
        problems.append(f"tokenizer eos {tok.eos_token_id} is not the document token")
    detail = "; ".join(problems) or f"{type(model).__name__} + {type(tok).__name__}, f32"
    return model, tok, Outcome("load", not problems, detail)


# --- 2. logits -----------------------------------------------------------------------------------


def check_logits(model, reference):
    ids = reference["logits"]["ids"]
    expected = np.asarray(reference["logits"]["values"], dtype=np.float32)
    got = model(torch.tensor([ids])).logits[0].float().numpy()
    if got.shape != expected.shape:
        return Outcome("logits", False, f"shape {got.shape}, Mekong's {expected.shape}")
    diff = np.abs(got - expected)
    worst = float(diff.max())
    position, vocab_id = np.unravel_index(int(diff.argmax()), diff.shape)
    agree = float((got.argmax(-1) == expected.argmax(-1)).mean())
    print(f"logits: {len(ids)} positions × {expected.shape[1]} vocab; max |diff| {worst:.3g} "
          f"(at position {position}, id {vocab_id}; logits up to {np.abs(expected).max():.3g}); "
          f"argmax agrees at {agree:.0%} of positions")
    return Outcome("logits", worst <= LOGITS_TOLERANCE,
                   f"max |diff| {worst:.3g} (tolerance {LOGITS_TOLERANCE:g})")


# --- 3. tokenizer --------------------------------------------------------------------------------


def tokenizer_cases(reference):
    """(where, text, Mekong's ids) for every encoded line and every eval text."""
    for entry in reference["encodings"]:
        for number, (line, ids) in enumerate(zip(entry["lines"], entry["ids"]), start=1):
            yield f"{entry['file']}:{number}", line, ids
    for text in reference["eval_texts"]:
        yield f"eval text '{text['lang']}'", text["text"], text["ids"]


def check_tokenizer(tok, reference):
    def encode(text):
        # verbose=False: eval texts are longer than model_max_length, which only matters to
        # a model reading them whole.
        return tok(text, add_special_tokens=False, verbose=False).input_ids

    counts = {"ids": 0, "nfd": 0, "decode": 0}
    first = {}  # criterion -> message of its first failure
    cases = 0
    for where, text, expected in tokenizer_cases(reference):
        cases += 1
        ids = encode(text)
        if ids != expected:
            counts["ids"] += 1
            first.setdefault("ids", f"{where}: transformers {clip(ids)}, Mekong {clip(expected)}")
        nfd = unicodedata.normalize("NFD", text)
        if nfd != text:
            nfd_ids = encode(nfd)
            if nfd_ids != ids:
                counts["nfd"] += 1
                first.setdefault("nfd", f"{where}: NFD gives {clip(nfd_ids)}, NFC {clip(ids)}")
        decoded = tok.decode(ids)
        if decoded != unicodedata.normalize("NFC", text):
            counts["decode"] += 1
            first.setdefault("decode", f"{where}: decodes to {decoded[:60]!r}, "
                                       f"text is {text[:60]!r}")

    lines = sum(len(e["lines"]) for e in reference["encodings"])
    print(f"tokenizer: {lines} lines in {len(reference['encodings'])} files and "
          f"{len(reference['eval_texts'])} eval texts; id mismatches {counts['ids']}, "
          f"NFD mismatches {counts['nfd']}, decode round trips failed {counts['decode']} "
          f"of {cases}")
    for criterion, message in first.items():
        print(f"  first {criterion} mismatch: {message}")
    failed = {k: v for k, v in counts.items() if v}
    if cases == 0:
        return Outcome("tokenizer", False, "reference.json holds no lines")
    if failed:
        labels = {"ids": "texts with other ids", "nfd": "NFD inputs with other ids",
                  "decode": "failed decode round trips"}
        return Outcome("tokenizer", False, ", ".join(f"{v} {labels[k]}" for k, v in failed.items()))
    return Outcome("tokenizer", True, f"{cases} texts: same ids, NFD-proof, decode round trips")


# --- 4. bits per byte ----------------------------------------------------------------------------


def windows(length, window, stride):
    """Mekong's WindowPlan::windows (eval/src/scoring.rs): (start, end, score_from) covering a
    sequence of `length` positions; position 0 is never scored, every later one exactly once."""
    out = []
    if length < 2:
        return out
    scored_to = 1
    end = min(window, length)
    while True:
        start = max(end - window, 0)
        out.append((start, end, scored_to))
        scored_to = end
        if end == length:
            return out
        end = min(end + stride, length)


def nll_nats(model, sequence, window, stride):
    """Total negative log-likelihood (nats) of sequence[1:], read in Mekong's windows; windows of
    equal length go to the model together."""
    by_length = defaultdict(list)
    for w in windows(len(sequence), window, stride):
        by_length[w[1] - w[0]].append(w)
    batch = max(1, MAX_BATCH_LOGITS // (window * model.config.vocab_size))
    targets = torch.tensor(sequence)
    total = 0.0
    for length, group in by_length.items():
        for i in range(0, len(group), batch):
            chunk = group[i:i + batch]
            inputs = torch.stack([targets[start:end] for start, end, _ in chunk])
            logits = model(inputs).logits
            for row, (start, end, score_from) in zip(logits, chunk):
                # row[j] predicts position start + j + 1.
                log_probs = row[score_from - start - 1:end - start - 1].double().log_softmax(-1)
                wanted = targets[score_from:end]
                total -= log_probs.gather(1, wanted[:, None]).sum().item()
    return total


def check_bits_per_byte(model, reference, eval_results):
    scored = eval_results["models"][0]
    window = scored["window"]["window"]
    stride = scored["window"]["stride"]
    mekong = {s["lang"]: s for s in scored["scores"]}
    document_token = reference["document_token"]

    print(f"bits per byte of '{scored['name']}', window {window}, stride {stride}:")
    print("| lang | tokens | bytes | Mekong bpb | transformers bpb | rel diff |")
    print("|---|---|---|---|---|---|")
    problems = []
    worst = 0.0
    for text in reference["eval_texts"]:
        lang, ids = text["lang"], text["ids"]
        if lang not in mekong:
            problems.append(f"'{lang}' is not in eval.json")
            continue
        expected = mekong[lang]
        if (expected["tokens"], expected["bytes"]) != (len(ids), text["bytes"]):
            problems.append(f"'{lang}': eval.json scored {expected['tokens']} tokens over "
                            f"{expected['bytes']} bytes, reference.json has {len(ids)} over "
                            f"{text['bytes']}")
        nll = nll_nats(model, [document_token] + ids, window, stride)
        bpb = nll / math.log(2) / text["bytes"]
        relative = abs(bpb - expected["bits_per_byte"]) / abs(expected["bits_per_byte"])
        worst = max(worst, relative)
        print(f"| {lang} | {len(ids)} | {text['bytes']} | {expected['bits_per_byte']:.5f} | "
              f"{bpb:.5f} | {relative:.3%} |")
        if relative > BPB_RELATIVE_TOLERANCE:
            problems.append(f"'{lang}' differs by {relative:.3%}")
    if not reference["eval_texts"]:
        problems.append("reference.json holds no eval texts")
    detail = "; ".join(problems) or (
        f"{len(reference['eval_texts'])} languages, worst relative difference {worst:.3%} "
        f"(tolerance {BPB_RELATIVE_TOLERANCE:.1%})")
    return Outcome("bits per byte", not problems, detail)


# --- 5. generate ---------------------------------------------------------------------------------


def check_generate(model, tok, document_token):
    prompt_ids = [document_token] + tok(PROMPT, add_special_tokens=False).input_ids
    input_ids = torch.tensor([prompt_ids])
    eos = model.generation_config.eos_token_id
    if eos is None:
        eos = model.config.eos_token_id
    # Greedy: the export's generation_config samples (as `mekong eval` does); its sampling
    # settings are cleared so transformers does not warn that greedy search ignores them.
    output = model.generate(input_ids, attention_mask=torch.ones_like(input_ids),
                            max_new_tokens=MAX_NEW_TOKENS, do_sample=False, temperature=None,
                            top_k=None, top_p=None, pad_token_id=eos)
    new = output[0, len(prompt_ids):].tolist()
    print(f"generate (greedy, {MAX_NEW_TOKENS} new tokens at most): "
          f"{PROMPT!r} → {tok.decode(new)!r} ({len(new)} tokens)")
    return Outcome("generate", len(new) > 0, f"{len(new)} new tokens")


# --- main ----------------------------------------------------------------------------------------


def run_check(outcomes, name, check, *args):
    """Runs one check, turning an exception into its failure."""
    try:
        outcome = check(*args)
    except Exception as error:  # noqa: BLE001 - a crashing check is a failed check
        traceback.print_exc()
        outcome = Outcome(name, False, f"{type(error).__name__}: {error}")
    outcomes.append(outcome)
    return outcome


def main():
    args = parse_args()
    reference = load_json(args.reference)
    eval_results = load_json(args.eval)["results"]  # eval.json: {"results": ..., "settings": ...}
    document_token = reference["document_token"]
    torch.set_grad_enabled(False)

    outcomes = []
    try:
        model, tok, outcome = load(args.export, document_token)
        outcomes.append(outcome)
    except Exception as error:  # noqa: BLE001
        traceback.print_exc()
        outcomes.append(Outcome("load", False, f"{type(error).__name__}: {error}"))
    else:
        run_check(outcomes, "logits", check_logits, model, reference)
        run_check(outcomes, "tokenizer", check_tokenizer, tok, reference)
        run_check(outcomes, "bits per byte", check_bits_per_byte, model, reference, eval_results)
        run_check(outcomes, "generate", check_generate, model, tok, document_token)

    print()
    for outcome in outcomes:
        print(f"{'PASS' if outcome.passed else 'FAIL'} {outcome.name}: {outcome.detail}")
    passed = sum(o.passed for o in outcomes)
    print(f"check-hf-export: {passed} passed, {len(outcomes) - passed} failed")
    return 0 if passed == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
