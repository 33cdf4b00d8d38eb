"""Text clean-up shared by all extractors: ligatures, odd spaces, hyphenation.

Pure string functions, no heavy imports.
"""

from __future__ import annotations

import re

_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",  # long s + t
    "\ufb06": "st",
}

# Characters that look like (or stand for) a space: NBSP, the U+2000 block,
# narrow NBSP, medium math space, ideographic space, tab and friends.
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\v\f"
# Invisible characters that carry no text: soft hyphen, zero-width space/joiners, BOM.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"

# Control characters (C0 except tab/newline/carriage return, DEL, C1) carry no text
# and could drive a terminal (escape sequences) when a report is printed.
_CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0E, 0x0F, *range(0x10, 0x20), *range(0x7F, 0xA0)]
                    if chr(c) not in "\t\n\r\v\f")

_TRANSLATE = str.maketrans(
    {**_LIGATURES, **{c: " " for c in _SPACES}, **{c: None for c in _INVISIBLE + _CONTROLS}}
)
_UNPRINTABLE_RE = re.compile(f"[{re.escape(_CONTROLS)}\t\n\r\v\f]")
_MULTI_SPACE = re.compile(r" {2,}")

# Hyphen-like characters that may end a line in a broken word.
_LINE_HYPHENS = "-\u2010\u2011"
# A Dutch suspended compound continues with a conjunction: `inkoop- en aanbestedingsbeleid`.
_CONJUNCTION = re.compile(r"(?:en/of|en|of|tot|noch|als|dan)(?=[\s,;:.]|$)")


def normalize_text(s: str) -> str:
    """Replace ligatures and odd spaces, drop soft hyphens and control characters,
    collapse runs of spaces.

    Newlines are kept; spaces around them and at both ends are removed.
    Curly quotes and dashes are left alone.
    """
    s = s.translate(_TRANSLATE)
    s = _MULTI_SPACE.sub(" ", s)
    if "\n" in s:
        s = "\n".join(part.strip(" ") for part in s.split("\n"))
    return s.strip(" ")


def normalize_with_offsets(s: str) -> tuple[str, list[int]]:
    """`normalize_text(s)` and, for each of its characters, the index in `s` it came from.

    Lets the annotators map a finding's offsets in the extracted text back to the
    characters of the source file (a DOCX run, a PDF glyph). A ligature's letters all
    point at the ligature.
    """
    translated = s.translate(_TRANSLATE)
    if translated == s and "  " not in s and s == s.strip(" ") and " \n" not in s and "\n " not in s:
        return s, list(range(len(s)))  # already normal: the common case
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(s):
        for piece in char.translate(_TRANSLATE):
            if piece == " " and (not out or out[-1] in " \n"):
                continue  # leading, repeated, or right after a newline
            if piece == "\n":
                while out and out[-1] == " ":
                    out.pop()
                    origin.pop()
            out.append(piece)
            origin.append(index)
    while out and out[-1] == " ":
        out.pop()
        origin.pop()
    return "".join(out), origin


def printable(s: str) -> str:
    """One safe line for a terminal: control characters (also in file names) shown as `\\xNN`."""
    return _UNPRINTABLE_RE.sub(lambda m: "\\x%02x" % ord(m.group(0)), s)


def _ends_in_word_hyphen(line: str) -> bool:
    """True when `line` ends in a hyphen glued to a letter or digit (`aanbe-`), not in `€ 100,-`."""
    return len(line) >= 2 and line[-1] in _LINE_HYPHENS and line[-2].isalnum()


def _joiner(prev: str, nxt: str, soft: bool) -> tuple[bool, str]:
    """How to glue line `prev` to line `nxt`.

    Returns (drop_last_char_of_prev, separator).
    """
    if soft:  # the line ended in a soft hyphen: always a broken word
        return False, ""
    if not _ends_in_word_hyphen(prev):
        return False, " "
    if _CONJUNCTION.match(nxt):
        return False, " "  # inkoop- en aanbestedingsbeleid
    first = nxt[0]
    if prev[-2].isupper() or prev[-2].isdigit() or first.isupper() or first.isdigit() or not first.isalpha():
        return False, ""  # Noord-Holland, SW-bedrijf, 2025-2028, A4-formaat
    return True, ""  # aanbe-steding -> aanbesteding


def join_lines_with_spans(lines: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join the lines of one paragraph and say which characters each line became.

    Returns the text and, per input line, the (start, end) offsets in that text.
    Empty lines give an empty span at the current position.
    """
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    prev = ""
    prev_soft = False
    for raw in lines:
        stripped = raw.rstrip()
        soft = stripped.endswith("\u00ad")
        line = normalize_text(raw).replace("\n", " ")
        if not line:
            spans.append((length, length))
            continue
        if parts:
            drop, sep = _joiner(prev, line, prev_soft)
            if drop:
                parts[-1] = parts[-1][:-1]
                length -= 1
                _fix_last_span(spans, length)
            parts.append(sep)
            length += len(sep)
        spans.append((length, length + len(line)))
        parts.append(line)
        length += len(line)
        prev, prev_soft = line, soft
    return "".join(parts), spans


def _fix_last_span(spans: list[tuple[int, int]], length: int) -> None:
    """After dropping a hyphen, clip every span that ran past the new end."""
    for i in range(len(spans) - 1, -1, -1):
        start, end = spans[i]
        if end <= length:
            break
        spans[i] = (min(start, length), length)


def join_lines(lines: list[str]) -> str:
    """Join the lines of one paragraph, repairing end-of-line hyphenation.

    `aanbe-` + `steding` -> `aanbesteding`; `inkoop-` + `en aanbestedingsbeleid`
    -> `inkoop- en aanbestedingsbeleid`; `Noord-` + `Holland` -> `Noord-Holland`.
    """
    return join_lines_with_spans(lines)[0]
