from hypothesis import given, strategies as st

from policycheck.segment import split_clauses


def texts(text):
    return [c.text for c in split_clauses(text)]


def test_segment_keeps_article_references_together():
    assert texts("Zie art. 2.82 Aanbestedingswet 2012. Dat geldt ook voor percelen.") == [
        "Zie art. 2.82 Aanbestedingswet 2012.",
        "Dat geldt ook voor percelen.",
    ]


def test_segment_survives_dutch_abbreviations():
    sentence = "De gemeente koopt o.a. zorg in m.b.t. jeugd en t.a.v. Wmo. Daarna volgt de evaluatie."
    assert texts(sentence) == [
        "De gemeente koopt o.a. zorg in m.b.t. jeugd en t.a.v. Wmo.",
        "Daarna volgt de evaluatie.",
    ]


def test_segment_survives_amounts_with_dash():
    assert texts("Het plafond is € 221.000,- per jaar. Aanvragen kan tot 1 maart.") == [
        "Het plafond is € 221.000,- per jaar.",
        "Aanvragen kan tot 1 maart.",
    ]


def test_segment_reference_letter_can_end_a_sentence():
    assert texts("Dit volgt uit lid 2 onder b. De aanvrager meldt dit.") == [
        "Dit volgt uit lid 2 onder b.",
        "De aanvrager meldt dit.",
    ]
    assert texts("Zoals bedoeld in lid 2 onder b van dit artikel.") == ["Zoals bedoeld in lid 2 onder b van dit artikel."]


def test_segment_list_label_stays_with_its_sentence():
    assert texts("2. De aanvraag wordt ingediend. Het college beslist binnen acht weken.") == [
        "2. De aanvraag wordt ingediend.",
        "Het college beslist binnen acht weken.",
    ]
    assert texts("b. organisaties met een winstoogmerk; of") == ["b. organisaties met een winstoogmerk; of"]


def test_segment_initials_do_not_end_a_sentence():
    assert texts("Getekend door J. de Vries, wethouder. Hij ondertekent namens het college.") == [
        "Getekend door J. de Vries, wethouder.",
        "Hij ondertekent namens het college.",
    ]


@given(st.text(alphabet=st.sampled_from(list("abcAB .,;:0123456789€-\n")), max_size=200))
def test_segment_never_loses_text(text):
    clauses = split_clauses(text)
    # Offsets are exact and the clauses, in order, hold every non-space character.
    for clause in clauses:
        assert text[clause.start:clause.end] == clause.text
    assert "".join(c.text for c in clauses).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    assert all(a.end <= b.start for a, b in zip(clauses, clauses[1:]))
