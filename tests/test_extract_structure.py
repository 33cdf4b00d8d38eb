"""classify_heading and assign_heading_paths: Hoofdstuk › Artikel › lid › onder."""

import pytest

from policycheck.extract.structure import assign_heading_paths, classify_heading, harmonise_heading_levels
from policycheck.model import HEADING, LIST_ITEM, PARAGRAPH, TABLE_ROW, Block


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hoofdstuk 3 Algemene bepalingen", (1, "Hoofdstuk 3 Algemene bepalingen")),
        ("HOOFDSTUK 3", (1, "HOOFDSTUK 3")),
        ("Hoofdstuk 1 – Inleiding:", (1, "Hoofdstuk 1 – Inleiding")),
        ("Titel II Subsidies", (1, "Titel II Subsidies")),
        ("Paragraaf 2.1 Doelgroep", (2, "Paragraaf 2.1 Doelgroep")),
        ("§ 2", (2, "§ 2")),
        ("§2.1 Doel", (2, "§2.1 Doel")),
        ("Afdeling 4.2 Subsidieplafond", (2, "Afdeling 4.2 Subsidieplafond")),
        ("Artikel 12 Weigeringsgronden", (3, "Artikel 12 Weigeringsgronden")),
        ("Artikel 4.3", (3, "Artikel 4.3")),
        ("Artikel 4:25", (3, "Artikel 4:25")),
        ("Artikel 12a. Hardheidsclausule", (3, "Artikel 12a. Hardheidsclausule")),
        ("Art. 5", (3, "Art. 5")),
        ("  Artikel   7   Slot  ", (3, "Artikel 7 Slot")),
    ],
)
def test_classify_heading_recognises(text, expected):
    assert classify_heading(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Artikel 12 lid 2 is van toepassing.",
        "Artikel 2 Gunning is van toepassing op alle opdrachten van de gemeente.",
        "Artikel12",
        "Hoofdstukken 3 en 4",
        "De aanvrager moet voldoen aan artikel 3.",
        "artikel 4, tweede lid, van de Awb;",
        "Artikel " + "lang " * 40,
        "",
    ],
)
def test_classify_heading_rejects(text):
    assert classify_heading(text) is None


def _blocks(*items):
    return [Block(index=0, kind=kind, text=text, level=level) for kind, text, level in items]


def test_heading_paths_with_lid_and_onder():
    blocks = _blocks(
        (HEADING, "Hoofdstuk 4 Subsidieverlening", 1),
        (HEADING, "Artikel 12 Weigeringsgronden", 2),
        (PARAGRAPH, "1. Subsidie wordt geweigerd als:", None),
        (LIST_ITEM, "a. de aanvrager winst uitkeert;", None),
        (LIST_ITEM, "b. de activiteit al is begonnen.", None),
        (PARAGRAPH, "2. Subsidie kan worden geweigerd als:", None),
        (LIST_ITEM, "1° de aanvraag te laat is;", None),
        (PARAGRAPH, "Een toelichting zonder nummer.", None),
        (TABLE_ROW, "Regeling | Bedrag", None),
        (HEADING, "Artikel 13 Slot", 2),
        (PARAGRAPH, "Deze regeling heet Subsidieregeling.", None),
        (HEADING, "Hoofdstuk 5 Overgangsrecht", 1),
    )
    assign_heading_paths(blocks)
    h4, a12, a13 = "Hoofdstuk 4 Subsidieverlening", "Artikel 12 Weigeringsgronden", "Artikel 13 Slot"
    assert [b.heading_path for b in blocks] == [
        [h4],
        [h4, a12],
        [h4, a12, "lid 1"],
        [h4, a12, "lid 1", "onder a"],
        [h4, a12, "lid 1", "onder b"],
        [h4, a12, "lid 2"],
        [h4, a12, "lid 2", "onder 1°"],
        [h4, a12],
        [h4, a12],
        [h4, a13],
        [h4, a13],
        ["Hoofdstuk 5 Overgangsrecht"],
    ]
    # The wording decides the level, not the layout level the extractor guessed.
    assert [b.level for b in blocks if b.kind == HEADING] == [1, 3, 3, 1]


def test_sub_items_under_a_letter():
    blocks = _blocks(
        (HEADING, "Artikel 3", None),
        (PARAGRAPH, "a. ondernemingen die:", None),
        (LIST_ITEM, "1° sociaal ondernemen;", None),
    )
    assign_heading_paths(blocks)
    assert blocks[2].heading_path == ["Artikel 3", "onder a, 1°"]


def test_paragraph_that_reads_like_heading_is_promoted():
    blocks = _blocks((PARAGRAPH, "Artikel 2 Gunning", None), (PARAGRAPH, "Tekst.", None))
    assign_heading_paths(blocks)
    assert blocks[0].kind == HEADING and blocks[0].level == 3
    assert blocks[1].heading_path == ["Artikel 2 Gunning"]


def test_layout_headings_without_numbers_use_their_level():
    blocks = _blocks(
        (HEADING, "Inkoopbeleid 2025", 1),
        (HEADING, "Inleiding", 2),
        (PARAGRAPH, "Tekst.", None),
        (HEADING, "Doelen", 2),
        (PARAGRAPH, "1. Geen lid buiten een artikel.", None),
    )
    assign_heading_paths(blocks)
    assert blocks[2].heading_path == ["Inkoopbeleid 2025", "Inleiding"]
    assert blocks[4].heading_path == ["Inkoopbeleid 2025", "Doelen"]


def test_lid_numbers_do_not_leak_into_following_headings():
    blocks = _blocks(
        (HEADING, "Artikel 1", None),
        (PARAGRAPH, "2. Tweede lid.", None),
        (HEADING, "Artikel 2", None),
        (PARAGRAPH, "Tekst.", None),
    )
    assign_heading_paths(blocks)
    assert blocks[2].heading_path == ["Artikel 2"]
    assert blocks[3].heading_path == ["Artikel 2"]


def test_unnumbered_headings_take_the_level_of_look_alikes():
    blocks = _blocks(
        (HEADING, "Hoofdstuk 5 Slot", 2),
        (HEADING, "Artikel 14 Intrekking", 3),
        (HEADING, "Toelichting", 2),
        (HEADING, "Algemeen", 3),
        (PARAGRAPH, "Tekst.", None),
        (HEADING, "Bijlage", 4),
    )
    harmonise_heading_levels(blocks, ["H2", "H3", "H2", "H3", None, "H4"])
    assert [b.level for b in blocks] == [2, 3, 1, 3, None, 4]
    assign_heading_paths(blocks)
    assert blocks[3].heading_path == ["Toelichting", "Algemeen"]
    assert blocks[4].heading_path == ["Toelichting", "Algemeen"]
