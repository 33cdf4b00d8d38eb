"""CSV and XLSX: one row per finding, the sheet a team plans its policy changes with.

Step 5 of the plan ("beleid aanpassen") is planned clause by clause, and the same
sheet of a scan of all policy is the baseline of step 2 (nulmeting). The columns
are in Dutch, like the findings. The last columns (besluit, eigenaar, status) are
left empty for the team to fill in.

XLSX is written with openpyxl: a filter on every column, the header row frozen,
wrapped text and fixed column widths, plus a second sheet with one row per document
(its counts, or why it could not be read).
"""

from __future__ import annotations

import csv
import io

from policycheck.model import PLAN_STEPS
from policycheck.report.summary import article_of, sorted_findings

COLUMNS = [
    # (header, width in characters for XLSX)
    ("document", 28),
    ("pagina", 8),
    ("alinea", 8),
    ("artikel", 28),
    ("kopjespad", 36),
    ("regel", 24),
    ("titel", 32),
    ("onderwerp", 16),
    ("polariteit", 13),
    ("ernst", 9),
    ("stap", 6),
    ("bepaling", 60),
    ("bericht", 50),
    ("aanbeveling", 60),
    ("vingerafdruk", 18),
    ("besluit", 24),
    ("eigenaar", 16),
    ("status", 12),
]
HEADERS = [name for name, _ in COLUMNS]
DOCUMENT_COLUMNS = [
    ("document", 40),
    ("titel", 40),
    ("beleidstype", 16),
    ("pagina's", 9),
    ("belemmerend", 13),
    ("ontbrekend", 12),
    ("bevorderend", 13),
    ("fouten", 50),
]


def finding_rows(results) -> list[list]:
    rows = []
    for result in results:
        for f in sorted_findings(result.findings):
            rows.append(
                [
                    result.path,
                    f.page,
                    f.paragraph,
                    article_of(f.heading_path),
                    " › ".join(f.heading_path),
                    f.rule_id,
                    f.title,
                    f.topic,
                    f.polarity,
                    f.severity,
                    f.step,
                    f.text if not f.document_level else "(hele document)",
                    f.message.strip(),
                    f.recommendation.strip(),
                    f.fingerprint,
                    "",
                    "",
                    "",
                ]
            )
    return rows


def document_rows(results) -> list[list]:
    rows = []
    for result in results:
        counts = result.counts()
        document = result.document
        rows.append(
            [
                result.path,
                document.title if document else "",
                result.policy_type.value if result.policy_type else "",
                document.pages if document else None,
                counts["belemmerend"],
                counts["ontbrekend"],
                counts["bevorderend"],
                "; ".join(result.errors),
            ]
        )
    return rows


def render_csv(results, context=None) -> str:
    """RFC 4180 CSV, comma-separated, UTF-8; empty cells for unknown page/paragraph."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in finding_rows(results):
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue()


def _cell_value(value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters a PDF may carry
    return value


def render_xlsx(results, context=None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheets = [
        (workbook.active, "Bevindingen", COLUMNS, finding_rows(results)),
        (workbook.create_sheet(), "Documenten", DOCUMENT_COLUMNS, document_rows(results)),
    ]
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet, title, columns, rows in sheets:
        sheet.title = title
        sheet.append([name for name, _ in columns])
        for row in rows:
            sheet.append([_cell_value(value) for value in row])
        for cell in sheet[1]:
            cell.font = header_font
            cell.fill = header_fill
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    # Document text is data, never a formula, even when it starts with "=".
                    cell.data_type = "s"
                cell.alignment = wrap
        for index, (_, width) in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        last = get_column_letter(len(columns))
        sheet.auto_filter.ref = f"A1:{last}{max(1, len(rows) + 1)}"
        sheet.freeze_panes = "A2"
    workbook.properties.title = "policycheck: bevindingen"
    workbook.properties.subject = f"Stap 5: {PLAN_STEPS[5]}"
    workbook.properties.creator = "policycheck"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
