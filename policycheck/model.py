"""Plain data that flows between the stages: extract -> nlp/segment -> match -> report.

Nothing here imports a heavy library, so every stage (and the CLI's start-up)
can use these types cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

HEADING_SEPARATOR = " › "

# Block kinds, as shown by `policycheck extract`.
HEADING = "heading"
PARAGRAPH = "paragraph"
LIST_ITEM = "list_item"
TABLE_ROW = "table_row"
BLOCK_KINDS = (HEADING, PARAGRAPH, LIST_ITEM, TABLE_ROW)


@dataclass
class Box:
    """A rectangle on a PDF page, in PDF points, origin top-left (pdfplumber's convention)."""

    page: int  # 1-based page number
    x0: float
    top: float
    x1: float
    bottom: float

    def to_dict(self) -> dict:
        return {
            "page": self.page,
            "x0": round(self.x0, 2),
            "top": round(self.top, 2),
            "x1": round(self.x1, 2),
            "bottom": round(self.bottom, 2),
        }


@dataclass
class Block:
    """One unit of document text: a heading, paragraph, list item or table row.

    `start`/`end` are offsets into `Document.text`, where blocks are joined by a
    blank line. `page` is set for PDFs, `paragraph` (1-based index among the body
    paragraphs and table rows) for DOCX and text files.
    """

    index: int
    kind: str
    text: str
    heading_path: list[str] = field(default_factory=list)
    page: Optional[int] = None
    paragraph: Optional[int] = None
    level: Optional[int] = None  # heading level (1 = top) for kind == heading
    boxes: list[Box] = field(default_factory=list)
    # One box per line of text, with the character offsets (into `text`) it covers;
    # lets later outputs highlight just a clause, not the whole block.
    line_spans: list[tuple[int, int]] = field(default_factory=list)
    # Per line (PDF), the x0 and x1 of each character of that line's text, interleaved
    # (an `array('f')`; empty when unknown): a clause's highlight starts and ends at
    # its own characters, not at the ends of the line.
    line_chars_x: list = field(default_factory=list)
    # Where the block sits in the source file, for writing back into it: for DOCX the
    # index of its paragraph or table among the body elements (`extract.docx.iter_body`)
    # and, for a table row, the row's index in that table.
    source: Optional[tuple[int, ...]] = None
    start: int = 0
    end: int = 0

    @property
    def heading_path_text(self) -> str:
        return HEADING_SEPARATOR.join(self.heading_path)

    def location_label(self) -> str:
        """Short Dutch location, e.g. 'p. 3' or '¶ 12'."""
        if self.page is not None:
            return f"p. {self.page}"
        if self.paragraph is not None:
            return f"¶ {self.paragraph}"
        return f"blok {self.index + 1}"

    def to_dict(self) -> dict:
        data = {
            "index": self.index,
            "kind": self.kind,
            "text": self.text,
            "heading_path": list(self.heading_path),
            "page": self.page,
            "paragraph": self.paragraph,
            "start": self.start,
            "end": self.end,
        }
        if self.level is not None:
            data["level"] = self.level
        if self.boxes:
            data["boxes"] = [box.to_dict() for box in self.boxes]
        return data


@dataclass
class Document:
    """What extraction read from one file."""

    path: str
    sha256: str
    format: str  # pdf | docx | text
    blocks: list[Block] = field(default_factory=list)
    title: str = ""
    pages: Optional[int] = None
    warnings: list[str] = field(default_factory=list)

    def finalise(self) -> "Document":
        """Number the blocks and compute their offsets into `text`."""
        offset = 0
        for index, block in enumerate(self.blocks):
            block.index = index
            block.start = offset
            block.end = offset + len(block.text)
            offset = block.end + 2  # blocks are joined by "\n\n"
        if not self.title:
            self.title = next((b.text for b in self.blocks if b.kind == HEADING), "")
        return self

    @property
    def text(self) -> str:
        return "\n\n".join(block.text for block in self.blocks)


@dataclass
class Evidence:
    """What triggered a finding: the matched text and the condition that matched it."""

    text: str
    condition: str
    start: int  # offsets into the finding's clause text
    end: int

    def to_dict(self) -> dict:
        return {"text": self.text, "condition": self.condition, "start": self.start, "end": self.end}


@dataclass
class Finding:
    """One rule that fired, on one clause (or on the whole document for `ontbrekend`)."""

    rule_id: str
    title: str
    topic: str
    polarity: str
    severity: str
    step: int
    message: str
    recommendation: str
    references: list  # list of rules.Reference
    fingerprint: str
    text: str = ""  # the clause; empty for document-level findings
    block_index: Optional[int] = None
    page: Optional[int] = None
    paragraph: Optional[int] = None
    heading_path: list[str] = field(default_factory=list)
    start: Optional[int] = None  # offsets into Document.text
    end: Optional[int] = None
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def document_level(self) -> bool:
        return self.block_index is None

    def location_label(self) -> str:
        if self.document_level:
            return "hele document"
        parts = []
        if self.page is not None:
            parts.append(f"p. {self.page}")
        elif self.paragraph is not None:
            parts.append(f"¶ {self.paragraph}")
        if self.heading_path:
            parts.append(HEADING_SEPARATOR.join(self.heading_path))
        return ", ".join(parts)

    def to_dict(self) -> dict:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "topic": self.topic,
            "polarity": self.polarity,
            "severity": self.severity,
            "step": self.step,
            "text": self.text,
            "location": {
                "document_level": self.document_level,
                "block_index": self.block_index,
                "page": self.page,
                "paragraph": self.paragraph,
                "heading_path": list(self.heading_path),
                "start": self.start,
                "end": self.end,
            },
            "message": self.message,
            "recommendation": self.recommendation,
            "references": [ref.to_dict() for ref in self.references],
            "evidence": [ev.to_dict() for ev in self.evidence],
            "fingerprint": self.fingerprint,
        }


# The eight steps of the plan for a social-enterprise-friendly municipality (KplusV,
# as published by Consultancy.nl on 31 October 2016). Rules name the step they serve.
PLAN_STEPS = {
    1: "Kartrekkers aanwijzen en bestuurlijk draagvlak",
    2: "Sleutelfiguren bijeenbrengen en nulmeting",
    3: "Integrale visie ontwikkelen",
    4: "Visie toetsen bij belanghebbenden",
    5: "Beleid aanpassen op basis van de visie",
    6: "Verankeren in de organisatie",
    7: "Netwerken en samenwerking",
    8: "Impact monitoren",
}
