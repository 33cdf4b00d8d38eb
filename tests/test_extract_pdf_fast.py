"""The PDFium fast path gives the same blocks as reading every page with pdfplumber."""

import pytest

from conftest import CORPUS
from policycheck.extract import extract
from policycheck.extract import pdf as pdf_module

try:
    import extract_fixtures as fx
except ImportError:  # tests/ imported as a package
    from tests import extract_fixtures as fx


def _extract(path, fast, monkeypatch):
    monkeypatch.setattr(pdf_module, "FAST_PATH", fast)
    return extract(str(path))


def _pdfs(tmp_path):
    return [*sorted(CORPUS.glob("*.pdf")), fx.build_policy_pdf(tmp_path / "fixture.pdf")]


def test_fast_path_gives_the_same_blocks_as_pdfplumber(tmp_path, monkeypatch):
    for path in _pdfs(tmp_path):
        reference = _extract(path, False, monkeypatch)
        fast = _extract(path, True, monkeypatch)
        assert (fast.title, fast.pages, fast.warnings) == (reference.title, reference.pages, reference.warnings)
        assert [
            (b.kind, b.text, b.page, b.heading_path, b.level, b.line_spans, len(b.boxes)) for b in fast.blocks
        ] == [
            (b.kind, b.text, b.page, b.heading_path, b.level, b.line_spans, len(b.boxes)) for b in reference.blocks
        ], path.name
        for ours, theirs in zip(fast.blocks, reference.blocks):
            for a, b in zip(ours.boxes, theirs.boxes):
                # Same line start and height; a line's end may differ by a glyph width
                # where PDFium and pdfminer disagree on a glyph's advance (e.g. a bullet).
                assert (a.page, round(a.x0, 1), round(a.top, 1), round(a.bottom, 1)) == (
                    b.page, round(b.x0, 1), round(b.top, 1), round(b.bottom, 1)
                )
                assert abs(a.x1 - b.x1) < 8


def test_fast_path_reads_ruled_tables_without_pdfplumbers_parser(tmp_path, monkeypatch):
    # Table pages use pdfplumber's table finder on PDFium's edges and characters;
    # pdfplumber's own (slow) page parser is never opened for these files.
    import pdfplumber

    def no_parser(*args, **kwargs):
        raise AssertionError("pdfplumber.open was called")

    monkeypatch.setattr(pdfplumber, "open", no_parser)
    for path in _pdfs(tmp_path):
        doc = extract(str(path))  # pdfplumber.open is never needed
        source = CORPUS / "src" / f"{path.stem}.md"
        has_table = not source.exists() or any(
            line.startswith("|") for line in source.read_text(encoding="utf-8").splitlines()
        )
        if has_table:
            assert any(b.kind == "table_row" for b in doc.blocks), path.name


def test_findings_are_the_same_on_both_paths(scanner, monkeypatch):
    for path in sorted(CORPUS.glob("*.pdf")):
        monkeypatch.setattr(pdf_module, "FAST_PATH", False)
        reference = scanner.scan_path(str(path))
        monkeypatch.setattr(pdf_module, "FAST_PATH", True)
        fast = scanner.scan_path(str(path))
        assert [f.to_dict() for f in fast.findings] == [f.to_dict() for f in reference.findings]
        assert fast.findings


@pytest.mark.parametrize("kind", ["rotated", "curves"])
def test_pages_the_fast_path_cannot_read_go_to_pdfplumber(tmp_path, monkeypatch, kind):
    from reportlab.pdfgen import canvas

    path = tmp_path / f"{kind}.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(595, 842))
    pdf.setFont("Helvetica", 10)
    if kind == "rotated":
        pdf.saveState()
        pdf.translate(300, 400)
        pdf.rotate(90)
        pdf.drawString(0, 0, "Gedraaide tekst in de kantlijn.")
        pdf.restoreState()
    else:
        pdf.circle(300, 300, 40)
    pdf.drawString(72, 700, "Artikel 1 Subsidie wordt verstrekt aan stichtingen.")
    pdf.showPage()
    pdf.save()
    reference = _extract(path, False, monkeypatch)
    fast = _extract(path, True, monkeypatch)
    assert [(b.kind, b.text) for b in fast.blocks] == [(b.kind, b.text) for b in reference.blocks]
