"""SARIF 2.1.0 report, for tools that read static-analysis results.

One run; the driver lists every loaded rule with its help text and links. A result
points at the artifact (the scanned file) with a region in the text policycheck
extracted from it (the text `policycheck extract` shows, blocks joined by a blank
line): character offsets and 1-based lines and columns in Unicode code points, and
the clause as snippet. Page, paragraph, article and heading path are in the result's
properties, since a PDF or DOCX has no lines of its own. Document-level findings
(`ontbrekend`) point at the artifact without a region.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePath
from urllib.parse import quote

from policycheck.model import PLAN_STEPS
from policycheck.report.summary import article_of, sorted_findings

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "policycheck/v1"
TEXT_NOTE = (
    "Regio's verwijzen naar de tekst die policycheck uit het bestand heeft gelezen "
    "(zie `policycheck extract`), niet naar bytes van het bestand."
)
_MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "text": "text/plain",
}


def _level(polarity: str, severity: str) -> tuple[str, str]:
    """(kind, level): a hindering clause is a failure; a helping clause is information."""
    if polarity == "bevorderend":
        return "informational", "none"
    if polarity == "belemmerend" and severity == "hoog":
        return "fail", "error"
    if polarity == "belemmerend" or severity == "hoog":
        return "fail", "warning"
    return "fail", "note"


def artifact_uri(path: str) -> str:
    """A relative path stays relative (resolved against the scan's folder); an absolute
    one becomes a file: URI."""
    if path in ("-", "<stdin>"):
        return "stdin"
    pure = PurePath(path)
    if pure.is_absolute():
        return Path(path).as_uri()
    return quote(pure.as_posix())


def _rule_descriptor(rule) -> dict:
    kind, level = _level(rule.polarity, rule.severity)
    references = [ref for ref in rule.references]
    help_lines = [rule.rationale.strip()] if rule.rationale else []
    help_lines.append(f"Aanbeveling: {rule.recommendation.strip()}")
    markdown = list(help_lines)
    if references:
        help_lines.append("Bronnen: " + "; ".join(f"{r.title} {r.url}".strip() for r in references))
        markdown.append(
            "Bronnen:\n" + "\n".join(f"- [{r.title}]({r.url})" if r.url else f"- {r.title}" for r in references)
        )
    descriptor = {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.message.strip()},
        "help": {"text": "\n\n".join(help_lines), "markdown": "\n\n".join(markdown)},
        "defaultConfiguration": {"level": level},
        "properties": {
            "polarity": rule.polarity,
            "severity": rule.severity,
            "topic": rule.topic,
            "appliesTo": list(rule.applies_to),
            "step": rule.step,
            "stepTitle": PLAN_STEPS.get(rule.step, ""),
            "references": [ref.to_dict() for ref in references],
            "tags": [rule.polarity, rule.topic, f"stap-{rule.step}"],
        },
    }
    url = next((ref.url for ref in references if ref.url), "")
    if url:
        descriptor["helpUri"] = url
    return descriptor


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _region(text: str, finding) -> dict:
    start, end = finding.start, finding.end
    start_line, start_column = _line_column(text, start)
    last = max(start, end - 1)
    end_line, end_column = _line_column(text, last)
    return {
        "charOffset": start,
        "charLength": end - start,
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column + (1 if end > start else 0),
        "snippet": {"text": finding.text},
    }


def _result(finding, artifact_index: int, uri: str, text: str, rule_index: dict) -> dict:
    kind, level = _level(finding.polarity, finding.severity)
    message = f"{finding.title}. {finding.message.strip()}\nAanbeveling: {finding.recommendation.strip()}"
    physical: dict = {"artifactLocation": {"uri": uri, "index": artifact_index}}
    if not finding.document_level:
        physical["region"] = _region(text, finding)
    result = {
        "ruleId": finding.rule_id,
        "kind": kind,
        "level": level,
        "message": {"text": message},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "polarity": finding.polarity,
            "severity": finding.severity,
            "topic": finding.topic,
            "step": finding.step,
            "documentLevel": finding.document_level,
            "page": finding.page,
            "paragraph": finding.paragraph,
            "article": article_of(finding.heading_path),
            "headingPath": list(finding.heading_path),
            "location": finding.location_label(),
            "recommendation": finding.recommendation.strip(),
            "evidence": [ev.to_dict() for ev in finding.evidence],
        },
    }
    if finding.rule_id in rule_index:
        result["ruleIndex"] = rule_index[finding.rule_id]
    return result


def _notification(level: str, text: str, uri: str, index: int) -> dict:
    return {
        "level": level,
        "message": {"text": text},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "index": index}}}],
    }


def sarif_dict(results, context) -> dict:
    rules = list(context.rules)
    rule_index = {rule.id: index for index, rule in enumerate(rules)}
    artifacts, sarif_results, notifications = [], [], []
    for index, result in enumerate(results):
        uri = artifact_uri(result.path)
        document = result.document
        artifact: dict = {"location": {"uri": uri}}
        if document is not None:
            artifact["mimeType"] = _MIME_TYPES.get(document.format, "application/octet-stream")
            artifact["hashes"] = {"sha-256": document.sha256}
            artifact["properties"] = {
                "title": document.title,
                "format": document.format,
                "pages": document.pages,
                "policyType": result.policy_type.to_dict() if result.policy_type else None,
                "textNote": TEXT_NOTE,
            }
        artifacts.append(artifact)
        text = document.text if document is not None else ""
        for finding in sorted_findings(result.findings):
            sarif_results.append(_result(finding, index, uri, text, rule_index))
        notifications += [_notification("error", error, uri, index) for error in result.errors]
        notifications += [_notification("warning", warning, uri, index) for warning in result.warnings]
    invocation = {
        "executionSuccessful": not any(result.failed for result in results),
        "toolExecutionNotifications": notifications,
    }
    driver = {
        "name": "policycheck",
        "version": context.version,
        "semanticVersion": context.version,
        "language": "nl-NL",
        "rules": [_rule_descriptor(rule) for rule in rules],
        "properties": {"pipeline": context.pipeline.to_dict()},
    }
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [invocation],
                "artifacts": artifacts,
                "results": sarif_results,
                "language": "nl-NL",
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def render_sarif(results, context) -> str:
    return json.dumps(sarif_dict(results, context), ensure_ascii=False, indent=2) + "\n"
