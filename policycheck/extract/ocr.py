"""OCR for scanned PDF pages with Tesseract (`--ocr`), when it is installed with Dutch.

Each page without a text layer is rendered with pypdfium2 and read by the
`tesseract` command (TSV output: words with their boxes). The words become the
same `Line`s the PDF text path produces, so running headers, headings, blocks and
boxes work as for any PDF. Tesseract runs as a separate process with a time limit.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import subprocess
import tempfile
from typing import Optional

from ..errors import InputError

LANGUAGE = "nld"
DPI = 300
OCR_FONT_SIZE = 10.0  # OCR gives no font sizes; one size keeps headings to their wording
MIN_CONFIDENCE = 30.0
INSTALL_HINT = "installeer Tesseract met Nederlands (Debian/Ubuntu: apt install tesseract-ocr tesseract-ocr-nld)"


@functools.lru_cache(maxsize=1)
def tesseract_command() -> Optional[str]:
    """The tesseract program when it is installed with Dutch language data, else None."""
    program = shutil.which("tesseract")
    if not program:
        return None
    try:
        listed = subprocess.run(
            [program, "--list-langs"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    languages = {line.strip() for line in (listed.stdout + listed.stderr).splitlines()}
    return program if LANGUAGE in languages else None


def no_text_layer(path: str) -> InputError:
    """The message for a PDF without any text: points to --ocr or to installing OCR."""
    if tesseract_command():
        hint = "lees hem met OCR: policycheck scan --ocr (Tesseract met Nederlands is geïnstalleerd)"
    else:
        hint = f"maak de PDF doorzoekbaar met OCR, bijvoorbeeld ocrmypdf -l nld in.pdf uit.pdf, of {INSTALL_HINT} en gebruik --ocr"
    return InputError(path, "geen tekstlaag gevonden (gescande PDF?)", hint)


def require_tesseract(path: str) -> str:
    program = tesseract_command()
    if not program:
        raise InputError(path, "--ocr gevraagd, maar Tesseract met Nederlands is niet gevonden", INSTALL_HINT)
    return program


def ocr_page(path: str, data: bytes, number: int, password: Optional[str], timeout: Optional[float]):
    """OCR one page (1-based `number`) into a PageContent with Lines, as the PDF text path makes."""
    import pypdfium2 as pdfium

    from .normalize import normalize_text
    from .pdf import Line, PageContent

    program = require_tesseract(path)
    document = pdfium.PdfDocument(data, password=password or None)
    try:
        page = document[number - 1]
        width, height = page.get_size()
        image = page.render(scale=DPI / 72).to_pil()
        page.close()
    finally:
        document.close()
    with tempfile.TemporaryDirectory(prefix="policycheck-ocr-") as folder:
        image_path = os.path.join(folder, "page.png")
        image.save(image_path)
        try:
            result = subprocess.run(
                [program, image_path, "stdout", "-l", LANGUAGE, "--dpi", str(DPI), "tsv"],
                capture_output=True, timeout=timeout if timeout else None, check=False,
            )
        except subprocess.TimeoutExpired:
            raise InputError(
                path, f"OCR van pagina {number} duurde langer dan de tijdsgrens",
                "verhoog de grens met --timeout",
            ) from None
    if result.returncode != 0:
        problem = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(path, f"OCR van pagina {number} mislukt ({problem[-1] if problem else result.returncode})")
    scale = 72 / DPI
    lines: dict[tuple, list[dict]] = {}
    reader = csv.DictReader(io.StringIO(result.stdout.decode("utf-8", "replace")), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        try:
            confidence = float(row["conf"])
            left, top, w, h = (float(row[k]) * scale for k in ("left", "top", "width", "height"))
        except (KeyError, ValueError):
            continue
        if confidence < MIN_CONFIDENCE:
            continue
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        lines.setdefault(key, []).append({"text": text, "x0": left, "top": top, "x1": left + w, "bottom": top + h})
    content = PageContent(number, float(width), float(height))
    for words in lines.values():
        text = normalize_text(" ".join(w["text"] for w in words))
        if not text:
            continue
        content.lines.append(Line(
            page=number, text=text,
            x0=min(w["x0"] for w in words), top=min(w["top"] for w in words),
            x1=max(w["x1"] for w in words), bottom=max(w["bottom"] for w in words),
            size=OCR_FONT_SIZE, bold=False, chars=len(text),
            text_x0=words[1]["x0"] if len(words) > 1 else words[0]["x0"],
        ))
    content.lines.sort(key=lambda line: (line.top, line.x0))
    content.words = sum(len(w) for w in lines.values())
    return content
