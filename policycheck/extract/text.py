"""Plain text and Markdown (.txt, .md, stdin) -> blocks."""

from __future__ import annotations

import re

from ..errors import InputError
from ..model import HEADING, LIST_ITEM, PARAGRAPH, TABLE_ROW, Block
from .normalize import join_lines, normalize_text
from .structure import classify_heading

# `- x`, `* x`, `• x`, `a. x`, `a) x`, `(a) x`, `1. x`, `1) x`, `1° x`, `12.3 x` is not one.
LIST_MARKER_RE = re.compile(r"^(?:[-*•–·▪]\s+|\(?[a-z][.)]\s+|\(?\d{1,3}[.)]\s+|\d{1,3}°\s*)(?=\S)")
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_TABLE_SEPARATOR_RE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_FENCE_RE = re.compile(r"^\s*(```|~~~)")
# A list marker with nothing after it ("• -" on a line of its own, as web pages
# copied to text often have): its text is on the next line.
# ("---" is a Markdown rule, not a marker).
_BARE_MARKER_RE = re.compile(r"^[-*•–·▪](?:\s*[-–])?$|^\(?(?:[a-z]|\d{1,3})[.)°]\s*[-–]?$")


def _table_cells(line: str) -> list[str]:
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    cells = re.split(r"(?<!\\)\|", inner)
    return [normalize_text(cell.replace("\\|", "|")) for cell in cells]


def parse_text(text: str) -> list[Block]:
    """Split text into blocks: blank lines end a block, list markers start one.

    Markdown `#` headings become heading blocks with their level, `| a | b |`
    rows become table rows (`a | b`), separator rows are dropped. A short line
    that reads like a numbered heading (`Artikel 2 Gunning`) is a heading block
    of its own. `paragraph` is the 1-based index of each block.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[Block] = []
    current: list[str] = []
    current_kind = PARAGRAPH

    def flush() -> None:
        nonlocal current, current_kind
        if current:
            joined = join_lines(current)
            if joined and not _BARE_MARKER_RE.match(joined):
                blocks.append(Block(index=0, kind=current_kind, text=joined))
        current = []
        current_kind = PARAGRAPH

    def waiting_for_item_text() -> bool:
        return current_kind == LIST_ITEM and bool(_BARE_MARKER_RE.match(" ".join(current)))

    def emit(kind: str, body: str, level: int | None = None) -> None:
        flush()
        body = normalize_text(body)
        if body:
            blocks.append(Block(index=0, kind=kind, text=body, level=level))

    for raw in text.split("\n"):
        line = normalize_text(raw)
        if not line:
            if not waiting_for_item_text():
                flush()
            continue
        if _MD_FENCE_RE.match(line):
            flush()
            continue
        heading = _MD_HEADING_RE.match(line)
        if heading and heading.group(2):
            emit(HEADING, heading.group(2), len(heading.group(1)))
            continue
        if line.startswith("|") and line.count("|") >= 2:
            if _MD_TABLE_SEPARATOR_RE.match(line):
                continue
            cells = _table_cells(line)
            if any(cells):
                emit(TABLE_ROW, " | ".join(cells))
            continue
        found = classify_heading(line)
        if found is not None and (not current or current[-1][-1] in ".:;!?"):
            emit(HEADING, line, found[0])
            continue
        if LIST_MARKER_RE.match(line) or (_BARE_MARKER_RE.match(line) and not waiting_for_item_text()):
            flush()
            current_kind = LIST_ITEM
        current.append(line)
    flush()

    for number, block in enumerate(blocks, start=1):
        block.paragraph = number
    return blocks


def extract_text(path: str, text: str) -> list[Block]:
    blocks = parse_text(text)
    if not blocks:
        raise InputError(path, "leeg bestand", "het bestand bevat alleen witruimte")
    return blocks
