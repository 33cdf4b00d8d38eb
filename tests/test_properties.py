"""Property-based tests (Hypothesis): text normalisation, sentence splitting, text
decoding and sniffing, and rule loading hold for any input, not just the examples.

(There is no number parser yet; amounts and percentages come with the rule-language
work, which should add its properties here.)
"""

from __future__ import annotations

import string

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policycheck.errors import InputError, RuleErrors
from policycheck.extract.normalize import join_lines_with_spans, normalize_text, printable
from policycheck.extract.sniff import decode_text, sniff_format
from policycheck.segment import MAX_CLAUSE_CHARS, split_clauses

# Text that looks like policy prose: Dutch words, abbreviations, numbers, odd spaces.
POLICY_PIECES = [
    "De gemeente", "art. 2.82", "o.a.", "m.b.t.", "lid 2 onder b.", "€ 221.000,-", "1.", "a)", "•",
    "Subsidie", "wordt", "niet", "verstrekt.", "Noord-", "Holland", "aanbe-", "steding", "\u00ad", "\ufb01",
    "\u00a0", "\u200b", "\t", "\n", "  ", "?", "!", "…", "“Citaat.”", "(zie art. 4)", "SW-bedrijf",
]
policy_text = st.lists(st.one_of(st.sampled_from(POLICY_PIECES), st.text(max_size=12)), max_size=40).map(" ".join)
any_text = st.one_of(policy_text, st.text(max_size=300))


@given(any_text)
def test_normalize_is_idempotent_and_removes_what_it_promises(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert "  " not in once
    assert not any(c in once for c in "\u00ad\u200b\ufeff\ufb01\ufb02\u00a0")
    assert not any(ord(c) < 32 and c not in "\n\r" for c in once)
    assert once == once.strip(" ")


@given(any_text)
def test_printable_is_one_line_without_control_characters(text):
    line = printable(text)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in line)


@given(st.lists(any_text, max_size=8))
def test_join_lines_spans_point_at_each_line_in_order(lines):
    text, spans = join_lines_with_spans(lines)
    assert len(spans) == len(lines)
    previous_end = 0
    for start, end in spans:
        assert 0 <= start <= end <= len(text)
        assert start >= previous_end or start == end
        previous_end = max(previous_end, end)


@given(any_text)
def test_split_clauses_never_loses_or_reorders_text(text):
    clauses = split_clauses(text)
    position = 0
    for clause in clauses:
        assert clause.text == text[clause.start:clause.end]
        assert clause.text and clause.text == clause.text.strip()
        assert clause.start >= position
        assert text[position:clause.start].strip() == ""  # only whitespace between clauses
        position = clause.end
    assert text[position:].strip() == ""


@given(st.text(alphabet=string.ascii_lowercase + " .", min_size=MAX_CLAUSE_CHARS, max_size=3 * MAX_CLAUSE_CHARS))
@settings(max_examples=25)
def test_split_clauses_bounds_the_length_of_a_clause(text):
    assert all(len(clause.text) <= MAX_CLAUSE_CHARS for clause in split_clauses(text))


@given(st.binary(max_size=400))
def test_decode_text_never_raises(data):
    decoded = decode_text(data)
    if decoded is not None:
        text, encoding = decoded
        assert isinstance(text, str) and encoding


@given(st.text(max_size=200).filter(lambda t: t.strip()), st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_decode_text_reads_back_what_was_encoded(text, encoding):
    controls = sum(1 for c in text if (ord(c) < 32 and c not in "\t\n\r\f") or c == "\x7f")
    if controls or "\x00" in text:
        return
    assert decode_text(text.encode(encoding))[0] == text


@given(st.binary(max_size=600), st.sampled_from(["x.pdf", "x.docx", "x.txt", "x", "-"]))
def test_sniff_format_gives_a_format_or_one_clear_error(data, name):
    try:
        assert sniff_format(data, name) in ("pdf", "docx", "text")
    except InputError as error:
        assert str(error).startswith(f"{name}: ")


# ---------------------------------------------------------------- rule loading

yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)),
    max_leaves=12,
)
RULE_KEYS = ["id", "title", "polarity", "severity", "topic", "applies_to", "step", "message", "recommendation",
             "references", "match", "absent", "unless", "negation", "scope", "examples", "requires"]
rule_like = st.dictionaries(st.sampled_from(RULE_KEYS), yaml_values, max_size=12)


@given(st.one_of(rule_like, st.lists(rule_like, max_size=3), yaml_values))
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_load_rules_gives_rules_or_file_line_errors_for_any_yaml(tmp_path, data):
    from policycheck.rules import load_rules

    path = tmp_path / "regel.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        load_rules([str(tmp_path)], builtin=False)
    except RuleErrors as errors:
        assert errors.errors
        assert all(str(error).startswith(str(path)) for error in errors.errors)


@given(st.text(max_size=300))
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_load_rules_survives_any_text_as_yaml(tmp_path, text):
    from policycheck.rules import load_rules

    (tmp_path / "regel.yml").write_text(text, encoding="utf-8")
    try:
        load_rules([str(tmp_path)], builtin=False)
    except RuleErrors as errors:
        assert errors.errors


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['x']", "!!python/name:os.system", "!eigen 1"])
def test_load_rules_refuses_every_non_standard_tag(tmp_path, tag):
    from policycheck.rules import load_rules

    (tmp_path / "regel.yml").write_text(f"id: X\ntitle: {tag}\n", encoding="utf-8")
    with pytest.raises(RuleErrors) as info:
        load_rules([str(tmp_path)], builtin=False)
    assert "is niet toegestaan" in str(info.value)
