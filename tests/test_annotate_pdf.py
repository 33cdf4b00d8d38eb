"""`scan --annotate` on PDF: highlight annotations over each matched clause's own
characters, read back with pdfplumber and pypdf, and rendered with pypdfium2."""

import io
import re
from pathlib import Path

import pytest

from conftest import CORPUS, REPO
from extract_fixtures import build_policy_pdf
from policycheck.annotate import annotate

PDF_CORPUS = sorted(CORPUS.glob("*.pdf"))
TEST_OUTPUT = REPO / "test-output"

# A clause that starts mid-line and ends mid-line two lines on, and one that runs
# over a page break.
CLAUSE_PAGES = [
    [
        ("bold", 16, "Subsidieregeling Testdorp"),
        ("gap", 10, ""),
        ("bold", 12, "Artikel 4 Weigeringsgronden"),
        ("gap", 4, ""),
        ("body", 10, "Deze regeling geldt voor het hele jaar. Subsidie wordt uitsluitend"),
        ("body", 10, "verstrekt aan stichtingen en verenigingen zonder winstoogmerk. Dit"),
        ("body", 10, "geldt ook voor eerdere aanvragen."),
        ("bottom", 0, ""),
        ("body", 10, "Het college weigert de subsidie in ieder geval als de aanvrager een"),
    ],
    [
        ("body", 10, "winstoogmerk heeft."),
        ("gap", 10, ""),
        ("body", 10, "Aldus vastgesteld door het college."),
    ],
]


def _annots(data: bytes) -> list[tuple[int, dict]]:
    import pdfplumber

    found = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for annotation in page.annots:
                found.append((page.page_number, annotation))
    return found


def _quad_text(textpage, annotation) -> str:
    """The words under a highlight, line by line (its QuadPoints), not its bounding box:
    a clause that starts mid-line has a box that also covers the line's start.

    Read with PDFium, the renderer: it places glyphs of justified lines (word spacing)
    where a viewer shows them; pdfminer's character boxes drift there.
    """
    quads = [float(v) for v in annotation["data"]["QuadPoints"]]
    lines = []
    for i in range(0, len(quads), 8):
        xs, ys = quads[i:i + 8:2], quads[i + 1:i + 8:2]
        lines.append(textpage.get_text_bounded(left=min(xs), bottom=min(ys), right=max(xs), top=max(ys)))
    return " ".join(" ".join(lines).split())


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _highlights(data: bytes):
    from pypdf import PdfReader

    out = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages, start=1):
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            if annotation["/Subtype"] == "/Highlight":
                out.append((number, annotation))
    return out


def _words(data: bytes, page_number: int) -> list[dict]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return pdf.pages[page_number - 1].extract_words()


def test_annotate_pdf_highlights_each_line_of_a_clause_from_its_first_to_its_last_character(scanner, tmp_path):
    path = build_policy_pdf(tmp_path / "regeling.pdf", pages=CLAUSE_PAGES)
    data = path.read_bytes()
    result = scanner.scan_path(str(path), data)
    by_rule = {f.rule_id: f for f in result.findings}
    assert by_rule["SUB-RECHTSVORM"].text.startswith("Subsidie wordt uitsluitend")
    annotated = annotate(result.document, result.findings, data)
    assert annotated.notes == []
    highlights = [(n, a) for n, a in _annots(annotated.data) if a["data"]["Subtype"].name == "Highlight"]
    words1 = _words(data, 1)

    def word(text, page_words, after=0.0):
        return next(w for w in page_words if w["text"] == text and w["top"] >= after)

    # SUB-RECHTSVORM: from "Subsidie" (mid-line) to "winstoogmerk." (mid next line).
    rechtsvorm = [(n, a) for n, a in highlights if "SUB-RECHTSVORM" in a["contents"]]
    assert len(rechtsvorm) == 1 and rechtsvorm[0][0] == 1
    quads = next(
        [float(v) for v in a["/QuadPoints"]] for _, a in _highlights(annotated.data) if "SUB-RECHTSVORM" in a["/Contents"]
    )
    assert len(quads) == 16  # two lines, four corners each
    start, end = word("Subsidie", words1), word("winstoogmerk.", words1)
    annotation = rechtsvorm[0][1]
    assert annotation["top"] == pytest.approx(start["top"], abs=1.0)
    assert annotation["bottom"] == pytest.approx(end["bottom"], abs=1.0)
    line1_x0, line2_x1 = quads[0], quads[8 + 2]  # top-left x of line 1, top-right x of line 2
    assert line1_x0 == pytest.approx(start["x0"], abs=0.6)
    assert line2_x1 == pytest.approx(end["x1"], abs=0.6)
    assert line2_x1 < word("Dit", words1)["x0"]  # the next sentence on that line stays clear

    # SUB-WINSTOOGMERK on the sentence over a page break: one highlight on each page.
    weigert = next(f for f in result.findings if f.text.startswith("Het college weigert"))
    winst = [(n, a) for n, a in highlights if weigert.fingerprint in _text(a["data"]["NM"])]
    assert sorted(n for n, _ in winst) == [1, 2]
    page2 = next(a for n, a in winst if n == 2)
    heeft = word("heeft.", _words(data, 2))
    assert page2["x1"] == pytest.approx(heeft["x1"], abs=0.6)
    assert page2["top"] == pytest.approx(heeft["top"], abs=1.0)


@pytest.mark.parametrize("path", PDF_CORPUS, ids=lambda p: p.name)
def test_annotate_pdf_corpus_highlights_cover_the_clause_words(scanner, path):
    import pypdfium2

    data = path.read_bytes()
    result = scanner.scan_path(str(path), data)
    annotated = annotate(result.document, result.findings, data)
    assert annotated.notes == []
    found = _annots(annotated.data)
    clause_findings = [f for f in result.findings if not f.document_level]
    assert clause_findings
    original = pypdfium2.PdfDocument(data)
    textpages = {}
    try:
        for finding in clause_findings:
            rule_named = re.compile(rf"{re.escape(finding.rule_id)}(?![\w-])")  # not AB-X inside AB-X-Y
            mine = [(n, a) for n, a in found if rule_named.search(a["contents"] or "")
                    and a["data"]["Subtype"].name == "Highlight"]
            assert mine, f"no highlight for {finding.rule_id}"
            # A rule can fire on several clauses: take this clause's highlights (one per page).
            pieces = []
            for n, a in mine:
                if n not in textpages:
                    textpages[n] = original[n - 1].get_textpage()
                text = _quad_text(textpages[n], a)
                if text and text in finding.text:
                    pieces.append((n, text))
            assert pieces and pieces[0][0] == finding.page
            assert " ".join(text for _, text in pieces) == finding.text
            annotation = mine[0][1]
            assert annotation["title"] == "policycheck"
            assert finding.title in annotation["contents"] and "Aanbeveling:" in annotation["contents"]
    finally:
        for textpage in textpages.values():
            textpage.close()
        original.close()
    # Every annotation has its own appearance, colour and note.
    from pypdf import PdfReader

    for page in PdfReader(io.BytesIO(annotated.data)).pages:
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            assert "/N" in annotation["/AP"]
            assert annotation["/T"] == "policycheck"
    document_findings = [f for f in result.findings if f.document_level]
    notes = [a for _, a in found if a["data"]["Subtype"].name == "Text"]
    assert len(notes) == (1 if document_findings else 0)
    for finding in document_findings:
        assert finding.title in notes[0]["contents"]


def _render(data: bytes, page_number: int, scale: float, name: str):
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        image = pdf[page_number - 1].render(scale=scale, draw_annots=True).to_pil().convert("RGB")
    finally:
        pdf.close()
    TEST_OUTPUT.mkdir(exist_ok=True)
    image.save(TEST_OUTPUT / name)
    return image


def _tinted_share(image, box, scale: float) -> float:
    """Share of pixels in a word's box that are coloured: the page is black on white,
    the highlights are not grey (two findings on one clause multiply to a deeper tint)."""
    x0, top, x1, bottom = (int(round(v * scale)) for v in box)
    pixels = [image.getpixel((x, y)) for x in range(x0, x1) for y in range(top, bottom)]
    coloured = [p for p in pixels if max(p) - min(p) > 50]
    return len(coloured) / max(1, len(pixels))


@pytest.mark.parametrize("rotation,offset", [(0, 0), (90, 0), (180, 0), (270, 0), (0, 40), (90, 40)])
def test_annotate_pdf_highlight_renders_on_the_clause_on_rotated_and_shifted_pages(scanner, tmp_path, rotation, offset):
    """Rendered by pdfium (which draws our appearance stream): the clause's words are
    tinted, the words around them are not, whatever the page's /Rotate and MediaBox."""
    import pdfplumber
    from pypdf import PdfReader, PdfWriter, Transformation
    from pypdf.generic import RectangleObject

    source = build_policy_pdf(tmp_path / "regeling.pdf", pages=CLAUSE_PAGES)
    writer = PdfWriter(clone_from=PdfReader(str(source)))
    for page in writer.pages:
        # Like a landscape or scanned page: content drawn turned, /Rotate turns it upright.
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        shift = {0: (0, 0), 90: (height, 0), 180: (width, height), 270: (0, width)}[rotation]
        turned = Transformation().rotate(rotation).translate(shift[0] + offset, shift[1] + offset)
        page.add_transformation(turned)
        if rotation in (90, 270):
            width, height = height, width
        page.mediabox = RectangleObject((offset, offset, width + offset, height + offset))
        if rotation:
            page.rotate(rotation)
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    result = scanner.scan_path("gedraaid.pdf", data)
    assert any(f.rule_id == "SUB-RECHTSVORM" for f in result.findings)
    annotated = annotate(result.document, result.findings, data)
    scale = 2.0
    image = _render(annotated.data, 1, scale, f"annotate-pdf-rotate{rotation}-offset{offset}.png")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        bx0, btop = page.bbox[0], page.bbox[1]
        words = {w["text"]: w for w in page.extract_words()}
    def box(text):
        w = words[text]
        return (w["x0"] - bx0, w["top"] - btop, w["x1"] - bx0, w["bottom"] - btop)
    for text in ("Subsidie", "uitsluitend", "stichtingen", "winstoogmerk."):
        assert _tinted_share(image, box(text), scale) > 0.3, text
    for text in ("jaar.", "Dit", "eerdere", "Artikel"):
        assert _tinted_share(image, box(text), scale) < 0.02, text


@pytest.mark.parametrize("path", PDF_CORPUS, ids=lambda p: p.name)
def test_annotate_pdf_corpus_renders_to_png(scanner, path):
    """A picture to look at (test-output/), and the first highlight really shows in it."""
    import pdfplumber

    data = path.read_bytes()
    result = scanner.scan_path(str(path), data)
    annotated = annotate(result.document, result.findings, data)
    # A clause that starts its block, so the block's first line is the clause's.
    finding = next(f for f in result.findings
                   if not f.document_level and f.start == result.document.blocks[f.block_index].start)
    scale = 1.5
    image = _render(annotated.data, finding.page, scale, f"{path.stem}.policycheck.p{finding.page}.png")
    block = result.document.blocks[finding.block_index]
    line = block.boxes[0]
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[finding.page - 1]
        # Words with a visible width (a glyph the font gives no width, like reportlab's €, has none).
        words = [w for w in page.extract_words() if line.top - 1 <= w["top"] and w["bottom"] <= line.bottom + 1
                 and w["x1"] - w["x0"] > 0.5]
    assert words
    for word in words:
        share = _tinted_share(image, (word["x0"], word["top"], word["x1"], word["bottom"]), scale)
        assert share > 0.3, word["text"]


def test_annotate_pdf_after_a_cached_scan_gives_the_same_highlights(tmp_path, monkeypatch):
    # A document read back from the cache has no line boxes (the cache leaves them
    # out); --annotate reads them from the PDF again, so the highlights are the same.
    from conftest import annotate_fresh_and_cached

    copies = annotate_fresh_and_cached(CORPUS / "inkoopbeleid-velderhoven-2025.pdf", tmp_path, monkeypatch)
    first, cached = ([(page, [round(float(v), 1) for v in a["/QuadPoints"]]) for page, a in _highlights(data)]
                     for data in copies)
    assert first == cached and first
