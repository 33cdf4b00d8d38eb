"""Inputs found by benchmarks/fuzz_extract.py that once crashed extract(), kept as tests.

Each must now give InputError (one clear message), never another exception.
"""

import io
import zipfile

import pytest

from hostile_fixtures import POLICY_LINES, _docx_bytes, raw_pdf, text_content
from policycheck.errors import InputError
from policycheck.extract import extract


def test_fuzz_pdf_page_dictionary_that_breaks_pdfplumber_close():
    # Found as a NUL byte flipped into a page dictionary of a corpus PDF: pdfplumber
    # failed on `pages`, and then again (TypeError) in close() on leaving `with`.
    data = raw_pdf([text_content(POLICY_LINES)] * 2).replace(b"/MediaBox", b"\x00MediaBox", 1)
    from policycheck.extract import pdf as pdf_module

    # pdfplumber alone cannot read it: one clear message, no TypeError from close().
    original = pdf_module.FAST_PATH
    pdf_module.FAST_PATH = False
    try:
        with pytest.raises(InputError) as info:
            extract("kapot.pdf", data)
    finally:
        pdf_module.FAST_PATH = original
    assert info.value.problem == "beschadigde PDF"
    # PDFium, the default path, repairs the page and reads its text.
    document = extract("kapot.pdf", data)
    assert document.blocks


def test_fuzz_docx_with_damaged_deflate_stream():
    # Found as a zero byte flipped into the packed [Content_Types].xml: zlib.error
    # escaped from unpacking the part.
    data = bytearray(_docx_bytes(POLICY_LINES))
    item = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0]
    start = item.header_offset + 30 + len(item.filename.encode()) + len(item.extra)
    data[start + 9] = 0
    data[start + 10] = 0
    with pytest.raises(InputError) as info:
        extract("kapot.docx", bytes(data))
    assert info.value.problem.startswith("beschadigd DOCX-bestand")


def test_fuzz_docx_numbering_level_that_is_not_a_number(tmp_path):
    # Found by the 10-minute fuzz run: a byte flipped in numbering.xml made a list
    # level read w:ilvl=":"; int() raised ValueError out of the DOCX reader.
    import docx

    source = tmp_path / "lijst.docx"
    document = docx.Document()
    document.add_heading("Artikel 1 Gunning", level=2)
    document.add_paragraph("Opdrachten worden standaard gegund op basis van de laagste prijs.", style="List Number")
    document.add_paragraph("De gemeente koopt in bij ondernemers uit de regio.", style="List Number")
    document.save(str(source))
    packed = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(packed, "w") as damaged:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "word/numbering.xml":
                data = data.replace(b'w:ilvl="0"', b'w:ilvl=":"')
            damaged.writestr(item, data)
    result = extract("lijst.docx", packed.getvalue())
    assert any("laagste prijs" in block.text for block in result.blocks)
