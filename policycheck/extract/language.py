"""Is the extracted text Dutch, another language, or garbage?

The rules are Dutch, so an English or German document (or a PDF whose fonts have
no usable Unicode map, which extracts as gibberish) would silently give no
findings. A document-level check on the extracted blocks: the share of very
common function words of Dutch and of a few neighbouring languages. Function
words make up a third or more of running text in all of them, so even a short
document is judged reliably, and a garbled text layer has almost none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

# Frequent function words (written for this check; overlaps between languages are fine).
_FUNCTION_WORDS = {
    "nl": """de het een en van in is op te dat die voor met zijn niet aan er om ook als bij of
        door naar dan wordt worden kan deze dit tot uit over na nog wel geen maar wij u uw
        onder zich heeft hebben hun mag moet zal zullen kunnen moeten waar welke wie wat
        tussen tegen zonder binnen hierbij daarbij alle andere ten ter""",
    "en": """the of and to in is that for it with as on be by this are or from at an not which
        have has will shall may been were was their its these those such under any all
        other than into would should can must""",
    "de": """der die das und den von zu mit sich des auf für ist im dem nicht ein eine als auch
        es an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über
        einen so zum zur war haben nur oder aber vor bis mehr durch man sowie""",
    "fr": """le la les de des du et à en un une est que qui dans pour pas sur au aux par avec
        ce ces il elle ne se sont ou son sa ses leur être été peut""",
}
FUNCTION_WORDS = {lang: frozenset(words.split()) for lang, words in _FUNCTION_WORDS.items()}
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "Engels", "de": "Duits", "fr": "Frans"}

MIN_WORDS = 40  # below this, say nothing
SAMPLE_WORDS = 20000
DUTCH_SHARE = 0.12  # Dutch prose scores 0.30-0.45; a Dutch table or list of names still scores > 0.12
OTHER_SHARE = 0.15
GARBAGE_SHARE = 0.04  # below this in every language: no language at all

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass
class LanguageGuess:
    words: int
    shares: dict[str, float]

    @property
    def best(self) -> str:
        return max(self.shares, key=lambda lang: self.shares[lang])


def guess_language(texts: Iterable[str]) -> LanguageGuess:
    """Share of each language's function words among the first SAMPLE_WORDS words."""
    words: list[str] = []
    for text in texts:
        words.extend(w.lower() for w in _WORD_RE.findall(text))
        if len(words) >= SAMPLE_WORDS:
            break
    words = words[:SAMPLE_WORDS]
    shares = {lang: 0.0 for lang in FUNCTION_WORDS}
    if words:
        for lang, vocabulary in FUNCTION_WORDS.items():
            shares[lang] = sum(1 for w in words if w in vocabulary) / len(words)
    return LanguageGuess(len(words), shares)


def language_warning(texts: Iterable[str], fmt: str) -> Optional[str]:
    """A Dutch warning when the text is not Dutch or looks like garbage, else None."""
    guess = guess_language(texts)
    if guess.words < MIN_WORDS:
        return None
    dutch = guess.shares["nl"]
    if dutch >= DUTCH_SHARE:
        return None
    others = {lang: share for lang, share in guess.shares.items() if lang != "nl"}
    other = max(others, key=lambda lang: others[lang])
    if others[other] >= OTHER_SHARE and others[other] > dutch:
        return (
            f"de tekst lijkt {LANGUAGE_NAMES[other]}, geen Nederlands: de regels zijn Nederlands, "
            "dus bevindingen kunnen ontbreken"
        )
    if max(guess.shares.values()) < GARBAGE_SHARE:
        if fmt == "pdf":
            return (
                "de tekst bevat bijna geen Nederlandse woorden en lijkt onleesbaar (lettertype zonder "
                "Unicode-koppeling?); bekijk hem met `policycheck extract` en lees de PDF zo nodig met --ocr"
            )
        return "de tekst bevat bijna geen Nederlandse woorden; bevindingen kunnen ontbreken"
    return None
