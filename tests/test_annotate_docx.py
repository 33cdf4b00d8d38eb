"""`scan --annotate` on DOCX: a Word comment on exactly each matched clause, read back
with python-docx and opened by LibreOffice."""

import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import CORPUS, REPO
from policycheck.annotate import annotate

DOCX_CORPUS = sorted(CORPUS.glob("*.docx"))
TEST_OUTPUT = REPO / "test-output"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_LABEL = re.compile(r"^(?:\d+\.|[a-z]\.|•)\s")


def anchored_texts(data: bytes) -> dict[int, str]:
    """Comment id -> the document text between its commentRangeStart and commentRangeEnd."""
    import docx

    body = docx.Document(io.BytesIO(data)).element.body
    open_ids: set[int] = set()
    texts: dict[int, list[str]] = {}
    for element in body.iter():
        if element.tag == f"{W}commentRangeStart":
            comment_id = int(element.get(f"{W}id"))
            open_ids.add(comment_id)
            texts[comment_id] = []
        elif element.tag == f"{W}commentRangeEnd":
            open_ids.discard(int(element.get(f"{W}id")))
        elif element.tag == f"{W}t":
            for comment_id in open_ids:
                texts[comment_id].append(element.text or "")
        elif element.tag == f"{W}p":
            for comment_id in open_ids:  # a range running over paragraphs
                if texts[comment_id]:
                    texts[comment_id].append(" ")
    return {comment_id: "".join(parts) for comment_id, parts in texts.items()}


def comments_of(data: bytes):
    import docx

    return {c.comment_id: c for c in docx.Document(io.BytesIO(data)).comments}


def _docx_with_formatting() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Subsidieregeling Testdorp", 1)
    document.add_heading("Artikel 4 Weigeringsgronden", 2)
    paragraph = document.add_paragraph("Deze regeling is kort. ")
    bold = paragraph.add_run("Subsidie wordt uitsluitend verstrekt aan ")
    bold.bold = True
    italic = paragraph.add_run("stichtingen en verenigingen zonder winstoogmerk. Dit geldt altijd.")
    italic.italic = True
    document.add_paragraph("Subsidie wordt geweigerd als de aanvrager een winstoogmerk heeft.", style="List Number")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_annotate_docx_comment_covers_exactly_the_clause_and_keeps_formatting(scanner):
    import docx

    data = _docx_with_formatting()
    result = scanner.scan_path("regeling.docx", data)
    clause_findings = [f for f in result.findings if not f.document_level]
    assert {f.rule_id for f in clause_findings} >= {"SUB-RECHTSVORM", "SUB-WINSTOOGMERK"}
    annotated = annotate(result.document, result.findings, data)
    assert annotated.notes == []
    anchors = anchored_texts(annotated.data)
    comments = comments_of(annotated.data)
    # The first clause starts inside the plain run and ends inside the italic one.
    expected = "Subsidie wordt uitsluitend verstrekt aan stichtingen en verenigingen zonder winstoogmerk."
    on_clause = [cid for cid, text in anchors.items() if text == expected]
    assert len(on_clause) == 2  # two rules on one clause: two comments on the same words
    # The numbered item's label "1." is Word's numbering, not text: the comment starts at the words.
    assert "Subsidie wordt geweigerd als de aanvrager een winstoogmerk heeft." in anchors.values()
    for comment_id in on_clause:
        comment = comments[comment_id]
        assert comment.author == "policycheck"
        assert "Aanbeveling:" in comment.text
    paragraph = docx.Document(io.BytesIO(annotated.data)).paragraphs[2]
    runs = [(run.text, bool(run.bold), bool(run.italic)) for run in paragraph.runs if run.text]
    assert runs == [
        ("Deze regeling is kort. ", False, False),
        ("Subsidie wordt uitsluitend verstrekt aan ", True, False),
        ("stichtingen en verenigingen zonder winstoogmerk.", False, True),
        (" Dit geldt altijd.", False, True),
    ]
    assert paragraph.text == (
        "Deze regeling is kort. Subsidie wordt uitsluitend verstrekt aan "
        "stichtingen en verenigingen zonder winstoogmerk. Dit geldt altijd."
    )


@pytest.mark.parametrize("path", DOCX_CORPUS, ids=lambda p: p.name)
def test_annotate_docx_corpus_has_a_comment_per_finding_on_its_clause(scanner, path):
    data = path.read_bytes()
    result = scanner.scan_path(str(path), data)
    assert result.findings, "corpus documents have findings"
    annotated = annotate(result.document, result.findings, data)
    assert annotated.notes == []
    comments = comments_of(annotated.data)
    anchors = anchored_texts(annotated.data)
    clause_findings = [f for f in result.findings if not f.document_level]
    document_findings = [f for f in result.findings if f.document_level]
    assert len(comments) == len(clause_findings) + (1 if document_findings else 0)
    by_text = {}
    for comment_id, comment in comments.items():
        by_text.setdefault(anchors[comment_id], []).append(comment)
    for finding in clause_findings:
        # A list label is in the anchor when it is typed text, not when Word numbers the list.
        clause = finding.text if finding.text in by_text else _LABEL.sub("", finding.text)
        assert clause in by_text, f"no comment anchored on {finding.text!r}"
        texts = [c.text for c in by_text[clause]]
        assert any(finding.title in t and finding.message.strip()[:40] in t for t in texts)
        assert all(c.author == "policycheck" and c.initials == "PC" for c in by_text[clause])
    # The original bytes are untouched: the scan and the copy work on a copy in memory.
    assert hashlib.sha256(path.read_bytes()).hexdigest() == result.document.sha256


def test_annotate_docx_document_level_findings_are_one_comment_on_the_first_heading(scanner):
    import docx

    document = docx.Document()
    document.add_heading("Inkoopbeleid Testdorp", 1)
    document.add_heading("Artikel 1 Gunning", 2)
    document.add_paragraph("Opdrachten worden standaard gegund op basis van de laagste prijs.")
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    result = scanner.scan_path("inkoop.docx", data)
    document_findings = [f for f in result.findings if f.document_level]
    assert len(document_findings) >= 2
    annotated = annotate(result.document, result.findings, data)
    anchors = anchored_texts(annotated.data)
    comments = comments_of(annotated.data)
    on_heading = [cid for cid, text in anchors.items() if text == "Inkoopbeleid Testdorp"]
    assert len(on_heading) == 1
    text = comments[on_heading[0]].text
    for finding in document_findings:
        assert finding.title in text and finding.rule_id in text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_annotate_docx_opens_in_libreoffice_with_the_comments(scanner, tmp_path):
    """LibreOffice converts each annotated corpus DOCX to PDF, comments exported as notes."""
    from pypdf import PdfReader

    expected = {}
    for path in DOCX_CORPUS:
        data = path.read_bytes()
        result = scanner.scan_path(str(path), data)
        copy = tmp_path / f"{path.stem}.policycheck.docx"
        copy.write_bytes(annotate(result.document, result.findings, data).data)
        expected[copy.stem] = result.findings
    profile = (tmp_path / "lo-profile").as_uri()
    command = [
        "soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to",
        'pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}',
        "--outdir", str(tmp_path / "pdf"), *[str(tmp_path / f"{stem}.docx") for stem in expected],
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    TEST_OUTPUT.mkdir(exist_ok=True)
    for stem, findings in expected.items():
        pdf_path = tmp_path / "pdf" / f"{stem}.pdf"
        assert pdf_path.is_file(), f"LibreOffice did not convert {stem}.docx"
        shutil.copy(pdf_path, TEST_OUTPUT / f"{stem}.libreoffice.pdf")
        notes = []
        for page in PdfReader(str(pdf_path)).pages:
            for ref in page.get("/Annots") or []:
                annotation = ref.get_object()
                if annotation.get("/Subtype") == "/Text":
                    notes.append((str(annotation.get("/T", "")), str(annotation.get("/Contents", ""))))
        clause_findings = [f for f in findings if not f.document_level]
        assert len(notes) == len(clause_findings) + (1 if len(clause_findings) < len(findings) else 0)
        assert all(author.startswith("policycheck") for author, _ in notes)
        for finding in clause_findings:
            assert any(finding.title in contents and "Aanbeveling:" in contents for _, contents in notes)


def test_annotate_docx_after_a_cached_scan_places_every_comment(tmp_path, monkeypatch):
    # The second scan of a DOCX reads it from the cache; its blocks must still know
    # their place in the file, or --annotate cannot put a single comment.
    from conftest import annotate_fresh_and_cached

    first, cached = annotate_fresh_and_cached(CORPUS / "aanbestedingsbeleid-lindenmaar-2026.docx", tmp_path, monkeypatch)
    assert len(comments_of(first)) == len(comments_of(cached)) > 0


def test_cached_docx_blocks_equal_fresh_extraction(tmp_path):
    from policycheck.cache import Cache
    from policycheck.extract import extract
    from policycheck.scan import extract_cached

    path = str(CORPUS / "aanbestedingsbeleid-lindenmaar-2026.docx")
    cache = Cache(tmp_path)
    fresh = extract_cached(path, cache=cache)
    cached = extract_cached(path, cache=cache)
    assert [(b.text, b.heading_path, b.paragraph, b.source) for b in cached.blocks] == \
        [(b.text, b.heading_path, b.paragraph, b.source) for b in extract(path).blocks] == \
        [(b.text, b.heading_path, b.paragraph, b.source) for b in fresh.blocks]
