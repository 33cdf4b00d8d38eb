"""Measure rule quality: precision, recall and F1 against gold findings.

Two sources:

- the corpus: every `gold/*.yaml` next to the documents lists the findings a document
  must produce (rule id and, for clause findings, a piece of the quoted clause);
- labelled passages (JSON lines: id, kind positive|negative, topic, polarity,
  policy_type, text): each passage is scanned as a text document with its policy
  type; document-level findings are ignored. A positive counts as found when a
  finding has its topic and polarity; a negative (a hard negative that shares
  keywords with its topic) counts as a false alarm when a finding has its topic and
  polarity. Findings of other topics on a passage are not counted: a real passage
  often touches more than one topic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class Evaluation:
    by_rule: dict[str, Counts] = field(default_factory=dict)
    by_topic: dict[str, Counts] = field(default_factory=dict)
    overall: Counts = field(default_factory=Counts)
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    items: int = 0

    def count(self, rule_id: str | None, topic: str, kind: str) -> None:
        for table, key in ((self.by_rule, rule_id), (self.by_topic, topic)):
            if key is None:
                continue
            counts = table.setdefault(key, Counts())
            setattr(counts, kind, getattr(counts, kind) + 1)
        setattr(self.overall, kind, getattr(self.overall, kind) + 1)

    def to_dict(self) -> dict:
        return {
            "items": self.items,
            "overall": self.overall.to_dict(),
            "by_topic": {k: v.to_dict() for k, v in sorted(self.by_topic.items())},
            "by_rule": {k: v.to_dict() for k, v in sorted(self.by_rule.items())},
            "misses": self.misses,
            "false_alarms": self.false_alarms,
        }


def evaluate_corpus(corpus_dir: Path, scanner) -> Evaluation:
    import yaml

    evaluation = Evaluation()
    topics = {rule.id: rule.topic for rule in scanner.ruleset.rules}
    for gold_file in sorted((corpus_dir / "gold").glob("*.yaml")):
        gold = yaml.safe_load(gold_file.read_text(encoding="utf-8"))
        result = scanner.scan_path(str(corpus_dir / gold["document"]))
        evaluation.items += 1
        if result.errors:
            evaluation.misses += [f"{gold['document']}: {e}" for e in result.errors]
        remaining = list(result.findings)
        for expected in gold.get("findings") or []:
            text = expected.get("text")
            found = next(
                (f for f in remaining if f.rule_id == expected["rule"]
                 and ((text and f.text and text in f.text) or (not text and f.document_level))),
                None,
            )
            topic = topics.get(expected["rule"], "?")
            if found is None:
                evaluation.count(expected["rule"], topic, "fn")
                evaluation.misses.append(f"{gold['document']}: {expected['rule']} {text or '(document)'!r}")
            else:
                remaining.remove(found)
                evaluation.count(expected["rule"], topic, "tp")
        for finding in remaining:
            evaluation.count(finding.rule_id, finding.topic, "fp")
            evaluation.false_alarms.append(f"{gold['document']}: {finding.rule_id} {finding.text or '(document)'!r}")
    return evaluation


def load_passages(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate_passages(passages: list[dict], scanner) -> Evaluation:
    """Per (topic, polarity): found positives, missed positives, false alarms."""
    from policycheck.model import PARAGRAPH, Block, Document

    evaluation = Evaluation()
    policy_type_before = scanner.policy_type
    from policycheck.extract import extract

    for passage in passages:
        # As a user would scan it: the passage as a text document (lines, headings, lists).
        document = extract(f"{passage['id']}.txt", passage["text"].encode("utf-8"))
        scanner.policy_type = passage.get("policy_type") or "auto"
        result = scanner.scan_document(document)
        evaluation.items += 1
        found = {(f.topic, f.polarity) for f in result.findings if not f.document_level}
        label = (passage["topic"], passage["polarity"])
        key = f"{label[0]}/{label[1]}"
        if passage["kind"] == "positive":
            if label in found:
                evaluation.count(None, key, "tp")
            else:
                evaluation.count(None, key, "fn")
                evaluation.misses.append(f"{passage['id']} ({key}): {passage['text'][:160]}")
        elif label in found:
            evaluation.count(None, key, "fp")
            evaluation.false_alarms.append(f"{passage['id']} (negatief {key}): {passage['text'][:160]}")
    scanner.policy_type = policy_type_before
    return evaluation


def corpus_passage_files(corpus_dir: Path) -> list[Path]:
    """The corpus's own labelled passages (`passages/*.jsonl`), written for the project."""
    return sorted((corpus_dir / "passages").glob("*.jsonl"))


def default_passage_files(start: Path) -> list[Path]:
    """`../shared/eval/*.jsonl` seen from the working directory or the repository."""
    candidates = [start / ".." / "shared" / "eval", Path(__file__).resolve().parent.parent.parent / "shared" / "eval"]
    for folder in candidates:
        if folder.is_dir():
            return sorted(folder.glob("*.jsonl"))
    return []


def format_table(title: str, table: dict[str, Counts], overall: Counts) -> list[str]:
    width = max([len(k) for k in table] + [10])
    lines = [title, f"  {'':{width}}  {'prec':>5} {'recall':>6} {'F1':>5}  {'tp':>3} {'fp':>3} {'fn':>3}"]
    for key, counts in sorted(table.items()):
        lines.append(f"  {key:{width}}  {counts.precision:5.2f} {counts.recall:6.2f} {counts.f1:5.2f}  "
                     f"{counts.tp:3d} {counts.fp:3d} {counts.fn:3d}")
    lines.append(f"  {'totaal':{width}}  {overall.precision:5.2f} {overall.recall:6.2f} {overall.f1:5.2f}  "
                 f"{overall.tp:3d} {overall.fp:3d} {overall.fn:3d}")
    return lines
