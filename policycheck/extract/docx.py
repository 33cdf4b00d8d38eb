"""DOCX -> blocks, via python-docx: body only (no headers/footers), in document order."""

from __future__ import annotations

import io
import re
from typing import Iterator, Optional

from ..errors import InputError
from ..model import HEADING, LIST_ITEM, PARAGRAPH, TABLE_ROW, Block
from .normalize import normalize_text, normalize_with_offsets
from .structure import harmonise_heading_levels

_HEADING_STYLE_RE = re.compile(r"^(?:heading|kop)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLES = {"title", "titel"}
_LIST_STYLE_RE = re.compile(r"^(?:list|lijst)", re.IGNORECASE)
_BODY_OUTLINE_LEVEL = 9


def _roman(number: int) -> str:
    values = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
              (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = []
    for value, letters in values:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def _letters(number: int) -> str:
    # Word repeats the letter after z: a..z, aa..zz, aaa..
    if number < 1:
        return ""
    return chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)


def format_number(number: int, fmt: str) -> str:
    """One level's counter in Word's numFmt (decimal, lowerLetter, upperRoman, ...)."""
    if fmt == "lowerLetter":
        return _letters(number)
    if fmt == "upperLetter":
        return _letters(number).upper()
    if fmt == "lowerRoman":
        return _roman(number)
    if fmt == "upperRoman":
        return _roman(number).upper()
    if fmt in ("none", ""):
        return ""
    if fmt == "decimalZero":
        return f"{number:02d}"
    return str(number)



def _int(value, default: int) -> int:
    """A whole number from a Word XML attribute; `default` when it is missing or damaged."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default

class _Numbering:
    """Computes list labels (`1.`, `a.`, `•`) from the numbering part, in document order."""

    def __init__(self, doc) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.oxml.ns import qn

        self._qn = qn
        # numId -> (abstractNumId, {ilvl: (fmt, lvlText, start)})
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = doc.part.part_related_by(RT.NUMBERING).element
        except (KeyError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in root.findall(qn("w:abstractNum")):
            abstract[node.get(qn("w:abstractNumId"))] = self._read_levels(node)
        for node in root.findall(qn("w:num")):
            num_id = node.get(qn("w:numId"))
            ref = node.find(qn("w:abstractNumId"))
            levels = dict(abstract.get(ref.get(qn("w:val")) if ref is not None else "", {}))
            for override in node.findall(qn("w:lvlOverride")):
                ilvl = _int(override.get(qn("w:ilvl")), 0)
                lvl = override.find(qn("w:lvl"))
                if lvl is not None:
                    levels.update(self._read_levels(override))
                start = override.find(qn("w:startOverride"))
                if start is not None and ilvl in levels:
                    fmt, text, _ = levels[ilvl]
                    levels[ilvl] = (fmt, text, _int(start.get(qn("w:val")), 1))
            self.levels[num_id] = levels

    def _read_levels(self, node) -> dict[int, tuple[str, str, int]]:
        qn = self._qn
        levels = {}
        for lvl in node.findall(qn("w:lvl")):
            ilvl = _int(lvl.get(qn("w:ilvl")), 0)
            fmt_el, text_el, start_el = lvl.find(qn("w:numFmt")), lvl.find(qn("w:lvlText")), lvl.find(qn("w:start"))
            fmt = fmt_el.get(qn("w:val"), "decimal") if fmt_el is not None else "decimal"
            text = text_el.get(qn("w:val"), "") if text_el is not None else f"%{ilvl + 1}."
            start = _int(start_el.get(qn("w:val")), 1) if start_el is not None else 1
            levels[ilvl] = (fmt, text, start)
        return levels

    def label(self, num_id: str, ilvl: int) -> Optional[str]:
        """Advance the counter of (num_id, ilvl) and return the label, or None."""
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return None
        counters = self.counters.setdefault(num_id, {})
        fmt, text, start = levels[ilvl]
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt == "bullet":
            return "•"

        def substitute(match: re.Match) -> str:
            level = int(match.group(1)) - 1
            lfmt, _, lstart = levels.get(level, ("decimal", "", 1))
            value = counters.get(level, lstart)
            return format_number(value, lfmt if level != ilvl else fmt)

        return re.sub(r"%(\d)", substitute, text).strip() or None


def _style_chain(style) -> Iterator:
    seen = 0
    while style is not None and seen < 20:
        yield style
        style = style.base_style
        seen += 1


def _paragraph_props(paragraph, qn) -> tuple[Optional[str], int, Optional[int]]:
    """(numId, ilvl, outline level) from the paragraph and then its style chain."""
    num_id: Optional[str] = None
    ilvl: Optional[int] = None
    outline: Optional[int] = None
    elements = [paragraph._p.pPr]
    try:
        elements += [s.element.pPr for s in _style_chain(paragraph.style)]
    except Exception:  # a broken style reference must not stop the document
        pass
    for ppr in elements:
        if ppr is None:
            continue
        num_pr = ppr.find(qn("w:numPr"))
        if num_pr is not None:
            id_el, lvl_el = num_pr.find(qn("w:numId")), num_pr.find(qn("w:ilvl"))
            if num_id is None and id_el is not None:
                num_id = id_el.get(qn("w:val"))
            if ilvl is None and lvl_el is not None:
                ilvl = _int(lvl_el.get(qn("w:val")), 0)
        outline_el = ppr.find(qn("w:outlineLvl"))
        if outline is None and outline_el is not None:
            outline = _int(outline_el.get(qn("w:val")), _BODY_OUTLINE_LEVEL)
    if num_id == "0":  # numbering switched off explicitly
        num_id = None
    return num_id, ilvl or 0, outline


def _style_name(paragraph) -> str:
    try:
        return (paragraph.style.name or "") if paragraph.style is not None else ""
    except Exception:
        return ""


def _heading_level(style_name: str, outline: Optional[int]) -> Optional[int]:
    m = _HEADING_STYLE_RE.match(style_name.strip())
    if m:
        return max(1, int(m.group(1)))
    if style_name.strip().lower() in _TITLE_STYLES:
        return 1
    if outline is not None and outline < _BODY_OUTLINE_LEVEL:
        return outline + 1
    return None


_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def paragraph_text(p_element, origins: Optional[list] = None) -> str:
    """The visible text of a `w:p`: runs, hyperlinks, fields, inserted revisions.

    Unlike python-docx's `Paragraph.text` this keeps text inside `w:ins`,
    `w:fldSimple` and inline content controls, and leaves out deleted revisions
    (`w:del`). Text boxes anchored in the paragraph are included, set off by spaces.

    origins (list | None): when given, receives one entry per character of the
        result: (element, index) for the `w:t` (or `w:tab`, `w:br`, ...) it came
        from, or None for a separator. The DOCX annotator uses it to find the runs
        of a clause.
    """
    from docx.oxml.ns import qn

    text_tag, tab_tag, p_tag = qn("w:t"), qn("w:tab"), qn("w:p")
    breaks = {qn("w:br"), qn("w:cr")}
    skip = {qn("w:del"), qn("w:moveFrom"), qn("w:pPr"), qn("w:rPr"), _MC_FALLBACK}
    special = {qn("w:noBreakHyphen"): "-", qn("w:softHyphen"): "\u00ad"}
    parts: list[str] = []

    def add(text: str, element=None) -> None:
        parts.append(text)
        if origins is not None:
            origins.extend((element, i) if element is not None else None for i in range(len(text)))

    def walk(element) -> None:
        for child in element:
            tag = child.tag
            if tag in skip:
                continue
            if tag == text_tag:
                add(child.text or "", child)
            elif tag == tab_tag:
                add("\t", child)
            elif tag in breaks:
                add(" ", child)
            elif tag in special:
                add(special[tag], child)
            elif tag == p_tag:  # a paragraph inside a text box
                add(" ")
                walk(child)
                add(" ")
            elif isinstance(tag, str):  # skip comments and processing instructions
                walk(child)

    walk(p_element)
    return "".join(parts)


def iter_body(element) -> Iterator:
    """Body paragraphs and tables in document order, looking inside content controls."""
    from docx.oxml.ns import qn

    p_tag, tbl_tag, sdt_tag = qn("w:p"), qn("w:tbl"), qn("w:sdt")
    content_tag = qn("w:sdtContent")
    for child in element.iterchildren():
        if child.tag in (p_tag, tbl_tag):
            yield child
        elif child.tag == sdt_tag:
            content = child.find(content_tag)
            if content is not None:
                yield from iter_body(content)


def cell_text(cell, origins: Optional[list] = None) -> str:
    """A table cell's text: its paragraphs (and nested tables' cells) joined by spaces,
    normalised. `origins` as in `paragraph_text`, for the normalised text."""
    raw: list[str] = []
    raw_origins: list = []

    def add(text: str, sub: list) -> None:
        if not text:
            return
        if raw:
            raw.append(" ")
            raw_origins.append(None)
        raw.append(text)
        raw_origins.extend(sub)

    for item in cell.iter_inner_content():
        if hasattr(item, "rows"):  # a nested table
            for row in item.rows:
                for inner in row_cells(row):
                    if inner is not None:
                        sub: list = []
                        add(cell_text(inner, sub), sub)
        else:
            sub = []
            add(paragraph_text(item._p, sub), sub)
    if origins is None:
        return normalize_text("".join(raw))
    text, offsets = normalize_with_offsets("".join(raw))
    origins.extend(raw_origins[i] for i in offsets)
    return text


def row_cells(row) -> list:
    """Each real cell once: a horizontal span is one cell, a vertical continuation is empty."""
    from docx.table import _Cell

    cells = []
    for tc in row._tr.tc_lst:
        if tc.vMerge == "continue":
            cells.append(None)
        else:
            cells.append(_Cell(tc, row.table))
    return cells


def _open_document(data: bytes):
    """python-docx's Document, also for .docm/.dotx/.dotm (docx.Document refuses those).

    Only the main document part is read; a VBA project is never opened, let alone run.
    """
    import docx  # noqa: F401 - registers python-docx's part classes
    from docx.opc.part import PartFactory
    from docx.package import Package
    from docx.parts.document import DocumentPart

    from .package import DOCX_MAIN, READABLE_MAIN_TYPES

    for content_type in READABLE_MAIN_TYPES - {DOCX_MAIN}:
        PartFactory.part_type_for.setdefault(content_type, DocumentPart)
    part = Package.open(io.BytesIO(data)).main_document_part
    if part.content_type not in READABLE_MAIN_TYPES:
        raise ValueError(f"main part is {part.content_type}")
    return part.document


def read_docx_blocks(path: str, data: bytes) -> tuple[list[Block], str]:
    """Blocks of the DOCX body and the core-properties title."""
    try:
        from docx.oxml.ns import qn
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        doc = _open_document(data)
        body = doc.element.body
    except Exception as error:  # python-docx/lxml raise many kinds on bad input
        raise InputError(
            path,
            f"beschadigd DOCX-bestand ({type(error).__name__})",
            "open het in Word of LibreOffice en sla het opnieuw op als .docx",
        ) from None

    try:
        core_title = normalize_text(doc.core_properties.title or "")
    except Exception:
        core_title = ""
    numbering = _Numbering(doc)
    blocks: list[Block] = []
    styles: list[Optional[str]] = []
    p_tag = qn("w:p")
    for position, element in enumerate(iter_body(body)):
        if element.tag == p_tag:
            paragraph = Paragraph(element, doc._body)
            text = normalize_text(paragraph_text(element))
            if not text:
                continue
            style = _style_name(paragraph)
            num_id, ilvl, outline = _paragraph_props(paragraph, qn)
            level = _heading_level(style, outline)
            label = numbering.label(num_id, ilvl) if num_id else None
            if label and not text.startswith(label):
                text = f"{label} {text}"
            if level is not None:
                kind = HEADING
            elif num_id or _LIST_STYLE_RE.match(style):
                kind = LIST_ITEM
            else:
                kind = PARAGRAPH
            blocks.append(Block(index=0, kind=kind, text=text, level=level, source=(position,)))
            styles.append(style if kind == HEADING else None)
        else:
            table = Table(element, doc._body)
            for row_index, row in enumerate(table.rows):
                cells = [cell_text(c) if c is not None else "" for c in row_cells(row)]
                if any(cells):
                    blocks.append(Block(index=0, kind=TABLE_ROW, text=" | ".join(cells), source=(position, row_index)))
                    styles.append(None)
    harmonise_heading_levels(blocks, styles)
    for number, block in enumerate(blocks, start=1):
        block.paragraph = number
    return blocks, core_title
