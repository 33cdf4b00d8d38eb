"""Matching behaviour rule authors rely on, with whichever Dutch pipeline is installed."""

import pytest

from conftest import CORPUS
from policycheck.match import fingerprint, match_document
from policycheck.model import HEADING, PARAGRAPH, Block, Document

RULE = """\
id: T-{id}
title: Test
polarity: {polarity}
severity: middel
topic: social-enterprise-recognition
applies_to: [procurement]
step: 5
message: Bericht.
recommendation: Schrijf iets anders.
references: [{{title: Bron, url: "https://example.org/"}}]
{body}
"""


def rule(body: str, id: str = "X", polarity: str = "bevorderend") -> str:
    return RULE.format(id=id, polarity=polarity, body=body)


def document(*paragraphs: str, headings: dict | None = None) -> Document:
    blocks = []
    for text in paragraphs:
        kind = HEADING if text.startswith("# ") else PARAGRAPH
        path = (headings or {}).get(text, [])
        blocks.append(Block(index=0, kind=kind, text=text.lstrip("# "), heading_path=path, paragraph=len(blocks) + 1))
    return Document(path="t.txt", sha256="", format="text", blocks=blocks).finalise()


def rule_ids(compiled, *paragraphs, policy_type="procurement", **kwargs):
    return [f.rule_id for f in match_document(document(*paragraphs, **kwargs), policy_type, compiled)]


@pytest.mark.parametrize(
    "text",
    [
        "Wij werken samen met sociale ondernemingen.",
        "Een sociale onderneming kan inschrijven.",
        "Sociale Ondernemingen krijgen ruimte.",
    ],
)
def test_match_phrase_is_insensitive_to_dutch_inflection(compile_rules, text):
    compiled = compile_rules(rule("match:\n  phrase: sociale onderneming"))
    assert rule_ids(compiled, text) == ["T-X"]


@pytest.mark.parametrize("text", ["De sociaal ondernemer wordt uitgenodigd.", "Sociale ondernemers doen mee."])
def test_match_phrase_inflection_of_adjective_and_plural(compile_rules, text):
    compiled = compile_rules(rule("match:\n  phrase: sociaal ondernemer"))
    assert rule_ids(compiled, text) == ["T-X"]


@pytest.mark.parametrize("text", ["Subsidie wordt verstrekt aan organisaties.", "Het college verstrekte subsidie.", "Wij verstrekken subsidie."])
def test_match_verb_forms_share_a_key(compile_rules, text):
    compiled = compile_rules(rule("match:\n  all: [{phrase: subsidie}, {phrase: verstrekken}]"))
    assert rule_ids(compiled, text) == ["T-X"]


def test_match_negation_excludes_only_within_the_same_part_of_the_clause(compile_rules):
    compiled = compile_rules(rule("match:\n  phrase: social return\nnegation: exclude"))
    assert rule_ids(compiled, "Social return is niet van toepassing op deze opdracht.") == []
    assert rule_ids(compiled, "Wij passen geen social return toe.") == []
    # The negation belongs to another part of the sentence.
    assert rule_ids(compiled, "Wij passen social return toe, tenzij de opdracht niet groter is dan € 50.000.") == ["T-X"]


def test_match_negation_can_be_the_point(compile_rules):
    body = "match:\n  all: [{phrase: winstoogmerk}, {regex: 'niet\\s+verstrekt'}]\nnegation: ignore"
    compiled = compile_rules(rule(body, polarity="belemmerend"))
    assert rule_ids(compiled, "Subsidie wordt niet verstrekt aan organisaties met een winstoogmerk.") == ["T-X"]


def test_match_negation_required(compile_rules):
    compiled = compile_rules(rule("match:\n  phrase: voorbehouden opdracht\nnegation: require", polarity="belemmerend"))
    assert rule_ids(compiled, "De gemeente past geen voorbehouden opdrachten toe.") == ["T-X"]
    assert rule_ids(compiled, "De gemeente past voorbehouden opdrachten toe.") == []


def test_match_unless_and_not(compile_rules):
    compiled = compile_rules(rule("match:\n  all: [{phrase: laagste prijs}, {not: {phrase: motivering}}]\nunless:\n  regex: uitzondering"))
    assert rule_ids(compiled, "Wij gunnen op laagste prijs.") == ["T-X"]
    assert rule_ids(compiled, "Laagste prijs alleen met motivering.") == []
    assert rule_ids(compiled, "Laagste prijs alleen bij uitzondering.") == []


def test_match_heading_scope(compile_rules):
    compiled = compile_rules(rule("match:\n  phrase: winstoogmerk\nscope:\n  headings: [Weigeringsgronden]"))
    text = "Organisaties met een winstoogmerk."
    assert rule_ids(compiled, text, headings={text: ["Hoofdstuk 2", "Artikel 5 Weigeringsgronden"]}) == ["T-X"]
    assert rule_ids(compiled, text, headings={text: ["Hoofdstuk 1", "Artikel 1 Begripsbepalingen"]}) == []


def test_match_headings_are_not_clauses_but_count_as_mentions(compile_rules):
    compiled = compile_rules(
        rule("match:\n  phrase: social return", id="A"),
        rule("absent:\n  phrase: social return", id="B", polarity="ontbrekend"),
    )
    # A heading alone: no clause finding, but the document does mention social return.
    assert rule_ids(compiled, "# Social return", "Dit artikel regelt de uitvoering.") == []
    assert rule_ids(compiled, "Wij kopen doelmatig in.") == ["T-B"]


def test_match_document_level_rules_need_a_known_type(compile_rules):
    compiled = compile_rules(rule("absent:\n  phrase: social return", id="B", polarity="ontbrekend"))
    assert rule_ids(compiled, "Wij kopen doelmatig in.", policy_type="procurement") == ["T-B"]
    assert rule_ids(compiled, "Wij kopen doelmatig in.", policy_type="unknown") == []
    assert rule_ids(compiled, "Wij kopen doelmatig in.", policy_type="subsidy") == []


def test_match_finding_carries_location_and_evidence(compile_rules):
    compiled = compile_rules(rule("match:\n  phrase: voorbehouden opdracht"))
    doc = document("Inleiding.", "Eerste zin. De gemeente gunt voorbehouden opdrachten.",
                   headings={"Eerste zin. De gemeente gunt voorbehouden opdrachten.": ["Hoofdstuk 3", "Artikel 7"]})
    (finding,) = match_document(doc, "procurement", compiled)
    assert finding.text == "De gemeente gunt voorbehouden opdrachten."
    assert doc.text[finding.start:finding.end] == finding.text
    assert finding.paragraph == 2 and finding.heading_path == ["Hoofdstuk 3", "Artikel 7"]
    assert finding.evidence[0].text == "voorbehouden opdrachten"


def test_fingerprint_survives_spacing_case_and_punctuation_but_not_rewording():
    a = fingerprint("R", "Wij gunnen op laagste prijs.")
    assert a == fingerprint("R", "wij  gunnen op Laagste prijs")
    assert a != fingerprint("R", "Wij gunnen op beste prijs-kwaliteitverhouding.")
    assert a != fingerprint("Q", "Wij gunnen op laagste prijs.")


def test_match_model_only_token_attributes_are_skipped_with_a_notice(compile_rules, pipeline):
    _, info = pipeline
    compiled = compile_rules(rule("match:\n  pattern: [{LOWER: voorbehouden}, {POS: NOUN}]"))
    if info.fallback:
        assert any("POS" in notice for notice in compiled.notices)
        assert rule_ids(compiled, "Wij gunnen voorbehouden opdrachten.") == ["T-X"]
    else:
        assert compiled.notices == []


def test_fallback_lemmas_equal_spacys_lookup_lemmatizer(pipeline):
    # The fallback reads the lemma table as a plain dict for a faster start-up;
    # it must give exactly what spaCy's own lookup lemmatizer gives.
    import spacy

    nlp, info = pipeline
    if not info.fallback:
        pytest.skip("nl_core_news_sm is installed; the fallback is not used")
    reference = spacy.blank("nl")
    reference.add_pipe("lemmatizer", config={"mode": "lookup"})
    reference.initialize()
    text = (CORPUS / "src" / "subsidieverordening-velderhoven-2025.md").read_text(encoding="utf-8")
    assert [t.lemma_ for t in nlp(text)] == [t.lemma_ for t in reference(text)]
