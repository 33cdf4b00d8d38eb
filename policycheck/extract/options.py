"""Options and limits for reading one document.

The limits keep a run calm on what municipal folders hold: 900-page appendices,
files of hundreds of megabytes, documents that take minutes. Each one is a CLI
option (`--max-pages`, `--max-size`, `--timeout`); 0 switches a limit off.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional

from ..errors import InputError

MB = 1024 * 1024

# Defaults, documented in the README ("Difficult files").
DEFAULT_MAX_PAGES = 2000
DEFAULT_MAX_BYTES = 200 * MB
DEFAULT_MAX_SECONDS = 600.0


@dataclass(frozen=True)
class ExtractOptions:
    """How to read a document.

    password (str | None): the user password of an encrypted PDF.
    max_pages (int): refuse a PDF with more pages (0 = no limit).
    max_bytes (int): refuse a larger file, and a DOCX that unpacks to more (0 = no limit).
    max_seconds (float): stop working on one document after this long (0 = no limit).
    ocr (bool): read a PDF without a text layer with Tesseract (see extract/ocr.py).
    char_positions (bool): keep each character's position on PDF pages (Block.line_chars_x),
        which highlighting a clause needs; the fast path skips it otherwise.
    """

    password: Optional[str] = None
    max_pages: int = DEFAULT_MAX_PAGES
    max_bytes: int = DEFAULT_MAX_BYTES
    max_seconds: float = DEFAULT_MAX_SECONDS
    ocr: bool = False
    char_positions: bool = False


def format_size(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.0f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} kB"
    return f"{size} bytes"


@dataclass
class Deadline:
    """The time limit of one document, checked between units of work (pages, clauses).

    A check cannot interrupt a single slow step, so the limit can be passed by the
    time one page or clause takes.
    """

    path: str
    seconds: float
    started: float = field(default_factory=time.monotonic)

    def check(self) -> None:
        if self.seconds and time.monotonic() - self.started > self.seconds:
            raise InputError(
                self.path,
                f"verwerking duurde langer dan de grens van {self.seconds:g} seconden",
                "verhoog de grens met --timeout, of splits het document",
            )

    def remaining(self) -> Optional[float]:
        if not self.seconds:
            return None
        return max(0.0, self.seconds - (time.monotonic() - self.started))


def check_size(path: str, size: int, options: ExtractOptions) -> None:
    if options.max_bytes and size > options.max_bytes:
        raise InputError(
            path,
            f"bestand is {format_size(size)}, groter dan de grens van {format_size(options.max_bytes)}",
            "verhoog de grens met --max-size (in MB), of splits het document",
        )
