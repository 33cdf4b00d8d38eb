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
