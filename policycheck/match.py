"""Apply a rule set to a document's clauses and produce findings.

Rules are compiled once per run (`CompiledRules`):

- every phrase goes into two spaCy PhraseMatchers (on the inflection-insensitive
  match key in NORM, and on LOWER) and token patterns into one Matcher; these run
  once per clause for all rules together;
- regexes (with a time limit) and number conditions are evaluated lazily, only for
  rules that are still candidates, and a regex is skipped outright when a literal it
  requires is not in the clause.

A rule is a candidate for a clause only when one of its *anchor* conditions (a
condition that must hold in the clause itself) matched, so the cost per clause grows
with what is found, not with the number of rules.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

import regex

from policycheck.model import HEADING, LIST_ITEM, PARAGRAPH, Block, Document, Evidence, Finding
from policycheck.numbers import COMPARATORS, find_quantities
from policycheck.rules import REGEX_FLAGS, Rule
from policycheck.segment import split_clauses

REGEX_TIMEOUT_SECONDS = 0.5
# Clauses per nlp.pipe batch: large enough to amortise, small enough to stream a 500-page PDF.
NLP_BATCH_SIZE = 512

# Negation cues; a rule decides what they mean (`negation: exclude|ignore|require`).
NEGATION_WORDS = frozenset({"niet", "geen", "nooit", "noch", "nergens", "niets", "geenszins"})
# Cues that open an exception: what follows them is excepted, not asserted.
EXCEPTION_CUES = r"tenzij|met uitzondering van|uitgezonderd|behoudens|behalve|anders dan"
# Where a negation stops counting: punctuation and words that start another clause part.
_SCOPE_BREAK = re.compile(
    rf"[,;:()]|\b(?:maar|echter|doch|terwijl|omdat|zodat|indien|mits|wanneer|zodra|voor zover|{EXCEPTION_CUES})\b",
    re.IGNORECASE,
)
_EXCEPTION_START = re.compile(rf"\b(?:{EXCEPTION_CUES})\b", re.IGNORECASE)
# Refraining is a negation without a negation word: "ziet af van", "zien wij af",
# "af te zien van", "wordt afgezien van" (but not "afgezien van de kosten": apart from).
_REFRAIN = re.compile(
    r"\b(?:zie[tn]?|zag(?:en)?)\s+(?:\w+\s+){0,4}?af\b(?!\s+en\s+toe)|\baf\s+(?:te\s+)?zien\b"
    r"|\b(?:wordt|worden|werd|werden|is|zijn)\s+(?:\w+\s+){0,3}?afgezien\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
# A word character as the `regex` module sees it (it decides what \b means in rules).
_WORD_CHAR = regex.compile(r"\w")
# Token attributes that only a trained pipeline sets.
_MODEL_ONLY_ATTRS = {"POS", "TAG", "MORPH", "DEP", "HEAD", "ENT_TYPE", "SENT_START", "IS_SENT_START"}
_MAX_NEAR_COMBINATIONS = 200


@dataclass
class Clause:
    block: Block
    text: str
    start: int  # offset into block.text
    end: int
    index: int = 0  # position among the document's clauses


# ---------------------------------------------------------------- compiled leaves


@dataclass
class _Leaf:
    id: str
    kind: str  # phrase | pattern | regex | number
    description: str
    pattern: Optional[str] = None  # regex: compiled when a clause first needs it (CompiledRules.regex_of)
    literals: Optional[tuple[str, ...]] = None  # regex: one of these must occur (lower case)
    number: Optional[dict] = None  # {unit, comparisons: [(op, value)]}
    compiled: Any = None

    @property
    def eager(self) -> bool:
        return self.kind in ("phrase", "pattern")


def required_literals(pattern: str) -> Optional[tuple[str, ...]]:
    """Literal strings of which at least one must occur for `pattern` to match.

    A space at the start or end of a literal stands for a word boundary (`\\b`)
    the pattern requires there: `\\btoe\\b` gives " toe ", which "toegang" does
    not satisfy. Uses the standard library's regex parser; returns None when nothing
    useful can be derived (then the regex always runs).
    """
    from re import _parser as sre_parse

    from policycheck.rules import parse_regex

    try:
        parsed = parse_regex(pattern)
    except Exception:  # the `regex` module accepts more syntax than `re`
        return None
    literals = _sequence_literals(list(parsed), sre_parse)
    # Short literals occur almost everywhere; two letters at the start of a word are rare enough.
    if not literals or any(len(lit.strip(" ")) < (2 if lit.startswith(" ") else 3) for lit in literals):
        return None
    return tuple(sorted(literals))


def _is_word_char(char: str) -> bool:
    return _WORD_CHAR.match(char) is not None


def _sequence_literals(items, sre_parse, after_boundary: bool = False) -> Optional[set[str]]:
    """after_boundary: the sequence comes right after a \\b (the parser moves a \\b
    that opens every branch in front of the branches)."""
    constants = sre_parse  # names like LITERAL, BRANCH live on the parser module
    best: Optional[set[str]] = None
    run = ""

    def consider(candidate: Optional[set[str]]):
        nonlocal best
        if candidate and (best is None or min(map(len, candidate)) > min(map(len, best))):
            best = candidate

    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            char = chr(arg).lower()
            # Only a word character right after \b needs a non-word character before it.
            if not run and after_boundary and char != " " and _is_word_char(char):
                run = " "
            run += char
            after_boundary = False
            continue
        boundary = name == "AT" and str(arg) == "AT_BOUNDARY"
        if boundary and run.strip(" ") and run[-1] != " " and _is_word_char(run[-1]):
            run += " "
        consider({run} if run.strip(" ") else None)
        if name == "BRANCH" and run.strip(" "):
            # The parser moves a prefix shared by all branches in front ("\\bMVO?I|\\bManifest"
            # becomes "\\bM(?:VO?I|anifest)"): the prefix plus each branch's own start.
            consider({run + _leading_literal(branch) for branch in arg[1]})
        run = ""
        if name == "BRANCH":
            branches = [_sequence_literals(list(branch), sre_parse, after_boundary) for branch in arg[1]]
            if all(branches):
                consider(set().union(*branches))
        elif name == "SUBPATTERN":
            consider(_sequence_literals(list(arg[-1]), sre_parse, after_boundary))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and arg[0] >= 1:
            consider(_sequence_literals(list(arg[2]), sre_parse))
        after_boundary = boundary
    consider({run} if run else None)
    del constants
    return best


def _leading_literal(items) -> str:
    """The literal characters a parsed sequence starts with (lower case)."""
    prefix = ""
    for op, arg in items:
        if str(op) != "LITERAL":
            break
        prefix += chr(arg).lower()
    return prefix


class CompiledRules:
    """A rule set compiled for one NLP pipeline."""

    def __init__(self, rules: list[Rule], nlp, pipeline_info=None):
        from spacy.matcher import Matcher, PhraseMatcher

        self.rules = rules
        self.nlp = nlp
        self.notices: list[str] = []
        self._regex_module = regex
        self._phrase_norm = PhraseMatcher(nlp.vocab, attr="NORM")
        self._phrase_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._matcher = Matcher(nlp.vocab)
        self.leaves: dict[str, _Leaf] = {}
        self._phrase_leaf: dict[str, str] = {}
        self._regex_leaf: dict[str, str] = {}
        self._pending_phrases: list[tuple[str, str]] = []
        self._leaf_rule: dict[str, str] = {}  # regex leaf -> id of the rule it belongs to
        self._scopes: dict[str, list[Any]] = {}  # rule id -> compiled heading patterns
        self.timed_out: list[str] = []  # regex leaves that hit the time limit in the current document
        self.invalid: dict[str, str] = {}  # regex leaves `regex` could not compile -> why
        self._strip_model_attrs = pipeline_info is not None and pipeline_info.fallback
        self.trees: dict[str, dict[str, Any]] = {}
        self.number_leaves: list[str] = []
        self.anchors: dict[str, Optional[frozenset[str]]] = {}
        self._current_rule: Optional[Rule] = None
        for rule in rules:
            self._current_rule = rule
            self._scopes[rule.id] = [regex.compile(p, REGEX_FLAGS) for p in rule.scope_headings]
            self.trees[rule.id] = {
                key: self._compile(getattr(rule, key))
                for key in ("match", "unless", "absent", "requires")
                if getattr(rule, key) is not None
            }
            if rule.ignore_negation_in:
                self.trees[rule.id]["ignore_negation_in"] = self._compile({"regex": rule.ignore_negation_in})
            for key, tree in self.trees[rule.id].items():
                if key in ("match", "absent", "requires"):
                    self.anchors[f"{rule.id}:{key}"] = self._anchors(tree)
        self._add_phrases()
        self._build_literal_automaton()
        # Index: leaf -> rules anchored on it; rules without anchors run on every clause.
        self._rules_by_anchor: dict[str, list[Rule]] = {}
        self._unanchored: list[Rule] = []
        for rule in rules:
            if rule.document_level:
                continue
            anchors = self.anchors.get(f"{rule.id}:match")
            if anchors is None:
                self._unanchored.append(rule)
            else:
                for leaf in anchors:
                    self._rules_by_anchor.setdefault(leaf, []).append(rule)

    # ------------------------------------------------------------ compiling

    def _new_leaf(self, kind: str, description: str, **extra) -> str:
        leaf_id = f"policycheck_leaf_{len(self.leaves)}"
        self.leaves[leaf_id] = _Leaf(leaf_id, kind, description, **extra)
        return leaf_id

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
            return ("any", [self._regex(p) for p in patterns])
        if key == "pattern":
            patterns = value if isinstance(value[0], list) else [value]
            leaf = self._new_leaf("pattern", f"patroon {patterns!r}")
            self._matcher.add(leaf, [self._token_pattern(p) for p in patterns])
            return ("leaf", leaf)
        if key == "number":
            return ("leaf", self._number(value))
        if key in ("all", "any"):
            return (key, [self._compile(child) for child in value])
        if key == "none":
            return ("not", ("any", [self._compile(child) for child in value]))
        if key == "not":
            return ("not", self._compile(value))
        if key == "context":
            return ("context", self._compile(value))
        if key in ("in_block", "in_article"):
            return (key, self._compile(value))
        if key == "near":
            distance = int(value.get("distance", 10))
            children = [self._compile(child) for child in value["all"]]
            return ("near", distance, children)
        raise ValueError(f"unknown condition {key}")  # rules.py validated this already

    def _phrase(self, phrase: str):
        phrase = " ".join(phrase.split())
        leaf = self._phrase_leaf.get(phrase)
        if leaf is None:
            leaf = self._new_leaf("phrase", f"zinsnede {phrase!r}")
            self._phrase_leaf[phrase] = leaf
            self._pending_phrases.append((phrase, leaf))
        return ("leaf", leaf)

    def _regex(self, pattern: str):
        leaf = self._regex_leaf.get(pattern)
        if leaf is None:
            # Not compiled yet: many regexes are never needed for a document (rules for
            # another policy type, literals that do not occur), and compiling all of
            # them took longer than matching.
            leaf = self._new_leaf("regex", f"regex /{pattern}/", pattern=pattern, literals=required_literals(pattern))
            self._regex_leaf[pattern] = leaf
            self._leaf_rule[leaf] = self._current_rule.id
        return ("leaf", leaf)

    def _number(self, spec: dict) -> str:
        rule = self._current_rule
        comparisons = []
        for op in COMPARATORS:
            if op in spec:
                comparisons.append((op, rule.param_value(spec[op])))
        words = {"gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "eq": "="}
        description = f"getal ({spec['unit']} " + " en ".join(f"{words[o]} {v:g}" for o, v in comparisons) + ")"
        leaf = self._new_leaf("number", description, number={"unit": spec["unit"], "comparisons": comparisons})
        self.number_leaves.append(leaf)
        return leaf

    def _add_phrases(self) -> None:
        texts = [phrase for phrase, _ in self._pending_phrases]
        self._phrase_key_by_leaf: dict[str, tuple[set, set]] = {}
        for (phrase, leaf), doc in zip(self._pending_phrases, self.nlp.pipe(texts)):
            lower = self.nlp.make_doc(phrase)
            self._phrase_norm.add(leaf, [doc])
            self._phrase_lower.add(leaf, [lower])
            self._phrase_key_by_leaf[leaf] = ({t.norm_ for t in doc}, {t.lower_ for t in lower})

    def candidates(self, texts: list[str], index, neighbourhoods: Optional[list] = None) -> Optional[set[int]]:
        """The clauses where a rule of this set could fire, from a clause index
        (scan.ClauseIndex: match key or lower-case form -> clause numbers); None when
        that could be any clause.

        neighbourhoods: per clause, its (block group, article) (match.neighbourhoods):
        a rule with in_block or in_article also needs the clauses around a candidate,
        so those come along; without them, such a rule makes every clause a candidate.

        Each rule's condition is evaluated on what is *possible*: a phrase only where
        the clause holds all its keys, a regex only where it is found, `all` as the
        intersection, `any` as the union, `not` and token patterns anywhere. Exact: a
        clause left out cannot fire these rules, nor count for a document-level one.
        """
        universe = set(range(len(texts)))
        norm_index, lower_index = index.lookup(
            {k for norm, _ in self._phrase_key_by_leaf.values() for k in norm},
            {k for _, lower in self._phrase_key_by_leaf.values() for k in lower},
        )
        phrase_sets: dict[str, set[int]] = {}
        for leaf, (norm_keys, lower_keys) in self._phrase_key_by_leaf.items():
            found: set[int] = set()
            for keys, column in ((norm_keys, norm_index), (lower_keys, lower_index)):
                lists = [column.get(key) for key in keys]
                if lists and all(lists):
                    found |= set.intersection(*(set(numbers) for numbers in lists))
            phrase_sets[leaf] = found
        regexes = {leaf.id: leaf for leaf in self.leaves.values() if leaf.kind == "regex"}

        def uses(tree, kind: str) -> bool:
            if tree[0] == kind:
                return True
            one_child = ("not", "context", "in_block", "in_article")
            children = tree[2] if tree[0] == "near" else tree[1:] if tree[0] in one_child else tree[1]
            return tree[0] != "leaf" and any(uses(child, kind) for child in children)

        # A condition on the block or article needs the clauses around each candidate too.
        every_tree = [tree for trees in self.trees.values() for tree in trees.values()]
        block_used = any(uses(tree, "in_block") for tree in every_tree)
        article_used = any(uses(tree, "in_article") for tree in every_tree)
        if (block_used or article_used) and neighbourhoods is None:
            return None

        possible_regexes: dict[int, set[str]] = {}

        def possible_in(number: int) -> set[str]:
            if number not in possible_regexes:
                possible_regexes[number] = self.possible_regexes(texts[number].lower())
            return possible_regexes[number]

        def possible(tree, within: set[int]) -> set[int]:
            kind = tree[0]
            if not within:
                return within
            if kind == "leaf":
                leaf = tree[1]
                if leaf in phrase_sets:
                    return within & phrase_sets[leaf]
                if leaf in regexes:
                    compiled = self.regex_of(regexes[leaf])
                    if compiled is None:
                        return set()
                    # The literal prefilter first: one automaton pass per clause is far cheaper than searches.
                    within = {n for n in within if leaf in possible_in(n)}
                    hit = set()
                    for number in within:
                        try:
                            if compiled.search(texts[number], timeout=REGEX_TIMEOUT_SECONDS):
                                hit.add(number)
                        except TimeoutError:
                            hit.add(number)
                    return hit
                return within  # a token pattern: could be anywhere
            if kind in ("all", "near"):
                children = tree[2] if kind == "near" else tree[1]
                # Cheap phrase conditions first, so regexes run on fewer clauses.
                for child in sorted(children, key=lambda c: 0 if c[0] == "leaf" and c[1] in phrase_sets else 1):
                    within = possible(child, within)
                return within
            if kind == "any":
                found: set[int] = set()
                for child in tree[1]:
                    found |= possible(child, within - found)
                return found
            if kind == "context":
                return possible(tree[1], within)
            return within  # "not": no restriction

        result: set[int] = set()
        for rule in self.rules:
            for key in ("match", "absent", "requires"):
                if key in self.trees[rule.id]:
                    result |= possible(self.trees[rule.id][key], universe - result)
        if (block_used or article_used) and result:
            groups = {neighbourhoods[n][0] for n in result} if block_used else set()
            articles = {neighbourhoods[n][1] for n in result} if article_used else set()
            result = {n for n in universe if neighbourhoods[n][0] in groups or neighbourhoods[n][1] in articles}
        return None if result == universe else result

    def _build_literal_automaton(self) -> None:
        """One Aho-Corasick pass per clause tells which regexes can possibly match."""
        import ahocorasick

        self._literal_automaton = ahocorasick.Automaton()
        self._always_run_regexes: list[str] = []
        # literal -> (needs a boundary before, needs one after) -> regex leaves
        by_literal: dict[str, dict[tuple[bool, bool], set[str]]] = {}
        for leaf in self.leaves.values():
            if leaf.kind != "regex":
                continue
            if leaf.literals is None:
                self._always_run_regexes.append(leaf.id)
            else:
                for literal in leaf.literals:
                    bounds = (literal.startswith(" "), literal.endswith(" ") and len(literal.strip(" ")) > 0)
                    by_literal.setdefault(literal.strip(" "), {}).setdefault(bounds, set()).add(leaf.id)
        for literal, groups in by_literal.items():
            entry = (len(literal), tuple((bounds, frozenset(ids)) for bounds, ids in groups.items()))
            self._literal_automaton.add_word(literal, entry)
        if by_literal:
            self._literal_automaton.make_automaton()

    def possible_regexes(self, lowered: str) -> set[str]:
        possible = set(self._always_run_regexes)
        if len(self._literal_automaton):
            for end, (length, groups) in self._literal_automaton.iter(lowered):
                start = end - length + 1
                for (before, after), leaf_ids in groups:
                    if leaf_ids <= possible:
                        continue
                    if before and start > 0 and _is_word_char(lowered[start - 1]):
                        continue
                    if after and end + 1 < len(lowered) and _is_word_char(lowered[end + 1]):
                        continue
                    possible.update(leaf_ids)
        return possible

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

    def _anchors(self, tree) -> Optional[frozenset[str]]:
        """Leaves of which at least one must match in the clause for `tree` to hold."""
        kind = tree[0]
        if kind == "leaf":
            return frozenset([tree[1]])
        if kind == "any":
            parts = [self._anchors(child) for child in tree[1]]
            return None if any(p is None for p in parts) else frozenset().union(*parts)
        if kind == "all":
            parts = [p for p in (self._anchors(child) for child in tree[1]) if p is not None]
            if not parts:
                return None
            # Prefer anchors the clause-wide matchers find anyway (phrases, patterns).
            return min(parts, key=lambda p: (not all(self.leaves[l].eager for l in p), len(p)))
        if kind == "near":
            return self._anchors(("all", tree[2]))
        if kind == "context":
            return self._anchors(tree[1])
        return None  # not, in_block, in_article: may hold without a hit in this clause

    # ------------------------------------------------------------ matching

    def clause_hits(self, doc, text: Optional[str] = None) -> "ClauseHits":
        """Phrase and pattern hits of one clause Doc; regexes and numbers follow on demand.

        text (str | None): the clause text, when known (Doc.text joins every token again).
        """
        eager: dict[str, list[tuple[int, int]]] = {}
        strings = self.nlp.vocab.strings
        for matcher in (self._phrase_norm, self._phrase_lower, self._matcher):
            if not len(matcher):
                continue
            for match_id, start, end in matcher(doc):
                span = doc[start:end]
                spans = eager.setdefault(strings[match_id], [])
                if (span.start_char, span.end_char) not in spans:
                    spans.append((span.start_char, span.end_char))
        return ClauseHits(self, doc.text if text is None else text, eager)

    def candidate_rules(self, hits: "ClauseHits", rules: set[str]) -> list[Rule]:
        """Rules worth evaluating on this clause: one of their anchors can hold here."""
        seen: set[str] = set()
        candidates: list[Rule] = []

        def add(rule_list):
            for rule in rule_list:
                if rule.id in rules and rule.id not in seen:
                    seen.add(rule.id)
                    candidates.append(rule)

        add(self._unanchored)
        for leaf in hits.triggered_leaves():
            anchored = self._rules_by_anchor.get(leaf)
            if not anchored:
                continue
            # Running the anchor's regex is only worth it for a rule whose condition can
            # still hold here, as far as the clause-wide matchers and literals tell.
            pending = [r for r in anchored if r.id in rules and r.id not in seen
                       and not hits.cannot_hold(self.trees[r.id]["match"])]
            if pending and hits.get(leaf):
                add(pending)
        return candidates

    def evaluate(self, tree, hits: "ClauseHits", context: Optional["MatchContext"] = None):
        """Evidence [(start, end, leaf)] when the condition holds in this clause, else None.

        Evidence found in other clauses of the block or article (in_block, in_article)
        has start = end = -1.
        """
        kind = tree[0]
        if kind == "leaf":
            spans = hits.get(tree[1])
            return [(s, e, tree[1]) for s, e in spans] if spans else None
        if kind == "all":
            # A condition known to fail for free (a phrase not found, a regex whose
            # literals are absent) ends it before the costlier ones run.
            if any(hits.cannot_hold(child) for child in tree[1]):
                return None
            evidence: list = []
            for child in tree[1]:
                result = self.evaluate(child, hits, context)
                if result is None:
                    return None
                evidence.extend(result)
            return evidence
        if kind == "any":
            evidence = []
            matched = False
            for child in tree[1]:
                result = self.evaluate(child, hits, context)
                if result is not None:
                    matched = True
                    evidence.extend(result)
            return evidence if matched else None
        if kind == "not":
            return [] if self.evaluate(tree[1], hits, context) is None else None
        if kind == "context":
            # Must hold, but is no evidence: not quoted, and not checked for negation.
            return None if self.evaluate(tree[1], hits, context) is None else []
        if kind in ("in_block", "in_article"):
            if context is None:
                return self.evaluate(tree[1], hits, context)
            for other in context.neighbours(kind):
                result = self.evaluate(tree[1], other, None)
                if result is not None:
                    return [(-1, -1, leaf) for _, _, leaf in result] or [(-1, -1, "")]
            return None
        if kind == "near":
            return self._near(tree[1], tree[2], hits, context)
        raise ValueError(kind)

    def _near(self, distance: int, children, hits, context):
        if any(hits.cannot_hold(child) for child in children):
            return None
        results = []
        for child in children:
            result = self.evaluate(child, hits, context)
            if not result:
                return None
            results.append([(s, e, leaf) for s, e, leaf in result if s >= 0])
        # Some choice of one span per condition must lie within `distance` words.
        combos = [[]]
        for spans in results:
            combos = [c + [s] for c in combos for s in spans][:_MAX_NEAR_COMBINATIONS]
        for combo in combos:
            start = min(s for s, _, _ in combo)
            end = max(e for _, e, _ in combo)
            inner = len(_WORD.findall(hits.text[start:end])) - sum(len(_WORD.findall(hits.text[s:e])) for s, e, _ in combo)
            if inner <= distance:
                return combo
        return None

    def regex_of(self, leaf: _Leaf):
        """The leaf's compiled regex, compiled on first use; None when `regex` rejects it
        (rules.regex_problem checked it with the standard library's parser)."""
        if leaf.compiled is None:
            try:
                leaf.compiled = self._regex_module.compile(leaf.pattern, REGEX_FLAGS)
            except self._regex_module.error as error:
                leaf.compiled = False
                self.invalid[leaf.id] = str(error)
        return leaf.compiled or None

    def timeout_warnings(self) -> list[str]:
        """Warnings for the regexes that hit the time limit in the last document, and
        for any the `regex` module could not compile."""
        return [
            f"regel {self._leaf_rule.get(leaf, '?')}: {self.describe(leaf)} duurde langer dan "
            f"{REGEX_TIMEOUT_SECONDS:g} s en is overgeslagen; controleer de regel met `policycheck rules lint`"
            for leaf in self.timed_out
        ] + [
            f"regel {self._leaf_rule.get(leaf, '?')}: {self.describe(leaf)} is ongeldig ({problem}) en is overgeslagen"
            for leaf, problem in self.invalid.items()
        ]

    def in_scope(self, rule: Rule, heading_path_text: str) -> bool:
        patterns = self._scopes.get(rule.id)
        if not patterns:
            return True
        for pattern in patterns:
            try:
                if pattern.search(heading_path_text, timeout=REGEX_TIMEOUT_SECONDS):
                    return True
            except TimeoutError:
                continue
        return False

    def describe(self, leaf: str) -> str:
        return self.leaves[leaf].description if leaf in self.leaves else "context"


class ClauseHits:
    """Hits in one clause: phrase and pattern hits up front, regex and numbers on demand."""

    def __init__(self, compiled: CompiledRules, text: str, eager: dict):
        self.compiled = compiled
        self.text = text
        self._hits = eager
        self._eager_leaves = list(eager)
        self._possible_regexes = compiled.possible_regexes(text.lower())
        self._quantities = None

    def triggered_leaves(self) -> list[str]:
        """Leaves that may hold in this clause: eager hits, possible regexes, number leaves."""
        return self._eager_leaves + list(self._possible_regexes) + self.compiled.number_leaves

    def __bool__(self) -> bool:
        return True

    def surely_absent(self, leaf_id: str) -> bool:
        """True when the leaf cannot hold here, known without running anything."""
        hits = self._hits.get(leaf_id)
        if hits is not None:
            return not hits
        kind = self.compiled.leaves[leaf_id].kind
        return kind in ("phrase", "pattern") or (kind == "regex" and leaf_id not in self._possible_regexes)

    def cannot_hold(self, tree) -> bool:
        """True when the condition cannot hold in this clause, known without running a regex."""
        kind = tree[0]
        if kind == "leaf":
            return self.surely_absent(tree[1])
        if kind == "all":
            return any(self.cannot_hold(child) for child in tree[1])
        if kind == "any":
            return all(self.cannot_hold(child) for child in tree[1])
        if kind == "near":
            return any(self.cannot_hold(child) for child in tree[2])
        if kind == "context":
            return self.cannot_hold(tree[1])
        return False  # not, in_block, in_article: may hold whatever this clause has

    def get(self, leaf_id: str) -> list[tuple[int, int]]:
        if leaf_id in self._hits:
            return self._hits[leaf_id]
        leaf = self.compiled.leaves[leaf_id]
        spans: list[tuple[int, int]] = []
        if leaf.kind == "regex":
            spans = self._regex(leaf)
        elif leaf.kind == "number":
            spans = self._number(leaf)
        self._hits[leaf_id] = spans
        return spans

    def _regex(self, leaf: _Leaf) -> list[tuple[int, int]]:
        if leaf.id not in self._possible_regexes:
            return []  # a literal the regex requires is not in the clause
        compiled = self.compiled.regex_of(leaf)
        if compiled is None:
            return []
        try:
            return [m.span() for m in compiled.finditer(self.text, timeout=REGEX_TIMEOUT_SECONDS)]
        except TimeoutError:
            if leaf.id not in self.compiled.timed_out:
                self.compiled.timed_out.append(leaf.id)
            return []

    def _number(self, leaf: _Leaf) -> list[tuple[int, int]]:
        if self._quantities is None:
            self._quantities = find_quantities(self.text)
        spec = leaf.number
        return [
            (q.start, q.end) for q in self._quantities
            if q.unit == spec["unit"] and all(COMPARATORS[op](q.value, value) for op, value in spec["comparisons"])
        ]


@dataclass
class MatchContext:
    """The clauses around the current one, for in_block and in_article conditions."""

    clause: Clause
    block_clauses: list[int] = field(default_factory=list)
    article_clauses: list[int] = field(default_factory=list)
    all_hits: list = field(default_factory=list)

    def neighbours(self, kind: str):
        indexes = self.block_clauses if kind == "in_block" else self.article_clauses
        return [self.all_hits[i] for i in indexes]


# ---------------------------------------------------------------- scope helpers


def _segments(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is_exception) parts of a clause, split where a negation stops counting."""
    breaks = sorted({0, len(text), *[m.start() for m in _SCOPE_BREAK.finditer(text)]})
    parts = []
    for left, right in zip(breaks, breaks[1:]):
        parts.append((left, right, bool(_EXCEPTION_START.match(text, left))))
    return parts or [(0, len(text), False)]


def _segment_of(parts, start: int, end: int) -> tuple[int, int, bool]:
    """The stretch of clause parts an evidence span covers, and whether it opens in an exception."""
    first = next((p for p in parts if p[0] <= start < p[1]), parts[-1])
    last = next((p for p in parts if p[0] < end <= p[1]), parts[-1])
    return first[0], max(last[1], first[1]), first[2]


def negated(text: str, spans: Iterable[tuple[int, int, str]], shielded: Iterable[tuple[int, int, str]] = ()) -> bool:
    """Is the match negated: does some condition hold only inside the scope of a negation?

    A condition that matched twice ("Kunt u het niet rondkrijgen, dan kunt u ...")
    is negated only when every one of its spans is. A negation word inside a
    `shielded` span (the rule's ignore_negation_in) is no negation either.
    """
    spans = [s for s in spans if s[0] >= 0]
    content = spans + [s for s in shielded if s[0] >= 0]
    parts = _segments(text)

    def span_negated(start: int, end: int) -> bool:
        left, right, _ = _segment_of(parts, start, end)
        for word in _WORD.finditer(text, left, right):
            # A negation the rule itself matched ("geen weigeringsgrond") is content, not scope.
            inside = any(s <= word.start() and word.end() <= e for s, e, _ in content)
            # "niet-commercieel", "niet-ingezetenen": a prefix of one word, not a negated clause.
            prefix = text[word.end():word.end() + 1] in ("-", "\u2010", "\u2011")
            if not inside and not prefix and word.group(0).lower() in NEGATION_WORDS:
                return True
        for cue in _REFRAIN.finditer(text, left, right):
            if not any(s <= cue.start() and cue.end() <= e for s, e, _ in content):
                return True
        return False

    return any(all(span_negated(s, e) for s, e in group) for group in _by_leaf(spans).values())


def is_question(text: str) -> bool:
    """A clause that asks ("Wordt de opdracht gegund aan de laagste inschrijver?", in a
    list of questions and answers) lays nothing down; the answer does."""
    return text.rstrip(" \t\n\"'\u201d\u2019)").endswith("?")


def in_exception(text: str, spans: Iterable[tuple[int, int, str]]) -> bool:
    """Does some condition hold only inside an exception ('tenzij ...', 'met uitzondering van ...')?"""
    parts = _segments(text)
    groups = _by_leaf([s for s in spans if s[0] >= 0]).values()
    return any(all(_segment_of(parts, s, e)[2] for s, e in group) for group in groups)


def _by_leaf(spans) -> dict[str, list[tuple[int, int]]]:
    groups: dict[str, list[tuple[int, int]]] = {}
    for start, end, leaf in spans:
        groups.setdefault(leaf, []).append((start, end))
    return groups


def fingerprint(rule_id: str, clause_text: str) -> str:
    """Stable across re-scans: the rule and the clause, ignoring case, spacing and punctuation."""
    normalised = " ".join(_WORD.findall(clause_text.lower()))
    return hashlib.sha256(f"{rule_id}\x1f{normalised}".encode("utf-8")).hexdigest()[:16]


def block_groups(blocks) -> dict[int, int]:
    """Block index -> the block it counts as one with for `in_block`: a list item right
    after a paragraph ending in ':' ("de volgende ambities:") belongs to that paragraph,
    as do the items right after it; any other block is its own. `blocks` may be a
    subset of a document's that holds whole groups (CompiledRules.candidates)."""
    group: dict[int, int] = {}
    lead: Optional[int] = None
    previous = -2
    for block in sorted({b.index: b for b in blocks}.values(), key=lambda b: b.index):
        # Only the blocks right after it (no heading or other block in between).
        if block.kind == LIST_ITEM and lead is not None and block.index == previous + 1:
            group[block.index] = lead
        else:
            group[block.index] = block.index
            lead = block.index if block.kind == PARAGRAPH and block.text.rstrip().endswith(":") else None
        previous = block.index
    return group


def neighbourhoods(clauses: list["Clause"]) -> list[tuple[int, tuple[str, ...]]]:
    """Per clause: (its block group, its article), what in_block and in_article look at."""
    group = block_groups([clause.block for clause in clauses])
    return [(group[clause.block.index], article_key(clause.block)) for clause in clauses]


def article_key(block: Block) -> tuple[str, ...]:
    """The heading path up to and including the article (or the deepest heading)."""
    path = block.heading_path
    for index, heading in enumerate(path):
        if heading.lower().startswith(("artikel", "art.")):
            return tuple(path[: index + 1])
    return tuple(h for h in path if not h.startswith(("lid ", "onder ")))


def clauses_of(document: Document) -> list[Clause]:
    clauses = []
    for block in document.blocks:
        for piece in split_clauses(block.text):
            clauses.append(Clause(block, piece.text, piece.start, piece.end, len(clauses)))
    return clauses


# ---------------------------------------------------------------- the document pass


@dataclass
class DocumentMatch:
    """Everything the matcher saw in one document (used by explain)."""

    clauses: list[Clause]
    hits: list[ClauseHits]
    contexts: list[MatchContext]
    _by_leaf: Optional[dict] = None

    def clauses_with(self, leaves: frozenset[str]) -> list[int]:
        """Indexes of the clauses where one of `leaves` may hold, in document order."""
        if self._by_leaf is None:
            self._by_leaf = {}
            for index, hits in enumerate(self.hits):
                for leaf in hits.triggered_leaves():
                    self._by_leaf.setdefault(leaf, []).append(index)
        return sorted({i for leaf in leaves for i in self._by_leaf.get(leaf, ())})


def analyse(document: Document, compiled: CompiledRules, deadline=None, clauses=None, docs=None) -> DocumentMatch:
    """Run the pipeline and the clause-wide matchers over the clauses.

    clauses (list | None): the clauses to match, default `clauses_of(document)`; a
    subset is fine when the others cannot hit the rules (CompiledRules.candidates).
    docs (list | None): the spaCy Docs of those clauses, when already made.
    deadline (extract.options.Deadline | None): checked every 20 clauses; raises InputError when passed.
    """
    if clauses is None:
        clauses = clauses_of(document)
    if docs is None:
        docs = compiled.nlp.pipe((c.text for c in clauses), batch_size=NLP_BATCH_SIZE)
    elif len(docs) != len(clauses):
        raise ValueError("docs do not belong to this document's clauses")
    hits = []
    for number, (clause, doc) in enumerate(zip(clauses, docs)):
        if deadline is not None and number % 20 == 0:
            deadline.check()
        hits.append(compiled.clause_hits(doc, clause.text))
    # Positions in this list (a subset keeps its own numbering) by block and by article.
    group = block_groups([clause.block for clause in clauses])
    by_block: dict[int, list[int]] = {}
    by_article: dict[tuple, list[int]] = {}
    for position, clause in enumerate(clauses):
        by_block.setdefault(group[clause.block.index], []).append(position)
        by_article.setdefault(article_key(clause.block), []).append(position)
    contexts = [
        MatchContext(clause, by_block[group[clause.block.index]], by_article[article_key(clause.block)], hits)
        for clause in clauses
    ]
    return DocumentMatch(clauses, hits, contexts)


def match_document(
    document: Document, policy_type: str, compiled: CompiledRules, docs=None, clauses=None, deadline=None
) -> list[Finding]:
    """Run every applicable rule over the document; returns findings in document order.

    clauses, docs: see `analyse` (the cache re-matches changed rules on a subset).
    deadline (extract.options.Deadline | None): the time limit per document.
    Regexes that hit their time limit are left in `compiled.timed_out`.
    """
    compiled.timed_out = []
    rules = [rule for rule in compiled.rules if rule.applies_to_type(policy_type)]
    clause_rule_ids = {r.id for r in rules if not r.document_level}
    document_rules = [r for r in rules if r.document_level]
    analysis = analyse(document, compiled, deadline, clauses, docs)
    findings: list[Finding] = []
    for clause, hits, context in zip(analysis.clauses, analysis.hits, analysis.contexts):
        if clause.block.kind == HEADING:
            continue  # a heading names a subject; it does not commit to anything
        for rule in compiled.candidate_rules(hits, clause_rule_ids):
            finding = match_clause(rule, clause, hits, context, compiled)
            if finding is not None:
                findings.append(finding)
    for rule in document_rules:
        if document_rule_fires(rule, analysis, compiled):
            findings.append(_finding(rule, fingerprint(rule.id, "document")))
    # Document order; on one clause, rule order (the cache rebuilds findings in the same order).
    order = {rule.id: index for index, rule in enumerate(compiled.rules)}
    findings.sort(key=lambda f: (f.start is None, f.start or 0, order[f.rule_id]))
    return findings


def document_rule_fires(rule: Rule, analysis: DocumentMatch, compiled: CompiledRules) -> bool:
    """An `absent` rule fires when nothing in the document (headings included) meets it."""
    trees = compiled.trees[rule.id]

    def anywhere(key: str) -> bool:
        anchors = compiled.anchors.get(f"{rule.id}:{key}")
        indexes = range(len(analysis.clauses)) if anchors is None else analysis.clauses_with(anchors)
        return any(compiled.evaluate(trees[key], analysis.hits[i], analysis.contexts[i]) is not None for i in indexes)

    if "requires" in trees and not anywhere("requires"):
        return False
    return not anywhere("absent")


def rejection(rule: Rule, clause: Clause, hits: ClauseHits, context, compiled: CompiledRules):
    """(evidence, None) when the rule fires on the clause, else (evidence or None, reason)."""
    trees = compiled.trees[rule.id]
    evidence = compiled.evaluate(trees["match"], hits, context)
    if evidence is None:
        return None, "de voorwaarden van 'match' gelden niet"
    if is_question(clause.text):
        return evidence, "de zin is een vraag, geen bepaling"
    if "unless" in trees:
        unless = compiled.evaluate(trees["unless"], hits, context)
        if unless is not None:
            found = ", ".join(repr(hits.text[s:e]) for s, e, _ in unless if s >= 0)
            return evidence, f"'unless' geldt ({found or 'in de context'})"
    if rule.exceptions == "exclude" and in_exception(clause.text, evidence):
        return evidence, "de treffer staat in een uitzondering (tenzij, met uitzondering van, ...)"
    if rule.negation != "ignore":
        shielded = compiled.evaluate(trees["ignore_negation_in"], hits) if "ignore_negation_in" in trees else None
        is_negated = negated(clause.text, evidence, shielded or [])
        if rule.negation == "exclude" and is_negated:
            return evidence, "de treffer is ontkend (niet, geen, ...) en de regel sluit ontkenning uit"
        if rule.negation == "require" and not is_negated:
            return evidence, "de regel vraagt een ontkenning, maar de zin is niet ontkend"
    block = clause.block
    if rule.scope_headings and not compiled.in_scope(rule, block.heading_path_text):
        return evidence, f"het kopjespad {block.heading_path_text!r} valt buiten scope.headings"
    return evidence, None


def match_clause(rule: Rule, clause: Clause, hits: ClauseHits, context, compiled: CompiledRules) -> Optional[Finding]:
    evidence, reason = rejection(rule, clause, hits, context, compiled)
    if reason is not None:
        return None
    block = clause.block
    finding = _finding(rule, fingerprint(rule.id, clause.text))
    finding.text = clause.text
    finding.block_index = block.index
    finding.page = block.page
    finding.paragraph = block.paragraph
    finding.heading_path = list(block.heading_path)
    finding.start = block.start + clause.start
    finding.end = block.start + clause.end
    # By position, then by what matched (leaf ids depend on which rules were compiled together).
    unique = sorted(set(evidence), key=lambda item: (item[0], item[1], compiled.describe(item[2]) if item[2] else ""))
    finding.evidence = [
        Evidence(clause.text[s:e] if s >= 0 else "", compiled.describe(leaf) + ("" if s >= 0 else " (elders in blok/artikel)"), s, e)
        for s, e, leaf in unique if leaf
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
        message=rule.report_message,
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
_MATCHING_FIELDS = (
    "id", "applies_to", "match", "unless", "negation", "ignore_negation_in", "exceptions", "params", "scope_headings",
    "absent", "requires",
)


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
