"""Findings written into a copy of the document, where policy officers work.

    from policycheck.annotate import annotate
    data = annotate(document, findings, original_bytes)

DOCX gets a Word comment on each matched clause (`annotate.docx`), PDF a highlight
annotation over it (`annotate.pdf`). Both work on the bytes the scan read, return
the bytes of the copy and never touch the original file; writing the copy is the
caller's job (`policycheck.output.write_output`, atomic). Unlike the reports this
stage reads the source file again, which is why it lives apart from `report/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policycheck.errors import PolicycheckError

AUTHOR = "policycheck"
INITIALS = "PC"
ANNOTATABLE = {"docx": (".docx", ".docm"), "pdf": (".pdf",)}


class AnnotateError(PolicycheckError):
    """The document cannot be annotated (wrong format, unexpected structure)."""


@dataclass
class Annotated:
    data: bytes
    placed: int = 0  # comments or highlights written
    notes: list[str] = field(default_factory=list)  # findings that could not be placed exactly


def annotate(document, findings, data: bytes) -> Annotated:
    """A copy of the document (`data` are its bytes) with the findings in it.

    document (Document): what extraction read from `data`.
    findings (list[Finding]): the findings of that document.
    RETURNS (Annotated): the copy's bytes and notes on findings placed approximately.
    """
    if document.format == "docx":
        from policycheck.annotate.docx import annotate_docx

        return annotate_docx(document, findings, data)
    if document.format == "pdf":
        from policycheck.annotate.pdf import annotate_pdf

        return annotate_pdf(document, findings, data)
    raise AnnotateError(
        f"{document.path}: --annotate werkt alleen voor PDF en DOCX, dit is {document.format}"
        " (gebruik --format html voor een rapport met gemarkeerde bepalingen)"
    )


def note_paragraphs(finding) -> list[str]:
    """The text of a comment or note: title, message, recommendation, sources."""
    lines = [
        f"{finding.title} ({finding.rule_id}; {finding.polarity}, ernst {finding.severity})",
        finding.message.strip(),
        f"Aanbeveling: {finding.recommendation.strip()}",
    ]
    sources = [f"{ref.title} {ref.url}".strip() for ref in finding.references]
    if sources:
        lines.append("Bron: " + "; ".join(sources))
    return lines


def document_note_paragraphs(findings) -> list[str]:
    """One note for all document-level findings (what the document as a whole lacks)."""
    lines = [f"policycheck: {len(findings)} bevinding(en) over het hele document"]
    for finding in findings:
        lines.extend(note_paragraphs(finding))
    return lines
