"""Extraction: a PDF, DOCX or text file -> `Document` of blocks.

    from policycheck.extract import extract
    doc = extract("inkoopbeleid.pdf")

The format is sniffed from the bytes, not the extension. Every unreadable input
raises `InputError` with a Dutch message. pdfplumber and python-docx are only
imported when a file of that kind is read, so importing this package is cheap.
`ExtractOptions` carries a PDF password, the limits (pages, size, time) and `ocr`.
"""

from __future__ import annotations

import hashlib
import os

from ..errors import InputError
from ..model import HEADING, Document
from .language import language_warning
from .options import Deadline, ExtractOptions, check_size
from .sniff import DOCX, PDF, decode_text, extension_warning, sniff_format
from .structure import assign_heading_paths, classify_heading

__all__ = [
    "extract", "ExtractOptions", "sniff_format", "classify_heading", "assign_heading_paths", "read_input",
]

STDIN_PATHS = ("-", "<stdin>")
_TITLE_MAX_CHARS = 200


def read_input(path: str, options: ExtractOptions | None = None) -> bytes:
    """The bytes of `path`, or InputError for a missing file, a folder, no access,
    or a file over the size limit (checked before reading)."""
    options = options or ExtractOptions()
    try:
        with open(path, "rb") as handle:
            check_size(path, os.fstat(handle.fileno()).st_size, options)
            return handle.read(options.max_bytes + 1 if options.max_bytes else -1)
    except FileNotFoundError:
        raise InputError(path, "bestand niet gevonden") from None
    except IsADirectoryError:
        raise InputError(path, "dit is een map, geen bestand", "geef een PDF-, DOCX- of tekstbestand op") from None
    except PermissionError:
        if os.path.isdir(path):  # Windows reports a folder as "permission denied"
            raise InputError(path, "dit is een map, geen bestand", "geef een PDF-, DOCX- of tekstbestand op") from None
        raise InputError(path, "geen toestemming om het bestand te lezen", "controleer de bestandsrechten") from None
    except OSError as error:
        raise InputError(path, f"bestand kan niet worden gelezen ({error.strerror or error})") from None


def _first_line(blocks) -> str:
    for block in blocks:
        line = block.text.strip().split("\n", 1)[0]
        if line:
            return line[:_TITLE_MAX_CHARS]
    return ""


def extract(path: str, data: bytes | None = None, options: ExtractOptions | None = None) -> Document:
    """Read one document into blocks.

    path (str): file path; with `data` only used in messages ("-"/"<stdin>" for stdin).
    data (bytes | None): the file's bytes, when already read.
    options (ExtractOptions | None): password, limits and OCR; defaults when None.
    RETURNS (Document): finalised, with sha256, format, title, pages (PDF), warnings.
    Raises InputError when the input cannot be read or a limit is exceeded.
    """
    path = str(path)
    options = options or ExtractOptions()
    deadline = Deadline(path, options.max_seconds)
    if data is None:
        data = read_input(path, options)
    check_size(path, len(data), options)  # the file may have grown while being read
    fmt = sniff_format(data, path)
    warnings: list[str] = []
    if path not in STDIN_PATHS:
        mismatch = extension_warning(path, fmt)
        if mismatch:
            warnings.append(mismatch)
    pages = None
    title = ""
    if fmt == PDF:
        from .pdf import read_pdf

        blocks, pages, title, pdf_warnings = read_pdf(path, data, options, deadline)
        warnings += pdf_warnings
    elif fmt == DOCX:
        from .docx import read_docx_blocks
        from .package import inspect_package

        package = inspect_package(path, data, options.max_bytes)
        if package.has_macros:
            warnings.append("het document bevat macro's; die zijn genegeerd en niet uitgevoerd")
        blocks, core_title = read_docx_blocks(path, data)
        if not blocks:
            warnings.append("het document bevat geen tekst")
        title = next((b.text for b in blocks if b.kind == HEADING), "") or core_title
    else:
        from .text import extract_text

        decoded = decode_text(data)
        assert decoded is not None  # sniff_format said it is text
        text, encoding = decoded
        if encoding == "cp1252":
            warnings.append("tekst is geen UTF-8; gelezen als Windows-1252")
        blocks = extract_text(path, text)
    deadline.check()
    language = language_warning((b.text for b in blocks), fmt)
    if language:
        warnings.append(language)
    assign_heading_paths(blocks)
    if not title:
        title = next((b.text for b in blocks if b.kind == HEADING), "") or _first_line(blocks)
    document = Document(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        blocks=blocks,
        title=title[:_TITLE_MAX_CHARS],
        pages=pages,
        warnings=warnings,
    )
    return document.finalise()
