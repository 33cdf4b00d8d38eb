"""Render the policycheck test corpus.

Every ``corpus/src/<name>.md`` (YAML front matter + a small Markdown subset)
becomes ``corpus/<name>.pdf`` or ``corpus/<name>.docx``. Output is deterministic:
rebuilding unchanged sources gives byte-identical files.

Run:  python corpus/build.py
"""

from __future__ import annotations

import datetime
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
GOLD = HERE / "gold"
FIXED_DATE = datetime.datetime(2025, 1, 1, 12, 0, 0)
ZIP_DATE = (2025, 1, 1, 12, 0, 0)
REQUIRED = ("format", "policy_type", "title", "running_header", "running_footer")


# --------------------------------------------------------------------------- parsing


@dataclass
class Block:
    """One unit of the body.

    kind is title | chapter | article | para | lid | onderdeel | bullet | table.
    For lid/onderdeel ``label`` holds "1." / "a."; ``level`` is the indent (1 or 2).
    """

    kind: str
    text: str = ""
    label: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


HEADINGS = {"# ": "title", "## ": "chapter", "### ": "article"}
LID = re.compile(r"^(\d+\.)\s+(.*)$")
ONDERDEEL = re.compile(r"^([a-z]\.)\s+(.*)$")
SEPARATOR = re.compile(r"^\|[\s:|-]+\|$")


def parse(path: Path) -> tuple[dict, list[Block]]:
    """Split a source file into its front matter and a list of blocks."""
    raw = path.read_text(encoding="utf-8")
    if not raw.startswith("---\n"):
        raise SystemExit(f"{path}: missing YAML front matter")
    _, front, body = raw.split("---\n", 2)
    meta = yaml.safe_load(front)
    missing = [k for k in REQUIRED if k not in meta]
    if missing or meta["format"] not in ("pdf", "docx"):
        raise SystemExit(f"{path}: bad front matter (missing {missing}, format {meta.get('format')!r})")

    blocks: list[Block] = []
    open_block: Block | None = None  # a block that a following line may continue
    in_lid = False  # a numbered lid was seen since the last heading/paragraph

    for line in body.splitlines():
        line = line.strip()
        if not line:
            open_block = None
            continue
        heading = next((k for p, k in HEADINGS.items() if line.startswith(p)), None)
        if heading:
            blocks.append(Block(heading, line.split(" ", 1)[1].strip()))
            open_block, in_lid = None, False
        elif line.startswith("|"):
            if SEPARATOR.match(line):
                continue
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not (blocks and blocks[-1].kind == "table" and open_block is blocks[-1]):
                blocks.append(Block("table"))
            blocks[-1].rows.append(cells)
            open_block = blocks[-1]
        elif m := LID.match(line):
            open_block = Block("lid", m[2], label=m[1], level=1)
            blocks.append(open_block)
            in_lid = True
        elif m := ONDERDEEL.match(line):
            open_block = Block("onderdeel", m[2], label=m[1], level=2 if in_lid else 1)
            blocks.append(open_block)
        elif line.startswith("- "):
            open_block = Block("bullet", line[2:], level=2 if in_lid else 1)
            blocks.append(open_block)
        elif open_block is not None and open_block.kind != "table":
            open_block.text += " " + line  # continuation line
        else:
            open_block = Block("para", line)
            blocks.append(open_block)
            in_lid = False
    return meta, blocks


# --------------------------------------------------------------------------- PDF


def build_pdf(meta: dict, blocks: list[Block], out: Path) -> str:
    """Render blocks to an A4 PDF with reportlab platypus; return a summary."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    base = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13.5, spaceAfter=5)
    styles = {
        "title": ParagraphStyle("title", base, fontName="Helvetica-Bold", fontSize=16, leading=20, spaceAfter=12),
        "chapter": ParagraphStyle("chapter", base, fontName="Helvetica-Bold", fontSize=13, leading=16,
                                  spaceBefore=10, spaceAfter=6, keepWithNext=1),
        "article": ParagraphStyle("article", base, fontName="Helvetica-Bold", fontSize=11, leading=14,
                                  spaceBefore=6, spaceAfter=4, keepWithNext=1),
        "para": base,
        "caption": ParagraphStyle("caption", base, fontName="Helvetica-Oblique", fontSize=9, keepWithNext=1),
        "cell": ParagraphStyle("cell", base, fontSize=9, leading=11, spaceAfter=0),
        "head": ParagraphStyle("head", base, fontName="Helvetica-Bold", fontSize=9, leading=11, spaceAfter=0),
    }

    def indented(level: int) -> ParagraphStyle:
        # hanging indent: the label sits in the margin, wrapped lines align with the text
        return ParagraphStyle(f"ind{level}", base, leftIndent=18 * level, firstLineIndent=-16, spaceAfter=3)

    margin = 22 * mm
    width = A4[0] - 2 * margin
    story = []
    for b in blocks:
        if b.kind in ("lid", "onderdeel"):
            story.append(Paragraph(escape(f"{b.label} {b.text}"), indented(b.level)))
        elif b.kind == "bullet":
            story.append(Paragraph(escape(f"\u2022 {b.text}"), indented(b.level)))
        elif b.kind == "table":
            table = pdf_table(b.rows, width, styles, Paragraph, Table, TableStyle, colors)
            story.append(KeepTogether([table, Spacer(1, 6)]))  # never split a table over two pages
        elif b.kind == "para" and b.text.startswith("Tabel "):
            story.append(Paragraph(escape(b.text), styles["caption"]))  # caption stays with its table
        else:
            story.append(Paragraph(escape(b.text), styles[b.kind]))

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        top = A4[1] - 12 * mm
        canvas.drawString(margin, top, meta["running_header"])
        canvas.setLineWidth(0.4)
        canvas.line(margin, top - 2 * mm, A4[0] - margin, top - 2 * mm)
        canvas.line(margin, 14 * mm, A4[0] - margin, 14 * mm)
        canvas.drawString(margin, 10 * mm, f"{meta['running_footer']} \u2014 Pagina {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(out), pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=24 * mm, bottomMargin=22 * mm,
        title=meta["title"], author="policycheck corpus (fictief document)", subject=meta["policy_type"],
        creator="policycheck corpus/build.py", keywords="policycheck, testcorpus", lang="nl-NL", invariant=1,
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return f"{doc.page} pages"


def pdf_table(rows, width, styles, Paragraph, Table, TableStyle, colors):
    """A ruled table (GRID) with a bold, shaded, repeating header row."""
    ncols = max(len(r) for r in rows)
    rows = [r + [""] * (ncols - len(r)) for r in rows]
    # column widths in proportion to the longest cell, each at least 12% of the width
    longest = [max(len(r[i]) for r in rows) for i in range(ncols)]
    shares = [max(n / sum(longest), 0.12) for n in longest]
    widths = [width * s / sum(shares) for s in shares]
    data = [[Paragraph(escape(c), styles["head" if i == 0 else "cell"]) for c in r] for i, r in enumerate(rows)]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E6E6E6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


# --------------------------------------------------------------------------- DOCX


def build_docx(meta: dict, blocks: list[Block], out: Path) -> str:
    """Render blocks to a DOCX with python-docx; return a summary."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.2)

    # running header and footer (with a PAGE field) live in the section, not the body
    section.header.paragraphs[0].text = meta["running_header"]
    footer = section.footer.paragraphs[0]
    footer.text = f"{meta['running_footer']} \u2014 Pagina "
    field_ = OxmlElement("w:fldSimple")
    field_.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field_.append(run)
    footer._p.append(field_)

    tables = 0
    for b in blocks:
        if b.kind == "title":
            doc.add_paragraph(b.text, style="Title")
        elif b.kind in ("chapter", "article"):
            doc.add_heading(b.text, level=1 if b.kind == "chapter" else 2)
        elif b.kind in ("lid", "onderdeel"):
            p = doc.add_paragraph(f"{b.label} {b.text}", style="List Paragraph")
            p.paragraph_format.left_indent = Cm(0.8 * b.level)
            p.paragraph_format.first_line_indent = Cm(-0.7)
        elif b.kind == "bullet":
            p = doc.add_paragraph(b.text, style="List Bullet")
            p.paragraph_format.left_indent = Cm(0.8 * b.level)
        elif b.kind == "table":
            docx_table(doc, b.rows, qn, OxmlElement)
            tables += 1
        else:
            doc.add_paragraph(b.text)

    props = doc.core_properties
    props.title = meta["title"]
    props.subject = meta["policy_type"]
    props.author = props.last_modified_by = "policycheck corpus (fictief document)"
    props.comments = "Fictief testdocument, geschreven voor de policycheck-testcorpus."
    props.language = "nl-NL"
    props.revision = 1
    props.created = props.modified = props.last_printed = FIXED_DATE

    buffer = io.BytesIO()
    doc.save(buffer)
    out.write_bytes(stable_zip(buffer.getvalue()))
    return f"{len(doc.paragraphs)} paragraphs, {tables} tables"


def docx_table(doc, rows, qn, OxmlElement):
    """A "Table Grid" table whose first row is a bold header that repeats on each page."""
    ncols = max(len(r) for r in rows)
    table = doc.add_table(rows=len(rows), cols=ncols)
    table.style = "Table Grid"
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = value
            if i == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(header)
    doc.add_paragraph()  # breathing room after the table (empty; extractors skip it)


def stable_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so that a rebuild is byte-identical."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------- gold check


def check_gold(name: str, meta: dict, blocks: list[Block]) -> list[str]:
    """Each gold quote must occur in exactly one block of the source."""
    path = GOLD / f"{name}.yaml"
    if not path.exists():
        return [f"{name}: no gold file"]
    gold = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = []
    if gold.get("document") != f"{name}.{meta['format']}" or gold.get("policy_type") != meta["policy_type"]:
        problems.append(f"{path.name}: document/policy_type do not match the source")
    texts = [b.text if b.kind != "table" else " | ".join(map(" | ".join, b.rows)) for b in blocks]
    for finding in gold.get("findings") or []:
        quote = finding.get("text")
        if quote is None:
            continue
        hits = sum(quote in t for t in texts)
        if hits != 1:
            problems.append(f"{path.name}: {finding['rule']} quote {quote!r} found in {hits} blocks")
    return problems


def main() -> int:
    sources = sorted(SRC.glob("*.md"))
    problems = []
    for src in sources:
        meta, blocks = parse(src)
        out = HERE / f"{src.stem}.{meta['format']}"
        summary = (build_pdf if meta["format"] == "pdf" else build_docx)(meta, blocks, out)
        print(f"built {out.relative_to(HERE.parent)} ({meta['policy_type']}, {summary})")
        problems += check_gold(src.stem, meta, blocks)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
