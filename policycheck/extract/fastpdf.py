"""The fast PDF text path: PDFium (pypdfium2, which pdfplumber itself depends on).

pdfplumber parses every page with pdfminer in Python, about 0.1 s for a dense
page. PDFium does the same in C. We ask it for *runs*: the stretch of text that
one PDF text object puts on one line, so one font and one size, with the same
geometry pdfplumber reports (x from the glyph origin and advance, top/bottom from
the baseline, the font's descent and the font size scaled by the text matrix).
Runs go into the same line grouping as pdfplumber's words (`pdf.group_lines`),
so both paths give the same lines, and so the same blocks.

A page that PDFium's text cannot stand in for returns None and is read by
pdfplumber instead (`pdf.read_pdf`):

- it has path objects with height (rectangles, vertical rules, curves): they
  may form a ruled table, and table rows come from pdfplumber's table finder;
- a glyph without a Unicode mapping, rotated or skewed text, a rotated or offset
  page box: pdfplumber's handling of those is what the rest of the code expects.

Running headers drawn as horizontal rules (the common case) stay on the fast path.
"""

from __future__ import annotations

import ctypes
import re
from functools import lru_cache
from typing import Optional

from .text import LIST_MARKER_RE

# Descender of the standard 14 PDF fonts, in 1/1000 em, from Adobe's Core14 AFM
# files (the values pdfminer uses); PDFium derives a different one from the font
# box. Only used for fonts that are not embedded and have no descriptor of their own.
_STANDARD_DESCENT = {
    "Helvetica": -207, "Helvetica-Bold": -207, "Helvetica-Oblique": -207, "Helvetica-BoldOblique": -207,
    "Times-Roman": -217, "Times-Bold": -217, "Times-Italic": -217, "Times-BoldItalic": -217,
    "Courier": -157, "Courier-Bold": -157, "Courier-Oblique": -157, "Courier-BoldOblique": -157,
    "Symbol": 0, "ZapfDingbats": 0,
}
# A path whose height (without its stroke) reaches this may be part of a ruled table.
_TABLE_PATH_HEIGHT = 1.0
_LINES = re.compile(r"[^\r\n]+")
_SECOND_WORD = re.compile(r"(?<=\s)\S")
# What PDFium puts in the text for a glyph it could not map, or for a line-end hyphen.
_MARKS = frozenset("\ufffd\ufffe\x00\x01\x02")


class _Raw:
    """pypdfium2's raw bindings, plus a pointer-as-int variant of FPDFText_GetTextObject
    (comparing ctypes pointer objects per character would cost more than the call)."""

    def __init__(self):
        import pypdfium2.raw as raw

        self.c = raw
        address = ctypes.cast(raw.FPDFText_GetTextObject, ctypes.c_void_p).value
        prototype = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)
        self.text_object_address = prototype(address)


@lru_cache(maxsize=1)
def _raw() -> _Raw:
    return _Raw()


def _address(pointer) -> int:
    return ctypes.cast(pointer, ctypes.c_void_p).value or 0


class _FontInfo:
    __slots__ = ("name", "descent")

    def __init__(self, name: str, descent: float):
        self.name = name
        self.descent = descent  # per unit of font size (negative)


def _font_info(c, font, cache: dict) -> _FontInfo:
    key = _address(font)
    info = cache.get(key)
    if info is not None:
        return info
    size = c.FPDFFont_GetBaseFontName(font, None, 0)
    name = ""
    if size > 0:
        buffer = ctypes.create_string_buffer(size)
        c.FPDFFont_GetBaseFontName(font, buffer, size)
        name = buffer.value.decode("utf-8", "replace")
    base = name.split("+")[-1]
    if base in _STANDARD_DESCENT and not c.FPDFFont_GetIsEmbedded(font):
        descent = _STANDARD_DESCENT[base] / 1000
    else:
        value = ctypes.c_float()
        descent = value.value / 1000 if c.FPDFFont_GetDescent(font, 1000.0, value) else 0.0
    info = cache[key] = _FontInfo(name, descent)
    return info


class _Unsupported(Exception):
    """This page needs the real pdfplumber."""


def _scan_objects(c, page, height: float) -> tuple[Optional[list[dict]], bool]:
    """(edges of paths that may form a ruled table, or None when there are none; has images).

    Edges are built the way pdfplumber builds them from pdfminer's lines, rectangles
    and curves: one per straight horizontal or vertical segment, in top-left coordinates.
    Raises _Unsupported for curves, slanted segments and paths inside forms.
    """
    has_images = False
    candidates = []
    form_paths = False
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    stroke = ctypes.c_float()
    stack = [(list(_page_objects(c, page)), False)]
    while stack:
        objects, in_form = stack.pop()
        for obj in objects:
            kind = c.FPDFPageObj_GetType(obj)
            if kind == c.FPDF_PAGEOBJ_PATH:
                if not c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
                    raise _Unsupported
                width = stroke.value if c.FPDFPageObj_GetStrokeWidth(obj, stroke) else 0.0
                form_paths = form_paths or in_form
                if (top.value - bottom.value) - 2 * width >= _TABLE_PATH_HEIGHT:
                    candidates.append(obj)
            elif kind == c.FPDF_PAGEOBJ_IMAGE:
                has_images = True
            elif kind == c.FPDF_PAGEOBJ_FORM:
                count = c.FPDFFormObj_CountObjects(obj)
                stack.append(([c.FPDFFormObj_GetObject(obj, i) for i in range(count)], True))
    if not candidates:
        return None, has_images
    if form_paths:
        raise _Unsupported  # edges inside forms would need the form's matrix too
    edges: list[dict] = []
    for obj in _page_objects(c, page):
        if c.FPDFPageObj_GetType(obj) == c.FPDF_PAGEOBJ_PATH:
            edges.extend(_path_edges(c, obj, height))
    return edges, has_images


def _path_edges(c, obj, height: float) -> list[dict]:
    fill, stroked = ctypes.c_int(), ctypes.c_int()
    if c.FPDFPath_GetDrawMode(obj, fill, stroked) and not fill.value and not stroked.value:
        return []  # neither filled nor stroked: pdfminer paints nothing
    m = c.FS_MATRIX()
    if not c.FPDFPageObj_GetMatrix(obj, m):
        raise _Unsupported
    x, y = ctypes.c_float(), ctypes.c_float()
    points: list[tuple[float, float]] = []
    segments = []
    first = None
    for i in range(c.FPDFPath_CountSegments(obj)):
        segment = c.FPDFPath_GetPathSegment(obj, i)
        kind = c.FPDFPathSegment_GetType(segment)
        if kind == c.FPDF_SEGMENT_BEZIERTO or kind == c.FPDF_SEGMENT_UNKNOWN:
            raise _Unsupported
        c.FPDFPathSegment_GetPoint(segment, x, y)
        point = (m.a * x.value + m.c * y.value + m.e, height - (m.b * x.value + m.d * y.value + m.f))
        if kind == c.FPDF_SEGMENT_MOVETO:
            first = point
        elif points:
            segments.append((points[-1], point))
        points.append(point)
        if c.FPDFPathSegment_GetClose(segment) and first is not None and point != first:
            segments.append((point, first))
            points.append(first)
    edges = []
    for (x0, y0), (x1, y1) in segments:
        if abs(x0 - x1) < 1e-3:
            orientation, x1 = "v", x0
        elif abs(y0 - y1) < 1e-3:
            orientation, y1 = "h", y0
        else:
            raise _Unsupported  # a slanted line: leave it to pdfplumber
        left, right, top, bottom = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
        edges.append({
            "object_type": "line", "orientation": orientation,
            "x0": left, "x1": right, "top": top, "bottom": bottom, "doctop": top,
            "width": right - left, "height": bottom - top,
        })
    return edges


class TablePage:
    """Just enough of a pdfplumber Page for pdfplumber's own table finder
    (`find_tables`, then `Table.extract`): edges from PDFium's paths, characters
    from PDFium's text, both in pdfplumber's coordinates."""

    def __init__(self, width: float, height: float, edges: list[dict], chars: list[dict]):
        self.bbox = (0.0, 0.0, width, height)
        self.edges = edges
        self.chars = chars

    def find_tables(self, table_settings=None):
        from pdfplumber.table import TableFinder, TableSettings

        return TableFinder(self, TableSettings.resolve(table_settings)).tables

    def extract_words(self, **kwargs):  # only the "text" table strategy asks; we use "lines"
        from pdfplumber.utils import extract_words

        return extract_words(self.chars, **kwargs)


def _page_objects(c, page):
    return (c.FPDFPage_GetObject(page, i) for i in range(c.FPDFPage_CountObjects(page)))


def _plain_page_box(page) -> bool:
    """True for an unrotated page whose crop box is its media box at the origin."""
    if page.get_rotation() % 360:
        return False
    media = tuple(round(v, 2) for v in page.get_mediabox())
    crop = tuple(round(v, 2) for v in page.get_cropbox())
    return media == crop and media[:2] == (0.0, 0.0)


def read_runs(page, char_positions: bool = False) -> Optional[tuple[list[dict], bool, float, float, Optional[TablePage]]]:
    """Runs of one pypdfium2 page as pdfplumber-style word dicts.

    page (pypdfium2.PdfPage): the page.
    char_positions (bool): give every run its characters' boxes (for highlights).
    RETURNS (words, has_images, width, height, table_page), or None when pdfplumber
    must read this page. Each word has text, x0, x1, top, bottom, size, fontname,
    nchars (the number of non-space characters), chars (each character's box) and, when it starts with a list marker,
    `x0_second`: where the text after the marker starts. `table_page` is set when
    the page has paths that may form a ruled table (see TablePage).
    """
    raw = _raw()
    c = raw.c
    if not _plain_page_box(page):
        return None
    width, height = page.get_size()
    try:
        edges, has_images = _scan_objects(c, page.raw, height)
    except _Unsupported:
        return None
    textpage = page.get_textpage()
    try:
        found = _runs(raw, textpage.raw, height, with_chars=edges is not None, char_positions=char_positions)
    finally:
        textpage.close()
    if found is None:
        return None
    words, chars = found
    table_page = TablePage(width, height, edges, chars) if edges is not None else None
    return words, has_images, width, height, table_page


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) moved inward past whitespace at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _runs(raw: _Raw, tp, height: float, with_chars: bool = False,
          char_positions: bool = False) -> Optional[tuple[list[dict], list[dict]]]:
    c = raw.c
    count = c.FPDFText_CountChars(tp)
    chars: list[dict] = []
    if count <= 0:
        return [], chars
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    written = c.FPDFText_GetText(tp, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[: max(written - 1, 0) * 2].decode("utf-16-le", "replace")
    if len(text) != count:
        return None  # characters and text do not line up: pdfplumber
    if any(mark in text for mark in _MARKS):
        letters = list(text)
        for i, ch in enumerate(letters):
            if ch not in _MARKS:
                continue
            if not c.FPDFText_IsHyphen(tp, i):
                return None  # a glyph without Unicode mapping: pdfplumber reports those
            # A hyphen at the end of a line, which PDFium reports as a mark and joins
            # to the next line; the line grouping and hyphen repair below expect "-".
            code = c.FPDFText_GetUnicode(tp, i)
            letters[i] = chr(code) if code > 31 and chr(code) not in _MARKS else "-"
        text = "".join(letters)

    tp_address = _address(tp)
    fonts: dict = {}
    matrix = c.FS_MATRIX()
    box = c.FS_RECTF()
    x, y = ctypes.c_double(), ctypes.c_double()
    words: list[dict] = []
    for line in _LINES.finditer(text):
        start, end = _trimmed(text, *line.span())
        previous_end = None  # end of the previous run on this line
        if start == end:
            continue
        rects = c.FPDFText_CountRects(tp, start, end - start)
        if rects <= 1:
            spans = [(start, end)]
        else:  # several text objects on this line: split where the object changes
            spans = []
            run_start, current = start, None
            for i in range(start, end):
                obj = raw.text_object_address(tp_address, i)  # None for a generated space
                if obj != current:
                    if current is not None:
                        spans.append((run_start, i))
                    run_start, current = i, obj
            if current is not None:
                spans.append((run_start, end))
        for s, e in spans:
            s, e = _trimmed(text, s, e)
            if s == e:
                continue
            obj = c.FPDFText_GetTextObject(tp, s)
            if not obj:
                continue
            font = _font_info(c, c.FPDFTextObj_GetFont(obj), fonts)
            if not c.FPDFText_GetMatrix(tp, s, matrix):
                return None
            if abs(matrix.b) > 1e-3 or abs(matrix.c) > 1e-3 or matrix.a <= 0:
                return None  # rotated, skewed or mirrored text
            size = c.FPDFText_GetFontSize(tp, s) * abs(matrix.d)
            c.FPDFText_GetCharOrigin(tp, s, x, y)
            bottom = height - (y.value + font.descent * size)
            c.FPDFText_GetLooseCharBox(tp, e - 1, box)
            run_text = text[s:e]
            word = {
                "text": run_text,
                "x0": x.value,
                "x1": box.right,
                "top": bottom - size,
                "bottom": bottom,
                "size": size,
                "fontname": font.name,
                "nchars": e - s - run_text.count(" "),
            }
            # Each character's box, only when needed (a ctypes call per character): the
            # annotators highlight exactly a clause with them, the table finder reads cells.
            if with_chars or char_positions:
                run_chars: list[dict] = []
                _add_chars(c, tp, text, s, e, word, box, run_chars)
                if char_positions:
                    word["chars"] = run_chars
            if with_chars:
                if previous_end is not None and previous_end < s and chars:
                    chars.append({**chars[-1], "text": " ", "x0": chars[-1]["x1"]})
                chars.extend(run_chars)
                previous_end = e
            if LIST_MARKER_RE.match(run_text):
                second = _SECOND_WORD.search(run_text)
                if second:
                    c.FPDFText_GetLooseCharBox(tp, s + second.start(), box)
                    word["x0_second"] = box.left
            words.append(word)
    return words, chars


def _add_chars(c, tp, text: str, start: int, end: int, word: dict, box, chars: list[dict]) -> None:
    """pdfplumber-style chars of one run, for the table finder's cell text."""
    top, bottom, size = word["top"], word["bottom"], word["size"]
    x = word["x0"]
    for i in range(start, end):
        ch = text[i]
        if ch.isspace():
            x0 = x1 = x
        else:
            c.FPDFText_GetLooseCharBox(tp, i, box)
            x0, x1 = box.left, box.right
            x = x1
        chars.append({
            "text": ch, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
            "upright": True, "size": size, "fontname": word["fontname"],
        })
