"""`policycheck rules lint`: checks on rules that load fine but can still go wrong.

`rules.py` refuses invalid rules; lint points at valid rules that are risky.
Each check is a function registered with `@check(code)` that takes a Rule and
yields `LintIssue`s; `lint_rules` runs them all. Add a check by writing one more
function here.

PC-L001  a regex that can backtrack catastrophically: a repeated group that itself
         contains an unbounded repetition (`(a+)+`, `(\\w+\\s?)*`), or a repeated
         choice between alternatives that can match the same text (`(a|ab)*`). On a
         long line without a match such a regex takes exponential time. The scan
         stops every regex after a time limit (match.REGEX_TIMEOUT_SECONDS), so the
         rule then silently misses text; lint finds it before that happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Optional

from policycheck.rules import Rule, _line_of

LintCheck = Callable[[Rule], Iterable["LintIssue"]]
CHECKS: list[tuple[str, LintCheck]] = []


@dataclass
class LintIssue:
    source: str
    line: Optional[int]
    rule_id: str
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.code} [{self.rule_id}] {self.message}"


def check(code: str) -> Callable[[LintCheck], LintCheck]:
    """Register a lint check under a stable code (`PC-Lnnn`)."""

    def register(function: LintCheck) -> LintCheck:
        CHECKS.append((code, function))
        return function

    return register


def lint_rules(rules: Iterable[Rule]) -> list[LintIssue]:
    """Every issue of every registered check, in rule order."""
    issues: list[LintIssue] = []
    for rule in rules:
        for _, function in CHECKS:
            issues.extend(function(rule))
    return issues


# ---------------------------------------------------------------- walking a rule


def iter_leaves(rule: Rule, kind: str) -> Iterator[tuple[Any, Optional[int]]]:
    """(value, line) for every condition of one kind ('regex', 'pattern') in a rule."""

    def walk(cond: Any, line: Optional[int]) -> Iterator[tuple[Any, Optional[int]]]:
        line = _line_of(cond) or line
        if isinstance(cond, list):
            for child in cond:
                yield from walk(child, line)
        elif isinstance(cond, dict):
            for key, value in cond.items():
                key_line = _line_of(cond, key) or line
                if key == kind:
                    yield value, key_line
                elif key in ("all", "any", "none", "not", "context", "in_block", "in_article"):
                    yield from walk(value, key_line)
                elif key == "near" and isinstance(value, dict):
                    yield from walk(value.get("all") or [], key_line)

    for key in ("match", "unless", "absent", "requires"):
        value = getattr(rule, key)
        if value is not None:
            yield from walk(value, rule.line)
    if kind == "regex" and rule.ignore_negation_in:
        yield from walk({"regex": rule.ignore_negation_in}, rule.line)


def iter_regexes(rule: Rule) -> Iterator[tuple[str, Optional[int]]]:
    """(pattern, line) for every regex of a rule: in its conditions and its heading scope."""
    for value, line in iter_leaves(rule, "regex"):
        for pattern in [value] if isinstance(value, str) else value:
            yield pattern, line
    for pattern in rule.scope_headings:
        yield pattern, rule.line


def iter_token_patterns(rule: Rule) -> Iterator[tuple[list, Optional[int]]]:
    """(token pattern, line) for every `pattern` condition of a rule."""
    for value, line in iter_leaves(rule, "pattern"):
        for pattern in value if value and isinstance(value[0], list) else [value]:
            yield pattern, line


# ---------------------------------------------------------------- PC-L001


def backtracking_risk(pattern: str) -> Optional[str]:
    """Why `pattern` may backtrack catastrophically, or None.

    A static check on Python's own parse of the pattern (the `regex` module that
    runs rules accepts a superset; a pattern Python cannot parse is not judged).
    """
    try:
        from re import _parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse  # type: ignore[no-redef]
    try:
        parsed = sre_parse.parse(pattern)
    except Exception:
        return None
    return _risk_in(list(parsed), sre_parse, inside_repeat=False)


def _repeat_bounds(op, av, c) -> Optional[tuple[int, int, Any]]:
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        low, high, body = av
        return low, high, body
    return None


def _risk_in(items: list, sre_parse, inside_repeat: bool) -> Optional[str]:
    c = sre_parse._constants if hasattr(sre_parse, "_constants") else sre_parse
    for op, av in items:
        bounds = _repeat_bounds(op, av, c)
        if bounds is not None:
            low, high, body = bounds
            unbounded = high == c.MAXREPEAT
            repeated = unbounded or high > 10
            if repeated:
                nested = _ambiguous_nested_repeat(list(body), c)
                if nested:
                    return nested
                overlap = _overlapping_branches(list(body), c)
                if overlap:
                    return overlap
            found = _risk_in(list(body), sre_parse, inside_repeat or repeated)
            if found:
                return found
        elif op == c.SUBPATTERN:
            found = _risk_in(list(av[-1]), sre_parse, inside_repeat)
            if found:
                return found
        elif op == c.BRANCH:
            for branch in av[1]:
                found = _risk_in(list(branch), sre_parse, inside_repeat)
                if found:
                    return found
        elif op in (getattr(c, "ATOMIC_GROUP", None), getattr(c, "POSSESSIVE_REPEAT", None)):
            continue  # no backtracking into these
        elif op in (c.ASSERT, c.ASSERT_NOT):
            found = _risk_in(list(av[1]), sre_parse, inside_repeat)
            if found:
                return found
    return None


_SAMPLE = [chr(code) for code in range(0x250)] + ["\u2013", "\u2019", "\u20ac"]


def _char_test(op, av, c) -> Optional[Callable[[str], bool]]:
    """A predicate for a single-character item (literal, class, category, any), else None."""
    import re

    if op == c.LITERAL:
        return lambda ch: ch == chr(av)
    if op == c.NOT_LITERAL:
        return lambda ch: ch != chr(av)
    if op == c.ANY:
        return lambda ch: ch != "\n"
    if op == c.IN:
        category_res = {
            "CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
            "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W",
        }
        parts, negate = [], False
        for item_op, item_av in av:
            if item_op == c.NEGATE:
                negate = True
            elif item_op == c.LITERAL:
                parts.append(re.escape(chr(item_av)))
            elif item_op == c.RANGE:
                parts.append(f"{re.escape(chr(item_av[0]))}-{re.escape(chr(item_av[1]))}")
            elif item_op == c.CATEGORY and str(item_av) in category_res:
                parts.append(category_res[str(item_av)])
            else:
                return None
        compiled = re.compile(f"[{'^' if negate else ''}{''.join(parts)}]", re.IGNORECASE)
        return lambda ch: compiled.match(ch) is not None
    return None


def _first_test(items: list, c) -> Optional[Callable[[str], bool]]:
    """What the first character of a sequence can be, when that is easy to tell."""
    if not items:
        return None
    return _item_test(*items[0], c)


def _item_test(op, av, c) -> Optional[Callable[[str], bool]]:
    single = _char_test(op, av, c)
    if single is not None:
        return single
    bounds = _repeat_bounds(op, av, c)
    if bounds is not None:
        return _first_test(list(bounds[2]), c)
    if op == c.SUBPATTERN:
        return _first_test(list(av[-1]), c)
    if op == c.BRANCH:
        tests = [_first_test(list(branch), c) for branch in av[1] if len(branch)]
        if not tests or any(t is None for t in tests):
            return None
        return lambda ch: any(t(ch) for t in tests)
    return None


def _is_variable(op, av, c) -> bool:
    """Can this item match a varying number of characters (`x+`, `x?`, `x{1,3}`, `(|x)`)?"""
    bounds = _repeat_bounds(op, av, c)
    if bounds is not None:
        return bounds[1] > bounds[0]
    if op == c.SUBPATTERN:
        return any(_is_variable(o, a, c) for o, a in av[-1])
    if op == c.BRANCH:
        return any(len(branch) == 0 for branch in av[1])
    return False


def _is_required(op, av, c) -> bool:
    bounds = _repeat_bounds(op, av, c)
    if bounds is not None:
        return bounds[0] >= 1
    if op == c.BRANCH:
        return all(len(branch) for branch in av[1])
    return op not in (c.AT, c.ASSERT, c.ASSERT_NOT)


def _ambiguous_nested_repeat(body: list, c) -> Optional[str]:
    """A part of a repeated body that matches a varying length, not fenced off by a
    required character it cannot match: then one text splits into iterations in
    exponentially many ways (`(\\w+\\s?)+`, `(a|aa)+`). `[a-z]+(?:-[a-z]+)*` is fine:
    the `-` separates the iterations."""
    for index, (op, av) in enumerate(body):
        if not _is_variable(op, av, c):
            continue
        varying = _item_test(op, av, c)
        fenced = False
        for other_index, (other_op, other_av) in enumerate(body):
            if other_index == index or not _is_required(other_op, other_av, c):
                continue
            test = _item_test(other_op, other_av, c)
            if varying is not None and test is not None and not any(varying(ch) and test(ch) for ch in _SAMPLE):
                fenced = True
                break
        if not fenced:
            return "geneste herhaling (een herhaald deel kan de tekst op veel manieren over de herhalingen verdelen)"
    return None


def _first_chars(items: list, c) -> Optional[set]:
    """The literal characters a sequence can start with, or None when it is not a plain literal start."""
    if not items:
        return None
    op, av = items[0]
    if op == c.LITERAL:
        return {chr(av)}
    if op == c.SUBPATTERN:
        return _first_chars(list(av[-1]), c)
    return None


def _overlapping_branches(items: list, c) -> Optional[str]:
    """A choice directly under a repetition whose alternatives can start alike."""
    for op, av in items:
        if op == c.SUBPATTERN:
            found = _overlapping_branches(list(av[-1]), c)
            if found:
                return found
        if op != c.BRANCH:
            continue
        branches = [list(branch) for branch in av[1]]
        if len({repr(branch) for branch in branches}) < len(branches):
            return "herhaalde keuze met gelijke alternatieven"
        starts = [_first_chars(branch, c) for branch in branches]
        for i, first in enumerate(starts):
            for other in starts[i + 1:]:
                if first and other and first & other:
                    return "herhaalde keuze tussen alternatieven die hetzelfde kunnen treffen"
        # `\w+|\d+`-style alternatives: categories that overlap.
        categories = [_category(branch, c) for branch in branches]
        known = [cat for cat in categories if cat]
        if len(known) >= 2 and any(_categories_overlap(a, b) for i, a in enumerate(known) for b in known[i + 1:]):
            return "herhaalde keuze tussen alternatieven die hetzelfde kunnen treffen"
    return None


def _category(items: list, c) -> Optional[str]:
    if len(items) != 1:
        return None
    op, av = items[0]
    if _repeat_bounds(op, av, c):
        return _category(list(av[2]), c)
    if op == c.IN and len(av) == 1 and av[0][0] == c.CATEGORY:
        return str(av[0][1])
    if op == c.ANY:
        return "ANY"
    return None


_OVERLAPS = {
    frozenset({"CATEGORY_WORD", "CATEGORY_DIGIT"}),
    frozenset({"CATEGORY_NOT_SPACE", "CATEGORY_WORD"}),
    frozenset({"CATEGORY_NOT_SPACE", "CATEGORY_DIGIT"}),
}


def _categories_overlap(a: str, b: str) -> bool:
    if a == b or "ANY" in (a, b):
        return True
    return frozenset({a, b}) in _OVERLAPS


@check("PC-L001")
def catastrophic_regex(rule: Rule) -> Iterator[LintIssue]:
    for pattern, line in iter_regexes(rule):
        risk = backtracking_risk(pattern)
        if risk:
            yield LintIssue(
                rule.source, line, rule.id, "PC-L001",
                f"regex {pattern!r} kan catastrofaal terugzoeken: {risk}; op een lange regel zonder treffer "
                "duurt dat exponentieel lang en wordt de regex na de tijdsgrens overgeslagen. "
                "Schrijf de herhaling zonder overlap, bijvoorbeeld (?:\\w+\\s+){0,3} in plaats van (\\w+\\s?)+",
            )



# ---------------------------------------------------------------- PC-L002 .. PC-L005

MIN_EXAMPLES = 3


@check("PC-L002")
def too_few_examples(rule: Rule) -> Iterator[LintIssue]:
    for kind, examples in (("match", rule.examples_match), ("no_match", rule.examples_no_match)):
        if len(examples) < MIN_EXAMPLES:
            yield LintIssue(
                rule.source, rule.line, rule.id, "PC-L002",
                f"{len(examples)} voorbeeld(en) onder examples.{kind}; geef er minstens {MIN_EXAMPLES}, met "
                "vervoegingen, ontkenningen en zinnen met dezelfde woorden die niet mogen treffen",
            )


@check("PC-L003")
def empty_documentation(rule: Rule) -> Iterator[LintIssue]:
    from policycheck.ruledocs import doc_problems

    for problem in doc_problems(rule):
        if "sectie" in problem and "Voorbeeld" not in problem:
            yield LintIssue(rule.source, rule.line, rule.id, "PC-L003", problem.split(": ", 1)[1])


@check("PC-L004")
def reference_without_url(rule: Rule) -> Iterator[LintIssue]:
    for reference in rule.references:
        if not reference.url.startswith(("https://", "http://")):
            yield LintIssue(rule.source, rule.line, rule.id, "PC-L004",
                            f"bron '{reference.title}' heeft geen webadres (url)")


# Attributes no pipeline of policycheck sets (the model runs without its NER), and
# attributes only nl_core_news_sm sets (the offline fallback ignores them).
_NEVER_SET = {"ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID"}
_MODEL_ONLY = {"POS", "TAG", "MORPH", "DEP", "HEAD", "SENT_START", "IS_SENT_START"}


@check("PC-L005")
def unset_token_attributes(rule: Rule) -> Iterator[LintIssue]:
    for pattern, line in iter_token_patterns(rule):
        keys = {key for token in pattern if isinstance(token, dict) for key in token}
        for key in sorted(keys & _NEVER_SET):
            yield LintIssue(rule.source, line, rule.id, "PC-L005",
                            f"token-patroon gebruikt {key}, dat geen pijplijn van policycheck zet (geen NER): "
                            "dit deel treft nooit")
        model_only = sorted(keys & _MODEL_ONLY)
        if model_only:
            yield LintIssue(rule.source, line, rule.id, "PC-L005",
                            f"token-patroon gebruikt {', '.join(model_only)}: alleen nl_core_news_sm zet dat; "
                            "de offline terugvaloptie laat die voorwaarden weg")

