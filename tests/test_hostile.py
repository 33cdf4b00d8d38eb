"""Hostile, broken and odd input through the command line, as a policy officer meets it:
one clear line naming the file, the right exit status, no traceback, the batch goes on.

The inputs and their expected outcomes are in tests/hostile_fixtures.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO
from hostile_fixtures import CASES, LOWEST_PRICE, POLICY_LINES, SLOW_REGEX, Case, build_scan_with_text_image
from policycheck.cli import main

SECRET = "GEHEIM-XXE-7731"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "geheim.txt").write_text(SECRET, encoding="utf-8")  # what the XXE case tries to read
    return {case.name: case.build(folder / case.name) for case in CASES}


@pytest.fixture(scope="module")
def policy_txt(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("beleid") / "beleid.txt"
    path.write_text("\n\n".join(POLICY_LINES) + "\n", encoding="utf-8")
    return path


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _args(case: Case, path: Path, policy_txt: Path) -> list[str]:
    if case.command == "scan-rules":
        return ["scan", str(policy_txt), "-q", "--rules", str(path)]
    if case.command == "rules lint":
        return ["rules", "lint", "--rules", str(path)]
    return ["scan", str(path), "--format", "json", *case.args]


def _param(case: Case):
    marks = [pytest.mark.xfail(reason=case.known_gap, strict=True)] if case.known_gap else []
    return pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_hostile_input_gives_its_message_and_exit_status(case, built, policy_txt):
    path = built[case.name]
    result = invoke(*_args(case, path, policy_txt))
    assert "Traceback" not in result.output + result.stderr
    assert result.exit_code == case.status, result.stderr
    error_lines = [line for line in result.stderr.splitlines() if " fout" in line]
    if case.message is not None and case.kind in ("fout", "fout in regel"):
        assert len(error_lines) == 1, result.stderr
        assert f"{case.kind}: " in error_lines[0]
        assert str(path) in error_lines[0] and case.message in error_lines[0]
        return
    assert error_lines == [], result.stderr
    if case.kind == "lint":
        assert case.message in result.stdout
        return
    (document,) = json.loads(result.stdout)["documents"]
    if case.message is None:
        assert document["warnings"] == []
    else:
        assert any(case.message in warning for warning in document["warnings"]), document["warnings"]
    if case.quote:
        assert case.quote in [finding["text"] for finding in document["findings"]]


def test_hostile_batch_reports_every_file_and_still_scans_the_good_ones(built):
    paths = [str(built[case.name]) for case in CASES if case.command == "scan" and not case.args]
    result = invoke("scan", *paths, "--format", "json")
    assert result.exit_code == 2
    documents = {d["path"]: d for d in json.loads(result.stdout)["documents"]}
    assert list(documents) == paths
    for case in CASES:
        if case.command != "scan" or case.args:
            continue
        document = documents[str(built[case.name])]
        assert bool(document["errors"]) == (case.message is not None and case.kind == "fout"), case.name
        if case.quote and not case.known_gap:
            assert case.quote in [finding["text"] for finding in document["findings"]], case.name


def test_hostile_docx_external_entity_is_never_read(built):
    result = invoke("extract", str(built["docx-xxe.docx"]), "--format", "json")
    assert result.exit_code == 2
    assert SECRET not in result.output + result.stderr


def test_hostile_docx_parser_does_not_resolve_entities(tmp_path):
    """Second line of defence, independent of the DTD refusal: python-docx's XML parser."""
    from docx.oxml.parser import parse_xml

    secret = tmp_path / "geheim.txt"
    secret.write_text(SECRET, encoding="utf-8")
    xml = (f'<!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]>'
           '<w:t xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&x;</w:t>')
    element = parse_xml(xml.encode())
    assert SECRET not in (element.text or "")


def test_hostile_docm_macros_are_not_run_and_text_is_read(built):
    result = invoke("extract", str(built["macro.docm"]))
    assert result.exit_code == 0
    assert LOWEST_PRICE in result.stdout
    assert "macro's; die zijn genegeerd en niet uitgevoerd" in result.stderr


def test_hostile_slow_regex_is_stopped_and_reported_per_document(tmp_path, built):
    rules = built["regels-traag"]
    doc = tmp_path / "lang.txt"
    doc.write_text("Inkoopbeleid\n\n" + "a" * 60 + "!\n", encoding="utf-8")
    result = invoke("scan", str(doc), "--rules", str(rules), "--format", "json", "--type", "procurement")
    assert result.exit_code in (0, 1)
    (document,) = json.loads(result.stdout)["documents"]
    assert any(
        warning.startswith(f"regel TRAAG: regex /{SLOW_REGEX}/ duurde langer dan 0.5 s en is overgeslagen")
        for warning in document["warnings"]
    ), document["warnings"]


def test_hostile_limits_are_options_with_defaults_in_help():
    help_text = invoke("scan", "--help").output
    for option in ("--max-pages", "--max-size", "--timeout", "--password", "--ocr"):
        assert option in help_text
    assert "130" in help_text  # the exit status of Ctrl-C is documented


def test_hostile_text_with_terminal_escapes_cannot_drive_the_terminal(tmp_path):
    path = tmp_path / "escape\x1b[31m.txt"
    path.write_bytes(("Inkoopbeleid\n\n" + LOWEST_PRICE[:-1] + " \x1b]0;gehackt\x07\x1b[2J.\n").encode())
    result = invoke("scan", str(path), "--no-color")
    assert "\x1b" not in result.output + result.stderr
    assert "escape\\x1b[31m.txt" in result.stdout


# ---------------------------------------------------------------- OCR


def test_hostile_ocr_flag_without_tesseract_says_what_to_install(monkeypatch, built):
    from policycheck.extract import ocr

    monkeypatch.setattr(ocr, "tesseract_command", lambda: None)
    result = invoke("scan", str(built["pdf-scan.pdf"]), "--ocr")
    assert result.exit_code == 2
    assert "--ocr vraagt Tesseract met Nederlandse taaldata" in result.stderr
    assert "tesseract-ocr-nld" in result.stderr


def _tesseract():
    from policycheck.extract.ocr import tesseract_command

    return tesseract_command()


@pytest.mark.skipif(_tesseract() is None, reason="Tesseract with Dutch (tesseract-ocr-nld) is not installed")
def test_hostile_scanned_pdf_is_read_with_ocr(tmp_path):
    path = build_scan_with_text_image(tmp_path / "scan.pdf")
    without = invoke("scan", str(path))
    assert without.exit_code == 2 and "policycheck scan --ocr" in without.stderr
    result = invoke("scan", str(path), "--ocr", "--format", "json")
    (document,) = json.loads(result.stdout)["documents"]
    assert document["errors"] == []
    assert any(w.startswith("tekst gelezen met OCR (Tesseract) op pagina 1") for w in document["warnings"])
    assert "AB-LAAGSTE-PRIJS" in [finding["rule_id"] for finding in document["findings"]]
    assert result.exit_code == 1


# ---------------------------------------------------------------- output safety


def _tags(html: str) -> list[tuple[str, list]]:
    """Every start tag with its attributes, as a browser's tokenizer sees them."""
    from html.parser import HTMLParser

    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_html_report_escapes_document_rule_and_file_name(tmp_path):
    rules = tmp_path / "regels"
    rules.mkdir()
    (rules / "html.yml").write_text(textwrap.dedent(f"""\
        id: HTML-TEST
        title: 'Titel {PAYLOAD}'
        polarity: belemmerend
        severity: hoog
        topic: award-criteria
        applies_to: [procurement]
        step: 5
        message: 'Bericht {PAYLOAD}'
        rationale: 'Uitleg {PAYLOAD}'
        recommendation: 'Schrijf liever {PAYLOAD}'
        references:
          - title: 'Bron {PAYLOAD}'
            url: 'javascript:alert(1)'
        match:
          phrase: laagste prijs
        """), encoding="utf-8")
    doc = tmp_path / f"beleid{PAYLOAD.replace('/', '')}.txt"
    doc.write_text(f"Inkoopbeleid {PAYLOAD}\n\n{LOWEST_PRICE[:-1]} {PAYLOAD}.\n", encoding="utf-8")
    out = tmp_path / "rapport.html"
    result = invoke("scan", str(doc), "--rules", str(rules), "--format", "html", "-o", str(out))
    assert result.exit_code == 1, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "HTML-TEST" in html
    tags = _tags(html)
    assert not [tag for tag, _ in tags if tag in ("img", "iframe", "object")]
    # Only the report's own two scripts (its code, and its data as inert JSON); no payload runs.
    scripts = [dict(attrs) for tag, attrs in tags if tag == "script"]
    assert len(scripts) == 2 and any(s.get("type") == "application/json" for s in scripts)
    assert "<script>alert(" not in html and "</script><script>" not in html
    assert not [name for _, attrs in tags for name, _ in attrs if name.startswith("on")]
    assert not [value for _, attrs in tags for name, value in attrs
                if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:")]
    assert "&lt;script&gt;alert(" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("&lt;script&gt;") >= 6  # title, message, recommendation, reference, clause, file name


def test_hostile_output_file_is_left_alone_when_writing_fails(tmp_path, monkeypatch, policy_txt):
    out = tmp_path / "rapport.json"
    out.write_text("OUD RAPPORT", encoding="utf-8")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    result = invoke("scan", str(policy_txt), "--format", "json", "-o", str(out))
    assert result.exit_code == 2
    assert f"kan {out} niet schrijven" in result.stderr and "No space left on device" in result.stderr
    assert out.read_text(encoding="utf-8") == "OUD RAPPORT"
    assert [p.name for p in tmp_path.iterdir()] == ["rapport.json"]  # no temporary file left


def test_hostile_output_file_gets_normal_permissions(tmp_path, policy_txt):
    out = tmp_path / "rapport.json"
    invoke("scan", str(policy_txt), "--format", "json", "-o", str(out))
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


INTERRUPT_SCRIPT = """
import os, signal, sys
import policycheck.scan as scan
original = scan.Scanner.scan_path
calls = []
def scan_path(self, path, data=None):
    calls.append(path)
    if len(calls) == 3:
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the third document is scanned
    return original(self, path, data)
scan.Scanner.scan_path = scan_path
from policycheck.cli import main
sys.argv = ["policycheck"] + sys.argv[1:]
main()
"""


def _interrupted_run(tmp_path, policy_txt, *args):
    files = []
    for number in range(5):
        path = tmp_path / f"beleid{number}.txt"
        path.write_text(policy_txt.read_text(encoding="utf-8"), encoding="utf-8")
        files.append(str(path))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", INTERRUPT_SCRIPT, "scan", *files, *args],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)


def test_hostile_ctrl_c_keeps_the_old_report_and_says_what_was_done(tmp_path, policy_txt):
    out = tmp_path / "rapport.json"
    out.write_text("OUD RAPPORT", encoding="utf-8")
    result = _interrupted_run(tmp_path, policy_txt, "--format", "json", "-o", str(out), "-j", "1")
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr
    assert (f"onderbroken (Ctrl-C) na 2 van 5 documenten verwerkt; rapport niet geschreven, {out} is niet gewijzigd. "
            "2 documenten gescand") in result.stderr
    assert out.read_text(encoding="utf-8") == "OUD RAPPORT"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_hostile_ctrl_c_on_the_terminal_prints_what_was_done(tmp_path, policy_txt):
    result = _interrupted_run(tmp_path, policy_txt, "--no-color", "-j", "1")
    assert result.returncode == 130
    assert "Traceback" not in result.stderr
    assert result.stdout.count("AB-LAAGSTE-PRIJS") == 2
    assert "onderbroken (Ctrl-C) na 2 van 5 documenten verwerkt; het rapport hierboven is onvolledig." in result.stderr


def test_hostile_doctor_says_whether_ocr_is_available():
    result = invoke("doctor")
    expected = "OCR (--ocr): Tesseract met Nederlands gevonden" if _tesseract() else "OCR (--ocr): niet beschikbaar"
    assert expected in result.output
