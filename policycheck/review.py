"""Review decisions: a reviewer accepts or dismisses findings in the HTML report and
exports them as JSON; `policycheck scan --review FILE` applies them to a new scan.

Decisions match findings by `Finding.fingerprint` (rule id + normalised clause), so
they survive re-scans, layout changes and edits elsewhere in the document. A
decision whose fingerprint no longer occurs in the scan is *stale*: it is reported,
never silently dropped. The file format is documented in docs/review-decisions.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from policycheck.errors import PolicycheckError

FORMAT_NAME = "policycheck-review"
FORMAT_VERSION = 1
ACCEPTED = "accepted"
DISMISSED = "dismissed"
DECISIONS = (ACCEPTED, DISMISSED)
DECISION_LABELS = {ACCEPTED: "geaccepteerd", DISMISSED: "afgewezen"}
_FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")
MAX_REASON = 2000


class ReviewFileError(PolicycheckError):
    """A decisions file that cannot be used; the message names the file."""


@dataclass
class Decision:
    fingerprint: str
    decision: str  # accepted | dismissed
    reason: str = ""
    rule_id: str = ""
    text: str = ""  # the clause, so a stale decision can be recognised
    document: str = ""  # path of the document it was made on (informative)
    decided_at: str = ""  # ISO 8601, as the page wrote it
    reviewer: str = ""
    source: str = ""  # the decisions file it came from

    @property
    def label(self) -> str:
        return DECISION_LABELS[self.decision]

    @property
    def dismissed(self) -> bool:
        return self.decision == DISMISSED

    def to_dict(self) -> dict:
        data = {"fingerprint": self.fingerprint, "decision": self.decision, "reason": self.reason}
        for key in ("rule_id", "text", "document", "decided_at", "reviewer"):
            value = getattr(self, key)
            if value:
                data[key] = value
        return data


@dataclass
class Review:
    """The decisions of one run, and how they met the scan."""

    decisions: dict[str, Decision] = field(default_factory=dict)  # by fingerprint
    files: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    hide_dismissed: bool = False
    applied: set[str] = field(default_factory=set)  # fingerprints found in the scan
    hidden: int = 0

    def decision_for(self, finding) -> Optional[Decision]:
        return self.decisions.get(finding.fingerprint)

    def is_dismissed(self, finding) -> bool:
        decision = self.decision_for(finding)
        return decision is not None and decision.dismissed

    @property
    def stale(self) -> list[Decision]:
        return [d for fp, d in self.decisions.items() if fp not in self.applied]

    def summary(self) -> dict:
        return {
            "files": list(self.files),
            "decisions": len(self.decisions),
            "applied": len(self.applied),
            "hidden_dismissed": self.hidden,
            "stale": [dict(decision.to_dict(), source=decision.source) for decision in self.stale],
        }


def load_decisions(paths, hide_dismissed: bool = False) -> Review:
    """Read one or more decisions files; a later file overrides an earlier one."""
    review = Review(hide_dismissed=hide_dismissed)
    for path in paths:
        for decision in _read_file(path):
            previous = review.decisions.get(decision.fingerprint)
            if previous is not None and previous.source != path:
                review.notices.append(
                    f"{path}: beoordeling van {decision.fingerprint} vervangt die uit {previous.source}"
                )
            review.decisions[decision.fingerprint] = decision
        review.files.append(path)
    return review


def _read_file(path: str) -> list[Decision]:
    def fail(problem: str):
        raise ReviewFileError(f"{path}: {problem}")

    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        fail("beoordelingsbestand niet gevonden")
    except IsADirectoryError:
        fail("is een map; geef het JSON-bestand met beoordelingen op")
    except OSError as error:
        fail(f"kan het beoordelingsbestand niet lezen ({error.strerror or error})")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        fail("geen UTF-8-tekst; verwacht een JSON-bestand met beoordelingen uit het HTML-rapport")
    except json.JSONDecodeError as error:
        fail(f"geen geldige JSON (regel {error.lineno}, kolom {error.colno}: {error.msg})")
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        fail(f"geen beoordelingsbestand van policycheck (verwacht \"format\": \"{FORMAT_NAME}\")")
    version = data.get("version")
    if version != FORMAT_VERSION:
        fail(f"versie {version!r} van het beoordelingsformaat wordt niet ondersteund (verwacht {FORMAT_VERSION})")
    items = data.get("decisions")
    if not isinstance(items, list):
        fail("\"decisions\" moet een lijst zijn")
    reviewer = data.get("reviewer") if isinstance(data.get("reviewer"), str) else ""
    decisions = []
    for number, item in enumerate(items, start=1):
        where = f"beoordeling {number}"
        if not isinstance(item, dict):
            fail(f"{where}: moet een object zijn")
        fingerprint = item.get("fingerprint")
        if not isinstance(fingerprint, str) or not _FINGERPRINT.match(fingerprint):
            fail(f"{where}: \"fingerprint\" moet 16 hexadecimale tekens zijn, niet {fingerprint!r}")
        decision = item.get("decision")
        if decision not in DECISIONS:
            fail(f"{where}: \"decision\" moet \"accepted\" of \"dismissed\" zijn, niet {decision!r}")
        texts = {}
        for key in ("reason", "rule_id", "text", "document", "decided_at", "reviewer"):
            value = item.get(key, "")
            if value is None:
                value = ""
            if not isinstance(value, str):
                fail(f"{where}: \"{key}\" moet tekst zijn")
            texts[key] = value.strip()
        if decision == DISMISSED and not texts["reason"]:
            fail(f"{where} ({fingerprint}): een afwijzing heeft een reden nodig (\"reason\")")
        if len(texts["reason"]) > MAX_REASON:
            fail(f"{where}: de reden is langer dan {MAX_REASON} tekens")
        texts["reviewer"] = texts["reviewer"] or reviewer.strip()
        decisions.append(Decision(fingerprint=fingerprint, decision=decision, source=path, **texts))
    return decisions


def apply_review(results, review: Review) -> None:
    """Note which decisions met a finding; with `hide_dismissed`, drop dismissed findings."""
    for result in results:
        kept = []
        for finding in result.findings:
            decision = review.decision_for(finding)
            if decision is not None:
                review.applied.add(finding.fingerprint)
            if decision is not None and decision.dismissed and review.hide_dismissed:
                review.hidden += 1
                continue
            kept.append(finding)
        result.findings = kept

