"""Compare two versions of a policy: which findings are new, resolved or unchanged.

Findings are matched by fingerprint (rule + normalised clause, see
match.fingerprint), so a finding survives edits elsewhere in the document and a
moved clause stays the same finding. This is how a municipality shows progress
over the years (step 8 of the plan, "impact monitoren").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from policycheck.scan import DocumentResult, expand_paths

STATUSES = ("new", "resolved", "unchanged")
STATUS_LABELS = {"new": "Nieuw", "resolved": "Opgelost", "unchanged": "Ongewijzigd"}


@dataclass
class Comparison:
    """One document in two versions (either side may be missing or unreadable)."""

    name: str
    old: Optional[DocumentResult]
    new: Optional[DocumentResult]
    new_findings: list = field(default_factory=list)
    resolved: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)  # (old finding, new finding)

    @property
    def failed(self) -> bool:
        return any(r is not None and r.failed for r in (self.old, self.new))

    def counts(self) -> dict[str, int]:
        return {"new": len(self.new_findings), "resolved": len(self.resolved), "unchanged": len(self.unchanged)}


def diff_findings(old: list, new: list) -> tuple[list, list, list]:
    """(new, resolved, unchanged pairs); a fingerprint that occurs twice counts twice."""
    waiting = defaultdict(list)
    for finding in old:
        waiting[finding.fingerprint].append(finding)
    added, unchanged = [], []
    for finding in new:
        if waiting[finding.fingerprint]:
            unchanged.append((waiting[finding.fingerprint].pop(0), finding))
        else:
            added.append(finding)
    resolved = [f for f in old if any(f is g for g in waiting[f.fingerprint])]
    return added, resolved, unchanged


def pair_paths(old: str, new: str, recursive: bool = False) -> list[tuple[str, Optional[str], Optional[str]]]:
    """(name, old path, new path) for two files, or for two folders matched by relative name."""
    old_path, new_path = Path(old), Path(new)
    if old_path.is_dir() != new_path.is_dir():
        raise ValueError("geef twee bestanden of twee mappen op, niet een van elk")
    if not old_path.is_dir():
        return [(new_path.name if new_path.name == old_path.name else f"{old_path.name} → {new_path.name}", old, new)]

    def files(folder: Path) -> dict[str, str]:
        return {
            str(Path(path).relative_to(folder)): path
            for path, problem in expand_paths((str(folder),), recursive)
            if problem is None
        }

    before, after = files(old_path), files(new_path)
    return [(name, before.get(name), after.get(name)) for name in sorted(set(before) | set(after))]


def compare_results(pairs, results: dict[str, DocumentResult]) -> list[Comparison]:
    comparisons = []
    for name, old, new in pairs:
        before = results.get(old) if old else None
        after = results.get(new) if new else None
        comparison = Comparison(name, before, after)
        old_findings = before.findings if before and not before.failed else []
        new_findings = after.findings if after and not after.failed else []
        comparison.new_findings, comparison.resolved, comparison.unchanged = diff_findings(old_findings, new_findings)
        comparisons.append(comparison)
    return comparisons


def totals(comparisons: list[Comparison]) -> dict:
    counts = {status: 0 for status in STATUSES}
    for comparison in comparisons:
        for status, n in comparison.counts().items():
            counts[status] += n
    return {"documents": len(comparisons), "failed": sum(c.failed for c in comparisons), **counts}


def summary_line(comparisons: list[Comparison]) -> str:
    t = totals(comparisons)
    docs = "document" if t["documents"] == 1 else "documenten"
    line = (
        f"{t['documents']} {docs} vergeleken: {t['new']} nieuw, {t['resolved']} opgelost, "
        f"{t['unchanged']} ongewijzigd"
    )
    if t["failed"]:
        line += f"; {t['failed']} niet gelezen"
    return line + "."


# -- reports -------------------------------------------------------------------


def _finding_dict(finding) -> dict:
    return {
        "rule_id": finding.rule_id,
        "title": finding.title,
        "polarity": finding.polarity,
        "severity": finding.severity,
        "fingerprint": finding.fingerprint,
        "text": finding.text,
        "location": finding.location_label(),
        "page": finding.page,
        "paragraph": finding.paragraph,
        "heading_path": list(finding.heading_path),
    }


def render_json(comparisons: list[Comparison], version: str) -> str:
    import json

    data = {
        "schema_version": "1.0",
        "tool": {"name": "policycheck", "version": version},
        "summary": totals(comparisons),
        "documents": [
            {
                "name": c.name,
                "old": c.old.path if c.old else None,
                "new": c.new.path if c.new else None,
                "errors": [e for r in (c.old, c.new) if r for e in r.errors],
                "counts": c.counts(),
                "new_findings": [_finding_dict(f) for f in c.new_findings],
                "resolved": [_finding_dict(f) for f in c.resolved],
                # Unchanged findings are reported as they are in the new version.
                "unchanged": [_finding_dict(new) for _, new in c.unchanged],
            }
            for c in comparisons
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render_text(comparisons: list[Comparison], color: bool = False) -> str:
    import click

    def style(text, **kw):
        return click.style(text, **kw) if color else text

    colors = {"new": "red", "resolved": "green", "unchanged": None}
    lines: list[str] = []
    for c in comparisons:
        lines.append(style(c.name, bold=True))
        lines.append(f"  oud:   {c.old.path if c.old else '(ontbreekt)'}")
        lines.append(f"  nieuw: {c.new.path if c.new else '(ontbreekt)'}")
        for result in (c.old, c.new):
            for error in result.errors if result else []:
                lines.append("  " + style(f"fout: {error}", fg="red"))
        groups = {"new": c.new_findings, "resolved": c.resolved, "unchanged": [new for _, new in c.unchanged]}
        for status in STATUSES:
            findings = groups[status]
            lines.append("  " + style(f"{STATUS_LABELS[status].upper()} ({len(findings)})", fg=colors[status], bold=True))
            for f in findings:
                where = f.location_label()
                lines.append(f"    {f.rule_id} [{f.polarity}] {f.title} ({where})")
                if f.text:
                    lines.append(f"      “{' '.join(f.text.split())}”")
        lines.append("")
    lines.append(style(summary_line(comparisons), bold=True))
    return "\n".join(lines) + "\n"


def render_html(comparisons: list[Comparison], version: str) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("policycheck.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("compare.html.j2").render(
        comparisons=comparisons, statuses=STATUSES, labels=STATUS_LABELS, summary=summary_line(comparisons),
        totals=totals(comparisons), version=version,
    )
