"""Hostile, broken and odd documents, generated here (no third-party files).

Each `Case` is one file (or rule folder) with the command-line arguments to scan
it, the exit status policycheck must give and the message it must print: an
error (`fout: <file>: <message>`) or a warning. `tests/test_hostile.py` runs every
case through the CLI. To look at the files yourself:

    python tests/hostile_fixtures.py [MAP]      # default: tests/fixtures/hostile/

writes them all and prints the table of expected outcomes.
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extract_fixtures import _fonts, build_encrypted_pdf, build_image_only_pdf, build_policy_docx  # noqa: E402

# A short procurement policy with one belemmerend clause (lowest price), used where
# a case must show that the text was really read: the finding makes the status 1.
LOWEST_PRICE = "Opdrachten worden standaard gegund op basis van de laagste prijs."
POLICY_LINES = [
    "Inkoopbeleid gemeente Testdorp",
    "Artikel 1 Gunning",
    LOWEST_PRICE,
    "De gemeente koopt in bij ondernemers uit de regio waar dat kan.",
]
ENGLISH_LINES = [
    "Procurement policy of the municipality",
    "Contracts are awarded on the basis of the most economically advantageous tender.",
    "The municipality applies social return to all contracts above the threshold, and this",
    "policy shall be reviewed every four years by the council of the municipality.",
    "It is the aim of the council that all of its departments work with local businesses",
    "and that they have a fair chance to take part in each of the procedures.",
]


# ---------------------------------------------------------------- a minimal PDF writer


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def text_content(lines: list[str], x: float = 72, top: float = 770, size: float = 11,
                 matrix: Optional[tuple] = None) -> bytes:
    """A content stream that writes `lines` one under the other with font /F1."""
    out = [b"BT", f"/F1 {size} Tf".encode()]
    leading = size * 1.5
    for index, line in enumerate(lines):
        y = top - index * leading
        if matrix:
            a, b, c, d = matrix
            out.append(f"{a} {b} {c} {d} {x + (index * leading if b else 0)} {y if not b else top} Tm".encode())
        else:
            out.append(f"1 0 0 1 {x} {y} Tm".encode())
        out.append(_pdf_string(line) + b" Tj")
    out.append(b"ET")
    return b"\n".join(out)


HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def raw_pdf(contents: list[bytes], font: bytes = HELVETICA, rotate: int = 0) -> bytes:
    """A valid PDF with one page per content stream, written byte by byte (with xref)."""
    objects: list[bytes] = [b"", b""]  # catalog and page tree, filled in below
    objects.append(font)  # 3
    kids = []
    for content in contents:
        page_number = len(objects) + 1
        kids.append(f"{page_number} 0 R")
        rotation = f" /Rotate {rotate}" if rotate else ""
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            f" /Contents {page_number + 1} 0 R{rotation} >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def policy_pdf() -> bytes:
    return raw_pdf([text_content(POLICY_LINES)])


def caesar_font() -> bytes:
    """Helvetica whose encoding maps every lower-case letter code to the next letter's
    glyph: a font whose codes do not map to the right Unicode, as in a PDF with a
    broken or missing ToUnicode map. The text extracts as gibberish."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    differences = " ".join(f"{ord(a)} /{b}" for a, b in zip(letters, letters[1:] + letters[0]))
    return (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
        b"/BaseEncoding /WinAnsiEncoding /Differences [" + differences.encode() + b"] >> >>"
    )


def two_column_content() -> bytes:
    left = [
        "Artikel 1 Gunning",
        "Opdrachten worden standaard",
        "gegund op basis van de",
        "laagste prijs.",
    ]
    right = [
        "Artikel 2 Regionaal",
        "De gemeente koopt waar dat",
        "kan in bij ondernemers uit",
        "de eigen regio.",
    ]
    return text_content(left, x=60) + b"\n" + text_content(right, x=320)


# ---------------------------------------------------------------- builders


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _docx_bytes(lines: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _replace_parts(data: bytes, replace: dict[str, bytes], add: Optional[dict[str, bytes]] = None) -> bytes:
    """Rewrite a zip, replacing some parts (and adding others)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _document_xml(body: str, doctype: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + doctype +
        f"<w:document {W_NS}><w:body>{body}<w:sectPr/></w:body></w:document>"
    ).encode("utf-8")


def _paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def build_xxe_docx(path: Path, secret: Path) -> Path:
    """document.xml declares an external entity that reads a local file."""
    doctype = f'<!DOCTYPE w:document [<!ENTITY geheim SYSTEM "file://{secret}">]>\n'
    body = _paragraph("Opdrachten worden gegund op basis van de laagste prijs. &geheim;")
    return _write(path, _replace_parts(_docx_bytes(["x"]), {"word/document.xml": _document_xml(body, doctype)}))


def build_billion_laughs_docx(path: Path) -> Path:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    doctype = f"<!DOCTYPE w:document [{entities}]>\n"
    body = _paragraph("&lol9;")
    return _write(path, _replace_parts(_docx_bytes(["x"]), {"word/document.xml": _document_xml(body, doctype)}))


def build_ratio_bomb_docx(path: Path, size: int = 64 * 1024 * 1024) -> Path:
    """A valid DOCX whose document.xml is padded with `size` spaces: packs ~1000x."""
    data = _docx_bytes(POLICY_LINES)
    source = zipfile.ZipFile(io.BytesIO(data))
    original = source.read("word/document.xml")
    head, tail = original.split(b"<w:body>", 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(item.filename, source.read(item.filename))
                continue
            with target.open("word/document.xml", "w", force_zip64=True) as stream:
                stream.write(head + b"<w:body>")
                chunk = b" " * (1024 * 1024)
                for _ in range(size // len(chunk)):
                    stream.write(chunk)
                stream.write(tail)
    return path


def build_large_docx(path: Path, paragraphs: int = 12000) -> Path:
    """An honest DOCX that unpacks to a few MB (packs ~10x): refused with --max-size 1."""
    lines = [f"Artikel {n} De gemeente verstrekt subsidie nummer {n * 7919 % 100003} voor project {n}." for n in range(paragraphs)]
    return _write(path, _docx_bytes(lines))


def build_lying_zip_docx(path: Path) -> Path:
    """The headers claim document.xml is 100 bytes; the data unpacks to far more."""
    data = bytearray(_docx_bytes(POLICY_LINES * 50))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    item = archive.getinfo("word/document.xml")
    real = item.file_size.to_bytes(4, "little")
    fake = (100).to_bytes(4, "little")
    # Local header: uncompressed size at offset 22; central directory entry: at offset 24.
    local = item.header_offset
    assert data[local + 22:local + 26] == real
    data[local + 22:local + 26] = fake
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = int.from_bytes(data[central + 28:central + 30], "little")
        if data[central + 46:central + 46 + name_length] == b"word/document.xml":
            data[central + 24:central + 28] = fake
            break
        central = data.find(b"PK\x01\x02", central + 4)
    return _write(path, bytes(data))


def build_docm(path: Path) -> Path:
    """A macro-enabled document: main part content type of .docm plus a VBA project."""
    data = _docx_bytes(POLICY_LINES)
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml",
    ).replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    # Not real VBA: policycheck must never open it, so its content does not matter.
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Sub AutoOpen(): Shell \"calc.exe\": End Sub" + b"\x00" * 64
    return _write(path, _replace_parts(data, {"[Content_Types].xml": types}, {"word/vbaProject.bin": vba}))


def build_legacy_doc(path: Path) -> Path:
    """An OLE2 compound file, as Word 97-2003 wrote .doc files."""
    return _write(path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 24 + b"\x3e\x00\x03\x00\xfe\xff" + b"\x00" * 4000)


def build_scan_with_text_image(path: Path) -> Path:
    """A 'scanned' page: the policy text as a picture, no text layer (for --ocr)."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    import reportlab

    font = ImageFont.truetype(os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf"), 40)
    image = Image.new("L", (2480, 1000), 255)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(POLICY_LINES):
        draw.text((150, 100 + index * 90), line, font=font, fill=0)
    pdf = canvas.Canvas(str(path), pagesize=(595.27, 841.89))
    pdf.drawImage(ImageReader(image), 0, 841.89 - 240, width=595.27, height=240)
    pdf.showPage()
    pdf.save()
    return path


def _rules_folder(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


RULE_HEAD = """id: {id}
title: Testregel
polarity: belemmerend
severity: laag
topic: lots
applies_to: [procurement]
step: 5
message: Een testregel.
recommendation: Schrijf iets anders.
references: [Test]
"""
SLOW_REGEX = r"^(\w|\w\w)+$"


# ---------------------------------------------------------------- the cases


@dataclass
class Case:
    """One hostile input: what to build, how to scan it and what policycheck must say."""

    name: str  # file or folder name
    build: Callable[[Path], Path]  # writes the input at the given path, returns what to scan
    status: int  # exit status of `policycheck <command> ...`
    message: Optional[str]  # expected in the error or warning line; None: no error, no warning
    kind: str = "fout"  # "fout" (one error line) or "waarschuwing"
    args: tuple[str, ...] = ()
    command: str = "scan"  # "scan", or "rules lint"; "scan-rules": scan a policy with --rules <input>
    why: str = ""
    quote: Optional[str] = None  # a finding must quote exactly this clause: the text was read right
    known_gap: str = ""  # why policycheck does not handle this yet (the test is a strict xfail)


def _cases() -> list[Case]:
    lines = "\n\n".join(POLICY_LINES) + "\n"
    return [
        # PDF
        Case("pdf-kapot.pdf", lambda p: _write(p, b"%PDF-1.7\n" + bytes(range(256)) * 8), 2, "beschadigde PDF",
             why="header only, the rest is noise"),
        Case("pdf-afgebroken.pdf", lambda p: _write(p, raw_pdf([text_content(POLICY_LINES)] * 3)[:700]), 2,
             "onvolledige PDF (het einde van het bestand ontbreekt", why="a download that stopped half-way"),
        Case("pdf-wachtwoord.pdf", lambda p: build_encrypted_pdf(p, "geheim"), 2,
             "versleutelde PDF: er is een wachtwoord nodig om hem te openen (geef het wachtwoord met --password"),
        Case("pdf-wachtwoord-fout.pdf", lambda p: build_encrypted_pdf(p, "geheim"), 2,
             "versleutelde PDF: het wachtwoord klopt niet", args=("--password", "fout")),
        Case("pdf-wachtwoord-goed.pdf", lambda p: build_encrypted_pdf(p, "geheim"), 0, None,
             args=("--password", "geheim"), why="the right password opens it"),
        Case("pdf-eigenaarswachtwoord.pdf", lambda p: build_encrypted_pdf(p, ""), 0, None,
             why="only an owner password (copy/print restrictions): readable without a password"),
        Case("pdf-scan.pdf", build_image_only_pdf, 2, "geen tekstlaag gevonden (gescande PDF?)"),
        Case("pdf-2500-paginas.pdf", lambda p: _write(p, raw_pdf([text_content(["Bijlage."])] * 2500)), 2,
             "PDF heeft 2500 pagina's, meer dan de grens van 2000 (verhoog de grens met --max-pages"),
        Case("pdf-te-traag.pdf", lambda p: _write(p, raw_pdf([text_content(POLICY_LINES)] * 400)), 2,
             "verwerking duurde langer dan de grens van 0.01 seconden (verhoog de grens met --timeout",
             args=("--timeout", "0.01", "--no-cache"), why="the time limit per document, set very low"),
        Case("pdf-gedraaid.pdf", lambda p: _write(p, raw_pdf([text_content(POLICY_LINES)], rotate=90)), 1, None,
             why="a page with /Rotate 90 (landscape)", quote=LOWEST_PRICE),
        Case("pdf-gedraaide-tekst.pdf",
             lambda p: _write(p, raw_pdf([text_content(POLICY_LINES, x=100, top=100, matrix=(0, 1, -1, 0))])),
             1, None, why="text drawn at 90 degrees on an upright page", quote=LOWEST_PRICE),
        Case("pdf-twee-kolommen.pdf", lambda p: _write(p, raw_pdf([two_column_content()])), 1, None,
             why="two columns: read one column after the other", quote=LOWEST_PRICE),
        Case("pdf-zonder-unicode.pdf", lambda p: _write(p, raw_pdf([text_content(POLICY_LINES * 4)], font=caesar_font())),
             0, "de tekst bevat bijna geen Nederlandse woorden en lijkt onleesbaar (lettertype zonder Unicode-koppeling?)",
             kind="waarschuwing"),
        Case("pdf-engels.pdf", lambda p: _write(p, raw_pdf([text_content(ENGLISH_LINES)])), 0,
             "de tekst lijkt Engels, geen Nederlands: de regels zijn Nederlands", kind="waarschuwing"),
        # DOCX
        Case("docx-geen-zip.docx", lambda p: _write(p, b"PK\x03\x04" + b"geen zip" * 50), 2,
             "beschadigd DOCX-bestand (geen geldig zip-archief)"),
        Case("docx-zipbom.docx", build_ratio_bomb_docx, 2, "DOCX-bestand geweigerd: word/document.xml is",
             why="64 MB of spaces packed into ~64 kB"),
        Case("docx-te-groot-uitgepakt.docx", build_large_docx, 2,
             "DOCX-bestand geweigerd: pakt volgens het archief uit tot", args=("--max-size", "1")),
        Case("docx-liegende-zip.docx", build_lying_zip_docx, 2,
             "beschadigd DOCX-bestand (word/document.xml: controlegetal klopt niet)",
             why="sizes in the zip headers that lie about the content"),
        Case("docx-xxe.docx", lambda p: build_xxe_docx(p, p.parent / "geheim.txt"), 2,
             "DOCX-bestand geweigerd: word/document.xml bevat een DTD"),
        Case("docx-miljard-lachen.docx", build_billion_laughs_docx, 2,
             "DOCX-bestand geweigerd: word/document.xml bevat een DTD"),
        Case("oud-word.doc", build_legacy_doc, 2, "oud Word-formaat (.doc) (sla het op als .docx)"),
        Case("macro.docm", build_docm, 1, "het document bevat macro's; die zijn genegeerd en niet uitgevoerd",
             kind="waarschuwing", why="read as DOCX", quote=LOWEST_PRICE),
        Case("docx-normaal.docx", build_policy_docx, 0, None, why="control case"),
        # Text
        Case("tekst-cp1252.txt", lambda p: _write(p, (lines + "Prijs: € 5.000, café.\n").encode("cp1252")), 1,
             "tekst is geen UTF-8; gelezen als Windows-1252", kind="waarschuwing", quote=LOWEST_PRICE),
        Case("tekst-utf16.txt", lambda p: _write(p, lines.encode("utf-16")), 1, None, quote=LOWEST_PRICE),
        Case("rommel.txt", lambda p: _write(p, bytes((i * 37 + 11) % 256 for i in range(4096))), 2,
             "onbekend bestandsformaat"),
        Case("leeg.txt", lambda p: _write(p, b""), 2, "leeg bestand"),
        Case("witruimte.txt", lambda p: _write(p, b" \n\t\n \r\n"), 2, "leeg bestand"),
        Case("lange-regel.txt", lambda p: _write(p, (lines.replace("\n\n", " ") + " en nog wat" * 100_000).encode()), 1,
             None, why="one line of 1.1 million characters (more than spaCy takes at once)"),
        Case("engels.txt", lambda p: _write(p, "\n".join(ENGLISH_LINES).encode()), 0,
             "de tekst lijkt Engels, geen Nederlands", kind="waarschuwing"),
        Case("te-groot.txt", lambda p: _write(p, (lines * 30000).encode()), 2,
             "groter dan de grens van 1 MB (verhoog de grens met --max-size", args=("--max-size", "1")),
        # Rules
        Case("regels-ongeldige-yaml", lambda p: _rules_folder(p, {"kapot.yml": "id: X\ntitle: [niet dicht\n"}),
             2, "ongeldige YAML", kind="fout in regel", command="scan-rules"),
        Case("regels-onveilige-tag",
             lambda p: _rules_folder(p, {"tag.yml": "id: X\ntitle: !!python/object/apply:os.system ['echo hallo']\n"}),
             2, "YAML-tag !!python/object/apply:os.system is niet toegestaan", kind="fout in regel",
             command="scan-rules"),
        Case("regels-bestaan-niet", lambda p: p, 2, "regelmap bestaat niet", kind="fout in regel",
             command="scan-rules"),
        Case("regels-traag", lambda p: _rules_folder(p, {"traag.yml": RULE_HEAD.format(id="TRAAG") +
                                                          f"match:\n  regex: '{SLOW_REGEX}'\n"}),
             1, "PC-L001 [TRAAG]", kind="lint", command="rules lint"),
    ]


CASES = _cases()


def build_all(folder: Path) -> list[tuple[Case, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    return [(case, case.build(folder / case.name)) for case in CASES]


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent / "fixtures" / "hostile"
    for case, path in build_all(folder):
        command = {"scan-rules": "scan beleid.txt --rules", "rules lint": "rules lint --rules"}.get(case.command, "scan")
        args = " ".join(case.args)
        expected = f"{case.kind}: {case.message}" if case.message else "(geen fout of waarschuwing)"
        print(f"{case.status}  policycheck {command} {path.name} {args}".rstrip() + f"\n     {expected}")
    print(f"{len(CASES)} bestanden in {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
