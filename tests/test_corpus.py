"""Every corpus document gives exactly its gold findings (corpus/gold/*.yaml)."""

from pathlib import Path

import pytest
import yaml

from conftest import CORPUS

GOLD_FILES = sorted((CORPUS / "gold").glob("*.yaml"))


def test_corpus_has_gold_for_every_document():
    documents = sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".pdf", ".docx", ".txt", ".md"))
    gold = sorted(yaml.safe_load(p.read_text(encoding="utf-8"))["document"] for p in GOLD_FILES)
    assert documents == gold
    assert len(documents) >= 4


@pytest.mark.parametrize("gold_file", GOLD_FILES, ids=[p.stem for p in GOLD_FILES])
def test_corpus_document_gives_exactly_its_gold_findings(scanner, gold_file: Path):
    gold = yaml.safe_load(gold_file.read_text(encoding="utf-8"))
    result = scanner.scan_path(str(CORPUS / gold["document"]))
    assert result.errors == []
    assert result.policy_type.value == gold["policy_type"], result.policy_type.evidence

    remaining = list(result.findings)
    missing = []
    for expected in gold["findings"] or []:
        text = expected.get("text")
        match = next(
            (f for f in remaining if f.rule_id == expected["rule"]
             and (f.text and text and text in f.text or (not text and f.document_level))),
            None,
        )
        if match is None:
            missing.append(expected)
        else:
            remaining.remove(match)
    extra = [(f.rule_id, f.text) for f in remaining]
    assert (missing, extra) == ([], [])
