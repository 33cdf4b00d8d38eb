"""JSON report: the documented, versioned schema (docs/json-schema.md)."""

from __future__ import annotations

import json

from policycheck.report.summary import sorted_findings, totals

SCHEMA_VERSION = "1.0"


def result_to_dict(result, context) -> dict:
    document = result.document
    return {
        "path": result.path,
        "sha256": document.sha256 if document else None,
        "format": document.format if document else None,
        "title": document.title if document else None,
        "pages": document.pages if document else None,
        "policy_type": result.policy_type.to_dict() if result.policy_type else None,
        "pipeline": context.pipeline.to_dict() if document else None,
        "warnings": list(result.warnings),
        "errors": list(result.errors),
        "counts": result.counts(),
        "findings": [_finding_dict(finding, context) for finding in sorted_findings(result.findings)],
    }


def _finding_dict(finding, context) -> dict:
    data = finding.to_dict()
    review = context.review
    decision = review.decision_for(finding) if review else None
    if decision is not None:
        # Added in 1.x (backwards compatible): only present with --review.
        data["review"] = {
            "decision": decision.decision,
            "reason": decision.reason,
            "reviewer": decision.reviewer or None,
            "decided_at": decision.decided_at or None,
            "source": decision.source,
        }
    return data


def report_dict(results, context) -> dict:
    data = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "policycheck", "version": context.version},
        "pipeline": context.pipeline.to_dict(),
        "rules": {
            "count": context.rule_count,
            "sources": [{"path": path, "count": count} for path, count in context.rule_sources],
        },
        "summary": totals(results),
        "documents": [result_to_dict(result, context) for result in results],
    }
    if context.review is not None:
        data["review"] = context.review.summary()
    return data


def render_json(results, context) -> str:
    return json.dumps(report_dict(results, context), ensure_ascii=False, indent=2) + "\n"
