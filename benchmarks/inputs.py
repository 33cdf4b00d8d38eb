"""Build benchmark inputs: long, dense, fictional Dutch policy documents as PDF.

The prose is generated from sentence templates written for this project (no real
policy text), laid out with the corpus renderer (`corpus/build.py`: A4, 10 pt
Helvetica, running header and footer with rules, ruled tables), so a benchmark
page looks like a corpus page, only fuller.

    python benchmarks/inputs.py OUT.pdf --pages 100 [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "corpus"))

import build as corpus_build  # noqa: E402  (corpus/build.py)

SUBJECTS = [
    "Het college", "De gemeente", "De aanvrager", "De subsidieontvanger", "De opdrachtnemer",
    "De inschrijver", "Burgemeester en wethouders", "De budgethouder", "Het inkoopteam",
    "De contractmanager", "De raad", "De afdeling Inkoop", "De ondernemer",
]
VERBS = [
    "beoordeelt", "legt vast", "verantwoordt", "meldt", "bevestigt", "toetst", "publiceert",
    "evalueert", "stelt vast", "draagt zorg voor", "onderbouwt", "registreert",
]
OBJECTS = [
    "de activiteiten waarvoor subsidie is verleend", "de gunningsbeslissing", "de raming van de opdrachtwaarde",
    "het bereik van de activiteiten in de wijk", "de inzet van mensen met een afstand tot de arbeidsmarkt",
    "de voortgang van het project", "de uitgaven en inkomsten van het afgelopen jaar",
    "de afspraken over social return", "de kwaliteit van de geleverde diensten",
    "de duurzaamheidseisen uit het programma van eisen", "de naleving van de subsidieverplichtingen",
    "de samenwerking met maatschappelijke partners", "het aantal deelnemers per seizoen",
    "de verdeling van het subsidieplafond", "de keuze voor de procedure",
]
TAILS = [
    "binnen acht weken na afloop van het kalenderjaar", "op de wijze die het college voorschrijft",
    "met inachtneming van de Algemene wet bestuursrecht", "in overleg met de betrokken wethouder",
    "volgens het model dat op de website van de gemeente staat", "uiterlijk op 1 april van het jaar daarna",
    "voor zover dat redelijkerwijs van hem kan worden gevergd", "met een toelichting op de afwijkingen",
    "binnen de kaders van de programmabegroting", "tenzij het college anders heeft bepaald",
    "bij opdrachten boven de Europese drempelwaarde", "in het contractregister van de gemeente",
]
CONDITIONS = [
    "Indien de subsidie meer bedraagt dan € {n}.000,-", "Voor opdrachten met een waarde van € {n}.000,- of meer",
    "Wanneer de activiteiten niet of niet geheel zijn verricht", "Bij een aanvraag voor een eenmalige subsidie",
    "Als de opdrachtnemer in gebreke blijft", "Voor zover de begroting daarvoor ruimte biedt",
    "Na afloop van de looptijd van het contract", "Bij meervoudig onderhandse procedures",
]
CONSEQUENCES = [
    "legt de aanvrager een activiteitenverslag en een financieel verslag over",
    "kan het college de subsidie lager vaststellen", "nodigt de gemeente ten minste drie ondernemers uit",
    "wordt een verklaring van een onafhankelijke accountant gevraagd",
    "vraagt de gemeente een plan van aanpak voor de inzet van werkzoekenden",
    "kan het college nadere verplichtingen opleggen", "wordt de opdracht in percelen verdeeld",
    "beslist het college binnen dertien weken na ontvangst van de aanvraag",
]
# A few sentences the built-in rules react to, so matching has real work to do.
SIGNALS = [
    "Subsidie wordt uitsluitend verstrekt aan rechtspersonen zonder winstoogmerk.",
    "De opdracht wordt gegund op basis van de laagste prijs.",
    "Bij opdrachten boven € 100.000,- past de gemeente social return toe van ten minste 5% van de opdrachtwaarde.",
    "Het college kan opdrachten voorbehouden aan sociale werkplaatsen en sociale ondernemingen.",
    "Aanvragen worden beoordeeld ongeacht de rechtsvorm van de aanvrager.",
    "De gemeente gunt opdrachten bij voorkeur op basis van de beste prijs-kwaliteitverhouding.",
]
ARTICLE_TITLES = [
    "Aanvraag", "Beslistermijn", "Weigeringsgronden", "Verantwoording", "Vaststelling", "Betaling",
    "Verplichtingen", "Inkoopprocedure", "Gunning", "Social return", "Contractbeheer", "Evaluatie",
    "Bevoorschotting", "Subsidieplafond", "Duurzaam inkopen", "Lokale ondernemers", "Hardheidsclausule",
]


def _sentence(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.04:
        return rng.choice(SIGNALS)
    if roll < 0.45:
        cond = rng.choice(CONDITIONS).format(n=rng.choice([25, 50, 100, 221, 750]))
        return f"{cond}, {rng.choice(CONSEQUENCES)} {rng.choice(TAILS)}."
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."


def _paragraph(rng: random.Random, sentences: tuple[int, int]) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(*sentences)))


def policy_blocks(articles: int, seed: int = 1) -> list:
    """The body of a long policy: chapters of articles with leden, onderdelen and the odd table."""
    rng = random.Random(seed)
    Block = corpus_build.Block
    blocks = [
        Block("title", "Beleidsregels inkoop en subsidies Velderhoven 2026 (benchmark)"),
        Block("para", _paragraph(rng, (3, 5))),
    ]
    chapter = 0
    for number in range(1, articles + 1):
        if number % 9 == 1:
            chapter += 1
            blocks.append(Block("chapter", f"Hoofdstuk {chapter} {rng.choice(ARTICLE_TITLES)} en uitvoering"))
        blocks.append(Block("article", f"Artikel {number} {rng.choice(ARTICLE_TITLES)}"))
        shape = rng.random()
        if shape < 0.35:
            blocks.append(Block("para", _paragraph(rng, (4, 8))))
        else:
            for lid in range(1, rng.randint(2, 5) + 1):
                blocks.append(Block("lid", _paragraph(rng, (2, 5)), label=f"{lid}.", level=1))
                if rng.random() < 0.25:
                    for letter in "abc"[: rng.randint(2, 3)]:
                        blocks.append(Block("onderdeel", _paragraph(rng, (1, 2)), label=f"{letter}.", level=2))
        if number % 23 == 0:
            blocks.append(Block("para", f"Tabel {number // 23}: drempelbedragen per procedure"))
            blocks.append(Block("table", rows=[
                ["Procedure", "Leveringen en diensten", "Werken"],
                ["Enkelvoudig onderhands", "tot € 50.000,-", "tot € 150.000,-"],
                ["Meervoudig onderhands", "€ 50.000,- tot € 221.000,-", "€ 150.000,- tot € 1.500.000,-"],
                ["Europees openbaar", "vanaf € 221.000,-", "vanaf € 5.538.000,-"],
            ]))
    return blocks


META = {
    "format": "pdf",
    "policy_type": "procurement",
    "title": "Beleidsregels inkoop en subsidies Velderhoven 2026 (benchmark)",
    "running_header": "Gemeenteblad van Velderhoven 2026, nr. 1234",
    "running_footer": "Beleidsregels inkoop en subsidies Velderhoven 2026",
}


def _pages(pdf_bytes: bytes) -> int:
    import pypdfium2

    return len(pypdfium2.PdfDocument(pdf_bytes))


def build_policy_pdf(out: Path, pages: int = 100, seed: int = 1) -> int:
    """Write a PDF of about `pages` dense pages to `out`; returns its page count."""
    articles = max(2, round(pages * 1.6))
    out = Path(out)
    for _ in range(5):  # adjust the article count to the page count
        corpus_build.build_pdf(META, policy_blocks(articles, seed), out)
        got = _pages(out.read_bytes())
        if abs(got - pages) <= max(1, pages // 100):
            break
        articles = max(2, round(articles * pages / got))
    return got


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    got = build_policy_pdf(args.out, args.pages, args.seed)
    print(f"{args.out}: {got} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
