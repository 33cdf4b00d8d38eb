"""extract() on PDF: blocks, headings, tables, running headers, boxes, and unreadable PDFs."""

import pytest

from policycheck.errors import InputError
from policycheck.extract import extract
from policycheck.extract.pdf import Line, PageContent, drop_running_lines, group_lines, is_page_number
from policycheck.model import HEADING, LIST_ITEM, PARAGRAPH, TABLE_ROW

try:
    import extract_fixtures as fx
except ImportError:  # tests/ imported as a package
    from tests import extract_fixtures as fx

H1, A1, A2 = "Hoofdstuk 1 Algemeen", "Artikel 1 Begripsbepalingen", "Artikel 2 Gunning"
H2, A3, A4 = "Hoofdstuk 2 Sociaal ondernemen", "Artikel 3 Voorbehouden opdrachten", "Artikel 4 Inwerkingtreding"


@pytest.fixture(scope="module")
def pdf_doc(tmp_path_factory):
    path = fx.build_policy_pdf(tmp_path_factory.mktemp("pdf") / "inkoopbeleid.pdf")
    return extract(str(path))


def _block(doc, startswith):
    return next(b for b in doc.blocks if b.text.startswith(startswith))


def test_pdf_document_fields(pdf_doc):
    assert pdf_doc.format == "pdf"
    assert pdf_doc.pages == 3
    assert pdf_doc.warnings == []
    assert pdf_doc.title == H1  # reportlab's "untitled" metadata is ignored
    assert len(pdf_doc.sha256) == 64


def test_pdf_blocks(pdf_doc):
    assert [(b.kind, b.page, b.text) for b in pdf_doc.blocks] == [
        (HEADING, 1, H1),
        (HEADING, 1, A1),
        (
            PARAGRAPH,
            1,
            "In deze regeling wordt verstaan onder aanbesteding: de procedure voor het verlenen van "
            "opdrachten door de gemeente.",
        ),
        (
            PARAGRAPH,
            1,
            "Dit inkoop- en aanbestedingsbeleid geldt voor alle financiële opdrachten vanaf € 50.000 "
            "in de provincie Noord-Holland.",
        ),
        (HEADING, 1, A2),
        (LIST_ITEM, 1, "1. De opdracht wordt gegund aan de inschrijver met de beste prijs/kwaliteitverhouding."),
        (LIST_ITEM, 1, "2. Bij de gunning wordt rekening gehouden met:"),
        (LIST_ITEM, 1, "a. de inzet van mensen met een afstand tot de arbeidsmarkt;"),
        (LIST_ITEM, 1, "b. samenwerking met sociale ondernemingen."),
        (TABLE_ROW, 1, "Soort opdracht | Drempel"),
        (TABLE_ROW, 1, "Leveringen | € 50.000"),
        (TABLE_ROW, 1, "Diensten | € 50.000"),
        (PARAGRAPH, 1, "Deze drempels gelden voor het hele college."),
        (
            PARAGRAPH,
            1,
            "De gemeente wil met dit beleid bereiken dat de gemeente bij haar inkoop sociaal ondernemen "
            "stimuleert en daarbij lokale ondernemers de kans geeft mee te doen.",
        ),
        (HEADING, 2, H2),
        (HEADING, 2, A3),
        (
            PARAGRAPH,
            2,
            "De gemeente kan opdrachten voorbehouden aan sociale werkplaatsen en het SW-bedrijf in de regio.",
        ),
        (HEADING, 3, A4),
        (PARAGRAPH, 3, "Dit beleid treedt in werking op 1 januari 2025."),
        (LIST_ITEM, 3, "• een opsomming met een hangend inspringende tweede regel."),
        (PARAGRAPH, 3, "Aldus vastgesteld door het college."),  # back at the margin: not in the item
    ]


def test_pdf_heading_levels_and_paths(pdf_doc):
    headings = [(b.text, b.level) for b in pdf_doc.blocks if b.kind == HEADING]
    assert headings == [(H1, 1), (A1, 3), (A2, 3), (H2, 1), (A3, 3), (A4, 3)]
    assert _block(pdf_doc, "In deze regeling").heading_path == [H1, A1]
    assert _block(pdf_doc, "2. Bij de gunning").heading_path == [H1, A2, "lid 2"]
    assert _block(pdf_doc, "b. samenwerking").heading_path == [H1, A2, "lid 2", "onder b"]
    assert _block(pdf_doc, "Leveringen").heading_path == [H1, A2]
    assert _block(pdf_doc, "De gemeente kan").heading_path == [H2, A3]
    assert _block(pdf_doc, "Dit beleid treedt").heading_path == [H2, A4]


def test_pdf_running_headers_footers_and_page_numbers_are_gone(pdf_doc):
    text = pdf_doc.text
    assert "Gemeenteblad" not in text
    assert "Pagina" not in text
    assert all(b.text.strip() not in {"1", "2", "3"} for b in pdf_doc.blocks)


def test_pdf_no_odd_characters_left(pdf_doc):
    assert "\ufb01" not in pdf_doc.text and "\u00a0" not in pdf_doc.text
    assert "  " not in pdf_doc.text


def test_pdf_boxes_and_line_spans(pdf_doc):
    width, height = fx.PAGE_SIZE
    for block in pdf_doc.blocks:
        assert block.boxes, block.text
        assert len(block.boxes) == len(block.line_spans)
        assert block.boxes[0].page == block.page
        for box in block.boxes:
            assert 0 <= box.x0 < box.x1 <= width
            assert 0 <= box.top < box.bottom <= height
        previous_end = 0
        for start, end in block.line_spans:
            assert previous_end <= start <= end <= len(block.text)
            previous_end = end
    para = _block(pdf_doc, "In deze regeling")
    assert [para.text[a:b] for a, b in para.line_spans] == [
        "In deze regeling wordt verstaan onder aanbe",
        "steding: de procedure voor het verlenen van opdrachten",
        "door de gemeente.",
    ]
    tops = [box.top for box in para.boxes]
    assert tops == sorted(tops)


def test_pdf_paragraph_continues_on_next_page(pdf_doc):
    block = _block(pdf_doc, "De gemeente wil")
    assert block.page == 1
    assert [box.page for box in block.boxes] == [1, 1, 2]
    assert block.text[block.line_spans[2][0] : block.line_spans[2][1]].startswith("daarbij")


def test_pdf_table_rows_have_row_boxes(pdf_doc):
    rows = [b for b in pdf_doc.blocks if b.kind == TABLE_ROW]
    assert len(rows) == 3
    assert all(len(r.boxes) == 1 and r.line_spans == [(0, len(r.text))] for r in rows)
    assert rows[0].boxes[0].bottom <= rows[1].boxes[0].top + 0.5


def test_pdf_metadata_title_wins(tmp_path):
    path = fx.build_policy_pdf(tmp_path / "t.pdf", pages=fx.POLICY_PAGES[1:], title="Microsoft Word - Inkoopbeleid 2025.docx")
    assert extract(str(path)).title == "Inkoopbeleid 2025"


@pytest.mark.parametrize("footer", ["- {n} -", "{n}", "{n}/{total}", "blz. {n}"])
def test_pdf_page_number_footers_dropped(tmp_path, footer):
    path = fx.build_policy_pdf(tmp_path / "f.pdf", pages=fx.POLICY_PAGES[1:], footer=footer)
    doc = extract(str(path))
    assert doc.pages == 2
    assert doc.blocks[0].text.startswith("daarbij lokale ondernemers")
    assert doc.blocks[1].text == H2
    assert doc.blocks[-1].text == "Aldus vastgesteld door het college."
    assert "Gemeenteblad" not in doc.text


def test_single_page_keeps_its_top_line(tmp_path):
    """With one page nothing can be a *running* header; only page numbers go."""
    path = fx.build_policy_pdf(tmp_path / "een.pdf", pages=fx.POLICY_PAGES[2:])
    doc = extract(str(path))
    assert doc.blocks[0].text.startswith("Gemeenteblad 2025 nr. 123")
    assert "Pagina" not in doc.text


def test_pdf_named_docx_warns(tmp_path):
    path = fx.build_policy_pdf(tmp_path / "beleid.docx", pages=fx.POLICY_PAGES[2:])
    assert extract(str(path)).warnings == ["bestandsnaam eindigt op .docx maar de inhoud is een PDF"]


def test_encrypted_pdf(tmp_path):
    path = fx.build_encrypted_pdf(tmp_path / "geheim.pdf")
    with pytest.raises(InputError) as info:
        extract(str(path))
    assert str(info.value) == (
        f"{path}: versleutelde PDF: er is een wachtwoord nodig om hem te openen "
        "(geef het wachtwoord met --password, of verwijder de beveiliging)"
    )


def test_encrypted_pdf_opens_with_password_and_says_when_it_is_wrong(tmp_path):
    from policycheck.extract import ExtractOptions

    path = fx.build_encrypted_pdf(tmp_path / "geheim.pdf")
    doc = extract(str(path), options=ExtractOptions(password="secret"))
    assert [b.text for b in doc.blocks] == ["Artikel 1 Geheime bepalingen", "Deze tekst is versleuteld."]
    with pytest.raises(InputError) as info:
        extract(str(path), options=ExtractOptions(password="fout"))
    assert info.value.problem == "versleutelde PDF: het wachtwoord klopt niet"


def test_pdf_with_only_owner_password_is_readable(tmp_path):
    path = fx.build_encrypted_pdf(tmp_path / "beveiligd.pdf", user_password="")
    doc = extract(str(path))
    assert [b.text for b in doc.blocks] == ["Artikel 1 Geheime bepalingen", "Deze tekst is versleuteld."]


def test_image_only_pdf(tmp_path):
    path = fx.build_image_only_pdf(tmp_path / "scan.pdf")
    with pytest.raises(InputError) as info:
        extract(str(path))
    assert info.value.problem == "geen tekstlaag gevonden (gescande PDF?)"
    from policycheck.extract.ocr import tesseract_command

    if tesseract_command():
        assert "policycheck scan --ocr" in info.value.hint
    else:
        assert "ocrmypdf -l nld in.pdf uit.pdf" in info.value.hint and "--ocr" in info.value.hint


@pytest.mark.parametrize("tail", [b"garbage " * 40, b""])
def test_corrupt_pdf(tmp_path, tail):
    path = tmp_path / "kapot.pdf"
    path.write_bytes(b"%PDF-1.4\n" + tail)
    with pytest.raises(InputError) as info:
        extract(str(path))
    assert info.value.problem == "beschadigde PDF"
    assert str(info.value).startswith(f"{path}: beschadigde PDF (")


def test_truncated_pdf(tmp_path):
    full = fx.build_policy_pdf(tmp_path / "heel.pdf").read_bytes()
    path = tmp_path / "half.pdf"
    path.write_bytes(full[: len(full) // 3])
    try:
        doc = extract(str(path))  # pdfminer may recover some pages
    except InputError as error:
        assert error.path == str(path)
        assert error.problem.startswith("onvolledige PDF (het einde van het bestand ontbreekt")
    else:
        assert doc.format == "pdf"
        assert any("de PDF lijkt onvolledig" in w for w in doc.warnings)


@pytest.mark.parametrize(
    "text, expected",
    [("3", True), ("- 3 -", True), ("Pagina 3 van 12", True), ("3/12", True), ("blz. 4", True),
     ("(7)", True), ("Artikel 3", False), ("2025 nr. 123", False), ("€ 3", False)],
)
def test_is_page_number(text, expected):
    assert is_page_number(text) == expected


def test_group_lines_maps_unmapped_bullets():
    words = [
        {"text": "(cid:127)", "x0": 70, "x1": 75, "top": 100, "bottom": 110, "fontname": "Helvetica", "size": 10},
        {"text": "rechtmatig", "x0": 86, "x1": 130, "top": 100.4, "bottom": 110, "fontname": "Helvetica", "size": 10},
        {"text": "in(cid:3)kopen", "x0": 133, "x1": 170, "top": 100, "bottom": 110, "fontname": "Helvetica", "size": 10},
        {"text": "Kop", "x0": 70, "x1": 90, "top": 80, "bottom": 92, "fontname": "ABCD+Arial,Bold", "size": 12},
    ]
    heading, bullet = group_lines(words, 1)
    assert (heading.text, heading.bold, heading.size) == ("Kop", True, 12)
    assert (bullet.text, bullet.bold, bullet.unmapped, bullet.text_x0) == ("• rechtmatig inkopen", False, 1, 86)


def _line(page, text, top):
    return Line(page=page, text=text, x0=72, top=top, x1=300, bottom=top + 10, size=10, bold=False, chars=len(text))


def test_drop_running_lines_needs_half_the_pages():
    pages = []
    for n in range(1, 5):
        lines = [
            _line(n, f"Kenmerk 2025/{n}", 20),  # digits differ, wording repeats: running header
            _line(n, f"Artikel {n + 4}", 35),  # an article at the top of each page: kept
            _line(n, f"Tekst op pagina {n}", 400),
            _line(n, "Beleidsregels sociaal ondernemen", 805) if n % 2 else _line(n, "- 2 -", 805),
        ]
        if n == 1:
            lines.append(_line(n, "Concept", 820))  # on 1 of 4 pages: kept
        pages.append(PageContent(n, 595, 842, lines=lines, words=5))
    drop_running_lines(pages)
    kept = [[line.text for line in page.lines] for page in pages]
    assert kept == [
        ["Artikel 5", "Tekst op pagina 1", "Concept"],
        ["Artikel 6", "Tekst op pagina 2"],
        ["Artikel 7", "Tekst op pagina 3"],
        ["Artikel 8", "Tekst op pagina 4"],
    ]


@pytest.mark.parametrize("name", ["pdf-gedraaid.pdf", "pdf-gedraaide-tekst.pdf"])
def test_pdf_vertical_text_is_read_in_its_own_direction_with_boxes_on_the_page(tmp_path, name):
    """A page shown turned (/Rotate 90) and text set at 90 degrees: the sentences come out
    whole and in order, and each line's box is where its characters are on the page."""
    import pdfplumber

    from hostile_fixtures import build_all

    build_all(tmp_path)
    path = tmp_path / name
    document = extract(str(path))
    texts = [b.text for b in document.blocks]
    assert "Opdrachten worden standaard gegund op basis van de laagste prijs." in texts
    block = next(b for b in document.blocks if b.text.startswith("Opdrachten"))
    with pdfplumber.open(path) as pdf:
        chars = [c for c in pdf.pages[0].chars if c["text"] == "O"]
    box = block.boxes[0]
    assert any(box.x0 - 1 <= c["x0"] and c["x1"] <= box.x1 + 1 and box.top - 1 <= c["top"] and c["bottom"] <= box.bottom + 1
               for c in chars)
