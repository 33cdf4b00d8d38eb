"""--format sarif, csv and xlsx on the whole corpus: valid SARIF 2.1.0 whose regions
point at the extracted text, and the planning sheet with one row per finding."""

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import CORPUS
from policycheck import __version__
from policycheck.report import render
from policycheck.report.context import RunContext
from policycheck.report.summary import article_of
from policycheck.scan import expand_paths

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def corpus_results(scanner):
    return [scanner.scan_path(path) for path, _ in expand_paths((str(CORPUS),))]


@pytest.fixture(scope="module")
def context(scanner, builtin_rules):
    return RunContext(
        version=__version__,
        pipeline=scanner.pipeline,
        rule_count=len(builtin_rules.rules),
        rule_sources=builtin_rules.sources,
        rules=builtin_rules.rules,
    )


@pytest.fixture(scope="module")
def validator():
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def _all_findings(results):
    """In report order: document by document, then polarity, step and position."""
    from policycheck.report.summary import sorted_findings

    return [(result, f) for result in results for f in sorted_findings(result.findings)]


def test_sarif_corpus_is_valid_against_the_sarif_2_1_0_schema(corpus_results, context, validator):
    assert len(corpus_results) == len(list((CORPUS / "gold").glob("*.yaml")))
    log = json.loads(render(corpus_results, "sarif", context))
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    # The validator is strict: a wrong level is caught.
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert not validator.is_valid(broken)


def test_sarif_regions_point_at_the_extracted_text(corpus_results, context):
    log = json.loads(render(corpus_results, "sarif", context))
    run = log["runs"][0]
    assert log["version"] == "2.1.0" and run["columnKind"] == "unicodeCodePoints"
    findings = _all_findings(corpus_results)
    assert len(run["results"]) == len(findings) > 0
    texts = {Path(result.path).as_uri(): result.document.text for result in corpus_results}
    for sarif_result in run["results"]:
        location = sarif_result["locations"][0]["physicalLocation"]
        artifact = run["artifacts"][location["artifactLocation"]["index"]]
        path = location["artifactLocation"]["uri"]
        assert artifact["location"]["uri"] == path and path in texts
        props = sarif_result["properties"]
        if props["documentLevel"]:
            assert "region" not in location
            continue
        region = location["region"]
        text = texts[path]
        clause = text[region["charOffset"] : region["charOffset"] + region["charLength"]]
        assert clause == region["snippet"]["text"]
        lines = text.split("\n")
        assert lines[region["startLine"] - 1][region["startColumn"] - 1 :].startswith(clause.split("\n")[0])
        assert lines[region["endLine"] - 1][: region["endColumn"] - 1].endswith(clause.split("\n")[-1])
        assert props["headingPath"]
        in_article = any(h.startswith("Artikel") for h in props["headingPath"]) if isinstance(props["headingPath"], list) \
            else "Artikel" in props["headingPath"]
        assert props["article"].startswith("Artikel") == in_article
        assert (props["page"] is not None) or (props["paragraph"] is not None)
        assert sarif_result["partialFingerprints"]["policycheck/v1"]
    # Hindering clauses are failures; helping ones information.
    levels = {(r["properties"]["polarity"], r["kind"]) for r in run["results"]}
    assert ("belemmerend", "fail") in levels and ("bevorderend", "informational") in levels


def test_sarif_driver_lists_every_rule_with_help_and_links(corpus_results, context, builtin_rules):
    log = json.loads(render(corpus_results, "sarif", context))
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "policycheck" and driver["version"] == __version__
    assert [rule["id"] for rule in driver["rules"]] == [rule.id for rule in builtin_rules.rules]
    for descriptor, rule in zip(driver["rules"], builtin_rules.rules):
        assert descriptor["shortDescription"]["text"] == rule.title
        assert rule.recommendation.strip() in descriptor["help"]["text"]
        urls = [ref.url for ref in rule.references if ref.url]
        if urls:
            assert descriptor["helpUri"] == urls[0]
            assert f"]({urls[0]})" in descriptor["help"]["markdown"]
    for sarif_result in log["runs"][0]["results"]:
        assert driver["rules"][sarif_result["ruleIndex"]]["id"] == sarif_result["ruleId"]


def test_sarif_reports_unreadable_documents_as_notifications(scanner, context, tmp_path, validator):
    broken = tmp_path / "kapot.pdf"
    broken.write_bytes(b"%PDF-1.7\n garbage")
    results = [scanner.scan_path(str(broken))]
    log = json.loads(render(results, "sarif", context))
    assert validator.is_valid(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert any(n["level"] == "error" and "kapot.pdf" in n["message"]["text"]
               for n in invocation["toolExecutionNotifications"])


def test_csv_has_one_row_per_finding_with_the_planning_columns(corpus_results, context):
    rows = list(csv.DictReader(io.StringIO(render(corpus_results, "csv", context))))
    findings = _all_findings(corpus_results)
    assert len(rows) == len(findings)
    for row, (result, finding) in zip(rows, findings):
        assert row["document"] == result.path
        assert row["regel"] == finding.rule_id and row["polariteit"] == finding.polarity
        assert row["onderwerp"] == finding.topic and row["ernst"] == finding.severity
        assert row["aanbeveling"] == finding.recommendation.strip()
        assert row["vingerafdruk"] == finding.fingerprint
        assert row["artikel"] == article_of(finding.heading_path)
        if finding.document_level:
            assert row["bepaling"] == "(hele document)" and row["pagina"] == ""
        else:
            assert row["bepaling"] == finding.text
            assert row["pagina"] == (str(finding.page) if finding.page else "")
    pdf_rows = [r for r in rows if r["document"].endswith(".pdf") and r["bepaling"] != "(hele document)"]
    assert pdf_rows and all(r["pagina"].isdigit() for r in pdf_rows)
    assert any(r["artikel"].startswith("Artikel ") for r in rows)


def test_xlsx_has_filters_frozen_header_wrapped_text_and_a_document_sheet(corpus_results, context):
    from openpyxl import load_workbook

    data = render(corpus_results, "xlsx", context)
    assert isinstance(data, bytes)
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["Bevindingen"]
    header = [cell.value for cell in sheet[1]]
    assert header[:15] == ["document", "pagina", "alinea", "artikel", "kopjespad", "regel", "titel", "onderwerp",
                           "polariteit", "ernst", "stap", "bepaling", "bericht", "aanbeveling", "vingerafdruk"]
    findings = _all_findings(corpus_results)
    assert sheet.max_row == len(findings) + 1
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:R{len(findings) + 1}"
    assert sheet.column_dimensions["L"].width >= 50  # the clause column is wide
    assert sheet["L2"].alignment.wrap_text
    assert sheet["A1"].font.bold
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [v[5] for v in values] == [f.rule_id for _, f in findings]
    documents = workbook["Documenten"]
    assert documents.max_row == len(corpus_results) + 1
    counts = {row[0].value: row[4].value for row in documents.iter_rows(min_row=2)}
    velderhoven = next(k for k in counts if k.endswith("inkoopbeleid-velderhoven-2025.pdf"))
    expected = next(r for r in corpus_results if r.path.endswith("inkoopbeleid-velderhoven-2025.pdf"))
    assert counts[velderhoven] == expected.counts()["belemmerend"] > 0


def test_xlsx_keeps_formula_like_text_as_text(scanner, context, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "inkoop.txt"
    path.write_text("Inkoopbeleid\n\n=HYPERLINK(\"x\") Opdrachten worden standaard gegund op basis van de laagste prijs.\n",
                    encoding="utf-8")
    results = [scanner.scan_path(str(path))]
    sheet = load_workbook(io.BytesIO(render(results, "xlsx", context)))["Bevindingen"]
    clauses = [row[11].value for row in sheet.iter_rows(min_row=2)]
    assert any(c.startswith("=HYPERLINK") for c in clauses)
    assert all(row[11].data_type == "s" for row in sheet.iter_rows(min_row=2))
