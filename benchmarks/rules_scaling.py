"""How matching time grows with the number of rules (target: 500 rules at most 1.5x 50 rules).

Builds a ~100-page document from the corpus (its blocks repeated), and rule sets of
50 and 500 rules generated from the built-in rules. Two kinds of generated sets:

- distinct: each variant keeps the structure of its original, but every phrase and
  regex also requires a variant-specific word after it ("laagste prijs variant7").
  The matchers do the full work (phrases are looked up, regexes run wherever their
  literals occur) but a variant rarely fires, like a real rule set in which rules
  are about different things. This is the figure the target is about.
- copies: each variant matches exactly what its original matches, so 500 rules give
  ten times the findings; shown for information.

Run: python benchmarks/rules_scaling.py
"""

from __future__ import annotations

import copy
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from policycheck.extract import extract  # noqa: E402
from policycheck.match import CompiledRules, match_document  # noqa: E402
from policycheck.model import Document  # noqa: E402
from policycheck.nlp import load_pipeline  # noqa: E402
from policycheck.rules import load_rules  # noqa: E402

CHARS_PER_PAGE = 3000
PAGES = 100


def hundred_page_document() -> Document:
    blocks = []
    for path in sorted((REPO / "corpus").glob("*.pdf")) + sorted((REPO / "corpus").glob("*.docx")):
        blocks.extend(extract(str(path)).blocks)
    source = list(blocks)
    total = 0
    out = []
    while total < CHARS_PER_PAGE * PAGES:
        for block in source:
            clone = copy.copy(block)
            out.append(clone)
            total += len(block.text)
    return Document(path="bench", sha256="", format="text", blocks=out).finalise()


def variant(condition, k: int, distinct: bool):
    if isinstance(condition, str):
        condition = {"phrase": condition}
    if isinstance(condition, list):
        return [variant(c, k, distinct) for c in condition]
    (key, value), = condition.items()
    if key == "phrase":
        phrases = [value] if isinstance(value, str) else list(value)
        if distinct:
            return {"phrase": [f"{p} variant{k}" for p in phrases]}
        return {"phrase": phrases + [f"{phrases[0]} variant{k}"]}
    if key == "regex":
        patterns = [value] if isinstance(value, str) else list(value)
        if distinct:
            return {"regex": [f"(?:{p})\\s+variant{k}\\b" for p in patterns]}
        return {"regex": [f"(?:{p})|\\bvariant{k}\\b" for p in patterns]}
    if key in ("all", "any", "none"):
        return {key: [variant(c, k, distinct) for c in value]}
    if key in ("not", "in_block", "in_article"):
        return {key: variant(value, k, distinct)}
    if key == "near":
        return {"near": {**value, "all": [variant(c, k, distinct) for c in value["all"]]}}
    return copy.deepcopy(condition)


def rule_set(builtin, size: int, distinct: bool):
    rules = []
    k = 0
    while len(rules) < size:
        for rule in builtin:
            if len(rules) == size:
                break
            clone = copy.deepcopy(rule)
            clone.id = f"{rule.id}-V{k}"
            for key in ("match", "unless", "absent", "requires"):
                if getattr(clone, key) is not None:
                    setattr(clone, key, variant(getattr(clone, key), k, distinct and k > 0))
            rules.append(clone)
        k += 1
    return rules


def measure(document, rules, nlp, info, repeats=3):
    start = time.perf_counter()
    compiled = CompiledRules(rules, nlp, info)
    compile_seconds = time.perf_counter() - start
    times = []
    findings = 0
    for policy_type in ("procurement", "subsidy"):
        match_document(document, policy_type, compiled)  # warm-up
    for _ in range(repeats):
        start = time.perf_counter()
        findings = sum(len(match_document(document, t, compiled)) for t in ("procurement", "subsidy"))
        times.append(time.perf_counter() - start)
    return compile_seconds, statistics.median(times), findings


def main() -> None:
    nlp, info = load_pipeline()
    builtin = load_rules().rules
    document = hundred_page_document()
    print(f"document: {len(document.blocks)} blocks, {len(document.text):,} characters (~{len(document.text) // CHARS_PER_PAGE} pages)")
    print(f"pipeline: {info.description}")
    for distinct in (True, False):
        label = "distinct" if distinct else "copies"
        results = {}
        for size in (50, 500):
            compile_seconds, seconds, findings = measure(document, rule_set(builtin, size, distinct), nlp, info)
            results[size] = seconds
            print(f"{label:8s} {size:4d} rules: compile {compile_seconds:5.2f} s, match (both policy types) {seconds:6.2f} s, {findings} findings")
        ratio = results[500] / results[50]
        verdict = ("OK" if ratio <= 1.5 else "NOT MET") if distinct else "information only"
        print(f"{label:8s} ratio 500/50 rules: {ratio:.2f}x (target <= 1.5x for distinct rules) -> {verdict}")


if __name__ == "__main__":
    main()
