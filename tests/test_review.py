"""Review decisions from the HTML report, applied with `policycheck scan --review`."""

import json

import pytest
from click.testing import CliRunner

from policycheck.cli import main

POLICY = (
    "Inkoopbeleid gemeente Testdorp\n\n"
    "Artikel 3 Gunning\n\n"
    "Opdrachten worden standaard gegund op basis van de laagste prijs.\n\n"
    "De gemeente past social return toe bij diensten boven € 200.000.\n"
)


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def policy(tmp_path):
    path = tmp_path / "inkoopbeleid.txt"
    path.write_text(POLICY, encoding="utf-8")
    return path


def findings_of(path, *extra):
    data = json.loads(run("scan", str(path), "--format", "json", *extra).stdout)
    return {f["rule_id"]: f for f in data["documents"][0]["findings"]}, data


def write_decisions(path, decisions, **top):
    data = {"format": "policycheck-review", "version": 1, "decisions": decisions, **top}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_review_dismissed_finding_is_marked_in_text_and_json_and_no_longer_fails(policy, tmp_path):
    findings, _ = findings_of(policy)
    lowest = findings["AB-LAAGSTE-PRIJS"]
    decisions = write_decisions(tmp_path / "besluiten.json", [
        {"fingerprint": lowest["fingerprint"], "decision": "dismissed", "reason": "Alleen voor kleine leveringen",
         "rule_id": "AB-LAAGSTE-PRIJS"},
        {"fingerprint": findings["AB-SOCIAL-RETURN"]["fingerprint"], "decision": "accepted"},
    ], reviewer="J. de Vries")
    assert run("scan", str(policy)).exit_code == 1

    result = run("scan", str(policy), "--review", str(decisions), "--no-color")
    assert result.exit_code == 0  # the only belemmerend finding was dismissed
    assert "AB-LAAGSTE-PRIJS Gunnen op laagste prijs als uitgangspunt [ernst: hoog] [afgewezen]" in result.stdout
    assert "Beoordeling: afgewezen: Alleen voor kleine leveringen (J. de Vries)" in result.stdout
    assert "[geaccepteerd]" in result.stdout

    reviewed, data = findings_of(policy, "--review", str(decisions))
    assert reviewed["AB-LAAGSTE-PRIJS"]["review"] == {
        "decision": "dismissed", "reason": "Alleen voor kleine leveringen", "reviewer": "J. de Vries",
        "decided_at": None, "source": str(decisions),
    }
    assert reviewed["AB-SOCIAL-RETURN"]["review"]["decision"] == "accepted"
    assert "review" not in reviewed["AB-ONTBREEKT-SOCIALE-ONDERNEMING"]
    assert data["review"]["decisions"] == 2 and data["review"]["applied"] == 2 and data["review"]["stale"] == []
    # Without --review the JSON has no review fields at all (schema 1.0 unchanged).
    plain, data = findings_of(policy)
    assert "review" not in data and all("review" not in f for f in plain.values())


def test_review_hide_dismissed_leaves_them_out(policy, tmp_path):
    findings, _ = findings_of(policy)
    decisions = write_decisions(tmp_path / "b.json", [
        {"fingerprint": findings["AB-LAAGSTE-PRIJS"]["fingerprint"], "decision": "dismissed", "reason": "n.v.t."},
    ])
    result = run("scan", str(policy), "--review", str(decisions), "--hide-dismissed", "--no-color")
    assert result.exit_code == 0
    assert "AB-LAAGSTE-PRIJS" not in result.stdout
    assert "1 afgewezen verborgen" in result.stdout
    hidden, data = findings_of(policy, "--review", str(decisions), "--hide-dismissed")
    assert "AB-LAAGSTE-PRIJS" not in hidden and data["review"]["hidden_dismissed"] == 1
    html = run("scan", str(policy), "--review", str(decisions), "--hide-dismissed", "--format", "html").stdout
    assert "Gunnen op laagste prijs" not in html


def test_review_survives_an_edit_elsewhere_and_reports_stale_decisions(policy, tmp_path):
    findings, _ = findings_of(policy)
    decisions = write_decisions(tmp_path / "b.json", [
        {"fingerprint": findings["AB-LAAGSTE-PRIJS"]["fingerprint"], "decision": "dismissed", "reason": "bewust"},
        {"fingerprint": findings["AB-SOCIAL-RETURN"]["fingerprint"], "decision": "accepted",
         "rule_id": "AB-SOCIAL-RETURN", "text": findings["AB-SOCIAL-RETURN"]["text"]},
    ])
    # The document is edited: new layout and casing for the first clause, the second removed.
    policy.write_text(
        "Inkoopbeleid gemeente Testdorp 2026\n\nArtikel 1 Doel\n\nDit beleid regelt inkoop.\n\n"
        "Artikel 3 Gunning\n\nOpdrachten  worden standaard gegund op basis van de LAAGSTE prijs\n",
        encoding="utf-8",
    )
    result = run("scan", str(policy), "--review", str(decisions), "--no-color")
    assert "[afgewezen]" in result.stdout  # matched by fingerprint despite the edits
    assert f"verouderde beoordeling {findings['AB-SOCIAL-RETURN']['fingerprint']} (AB-SOCIAL-RETURN)" in result.stderr
    assert "1 verouderd" in result.stdout
    _, data = findings_of(policy, "--review", str(decisions))
    stale = data["review"]["stale"]
    assert [d["fingerprint"] for d in stale] == [findings["AB-SOCIAL-RETURN"]["fingerprint"]]
    assert stale[0]["text"] == findings["AB-SOCIAL-RETURN"]["text"] and stale[0]["source"] == str(decisions)
    html = run("scan", str(policy), "--review", str(decisions), "--format", "html").stdout
    assert "Verouderde beoordelingen (1)" in html


@pytest.mark.parametrize("content, message", [
    (None, "beoordelingsbestand niet gevonden"),
    ("{niet json", "geen geldige JSON (regel 1"),
    ('{"decisions": []}', 'verwacht "format": "policycheck-review"'),
    ('{"format": "policycheck-review", "version": 2, "decisions": []}', "versie 2"),
    ('{"format": "policycheck-review", "version": 1, "decisions": {}}', '"decisions" moet een lijst zijn'),
    ('{"format": "policycheck-review", "version": 1, "decisions": [{"fingerprint": "xyz", "decision": "accepted"}]}',
     "beoordeling 1: \"fingerprint\" moet 16 hexadecimale tekens zijn"),
    ('{"format": "policycheck-review", "version": 1, "decisions": [{"fingerprint": "0123456789abcdef", '
     '"decision": "maybe"}]}', '"decision" moet "accepted" of "dismissed" zijn'),
    ('{"format": "policycheck-review", "version": 1, "decisions": [{"fingerprint": "0123456789abcdef", '
     '"decision": "dismissed", "reason": " "}]}', "een afwijzing heeft een reden nodig"),
])
def test_review_bad_file_gives_one_dutch_line_and_exit_2(policy, tmp_path, content, message):
    path = tmp_path / "besluiten.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run("scan", str(policy), "--review", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and message in lines[0], lines
    assert "Traceback" not in result.output and result.stdout == ""


def test_review_hide_dismissed_needs_review(policy):
    result = run("scan", str(policy), "--hide-dismissed")
    assert result.exit_code == 2 and "--review" in result.stderr


def test_review_later_file_overrides_earlier_with_notice(policy, tmp_path):
    findings, _ = findings_of(policy)
    fp = findings["AB-LAAGSTE-PRIJS"]["fingerprint"]
    first = write_decisions(tmp_path / "a.json", [{"fingerprint": fp, "decision": "dismissed", "reason": "eerst"}])
    second = write_decisions(tmp_path / "b.json", [{"fingerprint": fp, "decision": "accepted"}])
    result = run("scan", str(policy), "--review", str(first), "--review", str(second), "--no-color")
    assert result.exit_code == 1 and "[geaccepteerd]" in result.stdout
    assert "vervangt die uit" in result.stderr
