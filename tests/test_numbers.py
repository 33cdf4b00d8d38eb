"""Quantities in Dutch policy prose: amounts, percentages, durations and multiples."""

import pytest
from hypothesis import given, strategies as st

from policycheck.numbers import find_quantities, parse_numeral


def quantities(text):
    return [(q.unit, q.value) for q in find_quantities(text)]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("een jaaromzet van € 5.000.000", [("amount", 5_000_000)]),
        ("een plafond van € 221.000,- per jaar", [("amount", 221_000)]),
        ("een omzet van ten minste 5 miljoen euro", [("amount", 5_000_000)]),
        ("een omzet van 1,5 miljoen", [("amount", 1_500_000)]),
        ("EUR 300.000", [("amount", 300_000)]),
        ("betaling binnen 45 dagen na ontvangst", [("days", 45)]),
        ("binnen dertig dagen", [("days", 30)]),
        ("minimaal drie jaar ingeschreven", [("years", 3)]),
        ("een looptijd van 6 maanden", [("months", 6)]),
        ("5% van de aanneemsom", [("multiple", 0.05), ("percent", 5)]),
        ("drie keer de opdrachtwaarde", [("multiple", 3)]),
        ("tweemaal de geraamde opdrachtwaarde", [("multiple", 2)]),
        ("300% van de waarde van de opdracht", [("multiple", 3), ("percent", 300)]),
        ("artikel 2.82, lid 3", []),
        # Legal Dutch writes a number twice; it is one quantity.
        ("binnen dertig (30) dagen na ontvangst", [("days", 30)]),
        ("binnen 60 (zestig) dagen", [("days", 60)]),
        ("binnen vijfenveertig (45) dagen", [("days", 45)]),
        ("ten minste zestig (60) procent", [("percent", 60)]),
        ("artikel 2 (3)", []),
    ],
)
def test_numbers_found_with_unit_and_value(text, expected):
    assert sorted(quantities(text)) == sorted((u, pytest.approx(v)) for u, v in expected)


def test_numbers_span_points_at_the_quantity():
    text = "De betaaltermijn is 60 dagen na goedkeuring."
    (quantity,) = find_quantities(text)
    assert text[quantity.start:quantity.end] == "60 dagen"
    text = "Wij betalen binnen dertig (30) dagen."
    (quantity,) = find_quantities(text)
    assert quantity.text == "dertig (30) dagen"


@given(st.integers(min_value=0, max_value=10**12))
def test_numbers_dutch_thousands_separators_round_trip(n):
    dutch = f"{n:,}".replace(",", ".")
    assert parse_numeral(dutch) == n
    assert parse_numeral(dutch + ",-") == n
    assert quantities(f"€ {dutch}") == [("amount", n)]


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=99))
def test_numbers_decimal_comma(whole, fraction):
    assert parse_numeral(f"{whole},{fraction:02d}") == pytest.approx(whole + fraction / 100)


@given(st.text(max_size=300))
def test_numbers_never_crash_and_spans_are_exact(text):
    for quantity in find_quantities(text):
        assert text[quantity.start:quantity.end] == quantity.text


def test_amounts_with_space_grouped_thousands_next_to_a_currency():
    # EU texts (EUR-Lex) write "200 000 EUR"; a bare "2024 300" is no amount.
    assert [(q.unit, q.value) for q in find_quantities("niet meer dan 200 000 EUR bedragen")] == [("amount", 200000.0)]
    assert [(q.unit, q.value) for q in find_quantities("tot € 300 000 per onderneming")] == [("amount", 300000.0)]
    assert find_quantities("in 2024 300 woningen") == []
