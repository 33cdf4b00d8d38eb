"""Run the examples of rules: texts that must match and texts that must not.

Used by `policycheck rules test` and by the test suite. A clause-level example is
scanned as a one-paragraph document; a document-level (`absent`) example as a
whole document.
"""

from __future__ import annotations

from dataclasses import dataclass

from policycheck.model import PARAGRAPH, Block, Document
from policycheck.rules import Rule


@dataclass
class ExampleFailure:
    rule_id: str
    source: str
    kind: str  # "match" or "no_match"
    text: str
    problem: str

    def __str__(self) -> str:
        return f"{self.source}: {self.rule_id} [{self.kind}] {self.text!r}: {self.problem}"


def example_document(text: str) -> Document:
    block = Block(index=0, kind=PARAGRAPH, text=" ".join(text.split()), paragraph=1)
    return Document(path="<voorbeeld>", sha256="", format="text", blocks=[block]).finalise()


def run_rule_examples(rule: Rule, compiled) -> list[ExampleFailure]:
    """Check one rule's examples against the compiled rule set (only this rule's findings count)."""
    from policycheck.match import match_document

    failures: list[ExampleFailure] = []
    policy_type = rule.applies_to[0] if rule.applies_to else "unknown"
    for kind, examples in (("match", rule.examples_match), ("no_match", rule.examples_no_match)):
        for example in examples:
            all_findings = match_document(example_document(example.text), policy_type, compiled)
            findings = [f for f in all_findings if f.rule_id == rule.id]
            if kind == "match" and not findings:
                others = sorted({f.rule_id for f in all_findings})
                problem = "geen treffer" + (f" (wel: {', '.join(others)})" if others else "")
                failures.append(ExampleFailure(rule.id, rule.source, kind, example.text, problem))
            elif kind == "match" and example.covers and not any(example.covers in f.text for f in findings):
                failures.append(ExampleFailure(
                    rule.id, rule.source, kind, example.text,
                    f"treffer dekt {example.covers!r} niet: {[f.text for f in findings]}",
                ))
            elif kind == "no_match" and findings:
                triggered = "; ".join(f"{e.condition} op {e.text!r}" for e in findings[0].evidence) or "documentregel"
                failures.append(ExampleFailure(
                    rule.id, rule.source, kind, example.text, f"onterechte treffer ({triggered})",
                ))
    return failures
