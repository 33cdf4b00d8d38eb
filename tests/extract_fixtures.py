"""Builders for the extraction tests: small PDFs (reportlab) and DOCX files (python-docx).

Every builder writes into a directory the test gives it (tmp_path) and returns the path.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

HEADER = "Gemeenteblad 2025 nr. 123 — Inkoopbeleid"
PAGE_SIZE = (595.27, 841.89)  # A4 in points


def _fonts() -> tuple[str, str]:
    """Register Vera (ships with reportlab; has ligature glyphs) and return (regular, bold)."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    if "Vera" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Vera", os.path.join(folder, "Vera.ttf")))
        pdfmetrics.registerFont(TTFont("Vera-Bold", os.path.join(folder, "VeraBd.ttf")))
    return "Vera", "Vera-Bold"


# Each page: (kind, size, text) tuples; kind "gap" moves down `size` points, "table" draws
# `text` (a list of rows) as a ruled table, "bottom" jumps to the foot of the page,
# "indent" is a body line indented like the text after a bullet.
# Top of text area is y = 770 (from the bottom); leading is 1.4 x size.
POLICY_PAGES = [
    [
        ("bold", 16, "Hoofdstuk 1 Algemeen"),
        ("gap", 10, ""),
        ("bold", 12, "Artikel 1 Begripsbepalingen"),
        ("gap", 4, ""),
        ("body", 10, "In deze regeling wordt verstaan onder aanbe-"),
        ("body", 10, "steding: de procedure voor het verlenen van opdrachten"),
        ("body", 10, "door de gemeente."),
        ("gap", 10, ""),
        ("body", 10, "Dit inkoop-"),
        ("body", 10, "en aanbestedingsbeleid geldt voor alle \ufb01nanciële opdrachten"),
        ("body", 10, "vanaf €\u00a050.000 in de provincie Noord-"),
        ("body", 10, "Holland."),
        ("gap", 10, ""),
        ("bold", 12, "Artikel 2 Gunning"),
        ("gap", 4, ""),
        ("body", 10, "1. De opdracht wordt gegund aan de inschrijver met de beste"),
        ("body", 10, "prijs/kwaliteitverhouding."),
        ("body", 10, "2. Bij de gunning wordt rekening gehouden met:"),
        ("body", 10, "a. de inzet van mensen met een afstand tot de arbeidsmarkt;"),
        ("body", 10, "b. samenwerking met sociale ondernemingen."),
        ("gap", 12, ""),
        ("table", 0, [["Soort opdracht", "Drempel"], ["Leveringen", "€ 50.000"], ["Diensten", "€ 50.000"]]),
        ("gap", 12, ""),
        ("body", 10, "Deze drempels gelden voor het hele college."),
        ("bottom", 0, ""),  # continue at the bottom of the page
        ("body", 10, "De gemeente wil met dit beleid bereiken dat de"),
        ("body", 10, "gemeente bij haar inkoop sociaal ondernemen stimuleert en"),
    ],
    [
        ("body", 10, "daarbij lokale ondernemers de kans geeft mee te doen."),
        ("gap", 10, ""),
        ("bold", 16, "Hoofdstuk 2 Sociaal ondernemen"),
        ("gap", 10, ""),
        ("bold", 12, "Artikel 3 Voorbehouden opdrachten"),
        ("gap", 4, ""),
        ("body", 10, "De gemeente kan opdrachten voorbehouden aan sociale werkplaatsen"),
        ("body", 10, "en het SW-"),
        ("body", 10, "bedrijf in de regio."),
    ],
    [
        ("bold", 12, "Artikel 4 Inwerkingtreding"),
        ("gap", 4, ""),
        ("body", 10, "Dit beleid treedt in werking op 1 januari 2025."),
        ("gap", 10, ""),
        ("body", 10, "• een opsomming met een hangend inspringende"),
        ("indent", 10, "tweede regel."),
        ("body", 10, "Aldus vastgesteld door het college."),
    ],
]


def build_policy_pdf(
    path: Path,
    pages=POLICY_PAGES,
    header: str = HEADER,
    footer: str = "Pagina {n} van {total}",
    title: str | None = None,
) -> Path:
    """A multi-page policy PDF with running header, page numbers and a ruled table."""
    from reportlab.lib import colors
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Table, TableStyle

    regular, bold = _fonts()
    width, height = PAGE_SIZE
    pdf = canvas.Canvas(str(path), pagesize=PAGE_SIZE)
    if title is not None:
        pdf.setTitle(title)
    total = len(pages)
    for number, lines in enumerate(pages, start=1):
        pdf.setFont(regular, 8)
        pdf.drawString(72, height - 40, header)
        pdf.drawRightString(width - 72, height - 40, str(number))
        pdf.drawCentredString(width / 2, 30, footer.format(n=number, total=total))
        y = 770.0
        for kind, size, text in lines:
            if kind == "gap":
                y -= size
            elif kind == "bottom":
                y = 130.0
            elif kind == "table":
                table = Table(text, colWidths=[200, 120])
                table.setStyle(
                    TableStyle(
                        [
                            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                            ("FONT", (0, 0), (-1, -1), regular, 10),
                        ]
                    )
                )
                _, table_height = table.wrapOn(pdf, width, height)
                table.drawOn(pdf, 72, y - table_height)
                y -= table_height
            else:
                y -= size * 1.4
                pdf.setFont(bold if kind == "bold" else regular, size)
                pdf.drawString(72 + (pdf.stringWidth("• ", regular, size) if kind == "indent" else 0), y, text)
        pdf.showPage()
    pdf.save()
    return path


def build_encrypted_pdf(path: Path, user_password: str = "secret") -> Path:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    regular, _ = _fonts()
    encrypt = StandardEncryption(user_password, ownerPassword="eigenaar")
    pdf = canvas.Canvas(str(path), pagesize=PAGE_SIZE, encrypt=encrypt)
    pdf.setFont(regular, 10)
    pdf.drawString(72, 700, "Artikel 1 Geheime bepalingen")
    pdf.drawString(72, 680, "Deze tekst is versleuteld.")
    pdf.showPage()
    pdf.save()
    return path


def build_image_only_pdf(path: Path, pages: int = 2) -> Path:
    """Shapes only, no text: what a scan without OCR looks like to a text extractor."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=PAGE_SIZE)
    for _ in range(pages):
        pdf.rect(72, 400, 300, 200, fill=1)
        pdf.line(72, 300, 500, 300)
        pdf.showPage()
    pdf.save()
    return path


def build_policy_docx(path: Path) -> Path:
    """Headings, a numbered and a lettered list, a bullet list, a table, header and footer."""
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "KOPTEKST Gemeente Voorbeeld"
    section.footer.paragraphs[0].text = "VOETTEKST vertrouwelijk"
    document.add_heading("Subsidieregeling sociaal ondernemen", level=0)
    document.add_heading("Hoofdstuk 4 Subsidieverlening", level=1)
    document.add_heading("Artikel 12 Weigeringsgronden", level=2)
    document.add_paragraph("Subsidie wordt geweigerd in de volgende gevallen.")
    document.add_paragraph("", style=None)  # empty: skipped
    document.add_paragraph("de aanvrager heeft een winstoogmerk;", style="List Number")
    document.add_paragraph("de activiteit past niet in het beleid.", style="List Number")
    document.add_paragraph("sociale ondernemingen", style="List Bullet")
    table = document.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    rows = [["Regeling", "Bedrag", "Plafond"], ["Startsubsidie", "€ 5.000", ""], ["Groeisubsidie", "€ 20.000", ""]]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    table.cell(1, 2).merge(table.cell(2, 2)).text = "€ 100.000"  # vertical merge
    merged = table.add_row()
    merged.cells[0].merge(merged.cells[2]).text = "Alle bedragen per jaar"  # horizontal merge
    document.add_paragraph("Artikel 13 Slotbepaling")  # not styled, but reads as a heading
    document.add_paragraph("Deze regeling treedt in werking op 1 januari 2025.")
    document.save(str(path))
    return path


def build_zip_without_document(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("docProps/app.xml", "<Properties/>")
    return path
