"""Tools for rule authors: rules test/show/docs, explain, scan --explain and the config file."""

import json
from pathlib import Path

from click.testing import CliRunner

from policycheck.cli import main

REPO = Path(__file__).resolve().parent.parent
RULE = (REPO / "rules" / "subsidy" / "SUB-WINSTOOGMERK.yml").read_text(encoding="utf-8")


def run(*args, **kwargs):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kwargs)


def test_rules_test_reports_a_failing_example_with_rule_and_text(tmp_path):
    broken = RULE.replace("id: SUB-WINSTOOGMERK", "id: EIGEN-WINST").replace(
        "    - De aanvraag wordt geweigerd als deze na de sluitingsdatum is ingediend.",
        "    - Subsidie wordt niet verstrekt aan organisaties met een winstoogmerk en aan bedrijven.",
    )
    (tmp_path / "eigen.yml").write_text(broken, encoding="utf-8")
    result = run("rules", "test", str(tmp_path))
    assert result.exit_code == 1
    import yaml

    examples = yaml.safe_load(RULE)["examples"]
    total = len(examples["match"]) + len(examples["no_match"])
    assert f"{tmp_path / 'eigen.yml'} " in result.output and "F" in result.output
    assert "EIGEN-WINST [no_match] 'Subsidie wordt niet verstrekt aan organisaties met een winstoogmerk en aan bedrijven.'" in result.output
    assert "onterechte treffer" in result.output and "winstoogmerk" in result.output
    assert f"1 regels, {total} voorbeelden: {total - 1} goed, 1 mislukt" in result.output


def test_rules_show_has_the_dutch_sections():
    result = run("rules", "show", "SUB-WINSTOOGMERK")
    assert result.exit_code == 0
    for section in ("## Wat het vindt", "## Waarom het ertoe doet", "## Voorbeeld", "## Schrijf liever", "## Bronnen"):
        assert section in result.output
    assert "https://vng.nl/" in result.output
    assert "bedoelde u SUB-WINSTOOGMERK" in run("rules", "show", "SUB-WINSTOOGMERKK").output


def test_rules_docs_writes_a_page_per_rule_and_an_index(tmp_path, builtin_rules):
    result = run("rules", "docs", "-o", str(tmp_path / "docs"))
    assert result.exit_code == 0, result.output
    pages = sorted(p.stem for p in (tmp_path / "docs").glob("*.md"))
    assert pages == sorted([r.id for r in builtin_rules.rules] + ["index"])
    index = (tmp_path / "docs" / "index.md").read_text(encoding="utf-8")
    assert "[SUB-OPEN](SUB-OPEN.md)" in index


def test_rules_docs_refuses_empty_sections_and_references_without_url(tmp_path):
    rules = tmp_path / "regels"
    rules.mkdir()
    text = RULE.replace("id: SUB-WINSTOOGMERK", "id: EIGEN-LEEG").replace(
        "    url: https://wetten.overheid.nl/BWBR0005537/\n", "")
    text = text[: text.index("rationale:")] + text[text.index("recommendation:"):]
    (rules / "leeg.yml").write_text(text, encoding="utf-8")
    result = run("rules", "docs", "-o", str(tmp_path / "out"), "--rules", str(rules))
    assert result.exit_code == 2
    assert "EIGEN-LEEG: sectie rationale (Waarom het ertoe doet) is leeg" in result.stderr
    assert "EIGEN-LEEG: bron 'Algemene wet bestuursrecht, titel 4.2 (subsidies)' heeft geen geldig webadres" in result.stderr
    assert not (tmp_path / "out").exists()


def test_scan_explain_shows_the_triggering_condition(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("Subsidieregeling\n\nSubsidie wordt niet verstrekt aan organisaties met een winstoogmerk.\n")
    result = run("scan", str(path), "--explain", "--no-color")
    assert "Gevonden door: regex" in result.output and "→ “winstoogmerk”" in result.output


def test_explain_shows_why_a_rule_did_not_fire(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("Subsidieregeling\n\nEen winstoogmerk is geen weigeringsgrond, mits de activiteit niet-commercieel is.\n"
                    "\nOrganisaties met een winstoogmerk kunnen aanvragen.\n")
    result = run("explain", str(path), "--rule", "SUB-WINSTOOGMERK")
    assert result.exit_code == 0
    assert "SUB-WINSTOOGMERK meldt zich niet; dichtstbij kwamen" in result.output
    assert "✓ regex /\\bwinst\\s*oogmerk" in result.output
    assert "✗ regex /\\bniet\\s+" in result.output


def test_explain_names_what_stopped_a_full_match(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("Inkoopbeleid\n\nWij gunnen niet op laagste prijs.\n")
    result = run("explain", str(path), "--rule", "AB-LAAGSTE-PRIJS")
    assert "[100% van de voorwaarden]" in result.output
    assert "Tegengehouden: de treffer is ontkend" in result.output


CONFIG = """\
disable: [AB-BPKV]
rules:
  AB-LAAGSTE-PRIJS: {severity: laag}
"""


def test_config_file_found_upward_disables_and_changes_severity(tmp_path, monkeypatch):
    (tmp_path / "policycheck.yaml").write_text(CONFIG, encoding="utf-8")
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    (work / "p.txt").write_text("Inkoopbeleid\n\nWij gunnen standaard op laagste prijs en op de beste prijs-kwaliteitverhouding.\n")
    monkeypatch.chdir(work)
    data = json.loads(run("scan", "p.txt", "--format", "json").stdout)
    findings = {f["rule_id"]: f for f in data["documents"][0]["findings"]}
    assert "AB-BPKV" not in findings
    assert findings["AB-LAAGSTE-PRIJS"]["severity"] == "laag"
    assert "AB-BPKV" not in run("rules", "list").output
    assert str(tmp_path / "policycheck.yaml") in run("doctor").output


def test_config_params_override_a_rule_threshold(tmp_path):
    rules = tmp_path / "regels"
    rules.mkdir()
    (rules / "termijn.yml").write_text(
        RULE.replace("id: SUB-WINSTOOGMERK", "id: EIGEN-TERMIJN").replace("applies_to: [subsidy]", "applies_to: [procurement]")
        .split("match:")[0]
        + "params: {max_dagen: 30}\nmatch:\n  all: [{phrase: betaaltermijn}, {number: {unit: days, gt: max_dagen}}]\n",
        encoding="utf-8",
    )
    (tmp_path / "c.yaml").write_text("rule_folders: [regels]\nrules:\n  EIGEN-TERMIJN: {params: {max_dagen: 14}}\n")
    doc = tmp_path / "p.txt"
    doc.write_text("Inkoopbeleid\n\nDe betaaltermijn is 21 dagen na ontvangst van de factuur.\n")
    without = json.loads(run("scan", str(doc), "--format", "json", "--rules", str(rules)).stdout)
    with_config = json.loads(run("scan", str(doc), "--format", "json", "--config", str(tmp_path / "c.yaml")).stdout)
    assert "EIGEN-TERMIJN" not in [f["rule_id"] for f in without["documents"][0]["findings"]]
    found = [f for f in with_config["documents"][0]["findings"] if f["rule_id"] == "EIGEN-TERMIJN"]
    assert len(found) == 1
    # The message states the rule file's threshold; the reader learns which one applied.
    assert found[0]["message"].endswith("Let op: in de configuratie is max_dagen op 14 gezet (standaard 30); "
                                        "de melding noemt de standaardwaarde.")


def test_config_param_note_follows_the_config_through_the_cache(tmp_path, monkeypatch):
    # A finding rebuilt from the cache takes its message from the current rule and
    # configuration, so the note appears and disappears with the setting.
    monkeypatch.setenv("POLICYCHECK_CACHE_DIR", str(tmp_path / "cache"))
    doc = tmp_path / "p.txt"
    doc.write_text("Inkoopbeleid\n\nWij betalen facturen binnen 45 dagen na ontvangst.\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("rules:\n  AB-BETAALTERMIJN-LANG: {params: {max_dagen: 40}}\n", encoding="utf-8")
    (tmp_path / "leeg.yaml").write_text("disable: []\n", encoding="utf-8")

    def message(config):
        data = json.loads(run("scan", str(doc), "-f", "json", "-j", "1", "--config", str(tmp_path / config)).stdout)
        return next(f["message"] for f in data["documents"][0]["findings"] if f["rule_id"] == "AB-BETAALTERMIJN-LANG")

    assert "max_dagen op 40 gezet (standaard 30)" in message("c.yaml")
    assert "Let op" not in message("leeg.yaml")
    assert "max_dagen op 40 gezet (standaard 30)" in message("c.yaml")


def test_config_errors_name_file_and_line(tmp_path):
    (tmp_path / "c.yaml").write_text("disable: [AB-BPKV]\nrulez: {}\nrules:\n  AB-LAAGSTE-PRIJS: {severity: enorm}\n")
    result = run("rules", "list", "--config", str(tmp_path / "c.yaml"))
    assert result.exit_code == 2
    assert f"{tmp_path / 'c.yaml'}:2: onbekend veld 'rulez' in de configuratie; bedoelde u 'rules'?" in result.stderr
    assert f"{tmp_path / 'c.yaml'}:4: severity moet een van hoog, middel, laag zijn" in result.stderr


LINTABLE = """\
id: EIGEN-RISICO
title: Testregel
polarity: belemmerend
severity: hoog
topic: nonprofit-only
applies_to: [subsidy]
step: 5
message: Bericht.
recommendation: Schrijf iets anders.
references:
  - title: Boek zonder adres
match:
  all:
    - regex: '(\\\\w+\\\\s?)+winst'
    - pattern: [{ENT_TYPE: ORG}, {LOWER: winst}]
examples:
  match: [Een voorbeeld.]
"""


def test_rules_lint_reports_each_problem_with_file_and_line(tmp_path):
    (tmp_path / "risico.yml").write_text(LINTABLE, encoding="utf-8")
    result = run("rules", "lint", str(tmp_path))
    source = tmp_path / "risico.yml"
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith(f"{source}:14: PC-L001 [EIGEN-RISICO] regex") for line in lines), lines
    assert f"{source}:1: PC-L002 [EIGEN-RISICO] 1 voorbeeld(en) onder examples.match" in result.output
    assert f"{source}:1: PC-L002 [EIGEN-RISICO] 0 voorbeeld(en) onder examples.no_match" in result.output
    assert f"{source}:1: PC-L003 [EIGEN-RISICO] sectie rationale (Waarom het ertoe doet) is leeg" in result.output
    assert f"{source}:1: PC-L004 [EIGEN-RISICO] bron 'Boek zonder adres' heeft geen webadres (url)" in result.output
    assert f"{source}:15: PC-L005 [EIGEN-RISICO] token-patroon gebruikt ENT_TYPE" in result.output


def test_rules_lint_reports_invalid_rules_and_duplicate_ids(tmp_path):
    (tmp_path / "kapot.yml").write_text("id: X\ntitel: fout\n", encoding="utf-8")
    result = run("rules", "lint", str(tmp_path))
    assert result.exit_code == 2
    assert f"{tmp_path / 'kapot.yml'}:2: onbekend veld 'titel' in regel; bedoelde u 'title'?" in result.output
    other = tmp_path / "ander"
    other.mkdir()
    (other / "dubbel.yml").write_text(RULE, encoding="utf-8")
    result = run("rules", "lint", "--rules", str(other))
    assert "regel SUB-WINSTOOGMERK uit" in result.output and "(PC-L006 dubbele regel-id)" in result.output


def test_rules_lint_passes_on_the_builtin_rules():
    result = run("rules", "lint")
    assert result.exit_code == 0, result.output
    assert "0 bevinding(en)" in result.output
