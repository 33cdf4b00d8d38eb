"""Apply a rule set to a document's clauses and produce findings.

Rules are compiled once per run (`CompiledRules`): every phrase goes into two
spaCy PhraseMatchers (on the inflection-insensitive match key in NORM, and on
LOWER), token patterns into one Matcher, regexes into compiled `regex` objects
with a time limit. Each clause is matched once against all of them; each rule's
condition tree is then evaluated on those hits.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from policycheck.model import HEADING, Block, Document, Evidence, Finding
from policycheck.rules import Rule
from policycheck.segment import split_clauses

REGEX_TIMEOUT_SECONDS = 0.5
# Clauses per nlp.pipe batch: large enough to amortise, small enough to stream a 500-page PDF.
NLP_BATCH_SIZE = 512

# Negation cues; a rule decides what they mean (`negation: exclude|ignore|require`).
NEGATION_WORDS = frozenset({"niet", "geen", "nooit", "noch", "nergens", "niets", "geenszins"})
# Where a negation stops counting: punctuation and words that start another clause.
_SCOPE_BREAK = re.compile(
    r"[,;:()]|\b(?:maar|tenzij|behalve|echter|doch|terwijl|omdat|zodat|indien|mits|wanneer|"
    r"zodra|voor zover|met uitzondering van|uitgezonderd|behoudens)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
# Token attributes that only a trained pipeline sets.
_MODEL_ONLY_ATTRS = {"POS", "TAG", "MORPH", "DEP", "HEAD", "ENT_TYPE", "SENT_START", "IS_SENT_START"}


@dataclass
class Clause:
    block: Block
    text: str
    start: int  # offset into block.text
    end: int


class CompiledRules:
    """A rule set compiled for one NLP pipeline."""

    def __init__(self, rules: list[Rule], nlp, pipeline_info=None):
        import regex
        from spacy.matcher import Matcher, PhraseMatcher

        self.rules = rules
        self.nlp = nlp
        self.notices: list[str] = []
        self._regex_module = regex
        self._phrase_norm = PhraseMatcher(nlp.vocab, attr="NORM")
        self._phrase_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._matcher = Matcher(nlp.vocab)
        self._regexes: list[tuple[str, Any]] = []
        self._descriptions: dict[str, str] = {}
        self._phrase_leaf: dict[str, str] = {}
        self._pending_phrases: list[tuple[str, str]] = []
        self._strip_model_attrs = pipeline_info is not None and pipeline_info.fallback
        self.trees: dict[str, dict[str, Any]] = {}
        for rule in rules:
            self.trees[rule.id] = {
                key: self._compile(getattr(rule, key))
                for key in ("match", "unless", "absent", "requires")
                if getattr(rule, key) is not None
            }
        self._add_phrases()

    # ------------------------------------------------------------ compiling

    def _new_leaf(self, description: str) -> str:
        leaf = f"policycheck_leaf_{len(self._descriptions)}"
        self._descriptions[leaf] = description
        return leaf

    def _compile(self, cond: Any):
        if isinstance(cond, str):
            cond = {"phrase": cond}
        if isinstance(cond, list):
            cond = {"any": cond}
        (key, value), = cond.items()
        if key == "phrase":
            phrases = [value] if isinstance(value, str) else list(value)
            return ("any", [self._phrase(p) for p in phrases])
        if key == "regex":
            patterns = [value] if isinstance(value, str) else list(value)
            leaves = []
            for pattern in patterns:
                leaf = self._new_leaf(f"regex {pattern!r}")
                self._regexes.append((leaf, self._regex_module.compile(pattern, self._regex_module.IGNORECASE)))
                leaves.append(("leaf", leaf))
            return ("any", leaves)
        if key == "pattern":
            patterns = value if isinstance(value[0], list) else [value]
            leaf = self._new_leaf(f"pattern {patterns!r}")
            self._matcher.add(leaf, [self._token_pattern(p) for p in patterns])
            return ("leaf", leaf)
        if key in ("all", "any"):
            return (key, [self._compile(child) for child in value])
        if key == "not":
            return ("not", self._compile(value))
        raise ValueError(f"unknown condition {key}")  # rules.py validated this already

    def _phrase(self, phrase: str):
        phrase = " ".join(phrase.split())
        leaf = self._phrase_leaf.get(phrase)
        if leaf is None:
            leaf = self._new_leaf(f"phrase {phrase!r}")
            self._phrase_leaf[phrase] = leaf
            self._pending_phrases.append((phrase, leaf))
        return ("leaf", leaf)

    def _add_phrases(self) -> None:
        texts = [phrase for phrase, _ in self._pending_phrases]
        self._phrase_key_by_leaf: dict[str, tuple[set, set]] = {}
        for (phrase, leaf), doc in zip(self._pending_phrases, self.nlp.pipe(texts)):
            lower = self.nlp.make_doc(phrase)
            self._phrase_norm.add(leaf, [doc])
            self._phrase_lower.add(leaf, [lower])
            self._phrase_key_by_leaf[leaf] = ({t.norm_ for t in doc}, {t.lower_ for t in lower})

    def candidates(self, texts: list[str], norm_index: dict, lower_index: dict) -> Optional[set[int]]:
        """The clauses where a rule of this set could fire, from a clause index (match
        key or lower-case form -> clause numbers); None when that could be any clause.

        Each rule's condition is evaluated on what is *possible*: a phrase only where
        the clause holds all its keys, a regex only where it is found, `all` as the
        intersection, `any` as the union, `not` and token patterns anywhere. Exact: a
        clause left out cannot fire these rules, nor count for a document-level one.
        """
        universe = set(range(len(texts)))
        phrase_sets: dict[str, set[int]] = {}
        for leaf, (norm_keys, lower_keys) in self._phrase_key_by_leaf.items():
            found: set[int] = set()
            for keys, index in ((norm_keys, norm_index), (lower_keys, lower_index)):
                lists = [index.get(key) for key in keys]
                if lists and all(lists):
                    found |= set.intersection(*(set(numbers) for numbers in lists))
            phrase_sets[leaf] = found
        regexes = dict(self._regexes)

        def possible(tree, within: set[int]) -> set[int]:
            kind = tree[0]
            if not within:
                return within
            if kind == "leaf":
                leaf = tree[1]
                if leaf in phrase_sets:
                    return within & phrase_sets[leaf]
                if leaf in regexes:
                    hit = set()
                    for number in within:
                        try:
                            if regexes[leaf].search(texts[number], timeout=REGEX_TIMEOUT_SECONDS):
                                hit.add(number)
                        except TimeoutError:
                            hit.add(number)
                    return hit
                return within  # a token pattern: could be anywhere
            if kind == "all":
                # Cheap phrase conditions first, so regexes run on fewer clauses.
                for child in sorted(tree[1], key=lambda c: 0 if c[0] == "leaf" and c[1] in phrase_sets else 1):
                    within = possible(child, within)
                return within
            if kind == "any":
                found: set[int] = set()
                for child in tree[1]:
                    found |= possible(child, within - found)
                return found
            return within  # "not": no restriction

        result: set[int] = set()
        for rule in self.rules:
            for key in ("match", "absent", "requires"):
                if key in self.trees[rule.id]:
                    result |= possible(self.trees[rule.id][key], universe - result)
        return None if result == universe else result

    def _token_pattern(self, pattern: list[dict]) -> list[dict]:
        plain = [dict(token) for token in pattern]
        if self._strip_model_attrs:
            dropped = sorted({k for t in plain for k in t if k in _MODEL_ONLY_ATTRS})
            if dropped:
                notice = (
                    f"token-patronen met {', '.join(dropped)} worden zonder die voorwaarden toegepast: "
                    "de offline terugvaloptie zet ze niet"
                )
                if notice not in self.notices:
                    self.notices.append(notice)
                plain = [{k: v for k, v in t.items() if k not in _MODEL_ONLY_ATTRS} for t in plain]
        return plain

    # ------------------------------------------------------------ matching

    def hits(self, doc, text: Optional[str] = None) -> dict[str, list[tuple[int, int]]]:
        """All leaf hits in one clause Doc, as character spans.

        text (str | None): the clause text, when known (saves joining the tokens again).
        """
        found: dict[str, list[tuple[int, int]]] = {}
        strings = self.nlp.vocab.strings
        for matcher in (self._phrase_norm, self._phrase_lower, self._matcher):
            if not len(matcher):
                continue
            for match_id, start, end in matcher(doc):
                span = doc[start:end]
                found.setdefault(strings[match_id], []).append((span.start_char, span.end_char))
        if text is None:
            text = doc.text  # Doc.text joins every token again on each access
        for leaf, compiled in self._regexes:
            try:
                spans = [m.span() for m in compiled.finditer(text, timeout=REGEX_TIMEOUT_SECONDS)]
            except TimeoutError:
                notice = f"{self._descriptions[leaf]} duurde te lang en is overgeslagen"
                if notice not in self.notices:
                    self.notices.append(notice)
                continue
            if spans:
                found[leaf] = spans
        return found

    def evaluate(self, tree, hits) -> Optional[list[tuple[int, int, str]]]:
        """Evidence spans (start, end, leaf) when the condition holds, else None."""
        kind = tree[0]
        if kind == "leaf":
            spans = hits.get(tree[1])
            return [(s, e, tree[1]) for s, e in spans] if spans else None
        if kind == "all":
            evidence: list = []
            for child in tree[1]:
                result = self.evaluate(child, hits)
                if result is None:
                    return None
                evidence.extend(result)
            return evidence
        if kind == "any":
            evidence = []
            matched = False
            for child in tree[1]:
                result = self.evaluate(child, hits)
                if result is not None:
                    matched = True
                    evidence.extend(result)
            return evidence if matched else None
        if kind == "not":
            return [] if self.evaluate(tree[1], hits) is None else None
        raise ValueError(kind)

    def describe(self, leaf: str) -> str:
        return self._descriptions.get(leaf, leaf)


def negated(text: str, spans: Iterable[tuple[int, int, str]]) -> bool:
    """Is any evidence span in the scope of a negation word in its part of the clause?"""
    breaks = [0] + [m.start() for m in _SCOPE_BREAK.finditer(text)] + [len(text)]
    spans = list(spans)
    for start, end, _ in spans:
        left = max(b for b in breaks if b <= start)
        right = min((b for b in breaks if b >= end), default=len(text))
        for word in _WORD.finditer(text, left, right):
            # A negation the rule itself matched ("geen weigeringsgrond") is content, not scope.
            inside = any(s <= word.start() and word.end() <= e for s, e, _ in spans)
            if not inside and word.group(0).lower() in NEGATION_WORDS:
                return True
    return False


def fingerprint(rule_id: str, clause_text: str) -> str:
    """Stable across re-scans: the rule and the clause, ignoring case, spacing and punctuation."""
    normalised = " ".join(_WORD.findall(clause_text.lower()))
    return hashlib.sha256(f"{rule_id}\x1f{normalised}".encode("utf-8")).hexdigest()[:16]


def clauses_of(document: Document) -> list[Clause]:
    clauses = []
    for block in document.blocks:
        for piece in split_clauses(block.text):
            clauses.append(Clause(block, piece.text, piece.start, piece.end))
    return clauses


def match_document(
    document: Document, policy_type: str, compiled: CompiledRules, docs=None, clauses=None
) -> list[Finding]:
    """Run every applicable rule over the document; returns findings in document order.

    clauses (list | None): the clauses to match, default `clauses_of(document)`; a
    subset is fine when the others cannot hit these rules (CompiledRules.candidates).
    docs (list | None): the spaCy Docs of those clauses, when already made; else
    the pipeline runs here.
    """
    rules = [rule for rule in compiled.rules if rule.applies_to_type(policy_type)]
    clause_rules = [r for r in rules if not r.document_level]
    document_rules = [r for r in rules if r.document_level]
    if clauses is None:
        clauses = clauses_of(document)
    findings: list[Finding] = []
    seen_in_document: dict[str, bool] = {}  # document-level tree key -> matched somewhere
    if docs is None:
        docs = compiled.nlp.pipe((c.text for c in clauses), batch_size=NLP_BATCH_SIZE)
    elif len(docs) != len(clauses):
        raise ValueError("docs do not belong to this document's clauses")
    for clause, doc in zip(clauses, docs):
        hits = compiled.hits(doc, clause.text)
        if not hits:
            continue
        for rule in document_rules:
            for key in ("absent", "requires"):
                tree_key = f"{rule.id}:{key}"
                if key in compiled.trees[rule.id] and not seen_in_document.get(tree_key):
                    if compiled.evaluate(compiled.trees[rule.id][key], hits) is not None:
                        seen_in_document[tree_key] = True
        if clause.block.kind == HEADING:
            continue  # a heading names a subject; it does not commit to anything
        for rule in clause_rules:
            finding = _match_clause(rule, clause, hits, compiled)
            if finding is not None:
                findings.append(finding)
    for rule in document_rules:
        trees = compiled.trees[rule.id]
        if "requires" in trees and not seen_in_document.get(f"{rule.id}:requires"):
            continue
        if not seen_in_document.get(f"{rule.id}:absent"):
            findings.append(_finding(rule, fingerprint(rule.id, "document")))
    return findings


def _match_clause(rule: Rule, clause: Clause, hits, compiled: CompiledRules) -> Optional[Finding]:
    trees = compiled.trees[rule.id]
    evidence = compiled.evaluate(trees["match"], hits)
    if evidence is None:
        return None
    if "unless" in trees and compiled.evaluate(trees["unless"], hits) is not None:
        return None
    if rule.negation != "ignore":
        is_negated = negated(clause.text, evidence)
        if (rule.negation == "exclude" and is_negated) or (rule.negation == "require" and not is_negated):
            return None
    block = clause.block
    if rule.scope_headings and not any(
        re.search(pattern, block.heading_path_text, re.IGNORECASE) for pattern in rule.scope_headings
    ):
        return None
    finding = _finding(rule, fingerprint(rule.id, clause.text))
    finding.text = clause.text
    finding.block_index = block.index
    finding.page = block.page
    finding.paragraph = block.paragraph
    finding.heading_path = list(block.heading_path)
    finding.start = block.start + clause.start
    finding.end = block.start + clause.end
    unique = sorted(set(evidence))
    finding.evidence = [
        Evidence(clause.text[s:e], compiled.describe(leaf), s, e) for s, e, leaf in unique
    ]
    return finding


def _finding(rule: Rule, print_: str) -> Finding:
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        topic=rule.topic,
        polarity=rule.polarity,
        severity=rule.severity,
        step=rule.step,
        message=rule.message,
        recommendation=rule.recommendation,
        references=list(rule.references),
        fingerprint=print_,
    )


def finding_record(finding: Finding) -> dict:
    """What a finding adds to its rule and document, as plain data for the cache."""
    return {
        "block": finding.block_index,
        "start": finding.start,
        "end": finding.end,
        "text": finding.text,
        "fingerprint": finding.fingerprint,
        "evidence": [[ev.text, ev.condition, ev.start, ev.end] for ev in finding.evidence],
    }


def finding_from_record(rule: Rule, record: dict, document: Document) -> Finding:
    """The inverse of finding_record, for the current version of `rule`."""
    finding = _finding(rule, record["fingerprint"])
    index = record["block"]
    if index is not None:
        block = document.blocks[index]
        finding.text = record["text"]
        finding.block_index = index
        finding.page = block.page
        finding.paragraph = block.paragraph
        finding.heading_path = list(block.heading_path)
        finding.start = record["start"]
        finding.end = record["end"]
        finding.evidence = [Evidence(text, condition, s, e) for text, condition, s, e in record["evidence"]]
    return finding


# What decides where a rule matches; its other fields (title, message, severity,
# references ...) are filled in from the current rule when a finding is rebuilt.
_MATCHING_FIELDS = ("id", "applies_to", "match", "unless", "negation", "scope_headings", "absent", "requires")


def rule_hash(rule: Rule, matching_only: bool = False) -> str:
    """A hash of the rule's content, apart from where it was loaded from and its examples.

    matching_only (bool): only the fields that decide where it matches, so that
    editing a message or a severity does not make the cache match the rule again.
    """
    import dataclasses
    import json

    data = dataclasses.asdict(rule)
    if matching_only:
        data = {key: data[key] for key in _MATCHING_FIELDS}
    else:
        for key in ("source", "line", "examples_match", "examples_no_match"):
            data.pop(key, None)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
