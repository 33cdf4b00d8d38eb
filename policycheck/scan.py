"""One scan: extract -> detect policy type -> match. Used by the CLI and by tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

from policycheck.classify import PolicyType, detect_policy_type, given_policy_type
from policycheck.errors import InputError
from policycheck.model import Document, Finding

# What a directory scan picks up (the format itself is still sniffed from the bytes).
SUPPORTED_SUFFIXES = (".pdf", ".docx", ".docm", ".txt", ".md")
STDIN = "-"

POLARITY_ORDER = ("belemmerend", "ontbrekend", "bevorderend")
SEVERITY_ORDER = ("hoog", "middel", "laag")


@dataclass
class DocumentResult:
    path: str
    document: Optional[Document] = None
    policy_type: Optional[PolicyType] = None
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def counts(self) -> dict[str, int]:
        counts = {polarity: 0 for polarity in POLARITY_ORDER}
        for finding in self.findings:
            counts[finding.polarity] += 1
        return counts


def extract_cached(path: str, data: Optional[bytes] = None, cache=None, options=None) -> Document:
    """extract(), through the cache when one is given. Needs no NLP, so it is cheap to run anywhere.

    options (ExtractOptions | None): password, limits, OCR. A document read with OCR is
    not cached: its text depends on the OCR engine, which the cache key does not know.
    """
    import hashlib

    from policycheck.extract import STDIN_PATHS, extract, read_input
    from policycheck.extract.options import ExtractOptions, check_size
    from policycheck.extract.sniff import extension_warning

    options = options or ExtractOptions()
    if cache is None or not cache.enabled or options.ocr:
        return extract(path, data, options)
    if data is None:
        data = read_input(path, options)
    check_size(path, len(data), options)
    sha256 = hashlib.sha256(data).hexdigest()
    document = cache.get_document(sha256, path)
    if document is not None:
        mismatch = extension_warning(path, document.format) if path not in STDIN_PATHS else None
        if mismatch:
            document.warnings.insert(0, mismatch)
        return document
    document = extract(path, data, options)
    mismatch = extension_warning(path, document.format) if path not in STDIN_PATHS else None
    cache.put_document(document, [mismatch] if mismatch else [])
    return document


class Scanner:
    """Holds what is loaded once per run: the NLP pipeline, the compiled rules, the cache."""

    def __init__(self, ruleset, policy_type: str = "auto", options=None, cache=None):
        from policycheck.extract.options import ExtractOptions
        from policycheck.nlp import cheap_pipeline_info

        self.ruleset = ruleset
        self.policy_type = policy_type
        self.options = options or ExtractOptions()
        self.cache = cache
        self._nlp = None
        self._compiled = None
        # With the cache, a re-scan where nothing changed never needs the pipeline:
        # it is loaded (about a second) only when something must be matched.
        self.pipeline = cheap_pipeline_info() if cache is not None and cache.enabled else None
        if self.pipeline is None:
            self.compiled  # noqa: B018  (load and compile now, while a worker may be extracting)

    @property
    def nlp(self):
        if self._nlp is None:
            from policycheck.nlp import load_pipeline

            self._nlp, self.pipeline = load_pipeline()
        return self._nlp

    @property
    def compiled(self):
        """All rules, compiled (a re-scan after a rule edit compiles only the edited ones)."""
        if self._compiled is None:
            from policycheck.match import CompiledRules

            self._compiled = CompiledRules(self.ruleset.rules, self.nlp, self.pipeline)
        return self._compiled

    @property
    def notices(self) -> list[str]:
        """Notices from compiling the rules (none when they were not needed)."""
        notices: list[str] = []
        for compiled in [self._compiled, *getattr(self, "_subsets", {}).values()]:
            if compiled is not None:
                notices.extend(n for n in compiled.notices if n not in notices)
        return notices

    def scan_path(self, path: str, data: Optional[bytes] = None) -> DocumentResult:
        """Extract and match one file; an unreadable file or a passed limit becomes `errors`."""
        from policycheck.extract.options import Deadline

        result = DocumentResult(path=path)
        deadline = Deadline(path, self.options.max_seconds)
        try:
            document = extract_cached(path, data, self.cache, self.options)
            return self.scan_document(document, result, deadline=deadline)
        except InputError as error:
            result.document = None
            result.findings = []
            result.errors.append(str(error))
            return result

    def scan_document(
        self, document: Document, result: Optional[DocumentResult] = None, prepared: Optional[dict] = None,
        deadline=None,
    ) -> DocumentResult:
        """Match one extracted document. `prepared` may hold its `clauses` and detected
        `policy_type`, made elsewhere (see runner._extract_only). Raises InputError when
        `deadline` passes."""
        from policycheck.match import match_document

        prepared = prepared or {}
        result = result or DocumentResult(path=document.path)
        result.document = document
        result.warnings.extend(document.warnings)
        if not document.blocks:
            result.warnings.append("het document bevat geen tekst")
        if self.cache is None or not self.cache.enabled:
            if self.policy_type == "auto" and prepared.get("policy_type") is not None:
                result.policy_type = prepared["policy_type"]
            else:
                result.policy_type = self._policy_type(document)
            result.findings = match_document(
                document, result.policy_type.value, self.compiled, clauses=prepared.get("clauses"), deadline=deadline
            )
            result.warnings.extend(self.compiled.timeout_warnings())
            return result
        analysis, fresh = self._analysis(document, prepared)
        if self.policy_type == "auto":
            result.policy_type = PolicyType(**analysis["policy_type"])
        else:
            result.policy_type = given_policy_type(self.policy_type)
        self.timeout_warnings = []
        result.findings = self._findings_cached(document, result.policy_type.value, analysis, fresh, deadline)
        result.warnings.extend(self.timeout_warnings)
        return result

    def _policy_type(self, document: Document) -> PolicyType:
        if self.policy_type == "auto":
            return detect_policy_type(document)
        return given_policy_type(self.policy_type)

    def _analysis(self, document: Document, prepared: Optional[dict] = None):
        """What matching needs to know about a document, from the cache or made now:
        its clauses, its detected policy type, and an index of the clauses by match
        key and lower-case form (to find where a changed rule could match).

        RETURNS (analysis, (clauses, docs) when just made, else None).
        """
        import json
        import zlib

        from policycheck.cache import nlp_key
        from policycheck.match import NLP_BATCH_SIZE, clauses_of

        key = nlp_key(document.sha256, self.pipeline)
        payload = self.cache.get("nlp", key)
        if payload is not None:
            try:
                analysis = json.loads(zlib.decompress(payload))
                if all(k in analysis for k in ("clauses", "policy_type")):
                    return analysis, None
            except (ValueError, zlib.error):
                pass
            self.cache._discard(self.cache._path("nlp", key))
        prepared = prepared or {}
        clauses = prepared.get("clauses") or clauses_of(document)
        docs = list(self.nlp.pipe((c.text for c in clauses), batch_size=NLP_BATCH_SIZE))
        analysis = {
            "clauses": [[c.block.index, c.start, c.end] for c in clauses],
            "policy_type": (prepared.get("policy_type") or detect_policy_type(document)).to_dict(),
        }
        self.cache.put("nlp", key, zlib.compress(json.dumps(analysis, ensure_ascii=False).encode("utf-8"), 6))
        # The index is only read after a rule change, so it is an entry of its own.
        self.cache.put("index", key, zlib.compress(ClauseIndex.build(docs).encode("utf-8"), 6))
        return analysis, (clauses, docs)

    def _clause_index(self, document: Document) -> Optional["ClauseIndex"]:
        import zlib

        from policycheck.cache import nlp_key

        key = nlp_key(document.sha256, self.pipeline)
        payload = self.cache.get("index", key)
        if payload is not None:
            try:
                return ClauseIndex(zlib.decompress(payload).decode("utf-8"))
            except (ValueError, zlib.error):
                pass
            self.cache._discard(self.cache._path("index", key))
        return None

    def _findings_cached(self, document: Document, policy_type: str, analysis: dict, fresh,
                         deadline=None) -> list[Finding]:
        """Findings per rule from the cache; only rules that are new or changed are matched,
        and only on the clauses where they could hit (CompiledRules.candidates).

        After a rule edit a re-scan therefore runs the NLP pipeline on a handful of
        clauses per document, not on all of them.
        """
        import hashlib
        import json

        from policycheck.cache import nlp_key
        from policycheck.match import (Clause, finding_from_record, finding_record, match_document, neighbourhoods,
                                       rule_hash)

        rules = self.ruleset.rules
        if getattr(self, "_rule_hashes", None) is None:
            self._rule_hashes = {rule.id: rule_hash(rule, matching_only=True) for rule in rules}
        hashes = self._rule_hashes
        key = hashlib.sha256(f"{nlp_key(document.sha256, self.pipeline)}\x1f{policy_type}".encode()).hexdigest()
        stored: dict = {}
        payload = self.cache.get("findings", key)
        if payload is not None:
            try:
                stored = json.loads(payload)
                assert isinstance(stored, dict)
            except (ValueError, AssertionError):
                stored = {}
        missing = [rule for rule in rules if hashes[rule.id] not in stored]
        if missing:
            compiled = self.compiled if len(missing) == len(rules) else self._compiled_for(missing)
            if fresh is not None:
                clauses, docs = fresh
            else:
                blocks = document.blocks
                clauses = [Clause(blocks[b], blocks[b].text[s:e], s, e) for b, s, e in analysis["clauses"]]
                index = self._clause_index(document)
                # Without the index (damaged or removed) every clause is a candidate.
                wanted = (compiled.candidates([c.text for c in clauses], index, neighbourhoods(clauses))
                          if index else None)
                if wanted is not None:
                    clauses = [clauses[i] for i in sorted(wanted)]
                docs = None
            found = match_document(document, policy_type, compiled, docs, clauses, deadline=deadline)
            self.timeout_warnings = compiled.timeout_warnings()
            for rule in missing:
                stored[hashes[rule.id]] = [finding_record(f) for f in found if f.rule_id == rule.id]
            current = {hashes[rule.id]: stored[hashes[rule.id]] for rule in rules}
            # A regex that ran out of time may have missed something: match again next time.
            if not self.timeout_warnings:
                self.cache.put("findings", key, json.dumps(current, ensure_ascii=False).encode("utf-8"))
        order = {rule.id: index for index, rule in enumerate(rules)}
        findings = [
            finding_from_record(rule, record, document) for rule in rules for record in stored[hashes[rule.id]]
        ]
        # match_document's order: clauses in document order, rules in rule order, then document-level.
        findings.sort(key=lambda f: (f.start is None, f.start or 0, order[f.rule_id]))
        return findings

    def _compiled_for(self, rules):
        from policycheck.match import CompiledRules

        ids = tuple(rule.id for rule in rules)
        cached = getattr(self, "_subsets", {})
        if ids not in cached:
            cached[ids] = CompiledRules(rules, self.nlp, self.pipeline)
            self._subsets = cached
        return cached[ids]


class ClauseIndex:
    """A document's clause numbers by token match key (`norm`) and by lower-case form
    (`lower`), to find the clauses where an edited rule could match.

    Stored as text, a line per key ('n' or 'l', the key as JSON, the clause numbers).
    A re-scan after a rule edit needs a few dozen keys per document: one
    Aho-Corasick pass finds their lines, where parsing every key (as JSON) took
    longer than the rest of reading the document from the cache.
    """

    HEADER = "policycheck-clause-index 1\n"

    def __init__(self, text: str):
        if not text.startswith(self.HEADER):
            raise ValueError("geen clause-index")
        self._text = text

    @classmethod
    def build(cls, docs) -> str:
        """The index text of the clause Docs (in clause order)."""
        columns: tuple[dict[str, list[int]], dict[str, list[int]]] = ({}, {})
        for number, doc in enumerate(docs):
            for column, keys in zip(columns, ({t.norm_ for t in doc}, {t.lower_ for t in doc})):
                for key in keys:
                    column.setdefault(key, []).append(number)
        lines = [cls.HEADER.rstrip("\n")]
        for tag, column in zip("nl", columns):
            lines.extend(_index_line_start(tag, key) + " ".join(map(str, numbers)) for key, numbers in column.items())
        return "\n".join(lines) + "\n"

    def lookup(self, norm_keys, lower_keys) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """(match key -> clause numbers, lower-case form -> clause numbers) for these keys;
        a key no clause has is left out."""
        found: tuple[dict[str, list[int]], dict[str, list[int]]] = ({}, {})
        if not norm_keys and not lower_keys:
            return found  # rules of regexes and numbers only
        text = self._text
        for end, (column, key) in _line_finder(frozenset(norm_keys), frozenset(lower_keys)).iter(text):
            found[column][key] = [int(n) for n in text[end + 1:text.index("\n", end)].split()]
        return found


def _index_line_start(tag: str, key: str) -> str:
    import json

    # json.dumps escapes newlines and tabs, so a key never breaks a line or its fields.
    return f"{tag}\t{json.dumps(key, ensure_ascii=False)}\t"


@lru_cache(maxsize=4)
def _line_finder(norm_keys: frozenset, lower_keys: frozenset):
    """An automaton that finds the lines of these keys in a ClauseIndex text (made once per rule edit)."""
    import ahocorasick

    finder = ahocorasick.Automaton()
    for column, (tag, keys) in enumerate((("n", norm_keys), ("l", lower_keys))):
        for key in keys:
            finder.add_word("\n" + _index_line_start(tag, key), (column, key))
    finder.make_automaton()
    return finder


def expand_paths(paths: tuple[str, ...], recursive: bool = False) -> Iterator[tuple[str, Optional[str]]]:
    """Yield (path, problem) for every input; a directory gives its supported files
    (with `recursive`, also those in subfolders; hidden files never)."""
    for raw in paths:
        if raw == STDIN:
            yield raw, None
            continue
        path = Path(raw)
        if path.is_dir():
            candidates = path.rglob("*") if recursive else path.glob("*")
            files = sorted(
                p for p in candidates
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not files:
                yield raw, "map bevat geen ondersteunde bestanden (.pdf, .docx, .txt, .md)"
            for file in files:
                yield str(file), None
        else:
            yield raw, None
