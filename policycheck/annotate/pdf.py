"""Highlight annotations on the matched clauses of a PDF (written with pypdf).

Extraction keeps, per block, one box per line, the characters each line holds
(`line_spans`) and each character's x extent (`line_chars_x`), all in pdfplumber's
coordinates (points, origin at the top left of the page as displayed). A clause
gets one highlight annotation per page, with one quadrilateral per line running
from its first to its last character. The note (title, message, recommendation)
is the annotation's /Contents. Each annotation carries its own appearance stream,
so viewers that do not draw highlights themselves still show it.

Findings about the whole document get one note (a /Text annotation) beside the
first heading.
"""

from __future__ import annotations

import io
from typing import Optional

from policycheck.annotate import AUTHOR, Annotated, AnnotateError, document_note_paragraphs, note_paragraphs
from policycheck.model import HEADING

# Highlight colours (RGB 0-1) by polarity: hindering red-orange, helping green.
COLOURS = {
    "belemmerend": (1.0, 0.62, 0.45),
    "ontbrekend": (1.0, 0.85, 0.3),
    "bevorderend": (0.6, 0.9, 0.6),
}
NOTE_SIZE = 18.0  # points, the square of a document-level note


class PageSpace:
    """Maps pdfplumber's coordinates on one page back to PDF user space.

    pdfminer (under pdfplumber) draws the page through a matrix that depends on
    /Rotate and the MediaBox (pdfminer.pdfinterp.PDFPageInterpreter.process_page);
    pdfplumber then flips y and shifts by its own reading of the MediaBox
    (pdfplumber.page.Page). This undoes both.
    """

    def __init__(self, mediabox: tuple[float, float, float, float], rotation: int):
        x0, y0, x1, y1 = mediabox
        self.box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        self.rotation = rotation % 360
        bx0, by0, bx1, by1 = self.box
        if self.rotation in (90, 270):
            self.shift_x, self.shift_top, self.height = by0, -bx0, bx1 - bx0
        else:
            self.shift_x, self.shift_top, self.height = bx0, -by0, by1 - by0

    def to_user(self, x: float, top: float) -> tuple[float, float]:
        bx0, by0, bx1, by1 = self.box
        u = x - self.shift_x  # pdfminer's device coordinates
        v = self.height + self.shift_top - top
        if self.rotation == 90:
            return bx1 - v, u + by0
        if self.rotation == 180:
            return bx1 - u, by1 - v
        if self.rotation == 270:
            return v + bx0, by1 - u
        return u + bx0, v + by0


def clause_rects(block, start: int, end: int) -> dict[int, list[tuple[float, float, float, float]]]:
    """Per page, one (x0, top, x1, bottom) per line of characters start..end-1 of `block.text`."""
    rects: dict[int, list[tuple[float, float, float, float]]] = {}
    text = block.text
    for line, (box, (span_start, span_end)) in enumerate(zip(block.boxes, block.line_spans)):
        first, last = max(start, span_start), min(end, span_end)
        # Leave out the spaces at either end of the part on this line.
        while first < last and text[first] == " ":
            first += 1
        while last > first and text[last - 1] == " ":
            last -= 1
        if first >= last:
            continue
        x0, x1 = box.x0, box.x1
        chars_x = block.line_chars_x[line] if line < len(block.line_chars_x) else ()
        if len(chars_x) >= 2 * (span_end - span_start):
            x0 = chars_x[2 * (first - span_start)]
            x1 = chars_x[2 * (last - 1 - span_start) + 1]
        rects.setdefault(box.page, []).append((x0, box.top, x1, box.bottom))
    return rects


def _number(value: float):
    from pypdf.generic import FloatObject

    return FloatObject(round(value, 3))


def _appearance(writer, rect, quads, colour, blend_multiply: bool):
    """A Form XObject drawing `quads` (user space) in `colour`, for /AP /N."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    commands = ["/GS0 gs", "{:.3f} {:.3f} {:.3f} rg".format(*colour)]
    for quad in quads:
        (ax, ay), (bx, by), (cx, cy), (dx, dy) = quad  # top-left, top-right, bottom-left, bottom-right
        commands.append(
            f"{ax:.3f} {ay:.3f} m {bx:.3f} {by:.3f} l {dx:.3f} {dy:.3f} l {cx:.3f} {cy:.3f} l h f"
        )
    stream = DecodedStreamObject()
    stream.set_data("\n".join(commands).encode("ascii"))
    state = DictionaryObject({NameObject("/Type"): NameObject("/ExtGState")})
    if blend_multiply:
        # Multiply keeps the text under the highlight readable.
        state[NameObject("/BM")] = NameObject("/Multiply")
    stream.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/FormType"): _int(1),
            NameObject("/BBox"): ArrayObject([_number(v) for v in rect]),
            NameObject("/Resources"): DictionaryObject(
                {NameObject("/ExtGState"): DictionaryObject({NameObject("/GS0"): state})}
            ),
        }
    )
    return writer._add_object(stream)


def _int(value: int):
    from pypdf.generic import NumberObject

    return NumberObject(value)


def _text(value: str):
    """A PDF text string: ASCII as is, anything else as UTF-16BE with a byte order mark,
    which every reader decodes (pypdf would pick PDFDocEncoding, which some misread)."""
    import codecs

    from pypdf.generic import TextStringObject

    if value.isascii():
        return TextStringObject(value)
    return TextStringObject(codecs.BOM_UTF16_BE + value.encode("utf-16-be"))


def _common(annotation_type: str, rect, contents: str, subject: str, name: str, colour):
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject(annotation_type),
            NameObject("/Rect"): ArrayObject([_number(v) for v in rect]),
            NameObject("/Contents"): _text(contents),
            NameObject("/T"): _text(AUTHOR),
            NameObject("/Subj"): _text(subject),
            NameObject("/NM"): _text(name),
            NameObject("/C"): ArrayObject([_number(c) for c in colour]),
            NameObject("/F"): _int(4),  # print
        }
    )


def _add(writer, page, annotation) -> None:
    from pypdf.generic import ArrayObject, NameObject

    reference = writer._add_object(annotation)
    annotation[NameObject("/P")] = page.indirect_reference
    annots = page.get("/Annots")
    if annots is None:
        page[NameObject("/Annots")] = ArrayObject([reference])
    else:
        annots = annots.get_object()
        annots.append(reference)


def _highlight(writer, page, space: PageSpace, rects, finding, serial: int) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    quads = []
    for x0, top, x1, bottom in rects:
        quads.append(
            (space.to_user(x0, top), space.to_user(x1, top), space.to_user(x0, bottom), space.to_user(x1, bottom))
        )
    xs = [x for quad in quads for x, _ in quad]
    ys = [y for quad in quads for _, y in quad]
    rect = (min(xs), min(ys), max(xs), max(ys))
    colour = COLOURS.get(finding.polarity, COLOURS["ontbrekend"])
    annotation = _common(
        "/Highlight",
        rect,
        "\n\n".join(note_paragraphs(finding)),
        finding.title,
        f"policycheck-{finding.fingerprint}-{serial}",
        colour,
    )
    annotation[NameObject("/QuadPoints")] = ArrayObject(
        [_number(v) for quad in quads for point in quad for v in point]
    )
    annotation[NameObject("/AP")] = DictionaryObject(
        {NameObject("/N"): _appearance(writer, rect, quads, colour, blend_multiply=True)}
    )
    _add(writer, page, annotation)


def _document_note(writer, page, space: PageSpace, anchor: Optional[tuple[float, float]], findings) -> None:
    from pypdf.generic import DictionaryObject, NameObject

    # Left of the heading when there is room, else in the top-left corner.
    x, top = anchor if anchor else (36.0, 36.0)
    x = max(2.0, x - NOTE_SIZE - 4)
    corners = [space.to_user(x, top), space.to_user(x + NOTE_SIZE, top + NOTE_SIZE)]
    rect = (
        min(c[0] for c in corners),
        min(c[1] for c in corners),
        max(c[0] for c in corners),
        max(c[1] for c in corners),
    )
    colour = COLOURS["ontbrekend"]
    annotation = _common(
        "/Text", rect, "\n\n".join(document_note_paragraphs(findings)), "hele document", "policycheck-document", colour
    )
    annotation[NameObject("/Name")] = NameObject("/Comment")
    (rx0, ry0, rx1, ry1) = rect
    square = ((rx0, ry1), (rx1, ry1), (rx0, ry0), (rx1, ry0))
    annotation[NameObject("/AP")] = DictionaryObject(
        {NameObject("/N"): _appearance(writer, rect, [square], colour, blend_multiply=False)}
    )
    _add(writer, page, annotation)


def _with_char_positions(document, data: bytes):
    """The document's blocks with their line boxes and each character's position on the page.

    A scan reads PDFs without character positions (they cost a call per character),
    and a document from the cache has no line boxes either; highlighting a clause,
    not its whole line, needs both, so read the same bytes again with them.
    """
    if any(block.text and (not block.line_spans or not all(block.line_chars_x or [()]))
           for block in document.blocks):
        from policycheck.extract import extract
        from policycheck.extract.options import ExtractOptions

        again = extract(document.path, data, ExtractOptions(max_pages=0, max_bytes=0, max_seconds=0,
                                                            char_positions=True))
        if [b.text for b in again.blocks] == [b.text for b in document.blocks]:
            return again
    return document


def annotate_pdf(document, findings, data: bytes) -> Annotated:
    from pypdf import PdfReader, PdfWriter

    document = _with_char_positions(document, data)

    try:
        reader = PdfReader(io.BytesIO(data))
        writer = PdfWriter(clone_from=reader)
        pages = list(writer.pages)
    except Exception as error:  # the extractor read it, so this is unexpected
        raise AnnotateError(f"{document.path}: PDF kan niet worden geopend om te annoteren ({error})") from None
    spaces: dict[int, PageSpace] = {}

    def space_of(number: int) -> PageSpace:
        if number not in spaces:
            page = pages[number - 1]
            box = page.mediabox
            spaces[number] = PageSpace(
                (float(box[0]), float(box[1]), float(box[2]), float(box[3])), int(page.get("/Rotate", 0) or 0)
            )
        return spaces[number]

    result = Annotated(b"")
    for finding in sorted((f for f in findings if not f.document_level), key=lambda f: f.start):
        block = document.blocks[finding.block_index]
        rects = clause_rects(block, finding.start - block.start, finding.end - block.start)
        if not rects:
            result.notes.append(f"{finding.rule_id} ({finding.location_label()}): geen positie bekend; niet gemarkeerd")
            continue
        for serial, (number, page_rects) in enumerate(sorted(rects.items())):
            if not 1 <= number <= len(pages):
                continue
            _highlight(writer, pages[number - 1], space_of(number), page_rects, finding, serial)
            result.placed += 1
    document_findings = [f for f in findings if f.document_level]
    if document_findings and pages:
        heading = next((b for b in document.blocks if b.kind == HEADING and b.boxes), None)
        if heading is not None:
            box = heading.boxes[0]
            number, anchor = box.page, (box.x0, box.top)
        else:
            number, anchor = 1, None
        _document_note(writer, pages[number - 1], space_of(number), anchor, document_findings)
        result.placed += 1
    out = io.BytesIO()
    writer.write(out)
    result.data = out.getvalue()
    return result
