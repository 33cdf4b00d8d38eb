"""extract() on text/Markdown, sniff_format, and the errors for unreadable input."""

import hashlib
import random
import zipfile
from pathlib import Path

import pytest

from policycheck.errors import InputError
from policycheck.extract import extract, sniff_format
from policycheck.model import HEADING, LIST_ITEM, PARAGRAPH, TABLE_ROW

try:
    from extract_fixtures import build_zip_without_document
except ImportError:  # tests/ imported as a package
    from tests.extract_fixtures import build_zip_without_document

MARKDOWN = """\
# Inkoopbeleid 2025

## Hoofdstuk 2 Sociaal ondernemen

Artikel 5 Voorbehouden opdrachten
De gemeente kan opdrachten voorbehouden aan sociale
ondernemingen. Dit geldt voor het inkoop-
en aanbestedingsbeleid en de aanbe-
steding.

1. De gemeente streeft naar:
a. meer social return;
b. lokale inkoop.
- een los punt dat over twee
  regels doorloopt

| Soort | Drempel |
|-------|--------:|
| Diensten | € 50.000 |

Artikel 6 Slot
"""


def _error(path, data=None) -> InputError:
    with pytest.raises(InputError) as info:
        extract(str(path), data)
    return info.value


def test_markdown_blocks_and_paths(tmp_path):
    path = tmp_path / "beleid.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = extract(str(path))
    assert doc.format == "text" and doc.pages is None and doc.warnings == []
    assert doc.title == "Inkoopbeleid 2025"
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    got = [(b.kind, b.text) for b in doc.blocks]
    assert got == [
        (HEADING, "Inkoopbeleid 2025"),
        (HEADING, "Hoofdstuk 2 Sociaal ondernemen"),
        (HEADING, "Artikel 5 Voorbehouden opdrachten"),
        (
            PARAGRAPH,
            "De gemeente kan opdrachten voorbehouden aan sociale ondernemingen. Dit geldt voor het "
            "inkoop- en aanbestedingsbeleid en de aanbesteding.",
        ),
        (LIST_ITEM, "1. De gemeente streeft naar:"),
        (LIST_ITEM, "a. meer social return;"),
        (LIST_ITEM, "b. lokale inkoop."),
        (LIST_ITEM, "- een los punt dat over twee regels doorloopt"),
        (TABLE_ROW, "Soort | Drempel"),
        (TABLE_ROW, "Diensten | € 50.000"),
        (HEADING, "Artikel 6 Slot"),
    ]
    assert [b.paragraph for b in doc.blocks] == list(range(1, 12))
    assert [b.level for b in doc.blocks[:3]] == [1, 1, 3]
    art5 = ["Hoofdstuk 2 Sociaal ondernemen", "Artikel 5 Voorbehouden opdrachten"]
    assert doc.blocks[3].heading_path == art5
    assert doc.blocks[5].heading_path == art5 + ["lid 1", "onder a"]
    assert doc.blocks[10].heading_path == ["Hoofdstuk 2 Sociaal ondernemen", "Artikel 6 Slot"]
    assert doc.text[doc.blocks[3].start : doc.blocks[3].end] == doc.blocks[3].text


def test_a_bullet_on_a_line_of_its_own_takes_the_text_after_it():
    # Web pages copied to text often put the bullet on its own line, then a blank line.
    text = "De ambities zijn:\n\n  \u2022 -\n\n    SROI; werk voor mensen met een afstand\n\n  \u2022 -\n\n    Circulair\n\n---\n\nSlot.\n"
    blocks = extract("lijst.txt", text.encode("utf-8")).blocks
    assert [(b.kind, b.text) for b in blocks] == [
        (PARAGRAPH, "De ambities zijn:"),
        (LIST_ITEM, "\u2022 - SROI; werk voor mensen met een afstand"),
        (LIST_ITEM, "\u2022 - Circulair"),
        (PARAGRAPH, "---"),
        (PARAGRAPH, "Slot."),
    ]


def test_stdin_data_and_crlf():
    data = "Regel een\r\nregel twee\r\n\r\nTweede alinea".encode("utf-8")
    doc = extract("-", data)
    assert [b.text for b in doc.blocks] == ["Regel een regel twee", "Tweede alinea"]
    assert doc.path == "-" and doc.title == "Regel een regel twee" and doc.warnings == []


@pytest.mark.parametrize(
    "data, encoding_warning",
    [
        ("Subsidie voor één coöperatie – “sociaal”".encode("utf-8"), False),
        ("\ufeffSubsidie voor één coöperatie – “sociaal”".encode("utf-8"), False),
        ("Subsidie voor één coöperatie – “sociaal”".encode("utf-16"), False),
        ("Subsidie voor één coöperatie – “sociaal”".encode("utf-16-le"), False),
        ("Subsidie voor één coöperatie – “sociaal”".encode("cp1252"), True),
    ],
)
def test_text_encodings(tmp_path, data, encoding_warning):
    path = tmp_path / "tekst.txt"
    path.write_bytes(data)
    doc = extract(str(path))
    assert doc.format == "text"
    assert [b.text for b in doc.blocks] == ["Subsidie voor één coöperatie – “sociaal”"]
    assert ("tekst is geen UTF-8; gelezen als Windows-1252" in doc.warnings) == encoding_warning


def test_text_named_pdf_is_read_as_text_with_warning(tmp_path):
    path = tmp_path / "beleid.pdf"
    path.write_text("Artikel 1 Doel\n\nSociaal ondernemen.\n", encoding="utf-8")
    doc = extract(str(path))
    assert doc.format == "text"
    assert doc.warnings == ["bestandsnaam eindigt op .pdf maar de inhoud is tekst"]
    assert doc.blocks[1].heading_path == ["Artikel 1 Doel"]


def test_missing_file(tmp_path):
    path = tmp_path / "bestaat-niet.pdf"
    assert str(_error(path)) == f"{path}: bestand niet gevonden"


def test_directory(tmp_path):
    error = _error(tmp_path)
    assert str(error).startswith(f"{tmp_path}: dit is een map, geen bestand")


def test_empty_file(tmp_path):
    path = tmp_path / "leeg.txt"
    path.write_bytes(b"")
    error = _error(path)
    assert error.problem == "leeg bestand"
    assert str(error).startswith(f"{path}: leeg bestand (")


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "wit.txt"
    path.write_text("  \n\n \t \n")
    assert _error(path).problem == "leeg bestand"


def test_legacy_doc(tmp_path):
    path = tmp_path / "oud.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert str(_error(path)) == f"{path}: oud Word-formaat (.doc) (sla het op als .docx)"


def test_password_protected_docx_is_ole2(tmp_path):
    path = tmp_path / "geheim.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100) + "EncryptedPackage".encode("utf-16-le"))
    error = _error(path)
    assert error.problem == "versleuteld Word-bestand (beveiligd met een wachtwoord)"
    assert str(error).startswith(str(path))


def test_random_bytes_named_docx(tmp_path):
    path = tmp_path / "kapot.docx"
    path.write_bytes(random.Random(0).randbytes(2000))
    error = _error(path)
    assert error.problem == "beschadigd DOCX-bestand (geen geldig zip-archief)"
    assert str(error).startswith(f"{path}: ")


def test_truncated_zip_named_docx(tmp_path):
    path = tmp_path / "half.docx"
    path.write_bytes(b"PK\x03\x04" + random.Random(2).randbytes(300))
    assert _error(path).problem == "beschadigd DOCX-bestand (geen geldig zip-archief)"


def test_zip_without_document_xml(tmp_path):
    path = build_zip_without_document(tmp_path / "leeg.docx")
    error = _error(path)
    assert error.problem == "beschadigd DOCX-bestand (word/document.xml ontbreekt)"


def test_plain_zip_is_not_docx(tmp_path):
    path = tmp_path / "archief.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "x")
    assert _error(path).problem == "zip-archief is geen DOCX-bestand"


def test_rtf_is_refused(tmp_path):
    path = tmp_path / "beleid.rtf"
    path.write_bytes(b"{\\rtf1\\ansi Beleid}")
    assert str(_error(path)) == f"{path}: RTF-bestand wordt niet ondersteund (sla het op als .docx of PDF)"


def test_unknown_binary(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(random.Random(0).randbytes(2000))
    error = _error(path)
    assert error.problem == "onbekend bestandsformaat"


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\xef\xbb\xbfhallo", "text"),
        ("hallo".encode("utf-16"), "text"),
        ("één".encode("cp1252"), "text"),
    ],
)
def test_sniff_format(data, expected):
    assert sniff_format(data, "x") == expected


def test_sniff_rejects_control_heavy_cp1252():
    with pytest.raises(InputError) as info:
        sniff_format(bytes(range(1, 32)) * 10 + b"abc", "x.txt")
    assert info.value.problem == "onbekend bestandsformaat"


def test_package_import_is_light():
    import subprocess
    import sys

    code = "import sys, policycheck.extract; print('pdfplumber' in sys.modules or 'docx' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "False"
