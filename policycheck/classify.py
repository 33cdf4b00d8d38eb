"""Detect the policy type of a document (procurement or subsidy) and say why."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policycheck.model import Document

# Terms typical of each type, with weights. Counted as whole words (lower case);
# words in the title count five times.
_TERMS = {
    "procurement": {
        r"aanbested\w*": 3, r"inkoop\w*": 2, r"inkopen": 2, r"opdrachtnemers?": 2,
        r"inschrijvers?": 2, r"inschrijving\w*": 1, r"gun(?:nen|ning|t|d)\w*": 2,
        r"opdrachtgevers?": 1, r"leveranciers?": 1, r"aanbestedingswet": 4,
        r"offertes?": 1, r"social return": 2,
    },
    "subsidy": {
        r"subsidie\w*": 3, r"aanvragers?": 2, r"subsidieplafond\w*": 4,
        r"subsidieverlening": 4, r"subsidievaststelling": 4, r"beschikking\w*": 1,
        r"algemene wet bestuursrecht": 3, r"awb": 2, r"verstrekt\w*": 1,
        r"verantwoording": 1,
        # The participatieverordening (art. 150 Gemeentewet) is checked by the subsidy
        # rules (uitdaagrecht), also when it never mentions a subsidy.
        r"participatieverordening\w*": 4, r"inspraakverordening\w*": 4, r"uitdaagrecht\w*": 3,
    },
}
_COMPILED = {
    kind: [(re.compile(rf"\b{pattern}\b"), pattern, weight) for pattern, weight in terms.items()]
    for kind, terms in _TERMS.items()
}
TITLE_WEIGHT = 5
LABELS = {"procurement": "inkoop en aanbesteding", "subsidy": "subsidie", "unknown": "onbekend"}


@dataclass
class PolicyType:
    value: str  # procurement | subsidy | unknown
    detected: bool  # False when given with --type
    evidence: list[str] = field(default_factory=list)
    scores: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return LABELS.get(self.value, self.value)

    def to_dict(self) -> dict:
        return {
            "value": self.value,
            "detected": self.detected,
            "evidence": list(self.evidence),
            "scores": dict(self.scores),
        }


def detect_policy_type(document: Document) -> PolicyType:
    body = document.text.lower()
    title = document.title.lower()
    scores: dict[str, int] = {}
    evidence: dict[str, list[str]] = {}
    for kind, patterns in _COMPILED.items():
        total = 0
        found: list[tuple[int, str]] = []
        for regex, pattern, weight in patterns:
            count = len(regex.findall(body))
            in_title = len(regex.findall(title))
            score = weight * count + weight * TITLE_WEIGHT * in_title
            if score:
                total += score
                example = regex.search(title) or regex.search(body)
                term = example.group(0) if example else pattern
                where = " (ook in de titel)" if in_title else ""
                found.append((score, f"'{term}' {count}×{where}"))
        scores[kind] = total
        evidence[kind] = [text for _, text in sorted(found, reverse=True)[:5]]
    best = max(scores, key=scores.get)
    other = min(scores, key=scores.get)
    # Require a clear margin; mixed or empty documents stay unknown.
    if scores[best] == 0 or scores[best] < 1.5 * scores[other]:
        return PolicyType("unknown", True, [f"geen duidelijk type (scores {scores})"], scores)
    return PolicyType(best, True, evidence[best], scores)


def given_policy_type(value: str) -> PolicyType:
    return PolicyType(value, False, ["opgegeven met --type"], {})
