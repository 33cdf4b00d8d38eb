"""Reports: pure functions of the scan results, one module per format."""

from __future__ import annotations

FORMATS = ("text", "json", "html")


def render(results, fmt: str, context) -> str:
    """Render results as `fmt`; `context` is a report.RunContext."""
    if fmt == "json":
        from policycheck.report.json import render_json

        return render_json(results, context)
    if fmt == "html":
        from policycheck.report.html import render_html

        return render_html(results, context)
    from policycheck.report.text import render_text

    return render_text(results, context)
