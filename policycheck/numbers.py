"""Quantities in Dutch policy text: amounts, percentages, durations, multiples.

`find_quantities(text)` returns every quantity with its unit, value and character
span, so rules can compare them with thresholds: a payment term above 30 days, a
turnover requirement above three times the contract value.

Dutch writes `5.000.000` and `221.000,-` (dot for thousands, comma for decimals),
`1,5 miljoen`, `dertig dagen`, `driemaal de opdrachtwaarde`, `300% van de
opdrachtwaarde`. All of these are understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = ("amount", "percent", "days", "weeks", "months", "years", "multiple")

_WORD_NUMBERS = {
    "een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
    "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14,
    "vijftien": 15, "zestien": 16, "zeventien": 17, "achttien": 18, "negentien": 19,
    "twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60, "zeventig": 70,
    "tachtig": 80, "negentig": 90, "honderd": 100, "anderhalf": 1.5, "half": 0.5,
}
_SCALE_WORDS = {"duizend": 1_000, "miljoen": 1_000_000, "mln": 1_000_000, "miljard": 1_000_000_000, "mld": 1_000_000_000}
_MULTIPLE_WORDS = {"eenmaal": 1, "tweemaal": 2, "driemaal": 3, "viermaal": 4, "vijfmaal": 5, "dubbele": 2, "drievoudige": 3}

# A numeral: 5.000.000 | 221.000,- | 1,5 | 30 | 2.82 is not a numeral here (handled below).
_NUMERAL = r"(?<![\d.,])(?:\d{1,3}(?:\.\d{3})+(?:,(?:\d+|-{1,2}))?|\d+(?:,(?:\d+|-{1,2}))?)"
# Thousands grouped with (non-breaking) spaces; only read as an amount next to € / EUR / euro.
_SPACED = r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d])"
_WORD_NUMERAL = r"\b(?:" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")\b"
_VALUE = rf"(?:{_NUMERAL}|{_WORD_NUMERAL})"
_SCALE = r"(?:\s*(?:" + "|".join(_SCALE_WORDS) + r")\b)?"
_CONTRACT_VALUE = (
    r"(?:de\s+|het\s+)?(?:geraamde\s+|totale\s+|jaarlijkse\s+)*"
    r"(?:opdrachtwaarde|opdrachtsom|aanneemsom|contractwaarde|waarde\s+van\s+(?:de|het)\s+(?:opdracht|perceel|contract))"
)

_PATTERNS = [
    # multiples of the contract value: "drie keer de opdrachtwaarde", "2x de opdrachtwaarde", "driemaal de ..."
    ("multiple", re.compile(rf"(?P<value>{_VALUE})\s*(?:keer|maal|x|×)\s+{_CONTRACT_VALUE}", re.I)),
    ("multiple", re.compile(rf"\b(?P<word>{'|'.join(_MULTIPLE_WORDS)})\s+{_CONTRACT_VALUE}", re.I)),
    ("multiple_percent", re.compile(rf"(?P<value>{_VALUE})\s*(?:%|procent)\s+van\s+{_CONTRACT_VALUE}", re.I)),
    # amounts: "€ 5.000.000", "€ 221.000,-", "EUR 300.000", "5 miljoen euro", "300.000 euro"
    ("amount", re.compile(rf"(?:€|\bEUR\b|\beuro\b)\s*(?P<value>{_NUMERAL})(?P<scale>{_SCALE})", re.I)),
    ("amount", re.compile(rf"(?P<value>{_VALUE})(?P<scale>{_SCALE})\s*(?:euro|EUR)\b", re.I)),
    # EU texts group thousands with spaces: "200 000 EUR", "€ 300 000"
    ("amount", re.compile(rf"(?:€|\bEUR\b)\s*(?P<value>{_SPACED})", re.I)),
    ("amount", re.compile(rf"(?P<value>{_SPACED})\s*(?:euro|EUR)\b", re.I)),
    ("amount", re.compile(rf"(?P<value>{_VALUE})(?P<scale>\s*(?:miljoen|mln|miljard|mld)\b)", re.I)),
    ("percent", re.compile(rf"(?P<value>{_VALUE})\s*(?:%|procent\b)", re.I)),
    ("days", re.compile(rf"(?P<value>{_VALUE})\s*(?:kalender|werk)?dag(?:en)?\b", re.I)),
    ("weeks", re.compile(rf"(?P<value>{_VALUE})\s*we(?:e|)k(?:en)?\b", re.I)),
    ("months", re.compile(rf"(?P<value>{_VALUE})\s*maand(?:en)?\b", re.I)),
    ("years", re.compile(rf"(?P<value>{_VALUE})\s*(?:jaar|jaren|kalenderjaren|boekjaren)\b", re.I)),
]


@dataclass(frozen=True)
class Quantity:
    unit: str
    value: float
    start: int
    end: int
    text: str


def parse_numeral(text: str) -> float:
    """'5.000.000' -> 5000000, '221.000,-' -> 221000, '1,5' -> 1.5, 'dertig' -> 30."""
    cleaned = text.strip().lower()
    if cleaned in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[cleaned])
    cleaned = re.sub(r",-{1,2}$", "", cleaned)
    cleaned = re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d{3})", "", cleaned)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", cleaned):
        cleaned = cleaned.replace(".", "")
    return float(cleaned.replace(",", "."))


# Legal Dutch writes a number twice: "dertig (30) dagen", "60 (zestig) dagen".
_NUMBER_WORD = r"[a-zà-ÿ]*(?:een|één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|tig|honderd|duizend)"
_WORD_THEN_DIGITS = re.compile(rf"\b{_NUMBER_WORD}\s*\(\s*(?P<digits>\d[\d.,]*)\s*\)", re.IGNORECASE)
_DIGITS_THEN_WORD = re.compile(rf"(?<![\d.,])\d[\d.,]*(?P<words>\s*\(\s*(?:zegge:?\s*)?{_NUMBER_WORD}\s*\))", re.IGNORECASE)


def _without_doubled_numbers(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The text with the repeat of a doubled number blanked out (same length, so spans
    stay valid), keeping the digits; and the blanked stretches."""
    chars = list(text)
    blanked: list[tuple[int, int]] = []

    def blank(start: int, end: int) -> None:
        chars[start:end] = " " * (end - start)
        blanked.append((start, end))

    for match in _WORD_THEN_DIGITS.finditer(text):
        blank(match.start(), match.start("digits"))
        blank(match.end("digits"), match.end())
    for match in _DIGITS_THEN_WORD.finditer(text):
        blank(match.start("words"), match.end("words"))
    return "".join(chars), blanked


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in `text`, longest reading first where two overlap."""
    found: list[Quantity] = []
    original = text
    text, blanked = _without_doubled_numbers(text)
    for unit, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if unit == "multiple" and match.groupdict().get("word"):
                value = float(_MULTIPLE_WORDS[match.group("word").lower()])
            else:
                try:
                    value = parse_numeral(match.group("value"))
                except ValueError:
                    continue
            if unit == "multiple_percent":
                unit_name, value = "multiple", value / 100
            else:
                unit_name = unit
            scale = (match.groupdict().get("scale") or "").strip().lower()
            if scale:
                value *= _SCALE_WORDS.get(scale, 1)
            start = match.start()
            # "dertig (30) dagen": the quantity starts where the blanked number word does.
            start = min([b_start for b_start, b_end in blanked if b_end == start] or [start])
            found.append(Quantity(unit_name, value, start, match.end(), original[start:match.end()]))
    # Keep the longest match where spans of the same unit overlap ("€ 5 miljoen" once).
    found.sort(key=lambda q: (q.start, -(q.end - q.start)))
    kept: list[Quantity] = []
    for quantity in found:
        if any(k.unit == quantity.unit and k.start < quantity.end and quantity.start < k.end for k in kept):
            continue
        kept.append(quantity)
    # A percentage that is part of a multiple ("300% van de opdrachtwaarde") stays too:
    # rules about percentages and rules about multiples both see it.
    return kept


COMPARATORS = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "eq": lambda a, b: abs(a - b) < 1e-9,
}
