"""normalize_text and join_lines: ligatures, odd spaces, Dutch hyphenation."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policycheck.extract.normalize import join_lines, join_lines_with_spans, normalize_text, normalize_with_offsets


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("e\ufb03ciënt \ufb01nancieel", "efficiënt financieel"),
        ("\ufb02exibel, o\ufb00erte, a\ufb04uent", "flexibel, offerte, affluent"),
        ("€\u00a0221.000,-", "€ 221.000,-"),
        ("10\u202f%  korting", "10 % korting"),
        ("aan\u00adbesteding", "aanbesteding"),
        ("  veel    spaties\tmet tab  ", "veel spaties met tab"),
        ("„aanhalingstekens” en ‘enkele’", "„aanhalingstekens” en ‘enkele’"),
        ("zero\u200bwidth", "zerowidth"),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    "lines, expected",
    [
        (["aanbe-", "steding"], "aanbesteding"),
        (["de aanbe-", "steding wordt"], "de aanbesteding wordt"),
        (["inkoop-", "en aanbestedingsbeleid"], "inkoop- en aanbestedingsbeleid"),
        (["wet-", "en regelgeving"], "wet- en regelgeving"),
        (["zorg-", "of welzijnsinstelling"], "zorg- of welzijnsinstelling"),
        (["sport-", "en/of cultuurvereniging"], "sport- en/of cultuurvereniging"),
        (["Noord-", "Holland"], "Noord-Holland"),
        (["het SW-", "bedrijf"], "het SW-bedrijf"),
        (["periode 2025-", "2028"], "periode 2025-2028"),
        (["papier op A4-", "formaat"], "papier op A4-formaat"),
        (["een bedrag van € 100,-", "per jaar"], "een bedrag van € 100,- per jaar"),
        (["gewoon", "doorlopen"], "gewoon doorlopen"),
        (["gedachte -", "streepje"], "gedachte - streepje"),
        (["zacht\u00ad", "afgebroken"], "zachtafgebroken"),
        (["", "alleen", ""], "alleen"),
    ],
)
def test_join_lines(lines, expected):
    assert join_lines(lines) == expected


def test_join_lines_spans_point_at_each_line():
    text, spans = join_lines_with_spans(["De aanbe-", "steding voor", "inkoop-", "en aanbestedingsbeleid"])
    assert text == "De aanbesteding voor inkoop- en aanbestedingsbeleid"
    assert [text[a:b] for a, b in spans] == ["De aanbe", "steding voor", "inkoop-", "en aanbestedingsbeleid"]


_texts = st.text(
    alphabet=st.sampled_from(list("abcAB -\u00ad\u00a0\ufb01\ufb02\t\n€,.") + ["\u2009", "é"]), max_size=40
)


@settings(max_examples=200, deadline=None)
@given(_texts)
def test_normalize_text_is_idempotent(s):
    once = normalize_text(s)
    assert normalize_text(once) == once


@settings(max_examples=200, deadline=None)
@given(_texts)
def test_normalize_text_loses_no_visible_text(s):
    expanded = s.replace("\ufb01", "fi").replace("\ufb02", "fl")
    visible = [c for c in expanded if not c.isspace() and c != "\u00ad"]
    assert [c for c in normalize_text(s) if not c.isspace()] == visible


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("abAB1 -,")), max_size=12), max_size=6))
def test_join_lines_loses_nothing_but_line_end_hyphens(lines):
    joined = join_lines(lines)
    original = "".join(normalize_text(line) for line in lines).replace(" ", "")
    squeezed = joined.replace(" ", "")
    # Only hyphens may be dropped (the repaired `aanbe-|steding` ones), nothing else.
    assert squeezed.replace("-", "") == original.replace("-", "")
    assert len(original) - len(squeezed) == original.count("-") - squeezed.count("-")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("abAB -\u00ad")), max_size=10), max_size=6))
def test_join_lines_spans_are_ordered_and_inside(lines):
    text, spans = join_lines_with_spans(lines)
    assert len(spans) == len(lines)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start <= end <= len(text)
        previous_end = end


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_normalize_with_offsets_points_each_character_at_its_source(s):
    # The annotators rely on this to put a comment or highlight on the clause's own characters.
    text, origins = normalize_with_offsets(s)
    assert text == normalize_text(s)
    assert len(origins) == len(text)
    assert origins == sorted(origins)
    for char, origin in zip(text, origins):
        assert char in normalize_text(s[origin]) or (char == " " and normalize_text(s[origin]) == "")
