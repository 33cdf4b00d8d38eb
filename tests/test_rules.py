"""Loading rule files: validation with exact file:line messages, and the built-in set."""

from pathlib import Path

import pytest

from policycheck.errors import RuleErrors
from policycheck.rules import TOPICS, load_rules

VALID = """\
id: TEST-ONE
title: Testregel
polarity: belemmerend
severity: hoog
topic: nonprofit-only
applies_to: [subsidy]
step: 5
message: Bericht.
recommendation: Schrijf iets anders.
references:
  - title: Bron
    url: https://example.org/
match:
  phrase: winstoogmerk
"""


def load_errors(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "broken.yml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleErrors) as info:
        load_rules([str(tmp_path)], builtin=False)
    return [str(error) for error in info.value.errors]


def test_rules_valid_file_loads(tmp_path):
    (tmp_path / "ok.yml").write_text(VALID, encoding="utf-8")
    ruleset = load_rules([str(tmp_path)], builtin=False)
    assert [rule.id for rule in ruleset.rules] == ["TEST-ONE"]
    assert ruleset.rules[0].line == 1


def test_rules_broken_file_reports_file_and_line(tmp_path):
    text = VALID.replace("polarity: belemmerend", "polarity: slecht").replace(
        "step: 5", "step: 9\nmesage: typo"
    ).replace("  phrase: winstoogmerk", "  regex: '(unclosed'")
    errors = load_errors(tmp_path, text)
    path = str(tmp_path / "broken.yml")
    assert errors == [
        f"{path}:8: onbekend veld 'mesage' in regel; bedoelde u 'message'?",
        f"{path}:3: polarity moet een van bevorderend, belemmerend, ontbrekend zijn, niet 'slecht'",
        f"{path}:7: step moet een stap van het plan zijn (1-8), niet '9'",
        f"{path}:15: ongeldige regex '(unclosed': missing ) at position 9",
    ]


def test_rules_invalid_yaml_reports_line(tmp_path):
    errors = load_errors(tmp_path, "id: X\ntitle: [unclosed\npolarity: belemmerend\n")
    assert len(errors) == 1
    assert errors[0].startswith(str(tmp_path / "broken.yml") + ":")
    assert "ongeldige YAML" in errors[0]


def test_rules_unsafe_yaml_tag_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    errors = load_errors(tmp_path, f"!!python/object/apply:os.system ['touch {marker}']\n")
    assert errors == [
        f"{tmp_path / 'broken.yml'}:1: YAML-tag !!python/object/apply:os.system is niet toegestaan: "
        "een regel bevat alleen gewone YAML (tekst, getallen, lijsten, mappings)"
    ]
    assert not marker.exists()


def test_rules_missing_required_field_and_unknown_topic(tmp_path):
    text = VALID.replace("recommendation: Schrijf iets anders.\n", "").replace("nonprofit-only", "nonprofit")
    errors = load_errors(tmp_path, text)
    assert any("verplicht veld 'recommendation' ontbreekt" in e for e in errors)
    assert any(":5: onbekend onderwerp 'nonprofit'; bedoelde u 'nonprofit-only'?" in e for e in errors)


def test_rules_duplicate_id_in_one_folder(tmp_path):
    (tmp_path / "a.yml").write_text(VALID, encoding="utf-8")
    (tmp_path / "b.yml").write_text(VALID, encoding="utf-8")
    ruleset = load_rules([str(tmp_path)], builtin=False)
    # Same id from another file overrides with a notice; the author sees it.
    assert len(ruleset.rules) == 1
    assert "vervangt" in ruleset.notices[0]


def test_rules_missing_folder_is_an_error(tmp_path):
    with pytest.raises(RuleErrors) as info:
        load_rules([str(tmp_path / "bestaat-niet")])
    assert "regelmap bestaat niet" in str(info.value)


def test_rules_builtin_set_is_complete(builtin_rules):
    assert len(builtin_rules.rules) >= 9
    for rule in builtin_rules.rules:
        assert rule.topic in TOPICS
        assert rule.message and rule.recommendation and rule.references
        assert rule.examples_match and rule.examples_no_match, rule.id


def test_rules_examples_of_every_builtin_rule(builtin_rules, compiled):
    from policycheck.ruletest import run_rule_examples

    failures = [str(f) for rule in builtin_rules.rules for f in run_rule_examples(rule, compiled)]
    assert failures == []


def _schema():
    import json

    from policycheck.rules import builtin_rules_dir

    return json.loads((builtin_rules_dir() / "rule.schema.json").read_text(encoding="utf-8"))


def test_rules_json_schema_accepts_every_builtin_rule_file():
    import jsonschema
    import yaml

    from policycheck.rules import builtin_rules_dir

    validator = jsonschema.Draft7Validator(_schema())
    files = sorted(builtin_rules_dir().rglob("*.yml"))
    assert files
    for path in files:
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../rule.schema.json")
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))]
        assert errors == [], path


def test_rules_json_schema_agrees_with_the_loader():
    from policycheck.rules import NUMBER_UNITS, POLARITIES, RULE_FIELDS, SEVERITIES

    rule = _schema()["definitions"]["rule"]["properties"]
    assert set(rule) == RULE_FIELDS
    assert rule["polarity"]["enum"] == list(POLARITIES)
    assert rule["severity"]["enum"] == list(SEVERITIES)
    assert rule["topic"]["enum"] == list(TOPICS)
    conditions = _schema()["definitions"]["condition"]["oneOf"]
    keys = {key for c in conditions if c.get("type") == "object" for key in c["required"]}
    from policycheck.rules import CONDITION_KEYS

    assert keys == CONDITION_KEYS
    number = next(c for c in conditions if c.get("required") == ["number"])
    assert number["properties"]["number"]["properties"]["unit"]["enum"] == list(NUMBER_UNITS)


def test_rules_json_schema_rejects_a_broken_rule():
    import jsonschema
    import yaml

    broken = yaml.safe_load(VALID.replace("polarity: belemmerend", "polarity: slecht"))
    assert list(jsonschema.Draft7Validator(_schema()).iter_errors(broken))


def test_checked_patterns_are_not_checked_again_but_every_new_one_is(tmp_path, monkeypatch):
    # A re-scan loads the rules again; a regex that passed before (in `checked`, kept in
    # the cache) is not checked again, while an edited one still is.
    from policycheck import rules

    rule = VALID.replace("  phrase: winstoogmerk", "  regex: 'winst(oogmerk)?'")
    (tmp_path / "ok.yml").write_text(rule, encoding="utf-8")
    checked_now = []
    real_problem = rules.regex_problem
    monkeypatch.setattr(rules, "regex_problem", lambda pattern: checked_now.append(pattern) or real_problem(pattern))
    checked: set[str] = set()
    load_rules([str(tmp_path)], builtin=False, checked=checked)
    assert checked_now == ["winst(oogmerk)?"] and len(checked) == 1
    checked_now.clear()
    load_rules([str(tmp_path)], builtin=False, checked=checked)
    assert checked_now == []
    (tmp_path / "ok.yml").write_text(rule.replace("winst(oogmerk)?", "winst(oogmerk"), encoding="utf-8")
    with pytest.raises(RuleErrors) as info:
        load_rules([str(tmp_path)], builtin=False, checked=checked)
    assert "ongeldige regex 'winst(oogmerk'" in str(info.value.errors[0])
    assert len(checked) == 1  # an invalid pattern is never remembered


def test_regex_syntax_only_the_regex_module_knows_is_accepted(tmp_path):
    # Rules are matched with `regex`; its extra syntax (\p{L}, variable look-behind) is valid.
    rule = VALID.replace("  phrase: winstoogmerk", "  regex: '(?<!niet\\s+)\\p{L}*winst'")
    (tmp_path / "ok.yml").write_text(rule, encoding="utf-8")
    assert [r.id for r in load_rules([str(tmp_path)], builtin=False).rules] == ["TEST-ONE"]
    broken = rule.replace("\\p{L}", "\\p{Nope}")
    errors = load_errors(tmp_path, broken)
    assert len(errors) == 1 and "ongeldige regex" in errors[0]
