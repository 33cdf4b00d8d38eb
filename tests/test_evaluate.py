"""`policycheck eval`: precision and recall against gold findings and labelled passages."""

import json

from click.testing import CliRunner

from conftest import CORPUS
from policycheck.cli import main


def test_eval_corpus_scores_every_gold_finding():
    result = CliRunner().invoke(main, ["eval", "--corpus", str(CORPUS), "--format", "json",
                                       "--passages", "/dev/null"], catch_exceptions=False)
    data = json.loads(result.stdout)
    overall = data["corpus"]["overall"]
    assert overall["tp"] > 0
    assert (overall["precision"], overall["recall"]) == (1.0, 1.0), data["corpus"]["misses"] + data["corpus"]["false_alarms"]


def test_eval_passages_counts_found_missed_and_false_alarms(tmp_path):
    passages = [
        {"id": "p1", "kind": "positive", "topic": "nonprofit-only", "polarity": "belemmerend", "policy_type": "subsidy",
         "text": "Subsidie wordt niet verstrekt aan organisaties met een winstoogmerk."},
        {"id": "p2", "kind": "positive", "topic": "nonprofit-only", "polarity": "belemmerend", "policy_type": "subsidy",
         "text": "Het college verleent subsidie aan activiteiten in de wijk."},
        {"id": "n1", "kind": "negative", "topic": "nonprofit-only", "polarity": "belemmerend", "policy_type": "subsidy",
         "text": "Instellingen met een winstoogmerk komen niet in aanmerking voor deze subsidie."},
        {"id": "n2", "kind": "negative", "topic": "nonprofit-only", "polarity": "belemmerend", "policy_type": "subsidy",
         "text": "Een winstoogmerk is geen weigeringsgrond."},
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in passages), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "--corpus", str(tmp_path), "--passages", str(path), "--format", "json"],
                                catch_exceptions=False)
    topic = json.loads(result.stdout)["passages"]["by_topic"]["nonprofit-only/belemmerend"]
    assert (topic["tp"], topic["fn"], topic["fp"]) == (1, 1, 1)
    assert topic["precision"] == 0.5 and topic["recall"] == 0.5
    assert "geen corpus met gold-bestanden" in result.stderr


def test_eval_reports_the_corpus_passages_on_their_own():
    # corpus/passages holds passages written for the project in many wordings; the rules
    # were tuned on them, so a drop here means a rule edit lost a wording family.
    result = CliRunner().invoke(main, ["eval", "--corpus", str(CORPUS), "--format", "json"], catch_exceptions=False)
    data = json.loads(result.stdout)
    written = data["corpus_passages"]
    assert written["items"] == sum(
        1 for path in (CORPUS / "passages").glob("*.jsonl") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    )
    overall = written["overall"]
    assert overall["precision"] >= 0.98 and overall["recall"] >= 0.98, written["misses"] + written["false_alarms"]
    assert "Passages van het corpus" in CliRunner().invoke(main, ["eval", "--corpus", str(CORPUS)]).stdout


def test_eval_scans_a_passage_as_scan_would_scan_it_as_a_text_file(tmp_path):
    # A passage is scanned as a text document, so its lines, lists and headings count
    # as they do for `policycheck scan passage.txt`: eval measures what users get.
    text = ("Wij doen mee aan het Manifest Maatschappelijk Verantwoord Inkopen, met deze ambities:\n\n"
            "  \u2022 -\n\n    SROI: werk voor mensen met een afstand tot de arbeidsmarkt\n\n"
            "  \u2022 -\n\n    Circulair: hergebruik van materialen\n")
    passage = {"id": "m1", "kind": "positive", "topic": "mvi-social-goals", "polarity": "bevorderend",
               "policy_type": "procurement", "text": text}
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(passage), encoding="utf-8")
    (tmp_path / "m1.txt").write_text(text, encoding="utf-8")
    scan = CliRunner().invoke(main, ["scan", str(tmp_path / "m1.txt"), "--type", "procurement", "-f", "json",
                                     "--no-cache"], catch_exceptions=False)
    scanned = {(f["topic"], f["polarity"]) for f in json.loads(scan.stdout)["documents"][0]["findings"]}
    result = CliRunner().invoke(main, ["eval", "--corpus", str(tmp_path), "--passages", str(path), "--format", "json"],
                                catch_exceptions=False)
    found = json.loads(result.stdout)["passages"]["by_topic"]["mvi-social-goals/bevorderend"]["tp"] == 1
    assert found == (("mvi-social-goals", "bevorderend") in scanned) and found
