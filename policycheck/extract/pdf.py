"""PDF -> blocks, via pdfplumber, one page at a time.

The per-page work is split into small steps so that a faster backend
(pypdfium2) can later replace any of them:

1. `read_words`        words with position, font name and size
2. `find_table_rows`   ruled tables -> table rows, and the areas they cover
3. `group_lines`       words outside tables -> lines (clustered by `top`)
4. `drop_running_lines` running headers/footers and page numbers, across pages
5. `build_blocks`      lines -> heading/paragraph/list item blocks, with boxes
"""

from __future__ import annotations

import io
import logging
import math
import re
from array import array
from dataclasses import dataclass, field
from typing import Iterable, Optional

from ..errors import InputError
from .options import Deadline, ExtractOptions
from ..model import HEADING, LIST_ITEM, PARAGRAPH, TABLE_ROW, Block, Box
from .normalize import join_lines, join_lines_with_spans, normalize_text, normalize_with_offsets
from .structure import classify_heading, harmonise_heading_levels
from .text import LIST_MARKER_RE

MARGIN_SHARE = 0.10  # top/bottom share of the page searched for running headers/footers
_BOLD_RE = re.compile(r"bold|black|heavy|semibold|demi|,b$", re.IGNORECASE)
_PAGE_NUMBER_RE = re.compile(
    r"^(?:(?:pagina|pag\.|blz\.?|bladzijde|page|p\.)\s*)?[-–—(]?\s*\d{1,4}\s*[-–—)]?"
    r"(?:\s*(?:van|/|of|uit)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_EXPLICIT_PAGE_NUMBER_RE = re.compile(r"^(?:pagina|blz\.?|bladzijde|page)\s*\d+(?:\s*(?:van|/|of)\s*\d+)?$", re.IGNORECASE)
_SENTENCE_END = ".:;!?"
_CID_BULLET_RE = re.compile(r"^\(cid:\d+\)\s+")
_CID_RE = re.compile(r"\(cid:\d+\)")
_IGNORED_TITLES = {"untitled", "naamloos", "titel", "title", "document"}


@dataclass
class Line:
    """One line of text on a page, in reading order."""

    page: int
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool
    chars: int = 0
    text_x0: float = 0.0  # where the text after a list marker starts
    unmapped: int = 0  # glyphs that had no Unicode mapping, dropped
    chars_x: array = field(default_factory=lambda: array("f"))  # x0, x1 per char of `text`
    column: int = 0  # reading-order group on the page (see split_columns); 0 for one column
    # For text read in its own direction (see read_words): where the line really is on
    # the page; x0/top/x1/bottom are then in the turned frame the reading order uses.
    page_box: Optional[tuple[float, float, float, float]] = None

    @property
    def box(self) -> Box:
        if self.page_box is not None:
            return Box(self.page, *self.page_box)
        return Box(self.page, self.x0, self.top, self.x1, self.bottom)


@dataclass
class TableRow:
    page: int
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class PageContent:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    rows: list[TableRow] = field(default_factory=list)
    words: int = 0
    has_images: bool = False


# -- step 1 -------------------------------------------------------------------


def read_words(page) -> list[dict]:
    """Words with x0/top/x1/bottom, fontname and size (pdfplumber's extract_words).

    A page whose text runs vertically (a landscape page shown turned, text set at 90
    degrees) is read in the text's own direction: its characters are turned into a
    frame where the text runs left to right. Such words carry `turned`, because their
    positions are not the page's (a highlight cannot use them).
    """
    options = dict(keep_blank_chars=False, use_text_flow=False, extra_attrs=["fontname", "size"], return_chars=True)
    chars = page.chars
    vertical = [c for c in chars if not c.get("upright", True)]
    if not chars or len(vertical) < 0.6 * len(chars):
        return page.extract_words(**options)
    from pdfplumber.utils import extract_words

    downward = sum(1 for c in vertical if (c.get("matrix") or (0, 0))[1] < 0) >= len(vertical) / 2
    width, height = float(page.width), float(page.height)
    turned = []
    for char in vertical:
        if downward:  # reads top to bottom; the next line lies to the left
            x0, x1, top, bottom = char["top"], char["bottom"], width - char["x1"], width - char["x0"]
        else:  # reads bottom to top; the next line lies to the right
            x0, x1, top, bottom = height - char["bottom"], height - char["top"], char["x0"], char["x1"]
        turned.append({**char, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top, "upright": True})
    words = extract_words(turned, **options)
    for word in words:
        # The word's rectangle on the page: the turn undone.
        if downward:
            word["page_box"] = (width - word["bottom"], word["x0"], width - word["top"], word["x1"])
        else:
            word["page_box"] = (word["top"], height - word["x1"], word["bottom"], height - word["x0"])
        word["chars"] = []  # character extents run along the page's height: highlight whole lines
    return words


# -- step 2 -------------------------------------------------------------------


def find_table_rows(page, page_number: int) -> tuple[list[TableRow], list[tuple[float, float, float, float]]]:
    """Ruled tables on the page: one TableRow per non-empty row, plus the table areas."""
    rows: list[TableRow] = []
    areas = []
    for table in page.find_tables():
        areas.append(tuple(table.bbox))
        try:
            cells_per_row = table.extract()
        except Exception:  # pragma: no cover - pdfplumber edge cases
            continue
        for row, cells in zip(table.rows, cells_per_row):
            texts = [join_lines((cell or "").split("\n")) for cell in cells]
            if not any(texts):
                continue
            x0, top, x1, bottom = row.bbox
            rows.append(TableRow(page_number, " | ".join(texts), x0, top, x1, bottom))
    return rows, areas


def _inside(word: dict, areas: Iterable[tuple[float, float, float, float]]) -> bool:
    cx = (word["x0"] + word["x1"]) / 2
    cy = (word["top"] + word["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in areas)


# -- step 3 -------------------------------------------------------------------


def _is_bold(fontname: str) -> bool:
    return bool(_BOLD_RE.search(fontname.split("+")[-1]))


def _make_line(words: list[dict], page_number: int) -> Line:
    words.sort(key=lambda w: w["x0"])
    parts: list[str] = []
    sizes: dict[float, int] = {}
    bold_chars = 0
    total = 0
    prev = None
    for word in words:
        size = float(word.get("size") or 0)
        n = word.get("nchars", len(word["text"]))  # a fast-path run counts its non-space characters
        total += n
        sizes[round(size * 2) / 2] = sizes.get(round(size * 2) / 2, 0) + n
        if _is_bold(str(word.get("fontname", ""))):
            bold_chars += n
        if prev is not None and word["x0"] - prev["x1"] > 0.15 * max(size, 1):
            parts.append(" ")
        parts.append(word["text"])
        prev = word
    size = max(sizes.items(), key=lambda item: item[1])[0] if sizes else 0.0
    text = "".join(parts)
    unmapped = 0
    if "(cid:" in text:
        # Glyphs without a Unicode mapping; at the start of a line they are nearly always bullets.
        text = _CID_BULLET_RE.sub("• ", text)
        text, unmapped = _CID_RE.subn("", text)
    text = normalize_text(text)
    return Line(
        page=page_number,
        text=text,
        x0=min(w["x0"] for w in words),
        top=min(w["top"] for w in words),
        x1=max(w["x1"] for w in words),
        bottom=max(w["bottom"] for w in words),
        size=size,
        bold=total > 0 and bold_chars >= 0.8 * total,
        chars=total,
        text_x0=_second_word_x0(words),
        unmapped=unmapped,
        chars_x=_chars_x(words, text),
        page_box=_page_box(words),
    )


def _page_box(words: list[dict]) -> Optional[tuple[float, float, float, float]]:
    boxes = [w["page_box"] for w in words if w.get("page_box")]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _chars_x(words: list[dict], text: str) -> array:
    """x0 and x1 of each character of the line's `text` (interleaved), from the glyphs.

    The line is rebuilt from the words' glyphs with the same spacing rule as
    `_make_line`; a space spans the gap between its words. Empty when the glyphs do
    not spell `text` (then a highlight covers the whole line).
    """
    raw: list[str] = []
    xs: list[tuple[float, float]] = []
    prev = None
    for word in words:
        chars = word.get("chars") or []
        if not chars:
            return array("f")
        size = float(word.get("size") or 0)
        if prev is not None and word["x0"] - prev["x1"] > 0.15 * max(size, 1):
            raw.append(" ")
            xs.append((prev["x1"], word["x0"]))
        for char in chars:
            glyph = char["text"]
            if _CID_RE.fullmatch(glyph):  # as in _make_line: a bullet at the start, else dropped
                glyph = "•" if not raw else ""
            for letter in glyph:
                raw.append(letter)
                xs.append((char["x0"], char["x1"]))
        prev = word
    normal, offsets = normalize_with_offsets("".join(raw))
    if normal != text:
        return array("f")
    out = array("f")
    for index in offsets:
        out.extend(xs[index])
    return out


def _second_word_x0(words: list[dict]) -> float:
    """Where the line's second word starts (after a list marker, the text)."""
    first = words[0]
    if first.get("x0_second") is not None:  # a fast-path run holding several words
        return first["x0_second"]
    return words[1]["x0"] if len(words) > 1 else first["x0"]


def group_lines(words: list[dict], page_number: int, height: float = 0.0) -> list[Line]:
    """Cluster words into lines by their `top`, top to bottom, left to right; on a page
    set in two columns, the left column first, then the right one."""
    lines: list[Line] = []
    parts = split_columns(words, height)
    for column, part in enumerate(parts):
        for line in _lines_of(part, page_number):
            line.column = column if len(parts) > 1 else 0
            lines.append(line)
    return lines


# Two columns need a gutter of at least this many points that no word crosses.
MIN_GUTTER = 9.0
# Running headers and footers may cross the gutter: they sit in this share of the page.
_MARGIN_SHARE = 0.12


def split_columns(words: list[dict], height: float = 0.0) -> list[list[dict]]:
    """The words in reading order groups: [all] for one column; [above, left, right, below]
    when the body of the page is set in two columns.

    A gutter is a vertical strip in the middle of the text (30-70% of its width) that
    no body word crosses, with a good share of the words on either side, side by side.
    """
    if len(words) < 8:
        return [words]
    height = height or max(w["bottom"] for w in words)
    top_margin, bottom_margin = height * _MARGIN_SHARE, height * (1 - _MARGIN_SHARE)
    body = [w for w in words if top_margin <= w["top"] and w["bottom"] <= bottom_margin]
    if len(body) < 8:  # little text, or all of it near the top: no running lines to set apart
        body, top_margin, bottom_margin = words, -1.0, height + 1.0
    left_edge = min(w["x0"] for w in body)
    right_edge = max(w["x1"] for w in body)
    low, high = left_edge + 0.3 * (right_edge - left_edge), left_edge + 0.7 * (right_edge - left_edge)
    covered = sorted((max(w["x0"], low), min(w["x1"], high)) for w in body if w["x1"] > low and w["x0"] < high)
    best, cursor = (0.0, 0.0), low
    for x0, x1 in covered + [(high, high)]:
        if x0 - cursor > best[1] - best[0]:
            best = (cursor, x0)
        cursor = max(cursor, x1)
    if best[1] - best[0] < MIN_GUTTER:
        return [words]
    gutter = (best[0] + best[1]) / 2
    left = [w for w in body if w["x1"] <= gutter]
    right = [w for w in body if w["x0"] >= gutter]
    if min(len(left), len(right)) < 0.2 * len(body):
        return [words]
    # Side by side: the two columns share most of their height.
    overlap = min(max(w["bottom"] for w in left), max(w["bottom"] for w in right)) - max(
        min(w["top"] for w in left), min(w["top"] for w in right))
    shorter = min(max(w["bottom"] for w in side) - min(w["top"] for w in side) for side in (left, right))
    if shorter <= 0 or overlap < 0.5 * shorter:
        return [words]
    above = [w for w in words if w["top"] < top_margin]
    below = [w for w in words if w["bottom"] > bottom_margin and w["top"] >= top_margin]
    return [part for part in (above, left, right, below) if part]


def _lines_of(words: list[dict], page_number: int) -> list[Line]:
    lines: list[Line] = []
    current: list[dict] = []
    line_top = 0.0
    tolerance = 0.0
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if current and word["top"] - line_top <= tolerance:
            current.append(word)
            continue
        if current:
            lines.append(_make_line(current, page_number))
        current = [word]
        line_top = word["top"]
        tolerance = max(1.5, 0.4 * float(word.get("size") or (word["bottom"] - word["top"])))
    if current:
        lines.append(_make_line(current, page_number))
    return [line for line in lines if line.text]


def read_page(page, page_number: int) -> PageContent:
    """Steps 1-3 for one pdfplumber page."""
    content = PageContent(page_number, float(page.width), float(page.height))
    words = read_words(page)
    content.words = len(words)
    if not words:
        content.has_images = bool(page.images)
        return content
    content.rows, areas = find_table_rows(page, page_number)
    if areas:
        words = [w for w in words if not _inside(w, areas)]
    content.lines = group_lines(words, page_number, content.height)
    return content


# -- step 4 -------------------------------------------------------------------


def _running_key(text: str) -> str:
    if classify_heading(text) is not None:
        return text  # `Artikel 5` at the top of several pages is no running header
    return re.sub(r"\d+", "#", text.lower())


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER_RE.match(text.strip()))


def drop_running_lines(pages: list[PageContent]) -> int:
    """Remove running headers/footers and page numbers, in place. Returns how many lines went."""

    def in_margin(line: Line, page: PageContent) -> bool:
        return line.top < page.height * MARGIN_SHARE or line.bottom > page.height * (1 - MARGIN_SHARE)

    pages_with_text = [p for p in pages if p.lines]
    counts: dict[str, int] = {}
    for page in pages_with_text:
        for key in {_running_key(l.text) for l in page.lines if in_margin(l, page)}:
            counts[key] = counts.get(key, 0) + 1
    threshold = max(2, math.ceil(len(pages_with_text) / 2))
    running = {key for key, count in counts.items() if count >= threshold}
    dropped = 0
    for page in pages:
        kept = []
        for line in page.lines:
            margin = in_margin(line, page)
            if (margin and (_running_key(line.text) in running or is_page_number(line.text))) or (
                _EXPLICIT_PAGE_NUMBER_RE.match(line.text)
            ):
                dropped += 1
                continue
            kept.append(line)
        page.lines = kept
    return dropped


# -- step 5 -------------------------------------------------------------------


@dataclass
class _Style:
    body_size: float
    heading_sizes: list[float]  # larger than body, largest first
    line_gap: float  # usual gap between two lines of one paragraph


def _measure_style(pages: list[PageContent]) -> _Style:
    weights: dict[float, int] = {}
    for page in pages:
        for line in page.lines:
            weights[line.size] = weights.get(line.size, 0) + line.chars
    body = max(weights.items(), key=lambda item: (item[1], -item[0]))[0] if weights else 10.0
    heading_sizes = sorted(
        {line.size for p in pages for line in p.lines if line.size >= body + 1}, reverse=True
    )
    gaps = []
    for page in pages:
        for prev, line in zip(page.lines, page.lines[1:]):
            if abs(prev.size - body) < 0.6 and abs(line.size - body) < 0.6:
                gap = line.top - prev.bottom
                if -2 <= gap < 2 * body:
                    gaps.append(gap)
    # The lower quartile: most gaps are inside paragraphs, but a document of one-line
    # paragraphs has only paragraph gaps, hence also the cap.
    line_gap = sorted(gaps)[len(gaps) // 4] if gaps else body * 0.3
    return _Style(body, heading_sizes, min(line_gap, 0.5 * body))


def _layout_heading_level(line: Line, style: _Style) -> Optional[int]:
    if line.size >= style.body_size + 1:
        return style.heading_sizes.index(line.size) + 1 if line.size in style.heading_sizes else 1
    if line.bold and line.size >= style.body_size - 0.6:
        return len(style.heading_sizes) + 1
    return None


@dataclass
class _Draft:
    kind: str
    level: Optional[int]
    lines: list[Line]
    layout_heading: bool = False
    row: Optional[TableRow] = None


def _same_style(a: Line, b: Line) -> bool:
    return abs(a.size - b.size) < 0.8 and a.bold == b.bold


def _starts_block(draft: _Draft, prev: Line, line: Line, style: _Style) -> bool:
    if LIST_MARKER_RE.match(line.text):
        return True
    if not _same_style(prev, line):
        return True
    pattern = classify_heading(line.text) is not None
    if line.page != prev.page:
        if draft.kind not in (PARAGRAPH, LIST_ITEM) or pattern:
            return True
        # A paragraph running on: the next page starts in lower case, or this one
        # stopped mid-sentence (`... van de gemeente` | `Velderhoven ...`).
        running_on = line.text[0].islower() or prev.text[-1] not in _SENTENCE_END
        return not running_on
    if line.top - prev.bottom > style.line_gap + max(2.0, 0.4 * line.size):
        return True
    if draft.kind == HEADING and not draft.layout_heading:
        return True  # a pattern heading in body type is one line
    if draft.kind == LIST_ITEM:
        first = draft.lines[0]
        if first.text_x0 - first.x0 > 3 and line.x0 < first.text_x0 - 3 and prev.text[-1] in _SENTENCE_END:
            return True  # back at the margin after a list item with a hanging indent
    if pattern and (prev.text[-1] in _SENTENCE_END or draft.kind == HEADING):
        return True
    return False


def _new_draft(line: Line, style: _Style) -> _Draft:
    found = classify_heading(line.text)
    layout_level = _layout_heading_level(line, style)
    if layout_level is not None:
        return _Draft(HEADING, found[0] if found else layout_level, [line], layout_heading=True)
    if found is not None:
        return _Draft(HEADING, found[0], [line])
    if LIST_MARKER_RE.match(line.text):
        return _Draft(LIST_ITEM, None, [line])
    return _Draft(PARAGRAPH, None, [line])


def _finish(draft: _Draft) -> Block:
    if draft.row is not None:
        row = draft.row
        return Block(
            index=0,
            kind=TABLE_ROW,
            text=row.text,
            page=row.page,
            boxes=[Box(row.page, row.x0, row.top, row.x1, row.bottom)],
            line_spans=[(0, len(row.text))],
        )
    text, spans = join_lines_with_spans([line.text for line in draft.lines])
    kind, level = draft.kind, draft.level
    if kind == HEADING and draft.layout_heading and classify_heading(text) is None:
        if len(draft.lines) > 3 or len(text) > 200:
            kind, level = PARAGRAPH, None  # a bold or large paragraph, not a heading
            if LIST_MARKER_RE.match(text):
                kind = LIST_ITEM
    return Block(
        index=0,
        kind=kind,
        text=text,
        page=draft.lines[0].page,
        level=level if kind == HEADING else None,
        boxes=[line.box for line in draft.lines],
        line_spans=spans,
        line_chars_x=[line.chars_x for line in draft.lines],
    )


def build_blocks(pages: list[PageContent]) -> list[Block]:
    """Group the lines and table rows of all pages into blocks, in reading order."""
    style = _measure_style(pages)
    drafts: list[_Draft] = []
    current: Optional[_Draft] = None
    prev: Optional[Line] = None
    for page in pages:
        # Columns one after the other, each top to bottom (table rows count as column 0).
        items: list = sorted([*page.lines, *page.rows], key=lambda item: (getattr(item, "column", 0), item.top, item.x0))
        for item in items:
            if isinstance(item, TableRow):
                drafts.append(_Draft(TABLE_ROW, None, [], row=item))
                current, prev = None, None
                continue
            new_column = prev is not None and prev.page == item.page and prev.column != item.column
            if current is None or prev is None or new_column or _starts_block(current, prev, item, style):
                current = _new_draft(item, style)
                drafts.append(current)
            else:
                current.lines.append(item)
            prev = item
    blocks: list[Block] = []
    keys = []
    for draft in drafts:
        block = _finish(draft)
        if block.text:
            blocks.append(block)
            keys.append((draft.lines[0].size, draft.lines[0].bold) if draft.layout_heading else None)
    harmonise_heading_levels(blocks, keys)
    return blocks


# -- the whole PDF ------------------------------------------------------------


def _clean_title(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return ""
    title = normalize_text(value).strip()
    title = re.sub(r"^microsoft (?:word|powerpoint) - ", "", title, flags=re.IGNORECASE)
    title = re.sub(r"\.(?:docx?|pdf|odt|rtf)$", "", title, flags=re.IGNORECASE).strip()
    return "" if title.lower() in _IGNORED_TITLES else title


def _is_encryption_error(error: BaseException) -> bool:
    try:
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError:  # pragma: no cover
        return "password" in str(error).lower()
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, (PDFPasswordIncorrect, PDFEncryptionError)):
            return True
        nested = error.args[0] if error.args and isinstance(error.args[0], BaseException) else None
        error = nested or error.__cause__ or error.__context__
        seen += 1
    return False


def _encrypted(path: str, password: Optional[str]) -> InputError:
    if password:
        return InputError(path, "versleutelde PDF: het wachtwoord klopt niet", "controleer het wachtwoord bij --password")
    return InputError(
        path, "versleutelde PDF: er is een wachtwoord nodig om hem te openen",
        "geef het wachtwoord met --password, of verwijder de beveiliging",
    )


def _truncated(data: bytes) -> bool:
    """A PDF with objects whose end (%%EOF, possibly followed by some whitespace) is missing."""
    return b"%%EOF" not in data[-2048:] and b"endobj" in data


def _corrupt(path: str, data: bytes = b"") -> InputError:
    if data and _truncated(data):
        return InputError(
            path, "onvolledige PDF (het einde van het bestand ontbreekt, bijvoorbeeld door een afgebroken download)",
            "download of exporteer de PDF opnieuw",
        )
    return InputError(path, "beschadigde PDF", "exporteer of download de PDF opnieuw, of herstel hem met qpdf")


def check_pdf(path: str, data: bytes, options: ExtractOptions) -> int:
    """Open-level checks with pypdfium2, which reads no page content: password,
    damage and the page limit. Returns the page count."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(data, password=options.password or None)
    except pdfium.PdfiumError as error:
        code = getattr(error, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise _encrypted(path, options.password) from None
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise InputError(
                path, "PDF met een onbekende beveiliging", "verwijder de beveiliging en sla de PDF opnieuw op"
            ) from None
        raise _corrupt(path, data) from None
    try:
        count = len(document)
    finally:
        document.close()
    if count == 0:
        raise _corrupt(path, data)
    if options.max_pages and count > options.max_pages:
        raise InputError(
            path,
            f"PDF heeft {count} pagina's, meer dan de grens van {options.max_pages}",
            "verhoog de grens met --max-pages, of scan alleen het deel met het beleid",
        )
    return count


# Read pages through PDFium where its text can stand in for pdfplumber's (see
# fastpdf.py); False reads every page with pdfplumber, the reference the fast path
# is tested against.
FAST_PATH = True


class _PdfSource:
    """One open PDF: PDFium for the fast path, pdfplumber opened only when a page needs it."""

    def __init__(self, path: str, data: bytes, fast: bool, password: Optional[str] = None,
                 char_positions: bool = False):
        self.path = path
        self.data = data
        self.password = password
        self.char_positions = char_positions
        self._pdfium = None
        self._plumber = None
        self._plumber_pages = None
        if fast:
            import pypdfium2

            try:
                self._pdfium = pypdfium2.PdfDocument(data, password=password or None)
            except pypdfium2.PdfiumError as error:
                if getattr(error, "err_code", None) in (4, 5):  # FPDF_ERR_PASSWORD, FPDF_ERR_SECURITY
                    raise _encrypted(path, password) from None
                self._pdfium = None  # pdfplumber may still read it
        if self._pdfium is None:
            self._open_plumber()
            self.page_count = len(self._plumber_pages)
        else:
            self.page_count = len(self._pdfium)

    def _open_plumber(self):
        if self._plumber is not None:
            return
        import pdfplumber

        try:
            self._plumber = pdfplumber.open(io.BytesIO(self.data), password=self.password or "")
        except Exception as error:
            raise (_encrypted(self.path, self.password) if _is_encryption_error(error)
                   else _corrupt(self.path, self.data)) from None
        try:
            self._plumber_pages = self._plumber.pages
        except Exception as error:
            _close_quietly(self._plumber)
            raise (_encrypted(self.path, self.password) if _is_encryption_error(error)
                   else _corrupt(self.path, self.data)) from None

    def title(self) -> str:
        try:
            if self._pdfium is not None:
                return _clean_title(self._pdfium.get_metadata_dict().get("Title"))
            return _clean_title(self._plumber.metadata.get("Title"))
        except Exception:
            return ""

    def read_page(self, number: int) -> PageContent:
        if self._pdfium is not None:
            from .fastpdf import read_runs

            page = self._pdfium[number - 1]
            try:
                runs = read_runs(page, self.char_positions)
            finally:
                page.close()
            if runs is not None:
                words, has_images, width, height, table_page = runs
                content = PageContent(number, float(width), float(height), words=len(words))
                if not words:
                    content.has_images = has_images
                    return content
                if table_page is not None:
                    content.rows, areas = find_table_rows(table_page, number)
                    if areas:
                        words = [w for w in words if not _inside(w, areas)]
                content.lines = group_lines(words, number, content.height)
                return content
        self._open_plumber()
        page = self._plumber_pages[number - 1]
        try:
            return read_page(page, number)
        finally:
            page.close()

    def close(self) -> None:
        if self._plumber is not None:
            _close_quietly(self._plumber)
        if self._pdfium is not None:
            self._pdfium.close()


def read_pdf(
    path: str, data: bytes, options: Optional[ExtractOptions] = None, deadline: Optional[Deadline] = None
) -> tuple[list[Block], int, str, list[str]]:
    """Blocks, page count, metadata title and warnings of a PDF, read page by page."""
    # pdfminer logs every repair it makes ("MediaBox missing ..."); without logging set
    # up those would land on stderr as noise. Our own messages say what matters.
    logging.getLogger("pdfminer").addHandler(logging.NullHandler())
    options = options or ExtractOptions()
    deadline = deadline or Deadline(path, options.max_seconds)
    warnings: list[str] = []
    check_pdf(path, data, options)
    if _truncated(data):
        warnings.append("de PDF lijkt onvolledig (het einde van het bestand ontbreekt); er kan tekst ontbreken")
    source = _PdfSource(path, data, FAST_PATH, options.password, options.char_positions)
    try:
        title = source.title()
        page_count = source.page_count
        pages: list[PageContent] = []
        unreadable: list[int] = []
        for number in range(1, page_count + 1):
            deadline.check()
            try:
                pages.append(source.read_page(number))
            except InputError:
                raise
            except Exception as error:
                if _is_encryption_error(error):
                    raise _encrypted(path, options.password) from None
                unreadable.append(number)
                pages.append(PageContent(number, 0.0, 0.0))
    finally:
        source.close()
    if page_count == 0:
        raise _corrupt(path, data)
    if unreadable and len(unreadable) == page_count:
        raise _corrupt(path, data)
    ocr_done: list[int] = []
    if options.ocr:
        from .ocr import ocr_page

        for index, page in enumerate(pages):
            if not page.words and page.number not in unreadable:
                deadline.check()
                pages[index] = ocr_page(path, data, page.number, options.password, deadline.remaining())
                ocr_done.append(page.number)
        if ocr_done:
            warnings.append("tekst gelezen met OCR (Tesseract) op pagina " + _numbers(ocr_done) + "; controleer citaten")
    if not any(p.words for p in pages):
        from .ocr import no_text_layer

        raise no_text_layer(path)
    if unreadable:
        warnings.append("pagina's konden niet worden gelezen en zijn overgeslagen: " + _numbers(unreadable))
    scanned = [p.number for p in pages if not p.words and p.has_images]
    if scanned:
        warnings.append(
            "pagina's zonder tekstlaag (gescand?), niet gecontroleerd: " + _numbers(scanned) + " (lees ze met --ocr)"
        )
    unmapped = sum(line.unmapped for p in pages for line in p.lines)
    if unmapped >= 3:
        warnings.append(
            f"{unmapped} tekens zonder Unicode-koppeling zijn weggelaten; de tekst kan onvolledig zijn"
        )
    drop_running_lines(pages)
    return build_blocks(pages), page_count, title, warnings


def _close_quietly(pdf) -> None:
    """pdfplumber's close() touches `pages` again, which fails the same way on a damaged file."""
    try:
        pdf.close()
    except Exception:
        pass


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)
