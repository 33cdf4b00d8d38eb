"""Loading and validating the YAML rule files.

A rule file holds one rule (a mapping with `id`) or a list of rules. Every problem
is reported as `file:line: message`, all of them at once, so a rule author can fix
a file in one go. Only safe YAML is loaded.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from policycheck.errors import RuleError, RuleErrors

POLARITIES = ("bevorderend", "belemmerend", "ontbrekend")
SEVERITIES = ("hoog", "middel", "laag")
POLICY_TYPES = ("procurement", "subsidy")
NEGATION_MODES = ("exclude", "ignore", "require")
EXCEPTION_MODES = ("exclude", "ignore")
NUMBER_UNITS = ("amount", "percent", "days", "weeks", "months", "years", "multiple")
NUMBER_COMPARATORS = ("gt", "gte", "lt", "lte", "eq")
# Rule regexes are case-insensitive (the `regex` module's IGNORECASE has re's value).
REGEX_FLAGS = re.IGNORECASE

# The fixed topic list (docs/topics.md explains each one).
TOPICS = (
    # procurement
    "social-return",
    "social-return-buy-social",
    "reserved-contracts",
    "invite-social-enterprise",
    "award-criteria",
    "lots",
    "proportionality",
    "market-consultation",
    "pso",
    "payment-terms",
    "mvi-social-goals",
    "social-enterprise-recognition",
    "monitoring",
    # subsidy
    "nonprofit-only",
    "legal-form",
    "anbi",
    "open-eligibility",
    "de-minimis",
    "alternative-finance",
    "right-to-challenge",
)

RULE_FIELDS = {
    "id", "title", "polarity", "severity", "topic", "applies_to", "step",
    "message", "rationale", "recommendation", "references", "examples",
    "match", "unless", "negation", "ignore_negation_in", "exceptions", "scope", "absent", "requires", "params",
    "notes",
}
REQUIRED_FIELDS = (
    "id", "title", "polarity", "severity", "topic", "applies_to", "step",
    "message", "recommendation", "references",
)
CONDITION_KEYS = {
    "phrase", "regex", "pattern", "number", "all", "any", "none", "not", "context", "in_block", "in_article", "near",
}
SCOPE_KEYS = {"headings"}
EXAMPLE_KEYS = {"match", "no_match"}
REFERENCE_KEYS = {"title", "url", "note"}

BUILTIN_RULES_DIR_NAME = "rules"


# ---------------------------------------------------------------- YAML with lines


class _LineDict(dict):
    """A dict that remembers the line of the mapping and of each key (1-based)."""

    line: int = 0
    key_lines: dict


class _LineList(list):
    line: int = 0


def _loader_class():
    import yaml

    # libyaml's parser when installed (several times faster); the same safe constructors.
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):
        pass

    def construct_mapping(loader, node, deep=False):
        loader.flatten_mapping(node)
        result = _LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            result[key] = loader.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(loader, node, deep=False):
        result = _LineList(loader.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        return result

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, construct_sequence)
    return LineLoader


def _line_of(obj: Any, key: Optional[str] = None) -> Optional[int]:
    if key is not None and isinstance(obj, _LineDict):
        return obj.key_lines.get(key, obj.line)
    return getattr(obj, "line", None)


# ---------------------------------------------------------------- the Rule type


@dataclass
class Reference:
    title: str
    url: str = ""
    note: str = ""

    def to_dict(self) -> dict:
        data = {"title": self.title, "url": self.url}
        if self.note:
            data["note"] = self.note
        return data


@dataclass
class Example:
    text: str
    covers: str = ""  # for a matching example: text the finding must quote


@dataclass
class Rule:
    id: str
    title: str
    polarity: str
    severity: str
    topic: str
    applies_to: list[str]
    step: int
    message: str
    recommendation: str
    references: list[Reference]
    rationale: str = ""
    match: Any = None  # condition (clause level)
    unless: Any = None
    negation: str = "exclude"
    ignore_negation_in: list[str] = field(default_factory=list)  # regexes: a negation word inside is no negation
    exceptions: str = "exclude"
    params: dict = field(default_factory=dict)
    param_defaults: dict = field(default_factory=dict)  # params as the rule file sets them
    scope_headings: list[str] = field(default_factory=list)
    absent: Any = None  # condition (document level): fires when nothing matches it
    requires: Any = None  # document-level prerequisite for `absent`
    examples_match: list[Example] = field(default_factory=list)
    examples_no_match: list[Example] = field(default_factory=list)
    source: str = ""  # file the rule came from
    line: int = 0

    @property
    def document_level(self) -> bool:
        return self.absent is not None

    def changed_params(self) -> dict[str, tuple[float, float]]:
        """Params the configuration set to another value: name -> (value, rule file's value)."""
        return {
            name: (value, self.param_defaults[name])
            for name, value in self.params.items()
            if name in self.param_defaults and value != self.param_defaults[name]
        }

    @property
    def report_message(self) -> str:
        """The message for a finding. A message states the rule file's threshold; when
        policycheck.yaml changed it, the reader is told which one was applied."""
        changed = self.changed_params()
        if not changed:
            return self.message
        settings = ", ".join(f"{name} op {value:g} gezet (standaard {default:g})" for name, (value, default) in changed.items())
        return f"{self.message} Let op: in de configuratie is {settings}; de melding noemt de standaardwaarde."

    def param_value(self, value) -> float:
        """A threshold in a number condition: a number, or the name of one of the rule's params."""
        if isinstance(value, str):
            return float(self.params[value])
        return float(value)

    def applies_to_type(self, policy_type: str) -> bool:
        # An undetected type gets every clause rule, but no "missing" rule.
        if policy_type not in POLICY_TYPES:
            return not self.document_level
        return policy_type in self.applies_to

    def summary(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "polarity": self.polarity,
            "severity": self.severity,
            "topic": self.topic,
            "applies_to": list(self.applies_to),
            "step": self.step,
            "source": self.source,
        }


@dataclass
class RuleSet:
    rules: list[Rule]
    sources: list[tuple[str, int]]  # (folder, number of rules loaded from it)
    notices: list[str] = field(default_factory=list)
    config_path: Optional[str] = None

    def by_id(self, rule_id: str) -> Optional[Rule]:
        return next((r for r in self.rules if r.id == rule_id), None)


# ---------------------------------------------------------------- loading


def builtin_rules_dir() -> Path:
    """The rules shipped in the wheel, or the repository's rules/ when run from source."""
    package_dir = Path(__file__).resolve().parent
    installed = package_dir / BUILTIN_RULES_DIR_NAME
    if installed.is_dir():
        return installed
    return package_dir.parent / BUILTIN_RULES_DIR_NAME


def load_rules(
    extra_dirs: tuple[str, ...] | list[str] = (), builtin: bool = True, checked: Optional[set[str]] = None,
) -> RuleSet:
    """Load the built-in rules and any extra folders. Raises RuleErrors listing every problem.

    checked: regexes and token patterns (see `pattern_key`) that passed their check
    before, with these library versions; each one still gets every other check, but
    is not parsed or compiled again. Patterns that pass now are added, so the caller
    can keep them (cache.Cache.checked_patterns).
    """
    folders: list[Path] = []
    if builtin:
        folders.append(builtin_rules_dir())
    errors: list[RuleError] = []
    for extra in extra_dirs:
        path = Path(extra)
        if not path.exists():
            errors.append(RuleError(extra, None, "regelmap bestaat niet"))
            continue
        folders.append(path)
    rules: list[Rule] = []
    sources: list[tuple[str, int]] = []
    notices: list[str] = []
    seen: dict[str, Rule] = {}
    for folder in folders:
        files = [folder] if folder.is_file() else sorted(
            p for p in folder.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file()
        )
        count = 0
        for file in files:
            file_rules, file_errors = load_rule_file(file, checked)
            errors.extend(file_errors)
            for rule in file_rules:
                previous = seen.get(rule.id)
                if previous is not None and previous.source == rule.source:
                    errors.append(RuleError(rule.source, rule.line, f"dubbele regel-id {rule.id}"))
                    continue
                if previous is not None:
                    notices.append(
                        f"regel {rule.id} uit {rule.source} vervangt die uit {previous.source}"
                    )
                    rules.remove(previous)
                seen[rule.id] = rule
                rules.append(rule)
                count += 1
        sources.append((str(folder), count))
    if errors:
        raise RuleErrors(errors)
    return RuleSet(rules=rules, sources=sources, notices=notices)


def load_rule_file(path: Path, checked: Optional[set[str]] = None) -> tuple[list[Rule], list[RuleError]]:
    import yaml

    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [RuleError(source, None, f"kan regelbestand niet lezen: {exc}")]
    try:
        data = yaml.load(text, Loader=_loader_class())  # noqa: S506 - a SafeLoader subclass
    except yaml.constructor.ConstructorError as exc:
        # A tag such as !!python/object/apply:os.system: SafeLoader never builds objects.
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        tag = _tag_of(exc.problem or "")
        return [], [RuleError(
            source, line,
            f"YAML-tag {tag} is niet toegestaan: een regel bevat alleen gewone YAML (tekst, getallen, lijsten, mappings)",
        )]
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        return [], [RuleError(source, line, f"ongeldige YAML: {exc.problem}")]
    except yaml.YAMLError as exc:
        return [], [RuleError(source, None, f"ongeldige YAML: {exc}")]
    if data is None:
        return [], []
    items = data if isinstance(data, list) else [data]
    rules: list[Rule] = []
    errors: list[RuleError] = []
    for item in items:
        rule = _parse_rule(item, source, errors, checked)
        if rule is not None:
            rules.append(rule)
    return rules, errors


def _tag_of(problem: str) -> str:
    found = re.search(r"tag '([^']*)'", problem)
    if not found:
        return "(onbekend)"
    return found.group(1).replace("tag:yaml.org,2002:", "!!")


def _unknown_key_message(key: str, allowed: set[str], what: str) -> str:
    message = f"onbekend veld '{key}' in {what}"
    close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
    if close:
        message += f"; bedoelde u '{close[0]}'?"
    return message


def _parse_rule(item: Any, source: str, errors: list[RuleError], checked: Optional[set[str]] = None) -> Optional[Rule]:
    if not isinstance(item, dict):
        errors.append(RuleError(source, _line_of(item), "een regel moet een mapping met velden zijn"))
        return None
    line = _line_of(item) or 0
    before = len(errors)

    def err(key: Optional[str], message: str) -> None:
        errors.append(RuleError(source, _line_of(item, key) if key else line, message))

    for key in item:
        if key not in RULE_FIELDS:
            err(key, _unknown_key_message(key, RULE_FIELDS, "regel"))
    for key in REQUIRED_FIELDS:
        if key not in item or item[key] in (None, "", []):
            err(None, f"verplicht veld '{key}' ontbreekt in regel {item.get('id', '?')}")
    rule_id = str(item.get("id", ""))
    for key in ("id", "title", "message", "recommendation", "rationale"):
        if key in item and not isinstance(item[key], str):
            err(key, f"'{key}' moet tekst zijn")
    if item.get("polarity") is not None and item.get("polarity") not in POLARITIES:
        err("polarity", f"polarity moet een van {', '.join(POLARITIES)} zijn, niet '{item.get('polarity')}'")
    if item.get("severity") is not None and item.get("severity") not in SEVERITIES:
        err("severity", f"severity moet een van {', '.join(SEVERITIES)} zijn, niet '{item.get('severity')}'")
    if item.get("topic") is not None and item.get("topic") not in TOPICS:
        close = difflib.get_close_matches(str(item.get("topic")), TOPICS, n=1)
        hint = f"; bedoelde u '{close[0]}'?" if close else " (zie docs/topics.md)"
        err("topic", f"onbekend onderwerp '{item.get('topic')}'{hint}")
    applies_to = item.get("applies_to") or []
    if isinstance(applies_to, str):
        applies_to = [applies_to]
    if not isinstance(applies_to, list):
        err("applies_to", f"applies_to moet een lijst zijn, bijvoorbeeld [{', '.join(POLICY_TYPES)}]")
        applies_to = []
    for value in applies_to:
        if value not in POLICY_TYPES:
            err("applies_to", f"applies_to kent alleen {', '.join(POLICY_TYPES)}, niet '{value}'")
    step = item.get("step")
    if step is not None and (not isinstance(step, int) or not 1 <= step <= 8):
        err("step", f"step moet een stap van het plan zijn (1-8), niet '{step}'")
    negation = item.get("negation", "exclude")
    if negation not in NEGATION_MODES:
        err("negation", f"negation moet een van {', '.join(NEGATION_MODES)} zijn")
    ignore_negation_in = item.get("ignore_negation_in") or []
    if isinstance(ignore_negation_in, str):
        ignore_negation_in = [ignore_negation_in]
    if not isinstance(ignore_negation_in, list):
        err("ignore_negation_in", "ignore_negation_in is een regex of een lijst regexen")
        ignore_negation_in = []
    for pattern in ignore_negation_in:
        _check_regex(pattern, source, _line_of(item, "ignore_negation_in") or line, errors, checked)
    exceptions = item.get("exceptions", "exclude")
    if exceptions not in EXCEPTION_MODES:
        err("exceptions", f"exceptions moet een van {', '.join(EXCEPTION_MODES)} zijn")
    params = item.get("params") or {}
    if not isinstance(params, dict) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in params.values()
    ):
        err("params", "params is een mapping van naam naar getal, bijvoorbeeld {max_dagen: 30}")
        params = {}
    polarity = item.get("polarity")
    has_match = item.get("match") is not None
    has_absent = item.get("absent") is not None
    if has_match == has_absent:
        err(None, f"regel {rule_id or '?'} heeft precies één van 'match' (per zin) of 'absent' (per document) nodig")
    if has_absent and polarity not in (None, "ontbrekend"):
        err("absent", "een regel met 'absent' heeft polarity 'ontbrekend'")
    if polarity == "ontbrekend" and has_match:
        err("match", "polarity 'ontbrekend' hoort bij een documentregel met 'absent'")
    for key in ("match", "unless", "absent", "requires"):
        if item.get(key) is not None:
            _check_condition(item[key], source, _line_of(item, key) or line, errors, params, checked)
    scope = item.get("scope") or {}
    scope_headings: list[str] = []
    if scope:
        if not isinstance(scope, dict):
            err("scope", "scope moet een mapping zijn, bijvoorbeeld {headings: [Weigeringsgronden]}")
        else:
            for key in scope:
                if key not in SCOPE_KEYS:
                    err("scope", _unknown_key_message(key, SCOPE_KEYS, "scope"))
            headings = scope.get("headings") or []
            if not isinstance(headings, (str, list)):
                err("scope", "scope.headings moet een regex of een lijst regexen zijn")
                headings = []
            scope_headings = [headings] if isinstance(headings, str) else list(headings)
            for pattern in scope_headings:
                _check_regex(pattern, source, _line_of(scope, "headings") or line, errors, checked)
    references = _parse_references(item.get("references") or [], source, line, errors)
    examples_match, examples_no_match = _parse_examples(item.get("examples"), source, line, errors)
    if len(errors) > before:
        return None
    return Rule(
        id=rule_id,
        title=item["title"].strip(),
        polarity=polarity,
        severity=item["severity"],
        topic=item["topic"],
        applies_to=list(applies_to),
        step=step,
        message=item["message"].strip(),
        recommendation=item["recommendation"].strip(),
        references=references,
        rationale=(item.get("rationale") or "").strip(),
        match=item.get("match"),
        unless=item.get("unless"),
        negation=negation,
        ignore_negation_in=[str(p) for p in ignore_negation_in],
        exceptions=exceptions,
        params=dict(params),
        param_defaults=dict(params),
        scope_headings=scope_headings,
        absent=item.get("absent"),
        requires=item.get("requires"),
        examples_match=examples_match,
        examples_no_match=examples_no_match,
        source=source,
        line=line,
    )


def pattern_key(kind: str, pattern: Any) -> str:
    """How a regex or token pattern is named in the `checked` set of load_rules."""
    import json

    return f"{kind}\x1f{json.dumps(_plain(pattern), ensure_ascii=False, sort_keys=True)}"


def _check_regex(pattern: Any, source: str, line: int, errors: list[RuleError], checked: Optional[set[str]] = None) -> None:
    if not isinstance(pattern, str):
        errors.append(RuleError(source, line, f"regex moet tekst zijn, niet {pattern!r}"))
        return
    key = pattern_key("regex", pattern)
    if checked is not None and key in checked:
        return
    problem = regex_problem(pattern)
    if problem:
        errors.append(RuleError(source, line, f"ongeldige regex {pattern!r}: {problem}"))
        return
    if checked is not None:
        checked.add(key)


@lru_cache(maxsize=4096)
def parse_regex(pattern: str):
    """The standard library's parse of a rule regex (the matcher takes its literals from
    it); raises re.error. Parsing is a fifth of what compiling with `regex` costs."""
    from re import _parser

    return _parser.parse(pattern, REGEX_FLAGS)


def regex_problem(pattern: str) -> Optional[str]:
    """What is wrong with a rule regex, or None.

    The matcher compiles a regex with `regex` only when a clause needs it. To check
    every pattern at load time, the standard library's parser is enough for what it
    understands; a pattern it rejects (`regex` knows more syntax) is compiled with
    `regex`, which has the last word.
    """
    try:
        parse_regex(pattern)
        return None
    except Exception:  # re.error, or a recursion or overflow error on a hostile pattern
        pass
    import regex

    try:
        regex.compile(pattern, REGEX_FLAGS)
    except regex.error as exc:
        return str(exc)
    except (RecursionError, OverflowError, MemoryError):
        return "te complex om te lezen"
    return None


def _check_condition(
    cond: Any, source: str, line: int, errors: list[RuleError], params: dict | None = None,
    checked: Optional[set[str]] = None,
) -> None:
    """Validate the small condition language (see docs/rules.md)."""
    params = params or {}
    line = _line_of(cond) or line
    if isinstance(cond, str):
        if not cond.strip():
            errors.append(RuleError(source, line, "lege zinsnede"))
        return
    if isinstance(cond, list):
        if not cond:
            errors.append(RuleError(source, line, "lege lijst van voorwaarden"))
        for child in cond:
            _check_condition(child, source, line, errors, params, checked)
        return
    if not isinstance(cond, dict) or len(cond) != 1:
        errors.append(RuleError(
            source, line,
            "een voorwaarde heeft precies één sleutel: " + ", ".join(sorted(CONDITION_KEYS)),
        ))
        return
    (key, value), = cond.items()
    key_line = _line_of(cond, key) or line
    if key not in CONDITION_KEYS:
        errors.append(RuleError(source, key_line, _unknown_key_message(key, CONDITION_KEYS, "voorwaarde")))
        return
    if key == "phrase":
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip() for v in values):
            errors.append(RuleError(source, key_line, "phrase moet tekst of een lijst teksten zijn"))
    elif key == "regex":
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values:
            errors.append(RuleError(source, key_line, "regex moet tekst of een lijst teksten zijn"))
        else:
            for pattern in values:
                _check_regex(pattern, source, key_line, errors, checked)
    elif key == "pattern":
        _check_token_pattern(value, source, key_line, errors, checked)
    elif key == "number":
        _check_number(value, source, key_line, errors, params)
    elif key in ("all", "any", "none"):
        if not isinstance(value, list) or not value:
            errors.append(RuleError(source, key_line, f"{key} moet een lijst voorwaarden zijn"))
        else:
            for child in value:
                _check_condition(child, source, key_line, errors, params, checked)
    elif key in ("not", "context", "in_block", "in_article"):
        _check_condition(value, source, key_line, errors, params, checked)
    elif key == "near":
        if not isinstance(value, dict) or not isinstance(value.get("all"), list) or len(value["all"]) < 2:
            errors.append(RuleError(source, key_line, "near heeft 'all' met minstens twee voorwaarden en een 'distance' (woorden)"))
            return
        for extra in value:
            if extra not in ("all", "distance"):
                errors.append(RuleError(source, _line_of(value, extra) or key_line, _unknown_key_message(extra, {"all", "distance"}, "near")))
        distance = value.get("distance", 10)
        if not isinstance(distance, int) or distance < 0:
            errors.append(RuleError(source, key_line, "near.distance moet een geheel getal ≥ 0 zijn"))
        for child in value["all"]:
            _check_condition(child, source, key_line, errors, params, checked)


def _check_number(value: Any, source: str, line: int, errors: list[RuleError], params: dict) -> None:
    if not isinstance(value, dict):
        errors.append(RuleError(source, line, "number moet een mapping zijn, bijvoorbeeld {unit: days, gt: 30}"))
        return
    for key in value:
        if key not in ("unit", *NUMBER_COMPARATORS):
            errors.append(RuleError(source, _line_of(value, key) or line,
                                    _unknown_key_message(key, {"unit", *NUMBER_COMPARATORS}, "number")))
    if value.get("unit") not in NUMBER_UNITS:
        errors.append(RuleError(source, _line_of(value, "unit") or line,
                                f"number.unit moet een van {', '.join(NUMBER_UNITS)} zijn, niet '{value.get('unit')}'"))
    if not any(op in value for op in NUMBER_COMPARATORS):
        errors.append(RuleError(source, line, f"number heeft een vergelijking nodig: {', '.join(NUMBER_COMPARATORS)}"))
    for op in NUMBER_COMPARATORS:
        threshold = value.get(op)
        if threshold is None:
            continue
        if isinstance(threshold, str):
            if threshold not in params:
                errors.append(RuleError(source, _line_of(value, op) or line,
                                        f"onbekende parameter '{threshold}' (definieer hem onder params)"))
        elif isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            errors.append(RuleError(source, _line_of(value, op) or line, f"number.{op} moet een getal of parameternaam zijn"))


def _check_token_pattern(value: Any, source: str, line: int, errors: list[RuleError], checked: Optional[set[str]] = None) -> None:
    patterns = value if value and isinstance(value, list) and isinstance(value[0], list) else [value]
    for pattern in patterns:
        if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) for t in pattern):
            errors.append(RuleError(source, line, "pattern moet een lijst token-specificaties zijn (spaCy Matcher)"))
            return
    key = pattern_key("pattern", patterns)
    if checked is not None and key in checked:
        return  # and spaCy need not be imported to check it
    try:
        from spacy.matcher import Matcher
        from spacy.vocab import Vocab

        matcher = Matcher(Vocab(), validate=True)
        for pattern in patterns:
            matcher.add("check", [_plain(pattern)])
    except Exception as exc:  # spaCy raises several types for bad patterns
        errors.append(RuleError(source, line, f"ongeldig token-patroon: {str(exc).splitlines()[0]}"))
        return
    if checked is not None:
        checked.add(key)


def _plain(obj: Any) -> Any:
    """Strip the line-tracking subclasses (spaCy's validator wants plain types)."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


def _parse_references(value: Any, source: str, line: int, errors: list[RuleError]) -> list[Reference]:
    refs: list[Reference] = []
    if not isinstance(value, list):
        errors.append(RuleError(source, _line_of(value) or line, "references moet een lijst zijn"))
        return refs
    for ref in value:
        ref_line = _line_of(ref) or line
        if isinstance(ref, str):
            refs.append(Reference(title=ref))
            continue
        if not isinstance(ref, dict) or not ref.get("title"):
            errors.append(RuleError(source, ref_line, "een bron heeft minstens een 'title'"))
            continue
        for key in ref:
            if key not in REFERENCE_KEYS:
                errors.append(RuleError(source, _line_of(ref, key) or ref_line, _unknown_key_message(key, REFERENCE_KEYS, "bron")))
        refs.append(Reference(title=str(ref["title"]), url=str(ref.get("url") or ""), note=str(ref.get("note") or "")))
    return refs


def _parse_examples(value: Any, source: str, line: int, errors: list[RuleError]) -> tuple[list[Example], list[Example]]:
    if value is None:
        return [], []
    if not isinstance(value, dict):
        errors.append(RuleError(source, _line_of(value) or line, "examples moet een mapping met match en no_match zijn"))
        return [], []
    for key in value:
        if key not in EXAMPLE_KEYS:
            errors.append(RuleError(source, _line_of(value, key) or line, _unknown_key_message(key, EXAMPLE_KEYS, "examples")))
    out: dict[str, list[Example]] = {"match": [], "no_match": []}
    for key in EXAMPLE_KEYS:
        examples = value.get(key) or []
        if not isinstance(examples, list):
            errors.append(RuleError(source, _line_of(value, key) or line, f"examples.{key} moet een lijst zijn"))
            continue
        for example in examples:
            if isinstance(example, str):
                out[key].append(Example(text=example))
            elif isinstance(example, dict) and isinstance(example.get("text"), str):
                out[key].append(Example(text=example["text"], covers=str(example.get("covers") or "")))
            else:
                errors.append(RuleError(source, _line_of(example) or line, "een voorbeeld is tekst of {text: ..., covers: ...}"))
    return out["match"], out["no_match"]
