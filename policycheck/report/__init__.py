"""Reports: pure functions of the scan results, one module per format."""

from __future__ import annotations

FORMATS = ("text", "json", "html", "sarif", "csv", "xlsx")
BINARY_FORMATS = ("xlsx",)


def render(results, fmt: str, context) -> str | bytes:
    """Render results as `fmt`; `context` is a report.RunContext. XLSX gives bytes."""
    if fmt == "json":
        from policycheck.report.json import render_json

        return render_json(results, context)
    if fmt == "html":
        from policycheck.report.html import render_html

        return render_html(results, context)
    if fmt == "sarif":
        from policycheck.report.sarif import render_sarif

        return render_sarif(results, context)
    if fmt == "csv":
        from policycheck.report.table import render_csv

        return render_csv(results, context)
    if fmt == "xlsx":
        from policycheck.report.table import render_xlsx

        return render_xlsx(results, context)
    from policycheck.report.text import render_text

    return render_text(results, context)
