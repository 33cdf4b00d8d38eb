"""Matching behaviour rule authors rely on, with whichever Dutch pipeline is installed."""

import pytest

from conftest import CORPUS
from policycheck.match import fingerprint, match_document
from policycheck.model import HEADING, LIST_ITEM, PARAGRAPH, Block, Document

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
        kind = HEADING if text.startswith("# ") else LIST_ITEM if text.startswith("- ") else PARAGRAPH
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


NUMBER_RULE = """\
params: {max_dagen: 30}
match:
  all:
    - phrase: [betaaltermijn, betalen]
    - number: {unit: days, gt: max_dagen}
"""


def test_match_number_threshold_from_params(compile_rules):
    compiled = compile_rules(rule(NUMBER_RULE, polarity="belemmerend"))
    assert rule_ids(compiled, "De betaaltermijn is 45 dagen na ontvangst van de factuur.") == ["T-X"]
    assert rule_ids(compiled, "De betaaltermijn is zestig dagen.") == ["T-X"]
    assert rule_ids(compiled, "De betaaltermijn is 30 dagen na ontvangst van de factuur.") == []
    assert rule_ids(compiled, "Wij betalen binnen 14 dagen.") == []


def test_match_number_multiple_of_contract_value(compile_rules):
    body = "match:\n  all:\n    - phrase: omzet\n    - number: {unit: multiple, gt: 3}\n"
    compiled = compile_rules(rule(body, polarity="belemmerend"))
    assert rule_ids(compiled, "De gevraagde omzet bedraagt vier keer de opdrachtwaarde.") == ["T-X"]
    assert rule_ids(compiled, "De omzet is minimaal 500% van de geraamde opdrachtwaarde.") == ["T-X"]
    assert rule_ids(compiled, "De omzet is ten hoogste driemaal de opdrachtwaarde.") == []


def test_match_unknown_param_is_a_rule_error(tmp_path):
    from policycheck.errors import RuleErrors
    from policycheck.rules import load_rules

    (tmp_path / "r.yml").write_text(rule(NUMBER_RULE.replace("gt: max_dagen", "gt: max_days")), encoding="utf-8")
    with pytest.raises(RuleErrors) as info:
        load_rules([str(tmp_path)], builtin=False)
    assert "onbekende parameter 'max_days'" in str(info.value)


def test_match_exception_cue_excludes_what_it_excepts(compile_rules):
    compiled = compile_rules(rule("match:\n  phrase: laagste prijs", polarity="belemmerend"))
    assert rule_ids(compiled, "Wij gunnen op laagste prijs, tenzij kwaliteit de doorslag geeft.") == ["T-X"]
    assert rule_ids(compiled, "Wij gunnen op kwaliteit, tenzij de laagste prijs volstaat.") == []
    assert rule_ids(compiled, "Met uitzondering van de laagste prijs gelden alle criteria.") == []
    compiled = compile_rules(rule("match:\n  phrase: laagste prijs\nexceptions: ignore", polarity="belemmerend"))
    assert rule_ids(compiled, "Wij gunnen op kwaliteit, tenzij de laagste prijs volstaat.") == ["T-X"]


def test_match_none_of(compile_rules):
    compiled = compile_rules(rule("match:\n  all:\n    - phrase: certificaat\n    - none: [{phrase: gelijkwaardig}, {regex: 'of gelijkwaardig'}]"))
    assert rule_ids(compiled, "Een ISO 9001-certificaat is verplicht.") == ["T-X"]
    assert rule_ids(compiled, "Een ISO 9001-certificaat of gelijkwaardig is verplicht.") == []


def test_match_co_occurrence_in_block_and_article(compile_rules):
    compiled = compile_rules(
        rule("match:\n  all:\n    - phrase: omzeteis\n    - in_article: {phrase: motivering}", id="ART"),
        rule("match:\n  all:\n    - phrase: omzeteis\n    - in_block: {phrase: motivering}", id="BLK"),
    )
    first = "Wij stellen een omzeteis."
    second = "Daarbij hoort een motivering."
    other = "Elders staat een motivering."
    headings = {
        f"{first} {second}": ["Hoofdstuk 2", "Artikel 4 Geschiktheid", "lid 1"],
        other: ["Hoofdstuk 2", "Artikel 4 Geschiktheid", "lid 2"],
    }
    # Same block: both fire.
    assert sorted(rule_ids(compiled, f"{first} {second}", headings=headings)) == ["T-ART", "T-BLK"]
    # Same article, other block (another lid): only the article rule.
    headings[first] = ["Hoofdstuk 2", "Artikel 4 Geschiktheid", "lid 1"]
    assert rule_ids(compiled, first, other, headings=headings) == ["T-ART"]
    # Another article: neither.
    headings[other] = ["Hoofdstuk 2", "Artikel 5 Gunning"]
    assert rule_ids(compiled, first, other, headings=headings) == []


def test_match_list_items_share_the_block_of_the_paragraph_that_introduces_them(compile_rules):
    compiled = compile_rules(rule("match:\n  all:\n    - phrase: maatschappelijk verantwoord inkopen\n"
                                  "    - in_block: {phrase: social return}", id="BLK"))
    intro = "Wij doen aan maatschappelijk verantwoord inkopen, met deze ambities:"
    assert rule_ids(compiled, intro, "- social return bij diensten;", "- circulair bouwen.") == ["T-BLK"]
    # Without the colon, or after another paragraph, the list is a block of its own.
    assert rule_ids(compiled, intro.rstrip(":") + ".", "- social return bij diensten;") == []
    assert rule_ids(compiled, intro, "Een tussenzin.", "- social return bij diensten;") == []


def test_block_groups_hold_for_a_subset_of_the_clauses():
    # A re-scan after a rule edit matches only some clauses; a list item must not join
    # a lead-in paragraph because the paragraph between them was left out.
    from policycheck.match import block_groups

    doc = document("Ambities:", "- social return;", "Een tussenzin.", "- circulair.")
    blocks = doc.blocks
    full = block_groups(blocks)
    assert [full[b.index] for b in blocks] == [blocks[0].index, blocks[0].index, blocks[2].index, blocks[3].index]
    subset = block_groups([blocks[0], blocks[1], blocks[3]])
    assert subset[blocks[3].index] == blocks[3].index


def test_match_near_within_n_words(compile_rules):
    compiled = compile_rules(rule("match:\n  near:\n    distance: 4\n    all: [{phrase: omzet}, {phrase: opdrachtwaarde}]"))
    assert rule_ids(compiled, "De omzet is twee keer de opdrachtwaarde.") == ["T-X"]
    assert rule_ids(compiled, "De omzet van de inschrijver wordt beoordeeld op basis van de jaarrekening en niet op de opdrachtwaarde.") == []


def test_match_regex_prefilter_literals_and_word_boundaries():
    from policycheck.match import required_literals

    # A space stands for a word boundary the pattern requires next to the literal.
    assert required_literals(r"\bsocial[\s-]*return\w*") == (" social",)
    assert required_literals(r"\b(?:art(?:ikel|\.)?\s*)2\.82\b") == ("2.82 ",)
    assert required_literals(r"\bzonder\s+winst|\bniet\s+gericht") == (" zonder", "gericht")
    assert required_literals(r"\btoe\b") == (" toe ",)
    assert required_literals(r"\b(?:\w+\s+)?kan\b") == ("kan ",)  # the optional word may come first
    assert required_literals(r"x\b-abc") == ("-abc",)  # no boundary needed before a non-word character
    assert required_literals(r"\d+\s*%") is None


def test_match_regex_prefilter_changes_no_finding(builtin_rules, pipeline):
    # The prefilter only skips regexes that cannot match: on the corpus and the written
    # passages, findings with and without it are the same.
    import json

    from policycheck.match import CompiledRules, ClauseHits, clauses_of
    from policycheck.scan import extract_cached

    nlp, info = pipeline
    with_filter = CompiledRules(builtin_rules.rules, nlp, info)
    without = CompiledRules(builtin_rules.rules, nlp, info)
    every_regex = {leaf_id for leaf_id, leaf in without.leaves.items() if leaf.kind == "regex"}
    without.possible_regexes = lambda lowered: set(every_regex)
    texts = [json.loads(line)["text"] for path in sorted((CORPUS / "passages").glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    documents = [document(text) for text in texts]
    documents += [extract_cached(str(p)) for p in sorted(CORPUS.iterdir()) if p.suffix in (".pdf", ".docx")]
    skipped = 0
    for doc in documents:
        for policy_type in ("procurement", "subsidy"):
            got = [f.to_dict() for f in match_document(doc, policy_type, with_filter)]
            assert got == [f.to_dict() for f in match_document(doc, policy_type, without)]
        skipped += sum(len(every_regex) - len(with_filter.possible_regexes(c.text.lower())) for c in clauses_of(doc))
    assert skipped > 0


def test_match_hyphenated_negation_prefix_is_not_a_negation(compile_rules):
    # "niet-commerciële activiteiten" qualifies a noun; it does not negate the clause.
    compiled = compile_rules(rule("match:\n  phrase: commerciële instelling\nnegation: exclude"))
    text = "Het is mogelijk om aan commerciële instellingen subsidie te verlenen voor niet-commerciële activiteiten."
    assert rule_ids(compiled, text) == ["T-X"]
    assert rule_ids(compiled, "Commerciële instellingen krijgen niet zomaar subsidie.") == []


def test_match_condition_found_twice_is_negated_only_when_both_are(compile_rules):
    compiled = compile_rules(rule("match:\n  phrase: social return\nnegation: exclude"))
    text = "Social return is niet van toepassing op leveringen; bij diensten passen wij social return toe."
    assert rule_ids(compiled, text) == ["T-X"]
    assert rule_ids(compiled, "Wij passen geen social return toe en vragen ook geen social return.") == []


def test_match_context_must_hold_but_is_no_evidence(compile_rules):
    # The target group must be named, but a "geen" in the part that describes it does not
    # negate the reservation, and the finding does not quote it as evidence.
    condition = "    - {}: [{{regex: 'regulier\\w*\\s+werk'}}]\nnegation: exclude"
    body = "match:\n  all:\n    - phrase: voorbehouden opdracht\n"
    compiled = compile_rules(rule(body + condition.format("context")))
    as_evidence = compile_rules(rule(body + condition.format("all"), id="Y"))
    text = "Voorbehouden opdrachten gaan naar bedrijven, voor mensen die geen regulier werk vinden."
    assert rule_ids(as_evidence, text) == []  # an ordinary condition there is negated
    findings = match_document(document(text), "procurement", compiled)
    assert [f.rule_id for f in findings] == ["T-X"]
    assert [e.text.lower() for e in findings[0].evidence] == ["voorbehouden opdrachten"]
    assert rule_ids(compiled, "Voorbehouden opdrachten passen wij toe.") == []  # context missing
    assert rule_ids(compiled, "Voorbehouden opdrachten voor regulier werk passen wij niet toe.") == []


def test_match_ignore_negation_in_shields_only_its_own_wording(compile_rules):
    body = ("match:\n  phrase: voorbehouden opdracht\nnegation: exclude\n"
            "ignore_negation_in: '\\bgeen\\s+beroepsactiviteit\\w*'")
    compiled = compile_rules(rule(body))
    plain = compile_rules(rule("match:\n  phrase: voorbehouden opdracht\nnegation: exclude", id="Y"))
    described = "Voorbehouden opdrachten zijn voor personen die geen beroepsactiviteit kunnen uitoefenen."
    assert rule_ids(plain, described) == []  # without it, the "geen" negates the clause
    assert rule_ids(compiled, described) == ["T-X"]
    # Another negation in the same part still counts.
    assert rule_ids(compiled, "Voorbehouden opdrachten passen wij niet toe voor wie geen beroepsactiviteit heeft.") == []
    finding = match_document(document(described), "procurement", compiled)[0]
    assert all("geen" not in e.text for e in finding.evidence)


def test_match_refraining_is_a_negation(compile_rules):
    # "ziet af van" says no without "niet" or "geen"; "afgezien van" (apart from) does not.
    excluded = compile_rules(rule("match:\n  phrase: voorbehouden opdracht\nnegation: exclude"))
    required = compile_rules(rule("match:\n  phrase: voorbehouden opdracht\nnegation: require", id="Y"))
    for text in ("De gemeente ziet af van voorbehouden opdrachten.",
                 "Van voorbehouden opdrachten zien wij voorlopig af.",
                 "Er wordt afgezien van voorbehouden opdrachten.",
                 "Het college besluit af te zien van voorbehouden opdrachten."):
        assert rule_ids(excluded, text) == [], text
        assert rule_ids(required, text) == ["T-Y"], text
    assert rule_ids(excluded, "Afgezien van de kosten passen wij voorbehouden opdrachten toe.") == ["T-X"]
    assert rule_ids(excluded, "Wij zien af en toe voorbehouden opdrachten.") == ["T-X"]


def test_match_a_question_lays_nothing_down(compile_rules):
    compiled = compile_rules(rule("match:\n  phrase: laagste prijs", polarity="belemmerend"))
    faq = "Vraag: Wordt de opdracht gegund op de laagste prijs? Antwoord: nee, op kwaliteit en prijs."
    assert rule_ids(compiled, faq) == []
    assert rule_ids(compiled, "Wij gunnen op de laagste prijs.") == ["T-X"]
    assert rule_ids(compiled, 'De vraag "gunnen wij op de laagste prijs?"') == []


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
    from spacy.tokens import Doc

    ours = nlp(text)
    # The same tokens for both (policycheck also splits hyphenated compounds).
    theirs = reference(Doc(reference.vocab, words=[t.text for t in ours], spaces=[bool(t.whitespace_) for t in ours]))
    assert [t.lemma_ for t in ours] == [t.lemma_ for t in theirs]


def test_fallback_tokenizer_adds_special_cases_as_needed_with_the_same_tokens():
    # The fallback adds spaCy's Dutch special cases ('art.', 'o.a.', ':-)') as texts
    # need them (for a faster start); its tokens must equal the fully loaded tokenizer's.
    import random

    import spacy
    from spacy.lang.nl import Dutch
    from spacy.util import compile_infix_regex

    from policycheck.nlp import HYPHEN_INFIX, _dutch_with_hyphen_infix, _exceptions_as_needed

    full = spacy.blank("nl")
    full.tokenizer.infix_finditer = compile_infix_regex(list(full.Defaults.infixes) + [HYPHEN_INFIX]).finditer
    lazy = _dutch_with_hyphen_infix()()
    lazy.tokenizer = _exceptions_as_needed(lazy)
    assert len(lazy.tokenizer.rules) < 100  # nothing is loaded before it is needed

    texts = [path.read_text(encoding="utf-8") for path in sorted((CORPUS / "src").glob("*.md"))]
    # Every special case, glued to punctuation, in other special cases and split by whitespace.
    strings = list(Dutch.Defaults.tokenizer_exceptions)
    glue = ["", " ", "  ", "\n", "(", ")", ".", ",", ":", "-", "'s", "art", "a", "3"]
    generator = random.Random(7)
    for _ in range(2000):
        pieces = [generator.choice(strings if generator.random() < 0.6 else glue) for _ in range(generator.randint(1, 10))]
        texts.append("".join(p + generator.choice(["", " ", " ", "\n"]) for p in pieces))
    for text in texts:
        assert [t.text for t in lazy.tokenizer(text)] == [t.text for t in full.tokenizer(text)], repr(text)
    assert [t.text for t in lazy("zie art. 3 o.a. lid 2")] == ["zie", "art.", "3", "o.a.", "lid", "2"]
