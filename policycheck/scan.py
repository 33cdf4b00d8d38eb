"""One scan: extract -> detect policy type -> match. Used by the CLI and by tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from policycheck.classify import PolicyType, detect_policy_type, given_policy_type
from policycheck.errors import InputError
from policycheck.model import Document, Finding

# What a directory scan picks up (the format itself is still sniffed from the bytes).
SUPPORTED_SUFFIXES = (".pdf", ".docx", ".docm", ".txt", ".md")
STDIN = "-"

POLARITY_ORDER = ("belemmerend", "ontbrekend", "bevorderend")
SEVERITY_ORDER = ("hoog", "middel", "laag")


@dataclass
class DocumentResult:
    path: str
    document: Optional[Document] = None
    policy_type: Optional[PolicyType] = None
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def counts(self) -> dict[str, int]:
        counts = {polarity: 0 for polarity in POLARITY_ORDER}
        for finding in self.findings:
            counts[finding.polarity] += 1
        return counts


class Scanner:
    """Holds what is loaded once per run: the NLP pipeline and the compiled rules."""

    def __init__(self, ruleset, policy_type: str = "auto", options=None):
        from policycheck.extract.options import ExtractOptions
        from policycheck.match import CompiledRules
        from policycheck.nlp import load_pipeline

        self.ruleset = ruleset
        self.policy_type = policy_type
        self.options = options or ExtractOptions()
        self.nlp, self.pipeline = load_pipeline()
        self.compiled = CompiledRules(ruleset.rules, self.nlp, self.pipeline)

    def scan_path(self, path: str, data: Optional[bytes] = None) -> DocumentResult:
        """Extract and match one file; an unreadable file or a passed limit becomes `errors`."""
        from policycheck.extract import extract
        from policycheck.extract.options import Deadline

        result = DocumentResult(path=path)
        deadline = Deadline(path, self.options.max_seconds)
        try:
            document = extract(path, data, self.options)
            return self.scan_document(document, result, deadline)
        except InputError as error:
            result.document = None
            result.findings = []
            result.errors.append(str(error))
            return result

    def scan_document(self, document: Document, result: Optional[DocumentResult] = None,
                      deadline=None) -> DocumentResult:
        """Match an extracted document. Raises InputError when `deadline` passes."""
        from policycheck.match import match_document

        result = result or DocumentResult(path=document.path)
        result.document = document
        result.warnings.extend(document.warnings)
        if self.policy_type == "auto":
            result.policy_type = detect_policy_type(document)
        else:
            result.policy_type = given_policy_type(self.policy_type)
        if not document.blocks:
            result.warnings.append("het document bevat geen tekst")
        result.findings = match_document(document, result.policy_type.value, self.compiled, deadline)
        result.warnings.extend(self.compiled.timeout_warnings())
        return result


def expand_paths(paths: tuple[str, ...], recursive: bool = False) -> Iterator[tuple[str, Optional[str]]]:
    """Yield (path, problem) for every input; a directory gives its supported files
    (with `recursive`, also those in subfolders; hidden files never)."""
    for raw in paths:
        if raw == STDIN:
            yield raw, None
            continue
        path = Path(raw)
        if path.is_dir():
            candidates = path.rglob("*") if recursive else path.glob("*")
            files = sorted(
                p for p in candidates
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not files:
                yield raw, "map bevat geen ondersteunde bestanden (.pdf, .docx, .txt, .md)"
            for file in files:
                yield str(file), None
        else:
            yield raw, None
