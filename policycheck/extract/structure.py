"""Dutch policy structure: Hoofdstuk › Paragraaf › Artikel › lid › onderdeel.

`classify_heading` recognises numbered headings from their wording;
`assign_heading_paths` gives every block the path of headings it sits under.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Hashable, Optional, Sequence

from ..model import HEADING, LIST_ITEM, PARAGRAPH, Block

_NUMBER = r"(?:\d+(?:[.:]\d+)*[a-z]?|[IVXLC]+)(?![\w])"
_HEADING_RE = re.compile(
    r"^(?P<word>hoofdstuk|titel|paragraaf|par\.|afdeling|artikel|art\.|§)"
    r"\s*(?P<num>" + _NUMBER + r")\.?"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
_LEVELS = {
    "hoofdstuk": 1,
    "titel": 1,
    "paragraaf": 2,
    "par.": 2,
    "§": 2,
    "afdeling": 2,
    "artikel": 3,
    "art.": 3,
}
ARTICLE_LEVEL = 3
_MAX_HEADING_CHARS = 120
_MAX_TITLE_WORDS = 14

# Markers of a numbered paragraph (lid) and of an item (onderdeel) inside an article.
_LID_RE = re.compile(r"^(\d{1,2})[.)]\s+\S")
_ONDER_RE = re.compile(r"^\(?([a-z])[.)]\s+\S")
_SUB_RE = re.compile(r"^(\d{1,2})°\s*\S")


def _match(text: str) -> Optional[tuple[str, int, str]]:
    """(word, level, label) when `text` reads like a numbered Dutch heading."""
    text = " ".join(text.split())
    if not text or len(text) > _MAX_HEADING_CHARS:
        return None
    m = _HEADING_RE.match(text)
    if not m:
        return None
    word = m.group("word").lower()
    num = m.group("num")
    if word != "§" and not text[len(m.group("word")) :][:1].isspace():
        return None  # `Artikel12` is no heading, `§2` is
    if num.isalpha() and word in ("artikel", "art.", "§", "paragraaf", "par."):
        return None  # roman numerals only for Hoofdstuk/Titel/Afdeling
    if num.isalpha() and m.group("num") != num.upper():
        return None
    title = m.group("rest").strip()
    title = title.lstrip("-–—:.").strip()
    if title:
        first = title[0]
        if first.islower():
            return None  # `Artikel 12 lid 2 is van toepassing`
        if len(title.split()) > _MAX_TITLE_WORDS:
            return None
        if title[-1] in ",;":
            return None
        if title[-1] == "." and len(title.split()) > 3:
            return None  # a sentence, not a title
    label = text.rstrip(" .:")
    return word, _LEVELS[word], label


def classify_heading(text: str) -> Optional[tuple[int, str]]:
    """Recognise a numbered Dutch heading.

    text (str): one line or block of text.
    RETURNS (level, label) or None: level 1 for Hoofdstuk/Titel, 2 for
    Paragraaf/§/Afdeling, 3 for Artikel/Art.; label is the heading text with
    whitespace collapsed and trailing `.`/`:` removed, e.g. "Artikel 12 Weigeringsgronden".
    """
    found = _match(text)
    if found is None:
        return None
    return found[1], found[2]


def _heading_label(text: str) -> str:
    return " ".join(text.split()).rstrip(" :")


def assign_heading_paths(blocks: list[Block]) -> list[Block]:
    """Give every block its `heading_path`, in place, and return the list.

    A heading's level comes from its wording (`classify_heading`) or else from
    its layout level (`block.level`, default 1). A heading replaces the path
    from its level down; its own path includes itself. Paragraphs that read like
    a numbered heading are promoted to headings. Inside an article, blocks that
    start with `1.` add `lid 1`, and blocks that start with `a.` or `1°` add
    `onder a` / `onder 1°` to their own path.
    """
    stack: list[tuple[int, str]] = []
    in_article = False
    lid: Optional[str] = None
    onder: Optional[str] = None
    for block in blocks:
        if block.kind == PARAGRAPH:
            found = _match(block.text)
            if found is not None:
                block.kind = HEADING
                block.level = found[1]
        if block.kind == HEADING:
            found = _match(block.text)
            if found is not None:
                level, label = found[1], found[2]
                block.level = found[1]
            else:
                level, label = block.level or 1, _heading_label(block.text)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, label))
            in_article = found is not None and found[1] == ARTICLE_LEVEL
            lid = onder = None
            block.heading_path = [entry[1] for entry in stack]
            continue
        path = [entry[1] for entry in stack]
        if in_article and block.kind in (PARAGRAPH, LIST_ITEM):
            text = block.text.lstrip()
            m_lid = _LID_RE.match(text)
            m_onder = _ONDER_RE.match(text)
            m_sub = _SUB_RE.match(text)
            if m_lid:
                lid, onder = f"lid {m_lid.group(1)}", None
            elif m_onder:
                onder = f"onder {m_onder.group(1)}"
            elif m_sub:
                sub = f"{m_sub.group(1)}°"
                if onder and not onder.endswith("°"):
                    onder = f"{onder.split(',')[0]}, {sub}"
                else:
                    onder = f"onder {sub}"
            elif block.kind == PARAGRAPH:
                lid = onder = None
            path += [x for x in (lid, onder) if x]
        block.heading_path = path
    return blocks


def harmonise_heading_levels(blocks: Sequence[Block], style_keys: Sequence[Optional[Hashable]]) -> None:
    """Give unnumbered headings the level of numbered headings that look the same.

    blocks (Sequence[Block]): the document's blocks.
    style_keys (Sequence): per block, what its heading looks like (a DOCX style
    name, a PDF (size, bold) pair) or None.
    A `Toelichting` heading set in the same style as `Hoofdstuk 5` gets level 1,
    an `Algemeen` set like `Artikel 14` gets level 3, so both scales agree.
    """
    votes: dict[Hashable, Counter] = {}
    for block, key in zip(blocks, style_keys):
        if block.kind == HEADING and key is not None:
            found = _match(block.text)
            if found is not None:
                votes.setdefault(key, Counter())[found[1]] += 1
    for block, key in zip(blocks, style_keys):
        if block.kind == HEADING and key in votes and _match(block.text) is None:
            block.level = votes[key].most_common(1)[0][0]


__all__ = ["classify_heading", "assign_heading_paths", "harmonise_heading_levels", "ARTICLE_LEVEL"]
