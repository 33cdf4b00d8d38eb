"""The new outputs from the command line, and the bad input around them: the original
is never touched and no half-written file is left behind."""

import hashlib
import io
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS
from policycheck.cli import main
from policycheck.errors import PolicycheckError
from policycheck.output import write_output

DOCX = CORPUS / "subsidieregeling-initiatieven-lindenmaar-2026.docx"
PDF = CORPUS / "inkoopbeleid-velderhoven-2025.pdf"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _left_over(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def docx_copy(tmp_path):
    target = tmp_path / "regeling.docx"
    shutil.copy(DOCX, target)
    return target


@pytest.mark.parametrize("source,suffix,what", [(DOCX, ".docx", "opmerkingen"), (PDF, ".pdf", "markeringen")])
def test_cli_annotate_writes_a_copy_and_leaves_the_original(tmp_path, source, suffix, what):
    original = tmp_path / f"beleid{suffix}"
    shutil.copy(source, original)
    before = _digest(original)
    output = tmp_path / f"beleid.policycheck{suffix}"
    result = run("scan", original, "--annotate", "-o", output, "--no-color")
    assert result.exit_code in (0, 1), result.stderr
    assert _digest(original) == before
    assert output.is_file() and output.read_bytes()[:4] in (b"PK\x03\x04", b"%PDF")
    assert f"geannoteerde kopie geschreven naar {output}" in result.stderr and what in result.stderr
    assert "gescand:" in result.output  # the report still goes to the terminal
    assert _left_over(tmp_path) == sorted([original.name, output.name])


def test_cli_annotate_needs_an_output_file(docx_copy):
    result = run("scan", docx_copy, "--annotate")
    assert result.exit_code == 2
    assert "--annotate schrijft een kopie" in result.stderr and "-o" in result.stderr


@pytest.mark.parametrize("spelling", ["same", "dotted"])
def test_cli_annotate_refuses_to_overwrite_the_input(docx_copy, spelling):
    before = _digest(docx_copy)
    target = docx_copy if spelling == "same" else docx_copy.parent / "." / docx_copy.name
    result = run("scan", docx_copy, "--annotate", "-o", target)
    assert result.exit_code == 2
    assert "is het invoerbestand zelf" in result.stderr
    assert _digest(docx_copy) == before
    assert _left_over(docx_copy.parent) == [docx_copy.name]


def test_cli_report_refuses_to_overwrite_an_input(tmp_path):
    policy = tmp_path / "beleid.txt"
    policy.write_text("Inkoopbeleid\n\nWij gunnen op de laagste prijs.\n", encoding="utf-8")
    before = _digest(policy)
    result = run("scan", tmp_path, "--format", "csv", "-o", policy)
    assert result.exit_code == 2 and "is het invoerbestand zelf" in result.stderr
    assert _digest(policy) == before


def test_cli_annotate_missing_output_folder(docx_copy):
    result = run("scan", docx_copy, "--annotate", "-o", docx_copy.parent / "bestaat-niet" / "uit.docx")
    assert result.exit_code == 2
    assert "bestaat niet" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write in any folder")
def test_cli_annotate_unwritable_output_folder(docx_copy, tmp_path):
    locked = tmp_path / "alleen-lezen"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = run("scan", docx_copy, "--annotate", "-o", locked / "uit.docx")
        assert result.exit_code == 2
        assert "geen schrijfrechten" in result.stderr
        assert _left_over(locked) == []
    finally:
        locked.chmod(0o755)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_cli_annotate_folder_that_refuses_files(docx_copy):
    # /proc accepts no new files, not even from root: the write fails after the scan.
    result = run("scan", docx_copy, "--annotate", "-o", "/proc/policycheck-test.docx")
    assert result.exit_code == 2
    assert "policycheck-test.docx" in result.stderr and "Traceback" not in result.stderr
    assert not Path("/proc/policycheck-test.docx").exists()


def test_cli_annotate_text_file_is_a_clear_error(tmp_path):
    policy = tmp_path / "beleid.txt"
    policy.write_text("Inkoopbeleid\n\nWij gunnen op de laagste prijs.\n", encoding="utf-8")
    result = run("scan", policy, "--annotate", "-o", tmp_path / "beleid.policycheck.txt")
    assert result.exit_code == 2
    assert "--annotate werkt alleen voor PDF en DOCX" in result.stderr
    assert _left_over(tmp_path) == ["beleid.txt"]


def test_cli_annotate_unreadable_document_writes_nothing(tmp_path):
    broken = tmp_path / "kapot.docx"
    broken.write_bytes(b"PK\x03\x04 dit is geen docx")
    result = run("scan", broken, "--annotate", "-o", tmp_path / "kapot.policycheck.docx")
    assert result.exit_code == 2
    assert "kapot.docx" in result.stderr and "Traceback" not in result.stderr
    assert _left_over(tmp_path) == ["kapot.docx"]


def test_cli_annotate_one_file_only(tmp_path):
    result = run("scan", CORPUS, "--annotate", "-o", tmp_path / "uit.docx")
    assert result.exit_code == 2 and "één PDF- of DOCX-bestand" in result.stderr
    assert _left_over(tmp_path) == []


def test_cli_annotate_output_must_keep_the_format(docx_copy):
    result = run("scan", docx_copy, "--annotate", "-o", docx_copy.parent / "uit.pdf")
    assert result.exit_code == 2 and "moet eindigen op .docx" in result.stderr
    assert _left_over(docx_copy.parent) == [docx_copy.name]


def test_cli_xlsx_needs_an_output_file():
    result = run("scan", DOCX, "--format", "xlsx")
    assert result.exit_code == 2 and "-o bevindingen.xlsx" in result.stderr


def test_cli_directory_scan_to_xlsx_csv_and_sarif(tmp_path):
    import csv
    import json

    from openpyxl import load_workbook

    for fmt in ("xlsx", "csv", "sarif"):
        output = tmp_path / f"bevindingen.{fmt}"
        result = run("scan", CORPUS, "--format", fmt, "-o", output, "-q")
        assert result.exit_code == 1  # the corpus has belemmerend findings
        assert output.is_file()
    rows = list(csv.DictReader(io.StringIO((tmp_path / "bevindingen.csv").read_text(encoding="utf-8"))))
    sheet = load_workbook(tmp_path / "bevindingen.xlsx")["Bevindingen"]
    sarif = json.loads((tmp_path / "bevindingen.sarif").read_text(encoding="utf-8"))
    import yaml

    # The corpus gives exactly its gold findings (tests/test_corpus.py): one row each.
    expected = sum(len(yaml.safe_load(g.read_text(encoding="utf-8"))["findings"] or [])
                   for g in (CORPUS / "gold").glob("*.yaml"))
    assert len(rows) == sheet.max_row - 1 == len(sarif["runs"][0]["results"]) == expected
    assert {r["document"] for r in rows} == {str(p) for p in sorted(CORPUS.glob("*.*")) if p.suffix in (".pdf", ".docx")}
    assert (tmp_path / "bevindingen.xlsx").stat().st_mode & 0o777 != 0o600  # not left private by mkstemp


def test_write_output_failure_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "rapport.xlsx"
    target.write_bytes(b"oud")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_output(str(target), b"nieuw")
    assert target.read_bytes() == b"oud"
    assert _left_over(tmp_path) == ["rapport.xlsx"]


def test_write_output_refuses_a_folder(tmp_path):
    with pytest.raises(PolicycheckError, match="is een map"):
        write_output(str(tmp_path), "x")
