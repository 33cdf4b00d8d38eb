"""Terminal report: findings grouped by polarity and plan step, then a summary line."""

from __future__ import annotations

import textwrap

import click

from policycheck.extract.normalize import printable
from policycheck.model import PLAN_STEPS
from policycheck.report.summary import POLARITY_LABELS, grouped, summary_line

POLARITY_COLORS = {"belemmerend": "red", "ontbrekend": "yellow", "bevorderend": "green"}
POLARITY_MARKS = {"belemmerend": "✗", "ontbrekend": "?", "bevorderend": "✓"}
FORMAT_LABELS = {"pdf": "PDF", "docx": "DOCX", "text": "tekst"}


def render_text(results, context) -> str:
    out = _Writer(context)
    if not context.quiet:
        for result in results:
            _document(out, result, context)
        if len(results) > 1:
            _closing_tables(out, results)
    out.line(out.style(summary_line(results), bold=True))
    review = context.review
    if review is not None:
        dismissed = sum(1 for r in results for f in r.findings if review.is_dismissed(f))
        line = f"Beoordelingen: {len(review.decisions)} uit {', '.join(review.files)}; {dismissed} afgewezen getoond"
        if review.hidden:
            line += f", {review.hidden} afgewezen verborgen"
        if review.stale:
            line += f", {len(review.stale)} verouderd (bevinding komt niet meer voor)"
        out.line(line + ".")
    return out.text()


def _table(out: "_Writer", header: list[str], rows: list[list[str]]) -> None:
    """A plain table: the first column left-aligned, numbers right-aligned."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def fmt(row):
        first = str(row[0]).ljust(widths[0])
        return "  " + "  ".join([first] + [str(v).rjust(w) for v, w in zip(row[1:], widths[1:])])

    out.line(out.style(fmt(header), bold=True))
    for row in rows:
        out.line(fmt(row))


def _closing_tables(out: "_Writer", results) -> None:
    """Per document and per topic: how many findings of each polarity."""
    polarities = list(POLARITY_LABELS)
    header = [*(POLARITY_LABELS[p].lower() for p in polarities), "totaal"]
    out.line(out.style("Per document", bold=True))
    rows = []
    for result in results:
        if result.failed:
            rows.append([result.path, *(["-"] * len(polarities)), "niet gelezen"])
            continue
        counts = result.counts()
        rows.append([result.path, *(counts[p] for p in polarities), sum(counts.values())])
    _table(out, ["document", *header], rows)
    out.line()
    topics: dict[str, dict[str, int]] = {}
    for result in results:
        for finding in result.findings:
            counts = topics.setdefault(finding.topic or "-", {p: 0 for p in polarities})
            counts[finding.polarity] += 1
    if topics:
        out.line(out.style("Per onderwerp", bold=True))
        _table(
            out,
            ["onderwerp", *header],
            [[topic, *(c[p] for p in polarities), sum(c.values())] for topic, c in sorted(topics.items())],
        )
        out.line()


class _Writer:
    def __init__(self, context):
        self.context = context
        self.lines: list[str] = []

    def style(self, text: str, **styles) -> str:
        return click.style(text, **styles) if self.context.color else text

    def line(self, text: str = "") -> None:
        self.lines.append(text)

    def wrapped(self, text: str, indent: str, first: str = "") -> None:
        width = max(40, self.context.width)
        self.lines.extend(
            textwrap.wrap(
                " ".join(text.split()), width=width, break_long_words=False, break_on_hyphens=False,
                initial_indent=indent + first, subsequent_indent=indent + " " * len(first),
            ) or [indent + first]
        )

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _document(out: _Writer, result, context) -> None:
    # File names and messages that quote them may hold control characters: made visible.
    out.line(out.style(printable(result.path), bold=True))
    if result.failed:
        for error in result.errors:
            out.line("  " + out.style(f"fout: {printable(error)}", fg="red"))
        out.line()
        return
    document = result.document
    details = FORMAT_LABELS.get(document.format, document.format)
    if document.pages:
        details += f", {document.pages} pagina's"
    details += f", {len(document.blocks)} blokken"
    if document.title:
        out.wrapped(f"{document.title} ({details})", "  ")
    else:
        out.line(f"  ({details})")
    policy_type = result.policy_type
    how = "herkend aan " + ", ".join(policy_type.evidence) if policy_type.detected else "opgegeven met --type"
    out.wrapped(f"Beleidstype: {policy_type.label} ({how})", "  ")
    for warning in result.warnings:
        out.wrapped(out.style(f"waarschuwing: {printable(warning)}", fg="yellow"), "  ")
    if not result.findings:
        out.line("  Geen bevindingen.")
    for polarity, steps in grouped(result.findings):
        count = sum(len(fs) for _, fs in steps)
        out.line()
        out.line("  " + out.style(f"{POLARITY_LABELS[polarity].upper()} ({count})", fg=POLARITY_COLORS[polarity], bold=True))
        for step, findings in steps:
            out.line(f"    Stap {step}: {PLAN_STEPS.get(step, '')}")
            for finding in findings:
                _finding(out, finding, context.review)
    out.line()


def _finding(out: _Writer, finding, review=None) -> None:
    decision = review.decision_for(finding) if review else None
    mark = out.style(POLARITY_MARKS[finding.polarity], fg=POLARITY_COLORS[finding.polarity])
    state = f" [{decision.label}]" if decision else ""
    out.line(f"      {mark} {out.style(finding.rule_id, bold=True)} {finding.title} [ernst: {finding.severity}]{state}")
    indent = "          "
    if decision:
        why = f": {decision.reason}" if decision.reason else ""
        who = f" ({decision.reviewer})" if decision.reviewer else ""
        out.wrapped(out.style(f"{decision.label}{why}{who}", dim=decision.dismissed), indent, "Beoordeling: ")
    out.wrapped(finding.location_label(), indent, "Waar: ")
    if finding.text:
        out.wrapped(f"“{finding.text}”", indent, "Tekst: ")
    if out.context.explain:
        for evidence in finding.evidence:
            matched = f" → “{evidence.text}”" if evidence.text else ""
            out.wrapped(f"{evidence.condition}{matched}", indent, "Gevonden door: ")
    out.wrapped(finding.message, indent, "Wat: ")
    out.wrapped(finding.recommendation, indent, "Schrijf liever: ")
    for reference in finding.references:
        ref = reference.title + (f" <{reference.url}>" if reference.url else "")
        out.wrapped(ref, indent, "Bron: ")
