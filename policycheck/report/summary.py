"""Counting and grouping shared by the reports."""

from __future__ import annotations

import re

from policycheck.scan import POLARITY_ORDER, SEVERITY_ORDER

_ARTICLE_RE = re.compile(r"^(?:artikel|art\.)\s", re.IGNORECASE)

POLARITY_LABELS = {
    "belemmerend": "Belemmerend",
    "ontbrekend": "Ontbrekend",
    "bevorderend": "Bevorderend",
}


def sorted_findings(findings):
    """Polarity (problems first), then plan step, then position in the document."""
    return sorted(
        findings,
        key=lambda f: (
            POLARITY_ORDER.index(f.polarity),
            f.step,
            f.start if f.start is not None else float("inf"),
            f.rule_id,
        ),
    )


def grouped(findings):
    """[(polarity, [(step, [findings])])] in report order, only non-empty groups."""
    groups = []
    for polarity in POLARITY_ORDER:
        of_polarity = [f for f in sorted_findings(findings) if f.polarity == polarity]
        if not of_polarity:
            continue
        steps = sorted({f.step for f in of_polarity})
        groups.append((polarity, [(step, [f for f in of_polarity if f.step == step]) for step in steps]))
    return groups


def totals(results) -> dict:
    counts = {polarity: 0 for polarity in POLARITY_ORDER}
    severities = {severity: 0 for severity in SEVERITY_ORDER}
    for result in results:
        for finding in result.findings:
            counts[finding.polarity] += 1
            severities[finding.severity] += 1
    return {
        "documents": len(results),
        "failed": sum(1 for r in results if r.failed),
        "findings": sum(counts.values()),
        "by_polarity": counts,
        "by_severity": severities,
    }


def summary_line(results) -> str:
    t = totals(results)
    docs = "document" if t["documents"] == 1 else "documenten"
    parts = ", ".join(f"{n} {polarity}" for polarity, n in t["by_polarity"].items())
    line = f"{t['documents']} {docs} gescand: {t['findings']} bevindingen ({parts})"
    if t["failed"]:
        line += f"; {t['failed']} niet gelezen"
    return line + "."


def article_of(heading_path) -> str:
    """The article a finding sits in, from its heading path (`Artikel 4 Weigeringsgronden`),
    or "" when it is not inside an article."""
    for heading in reversed(list(heading_path)):
        if _ARTICLE_RE.match(heading):
            return heading
    return ""
