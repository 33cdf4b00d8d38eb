"""Why did a rule (not) fire? For rule authors: `policycheck explain FILE --rule ID`.

For a clause-level rule the clauses that came closest are shown with the rule's
condition tree, each condition marked as holding (✓) or not (✗) with the text it
matched, and, where all conditions held, what stopped the finding (a negation, an
exception, `unless`, the heading scope).
"""

from __future__ import annotations

from dataclasses import dataclass

from policycheck.match import CompiledRules, analyse, document_rule_fires, rejection
from policycheck.model import HEADING, Document
from policycheck.rules import Rule


@dataclass
class ClauseExplanation:
    clause_text: str
    location: str
    score: float
    fired: bool
    reason: str | None
    trace: list[str]


def _score(tree, hits, context, compiled: CompiledRules) -> float:
    """How much of the condition holds: 1.0 when it all holds, else a share below 1."""
    if compiled.evaluate(tree, hits, context) is not None:
        return 1.0
    kind = tree[0]
    if kind == "all":
        return 0.99 * sum(_score(child, hits, context, compiled) for child in tree[1]) / len(tree[1])
    if kind == "any":
        return max(_score(child, hits, context, compiled) for child in tree[1])
    if kind == "near":
        return 0.99 * sum(_score(child, hits, context, compiled) for child in tree[2]) / len(tree[2])
    if kind == "context":
        return _score(tree[1], hits, context, compiled)
    return 0.0


def trace_tree(tree, hits, context, compiled: CompiledRules, indent: str = "") -> list[str]:
    """One line per condition: ✓/✗, what it is, and what it matched."""
    result = compiled.evaluate(tree, hits, context)
    mark = "✓" if result is not None else "✗"
    kind = tree[0]
    if kind == "leaf":
        found = ", ".join(repr(hits.text[s:e]) for s, e in hits.get(tree[1])[:3])
        return [f"{indent}{mark} {compiled.describe(tree[1])}" + (f" → {found}" if found else "")]
    if kind == "any" and all(child[0] == "leaf" for child in tree[1]) and len(tree[1]) > 1:
        label = "één van"
    else:
        label = {"all": "alle", "any": "één van", "not": "niet", "context": "ook (als context)", "in_block": "ergens in het blok",
                 "in_article": "ergens in het artikel", "near": f"dicht bij elkaar (≤ {tree[1]} woorden)"}.get(kind, kind)
    if kind == "any" and len(tree[1]) == 1:
        return trace_tree(tree[1][0], hits, context, compiled, indent)
    lines = [f"{indent}{mark} {label}:"]
    children = tree[2] if kind == "near" else ([tree[1]] if kind in ("not", "context", "in_block", "in_article") else tree[1])
    for child in children:
        lines += trace_tree(child, hits, context, compiled, indent + "    ")
    return lines


def explain_rule(document: Document, policy_type: str, compiled: CompiledRules, rule: Rule, top: int = 3):
    """(summary line, [ClauseExplanation]) for one rule on one document."""
    if not rule.applies_to_type(policy_type):
        types = ", ".join(rule.applies_to)
        return f"{rule.id} geldt voor {types}, dit document is als '{policy_type}' behandeld (gebruik --type)", []
    analysis = analyse(document, compiled)
    if rule.document_level:
        fires = document_rule_fires(rule, analysis, compiled)
        tree = compiled.trees[rule.id]["absent"]
        mentions = [
            ClauseExplanation(c.text, c.block.location_label(), 1.0, False, "noemt wat de regel zoekt",
                              trace_tree(tree, h, ctx, compiled))
            for c, h, ctx in zip(analysis.clauses, analysis.hits, analysis.contexts)
            if compiled.evaluate(tree, h, ctx) is not None
        ][:top]
        if fires:
            return f"{rule.id} meldt zich: niets in het document voldoet aan 'absent'", []
        return f"{rule.id} meldt zich niet: het document noemt het onderwerp ({len(mentions)} voorbeelden)", mentions
    tree = compiled.trees[rule.id]["match"]
    explanations = []
    for clause, hits, context in zip(analysis.clauses, analysis.hits, analysis.contexts):
        if clause.block.kind == HEADING:
            continue
        score = _score(tree, hits, context, compiled)
        if score == 0:
            continue
        reason = None
        fired = False
        if score == 1.0:
            _, reason = rejection(rule, clause, hits, context, compiled)
            fired = reason is None
        location = clause.block.location_label()
        if clause.block.heading_path:
            location += ", " + clause.block.heading_path_text
        explanations.append(ClauseExplanation(clause.text, location, score, fired, reason,
                                              trace_tree(tree, hits, context, compiled)))
    fired = [e for e in explanations if e.fired]
    closest = sorted((e for e in explanations if not e.fired), key=lambda e: -e.score)[:top]
    if fired:
        summary = f"{rule.id} meldt zich {len(fired)} keer"
    elif closest:
        summary = f"{rule.id} meldt zich niet; dichtstbij kwamen {len(closest)} zinnen"
    else:
        summary = f"{rule.id} meldt zich niet: geen zin voldoet aan een van de voorwaarden"
    return summary, fired + closest
