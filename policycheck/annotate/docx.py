"""Word comments on the matched clauses of a DOCX (python-docx's comments API).

A finding knows its block and its offsets in `Document.text`. The block records
which body paragraph or table row it came from (`Block.source`); rebuilding that
element's text with `extract.docx.paragraph_text(..., origins)` tells, for each
character, the `w:t` (or `w:tab`, ...) it came from. The runs holding the first
and last character of the clause are split there (each half keeps the run's
formatting), so the comment covers exactly the clause.
"""

from __future__ import annotations

import copy
import io
from typing import Optional

from policycheck.annotate import AUTHOR, INITIALS, Annotated, AnnotateError, document_note_paragraphs, note_paragraphs
from policycheck.extract.docx import cell_text, iter_body, paragraph_text, row_cells
from policycheck.extract.normalize import normalize_with_offsets
from policycheck.model import HEADING

_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def block_origins(doc, elements: list, block) -> Optional[list]:
    """For each character of `block.text`, (element, index) in the DOCX or None.

    None (the whole result) when the DOCX no longer gives the block's text, which
    would mean the extractor and this walk disagree.
    """
    from docx.table import Table

    if not block.source or block.source[0] >= len(elements):
        return None
    element = elements[block.source[0]]
    if len(block.source) == 1:
        raw_origins: list = []
        raw = paragraph_text(element, raw_origins)
        text, offsets = normalize_with_offsets(raw)
        origins = [raw_origins[i] for i in offsets]
        # A list label (`1.`, `a.`) the extractor put in front is not in the runs.
        prefix = len(block.text) - len(text)
        if prefix < 0 or block.text[prefix:] != text:
            return None
        return [None] * prefix + origins
    rows = Table(element, doc._body).rows
    if block.source[1] >= len(rows):
        return None
    texts, origins = [], []
    for cell in row_cells(rows[block.source[1]]):
        if texts:
            origins.extend([None] * 3)  # " | "
        sub: list = []
        texts.append(cell_text(cell, sub) if cell is not None else "")
        origins.extend(sub)
    if " | ".join(texts) != block.text:
        return None
    return origins


def _content_children(run) -> list:
    return [child for child in run if child.tag != _qn("w:rPr")]


def _set_text(t_element, text: str) -> None:
    t_element.text = text
    t_element.set(_XML_SPACE, "preserve")


def _split_before(element, index: int):
    """Split the run holding `element` so that a run starts at its character `index`;
    returns that run (the original run when nothing needs splitting)."""
    run = element.getparent()
    children = _content_children(run)
    position = children.index(element)
    if index == 0 and position == 0:
        return run
    twin = copy.deepcopy(run)
    twin_children = _content_children(twin)
    # The original keeps what comes before; the twin what comes from `index` on.
    for child in children[position + 1 :]:
        run.remove(child)
    for child in twin_children[:position]:
        twin.remove(child)
    twin_element = twin_children[position]
    if element.tag == _qn("w:t") and index > 0:
        text = element.text or ""
        _set_text(element, text[:index])
        _set_text(twin_element, text[index:])
    else:
        run.remove(element)
    run.addnext(twin)
    return twin


def _split_after(element, index: int):
    """Split the run holding `element` so that a run ends after its character `index`;
    returns that run."""
    run = element.getparent()
    children = _content_children(run)
    position = children.index(element)
    length = len(element.text or "") if element.tag == _qn("w:t") else 1
    if index + 1 < length:
        _split_before(element, index + 1)
        return run
    if position + 1 < len(children):
        _split_before(children[position + 1], 0)
    return run


def _is_run(element) -> bool:
    """A run of the block's own text: not one inside a text box anchored in it, where
    a comment range starting in the body could not end."""
    if element is None or element.tag != _qn("w:r"):
        return False
    return not any(ancestor.tag == _qn("w:txbxContent") for ancestor in element.iterancestors())


def _anchor_runs(origins: list, start: int, end: int):
    """(first run, last run) covering characters start..end-1, splitting runs as needed;
    None when the clause has no characters in runs of its own paragraph(s)."""
    inside = [origins[i] for i in range(max(0, start), min(end, len(origins))) if origins[i] is not None]
    inside = [o for o in inside if _is_run(o[0].getparent())]
    if not inside:
        return None
    (first_el, first_i), (last_el, last_i) = inside[0], inside[-1]
    same_run = first_el.getparent() is last_el.getparent()
    # Split at the end first: that leaves the start's element and offset valid.
    last_run = _split_after(last_el, last_i)
    first_run = _split_before(first_el, first_i)
    if same_run:
        # Start and end were in one run: the clause is now the run that starts it.
        last_run = first_run
    return first_run, last_run


def _add_comment(doc, first_run, last_run, paragraphs: list[str]):
    from docx.text.run import Run

    comment = doc.add_comment(
        [Run(first_run, None), Run(last_run, None)], text=paragraphs[0], author=AUTHOR, initials=INITIALS
    )
    if comment.paragraphs and comment.paragraphs[0].runs:
        comment.paragraphs[0].runs[0].bold = True
    for text in paragraphs[1:]:
        comment.add_paragraph(text)
    return comment


def annotate_docx(document, findings, data: bytes) -> Annotated:
    import docx

    try:
        doc = docx.Document(io.BytesIO(data))
    except Exception as error:  # the extractor read it, so this is unexpected
        raise AnnotateError(f"{document.path}: DOCX kan niet worden geopend om te annoteren ({error})") from None
    elements = list(iter_body(doc.element.body))
    result = Annotated(b"")
    clause_findings = sorted((f for f in findings if not f.document_level), key=lambda f: (f.start, f.end))
    for finding in clause_findings:
        block = document.blocks[finding.block_index]
        origins = block_origins(doc, elements, block)
        runs = None
        if origins is not None:
            runs = _anchor_runs(origins, finding.start - block.start, finding.end - block.start)
        if runs is None:
            result.notes.append(
                f"{finding.rule_id} ({finding.location_label()}): bepaling niet teruggevonden in de DOCX; geen opmerking geplaatst"
            )
            continue
        _add_comment(doc, *runs, note_paragraphs(finding))
        result.placed += 1
    document_findings = [f for f in findings if f.document_level]
    if document_findings:
        target = next((b for b in document.blocks if b.kind == HEADING), None) or (
            document.blocks[0] if document.blocks else None
        )
        runs = None
        if target is not None:
            origins = block_origins(doc, elements, target)
            if origins is not None:
                runs = _anchor_runs(origins, 0, len(target.text))
        if runs is None:
            result.notes.append("bevindingen over het hele document: geen kopje gevonden om de opmerking aan te hangen")
        else:
            _add_comment(doc, *runs, document_note_paragraphs(document_findings))
            result.placed += 1
    out = io.BytesIO()
    doc.save(out)
    result.data = out.getvalue()
    return result
