"""Split block text into clauses (sentences), keeping character offsets.

Policy prose defeats a naive split on full stops: `art. 2.82`, `o.a.`, `m.b.t.`,
`€ 221.000,-`, `lid 2 onder b` and list labels like `2.` or `b.` all contain or end
in a dot without ending a sentence. This module is pure Python (no spaCy), so it is
cheap and behaves the same with every NLP pipeline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations that end in a dot but do not end a sentence (lower case, without
# the final dot). Multi-dot forms are matched as a whole word, e.g. "m.b.t".
ABBREVIATIONS = frozenset(
    """
    art artt afd alg bijv bv b.v ca c.q d.d d.w.z dhr dr drs e.a e.d e.e.a e.v enz
    etc evt excl gem i.c i.e i.h.a i.o i.p.v i.s.m i.v.m inc incl ir jl jo jr juncto
    lid max m.a.w m.b.t m.i.v m.n mevr min mr nl nr nrs o.a o.b.v o.g.v o.i.d o.m
    p pag par resp s.v.p stb stcrt t.a.v t.b.v t.g.v t.o.v t.w tel vgl vlg vnl vs
    z.o.z z.s.m zgn gmb no
    """.split()
)

# A list label at the start of a block: "1.", "2)", "a.", "b)", "1°", "iv.", "•", "-".
LIST_LABEL = re.compile(r"^\s*(?:(?:\d{1,3}|[a-zA-Z]|[ivxlc]{1,6})[.)°]|\d{1,3}°|[-•*–])\s+")

# A candidate boundary: sentence-final punctuation, optional closing quote or
# bracket, whitespace, then something that can start a sentence.
_BOUNDARY = re.compile(r"([.!?…])([\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ€§])")
_WORD_BEFORE = re.compile(r"([\w.\-]+)$")
# A clause longer than this (a line without full stops, a table dumped as one
# paragraph) is cut at spaces into pieces of at most this size, so that matching
# stays fast and spaCy's length limit is never reached.
MAX_CLAUSE_CHARS = 2000

# Words after which a single letter is a reference ("lid 2 onder b."), so its dot can end a sentence.
_REFERENCE_WORDS = {"onder", "sub", "onderdeel", "letter", "punt"}


@dataclass(frozen=True)
class Clause:
    """A sentence of one block. `start`/`end` are offsets into the block's text."""

    text: str
    start: int
    end: int


def _ends_sentence(text: str, dot_index: int) -> bool:
    """Decide whether the '.' at dot_index ends a sentence."""
    # Only the word before the dot matters; a bounded window keeps this linear on long lines.
    match = _WORD_BEFORE.search(text, max(0, dot_index - 100), dot_index)
    if not match:
        return True
    word = match.group(1)
    bare = word.rstrip(".").lower()
    if bare in ABBREVIATIONS:
        return False
    if re.fullmatch(r"(?:[a-z]\.)+[a-z]", bare):  # any dotted abbreviation: "z.o.z", "a.s"
        return False
    if len(bare) == 1 and bare.isalpha():
        before = text[: match.start()].rstrip().rsplit(" ", 1)[-1].lower()
        if before in _REFERENCE_WORDS:
            return True
        return False  # initial ("J. de Vries") or list label
    if re.fullmatch(r"[ivxlc]+", bare) and match.start() == 0:
        return False  # roman list label at the start
    if bare.isdigit() and match.start() == 0:
        return False  # numbered lid at the start: "2. De aanvraag ..."
    return True


def split_clauses(text: str) -> list[Clause]:
    """Split one block's text into sentences with offsets; never loses text."""
    clauses: list[Clause] = []
    label = LIST_LABEL.match(text)
    search_from = label.end() if label else 0
    start = 0
    for match in _BOUNDARY.finditer(text, search_from):
        punct_index = match.start(1)
        if match.group(1) == "." and not _ends_sentence(text, punct_index):
            continue
        end = match.end(2)
        _add(clauses, text, start, end)
        start = match.end(3)
    _add(clauses, text, start, len(text))
    return clauses


def _add(clauses: list[Clause], text: str, start: int, end: int) -> None:
    for piece_start, piece_end in _split_long(text, start, end):
        if text[piece_start:piece_end].strip():
            clauses.append(_clause(text, piece_start, piece_end))


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) pieces of at most MAX_CLAUSE_CHARS, cut at a space where there is one."""
    pieces = []
    while end - start > MAX_CLAUSE_CHARS:
        cut = text.rfind(" ", start + MAX_CLAUSE_CHARS // 2, start + MAX_CLAUSE_CHARS)
        if cut <= start:
            cut = start + MAX_CLAUSE_CHARS
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def _clause(text: str, start: int, end: int) -> Clause:
    # Trim surrounding whitespace but keep offsets exact.
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Clause(text[start:end], start, end)
