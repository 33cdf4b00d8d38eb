"""The command line as a policy officer uses it: scan, formats, exit codes, bad input."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS
from extract_fixtures import build_encrypted_pdf, build_image_only_pdf
from policycheck.cli import main

PROCUREMENT_TEXT = (
    "Inkoopbeleid gemeente Testdorp\n\n"
    "Artikel 3 Gunning\n\n"
    "Opdrachten worden standaard gegund op basis van de laagste prijs.\n\n"
    "De gemeente past social return toe bij diensten boven € 200.000.\n"
)


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def policy_txt(tmp_path):
    path = tmp_path / "inkoopbeleid.txt"
    path.write_text(PROCUREMENT_TEXT, encoding="utf-8")
    return path


def test_cli_scan_text_groups_findings_and_ends_with_summary(policy_txt):
    result = run("scan", str(policy_txt), "--no-color")
    out = result.output
    assert result.exit_code == 1  # a belemmerend finding, default --fail-on belemmerend
    # ontbrekend: no sociale ondernemingen and no voorbehouden opdrachten in the text
    assert out.index("BELEMMEREND (1)") < out.index("ONTBREKEND (2)") < out.index("BEVORDEREND (1)")
    assert "Stap 5: Beleid aanpassen op basis van de visie" in out
    assert "AB-LAAGSTE-PRIJS" in out and "¶ 3, Artikel 3 Gunning" in out
    assert "“Opdrachten worden standaard gegund op basis van de laagste prijs.”" in out
    assert "Schrijf liever:" in out
    assert "Beleidstype: inkoop en aanbesteding (herkend aan" in out
    assert out.rstrip().splitlines()[-1] == (
        "1 document gescand: 4 bevindingen (1 belemmerend, 2 ontbrekend, 1 bevorderend)."
    )


@pytest.mark.parametrize("fail_on,status", [("belemmerend", 1), ("ontbrekend", 1), ("none", 0)])
def test_cli_fail_on_sets_exit_status(policy_txt, fail_on, status):
    assert run("scan", str(policy_txt), "--fail-on", fail_on, "-q").exit_code == status


def test_cli_fail_on_ontbrekend_counts_missing_only_documents(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Inkoopbeleid\n\nWij besteden opdrachten aan en gunnen op de beste prijs-kwaliteitverhouding.\n")
    assert run("scan", str(path), "-q").exit_code == 0
    assert run("scan", str(path), "-q", "--fail-on", "ontbrekend").exit_code == 1


def test_cli_scan_json_schema(policy_txt, tmp_path):
    out = tmp_path / "rapport.json"
    result = run("scan", str(policy_txt), "--format", "json", "-o", str(out), "--fail-on", "none")
    assert result.exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema_version"] == "1.0"
    (doc,) = data["documents"]
    assert set(doc) >= {"path", "sha256", "format", "policy_type", "pipeline", "warnings", "errors", "findings"}
    assert doc["format"] == "text" and doc["policy_type"]["value"] == "procurement"
    assert doc["policy_type"]["evidence"]
    finding = next(f for f in doc["findings"] if f["rule_id"] == "AB-LAAGSTE-PRIJS")
    assert set(finding) >= {"rule_id", "topic", "polarity", "severity", "step", "text", "location",
                            "message", "recommendation", "references", "fingerprint"}
    location = finding["location"]
    assert location["heading_path"] == ["Artikel 3 Gunning"]
    full_text = "\n\n".join(["Inkoopbeleid gemeente Testdorp", "Artikel 3 Gunning",
                             "Opdrachten worden standaard gegund op basis van de laagste prijs.",
                             "De gemeente past social return toe bij diensten boven € 200.000."])
    assert full_text[location["start"]:location["end"]] == finding["text"]


def test_cli_scan_type_option_overrides_detection(policy_txt):
    result = run("scan", str(policy_txt), "--type", "subsidy", "--format", "json", "--fail-on", "none")
    doc = json.loads(result.stdout)["documents"][0]
    assert doc["policy_type"] == {"value": "subsidy", "detected": False, "evidence": ["opgegeven met --type"], "scores": {}}
    assert doc["findings"] == []  # no procurement rules for a subsidy policy


def test_cli_scan_stdin():
    result = run("scan", "-", "--format", "json", "--fail-on", "none", input=PROCUREMENT_TEXT.encode())
    doc = json.loads(result.stdout)["documents"][0]
    assert doc["path"] == "<stdin>"
    assert {f["rule_id"] for f in doc["findings"]} >= {"AB-LAAGSTE-PRIJS", "AB-SOCIAL-RETURN"}


def test_cli_scan_html_is_self_contained_and_escapes_document_text(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("Inkoopbeleid\n\nWij gunnen standaard op laagste prijs <script>alert(1)</script>.\n")
    out = tmp_path / "r.html"
    assert run("scan", str(path), "--format", "html", "-o", str(out)).exit_code == 1
    html = out.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Content-Security-Policy" in html
    assert "src=\"http" not in html and "<link" not in html


def test_cli_scan_directory_scans_supported_files(tmp_path):
    (tmp_path / "a.txt").write_text(PROCUREMENT_TEXT, encoding="utf-8")
    (tmp_path / "b.md").write_text("# Subsidieregeling\n\nSubsidie wordt niet verstrekt aan organisaties met een winstoogmerk.\n")
    (tmp_path / "notities.csv").write_text("niet,gescand\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text(PROCUREMENT_TEXT, encoding="utf-8")
    data = json.loads(run("scan", str(tmp_path), "--format", "json").stdout)
    assert [d["path"].rsplit("/", 1)[-1] for d in data["documents"]] == ["a.txt", "b.md"]
    data = json.loads(run("scan", str(tmp_path), "-r", "--format", "json").stdout)
    assert [d["path"].rsplit("/", 1)[-1] for d in data["documents"]] == ["a.txt", "b.md", "c.txt"]


def bad_inputs(tmp_path):
    empty = tmp_path / "leeg.txt"
    empty.write_bytes(b"")
    corrupt_docx = tmp_path / "kapot.docx"
    corrupt_docx.write_bytes(b"PK\x03\x04 dit is geen zip")
    unsupported = tmp_path / "plaatje.png"
    unsupported.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    return {
        "missing": (tmp_path / "bestaat-niet.pdf", "bestand niet gevonden"),
        "empty": (empty, "leeg bestand"),
        "encrypted": (build_encrypted_pdf(tmp_path / "versleuteld.pdf"), "versleutelde PDF"),
        "no_text": (build_image_only_pdf(tmp_path / "scan.pdf"), "geen tekstlaag"),
        "corrupt_docx": (corrupt_docx, "DOCX"),
        "unsupported": (unsupported, "onbekend bestandsformaat"),
    }


@pytest.mark.parametrize("case", ["missing", "empty", "encrypted", "no_text", "corrupt_docx", "unsupported"])
def test_cli_bad_input_gives_one_clear_line_and_status_2(tmp_path, case):
    path, problem = bad_inputs(tmp_path)[case]
    result = CliRunner().invoke(main, ["scan", str(path), "-q"], catch_exceptions=False)
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if "fout:" in line]
    assert len(errors) == 1, result.stderr
    assert str(path) in errors[0] and problem in errors[0]
    assert "Traceback" not in result.output + result.stderr


def test_cli_bad_input_does_not_stop_the_batch(tmp_path, policy_txt):
    inputs = bad_inputs(tmp_path)
    paths = [str(p) for p, _ in inputs.values()] + [str(policy_txt)]
    result = CliRunner().invoke(main, ["scan", *paths, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    by_name = {d["path"]: d for d in data["documents"]}
    assert by_name[str(policy_txt)]["findings"] and not by_name[str(policy_txt)]["errors"]
    assert sum(1 for d in data["documents"] if d["errors"]) == len(inputs)
    assert data["summary"]["failed"] == len(inputs)


def test_cli_text_file_named_pdf_is_read_as_text_with_a_warning(tmp_path):
    path = tmp_path / "tekst.pdf"
    path.write_text(PROCUREMENT_TEXT, encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(path), "--format", "json"], catch_exceptions=False)
    doc = json.loads(result.stdout)["documents"][0]
    assert doc["format"] == "text" and doc["errors"] == []
    assert any(".pdf" in w for w in doc["warnings"])
    warnings = [line for line in result.stderr.splitlines() if "waarschuwing:" in line]
    assert len(warnings) == 1 and str(path) in warnings[0] and ".pdf" in warnings[0]


def test_cli_rules_error_is_reported_with_file_and_line(tmp_path, policy_txt):
    (tmp_path / "kapot.yml").write_text("id: X\npolarity: raar\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(policy_txt), "--rules", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'kapot.yml'}:2: polarity moet een van" in result.stderr


def test_cli_extra_rules_folder_adds_rules(tmp_path, policy_txt):
    rule = (CORPUS.parent / "rules" / "procurement" / "AB-BPKV.yml").read_text(encoding="utf-8")
    (tmp_path / "eigen.yml").write_text(rule.replace("id: AB-BPKV", "id: EIGEN-BPKV"), encoding="utf-8")
    result = run("rules", "list", "--rules", str(tmp_path))
    assert "EIGEN-BPKV" in result.output and "AB-BPKV" in result.output


def test_cli_doctor_names_the_pipeline_and_rules():
    result = run("doctor")
    assert result.exit_code == 0
    from policycheck.nlp import load_pipeline

    _, info = load_pipeline()
    if info.fallback:
        assert "nl_core_news_sm is NIET geïnstalleerd" in result.output
        assert "python -m spacy download nl_core_news_sm" in result.output
    else:
        assert "nl_core_news_sm" in result.output
    for package in ("spacy:", "pdfplumber:", "python-docx:"):
        assert package in result.output
    assert "Regels:" in result.output and "geladen" in result.output


def test_cli_rules_list_shows_every_rule(builtin_rules):
    result = run("rules", "list")
    for rule in builtin_rules.rules:
        assert rule.id in result.output
    assert f"{len(builtin_rules.rules)} regels" in result.output


def test_cli_rules_test_passes_on_builtin_rules():
    result = run("rules", "test")
    assert result.exit_code == 0, result.output
    assert "0 mislukt" in result.output


def test_cli_extract_shows_blocks_with_heading_paths(policy_txt):
    result = run("extract", str(policy_txt))
    assert "#3 paragraph ¶ 3  [Artikel 3 Gunning]" in result.output
    data = json.loads(run("extract", str(policy_txt), "--format", "json").stdout)
    assert data["format"] == "text"
    assert data["blocks"][1]["kind"] == "heading"


def test_cli_extract_corpus_pdf_has_pages_and_no_running_headers():
    pdf = next(CORPUS.glob("*.pdf"))
    data = json.loads(run("extract", str(pdf), "--format", "json").stdout)
    assert data["pages"] >= 2
    assert all(block["page"] for block in data["blocks"])
    texts = [block["text"] for block in data["blocks"]]
    assert not any(text.startswith("Gemeenteblad van") for text in texts)
    assert any(block["kind"] == "table_row" for block in data["blocks"])


def _installed_command():
    from importlib import metadata

    try:
        metadata.distribution("policycheck")
    except metadata.PackageNotFoundError:
        return None
    return shutil.which("policycheck", path=str(Path(sys.executable).parent)) or shutil.which("policycheck")


@pytest.mark.skipif(_installed_command() is None, reason="policycheck is not installed (pip install .)")
def test_cli_installed_command_works_from_any_directory(tmp_path):
    """After `pip install .` the command and its built-in rules work outside the repository."""
    result = subprocess.run([_installed_command(), "rules", "list"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "AB-LAAGSTE-PRIJS" in result.stdout
    result = subprocess.run([sys.executable, "-m", "policycheck", "--help"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0 and "scan" in result.stdout


def test_participatieverordening_without_subsidy_words_gets_the_subsidy_rules(tmp_path):
    # A participatieverordening need not mention subsidies; it must still be checked
    # for the uitdaagrecht (a document-level rule, which needs a known policy type).
    text = (
        "Participatieverordening gemeente Testdorp 2026\n\n"
        "Artikel 1 Reikwijdte\n\n"
        "Deze participatieverordening regelt hoe inwoners worden betrokken bij de voorbereiding van beleid.\n\n"
        "Artikel 2 Inspraak\n\n"
        "Het college legt een ontwerpbesluit zes weken ter inzage en iedereen kan een zienswijze geven.\n"
    )
    path = tmp_path / "participatie.txt"
    path.write_text(text, encoding="utf-8")
    data = json.loads(run("scan", str(path), "-f", "json", "--fail-on", "none").stdout)
    (doc,) = data["documents"]
    assert doc["policy_type"]["value"] == "subsidy"
    assert any("participatieverordening" in item for item in doc["policy_type"]["evidence"])
    assert "SUB-ONTBREEKT-UITDAAGRECHT" in [f["rule_id"] for f in doc["findings"]]
    with_right = text + "\nArtikel 3 Uitdaagrecht\n\nInwoners kunnen het college uitdagen een taak over te nemen.\n"
    path.write_text(with_right, encoding="utf-8")
    data = json.loads(run("scan", str(path), "-f", "json", "--fail-on", "none").stdout)
    assert "SUB-ONTBREEKT-UITDAAGRECHT" not in [f["rule_id"] for f in data["documents"][0]["findings"]]
