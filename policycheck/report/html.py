"""HTML report for reviewers: one self-contained page per document (no network), and
an index page for a folder scan.

Safety: every text from a document, a rule or a file name goes through Jinja2's
autoescaping; the data the page script needs is embedded with `|tojson` in a
`<script type="application/json">` block (which escapes `<`, `>`, `&` and `'`). The
page's only stylesheet and script are inline, and the Content-Security-Policy allows
exactly those two by their SHA-256 hash, so nothing else can run or load.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Optional

from policycheck.classify import LABELS as POLICY_TYPE_LABELS
from policycheck.model import HEADING, HEADING_SEPARATOR, LIST_ITEM, PLAN_STEPS, TABLE_ROW
from policycheck.report.labels import FORMAT_LABELS, PROFILE_LABELS, SEVERITY_LABELS, topic_label
from policycheck.report.summary import POLARITY_LABELS, sorted_findings, summary_line, totals
from policycheck.scan import POLARITY_ORDER, SEVERITY_ORDER

INDEX_NAME = "index.html"


@dataclass
class Segment:
    text: str
    findings: list = field(default_factory=list)  # FindingView covering this text
    starts: list = field(default_factory=list)  # FindingView whose clause starts here

    @property
    def polarity(self) -> str:
        """The most serious polarity among the covering findings (for the colour)."""
        return min((f.polarity for f in self.findings), key=POLARITY_ORDER.index)


@dataclass
class FindingView:
    id: str
    finding: object
    decision: object = None  # review.Decision

    def __getattr__(self, name):
        if name.startswith("__") or name == "finding":
            raise AttributeError(name)
        return getattr(self.finding, name)


def _asset(name: str) -> str:
    return resources.files("policycheck.report").joinpath("templates", name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _assets() -> dict:
    css = _asset("report.css")
    js = _asset("report.js")
    # The hashes below cover the exact text between the tags; a closing tag inside
    # would end the element early, so refuse it outright.
    assert "</style" not in css.lower() and "</script" not in js.lower()
    return {"css": css, "js": js, "css_hash": _csp_hash(css), "js_hash": _csp_hash(js)}


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(script: bool) -> str:
    assets = _assets()
    parts = ["default-src 'none'", f"style-src {assets['css_hash']}", "img-src data:"]
    if script:
        parts.append(f"script-src {assets['js_hash']}")
    parts += ["base-uri 'none'", "form-action 'none'"]
    return "; ".join(parts)


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("policycheck.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.globals.update(
        polarity_labels=POLARITY_LABELS,
        severity_labels=SEVERITY_LABELS,
        format_labels=FORMAT_LABELS,
        profile_labels=PROFILE_LABELS,
        policy_type_labels=POLICY_TYPE_LABELS,
        plan_steps=PLAN_STEPS,
        topic_label=topic_label,
        polarity_order=POLARITY_ORDER,
        severity_order=SEVERITY_ORDER,
        heading_separator=HEADING_SEPARATOR,
        safe_url=safe_url,
    )
    return env


def safe_url(url: str) -> Optional[str]:
    """Only web links become links; anything else (javascript:, data:) stays text."""
    url = (url or "").strip()
    return url if re.match(r"^https?://[^\s]+$", url, re.IGNORECASE) else None


# ---------------------------------------------------------------- document report


def render_html(results, context) -> str:
    """One document: its report page. Several: the index page (see render_directory)."""
    if len(results) == 1:
        return render_document(results[0], context)
    return render_index(results, report_filenames(results), context)


def render_document(result, context, index_href: Optional[str] = None, stale=None) -> str:
    """The report page of one document. `stale`: stale review decisions to show and carry
    over in the export (default: all stale decisions of the run)."""
    review = context.review
    if stale is None:
        stale = review.stale if review else []
    findings = [
        FindingView(id=str(number), finding=finding, decision=review.decision_for(finding) if review else None)
        for number, finding in enumerate(sorted_findings(result.findings), start=1)
    ]
    document = result.document
    blocks = _document_view(document, findings) if document else []
    data = _page_data(result, context, findings, stale)
    env = _environment()
    assets = _assets()
    return env.get_template("report.html.j2").render(
        result=result,
        document=document,
        context=context,
        findings=findings,
        clause_findings=[f for f in findings if not f.document_level],
        document_findings=[f for f in findings if f.document_level],
        blocks=blocks,
        counts=_counts(findings),
        profile=_profile(result, context, findings),
        topics=sorted({f.topic for f in findings}, key=topic_label),
        steps=sorted({f.step for f in findings}),
        stale=stale,
        data=data,
        index_href=index_href,
        css=assets["css"],
        js=assets["js"],
        csp=content_security_policy(script=True),
    )


def _counts(findings) -> dict:
    polarity = {p: 0 for p in POLARITY_ORDER}
    severity = {s: 0 for s in SEVERITY_ORDER}
    table = {(p, s): 0 for p in POLARITY_ORDER for s in SEVERITY_ORDER}
    for f in findings:
        polarity[f.polarity] += 1
        severity[f.severity] += 1
        table[(f.polarity, f.severity)] += 1
    return {"polarity": polarity, "severity": severity, "table": table, "total": len(findings)}


def _profile(result, context, findings) -> list[dict]:
    """Per topic: findings per polarity, the plan steps, and a plain verdict."""
    policy_type = result.policy_type.value if result.policy_type else None
    topics = list(context.rule_topics.get(policy_type, []))
    for f in findings:
        if f.topic not in topics:
            topics.append(f.topic)
    rows = []
    for topic in sorted(topics, key=topic_label):
        of_topic = [f for f in findings if f.topic == topic]
        counts = {p: sum(1 for f in of_topic if f.polarity == p) for p in POLARITY_ORDER}
        against = counts["belemmerend"] + counts["ontbrekend"]
        if counts["bevorderend"] and against:
            verdict = "gemengd"
        elif counts["bevorderend"]:
            verdict = "gunstig"
        elif against:
            verdict = "ongunstig"
        else:
            verdict = "neutraal"
        rows.append({
            "topic": topic,
            "label": topic_label(topic),
            "counts": counts,
            "steps": sorted({f.step for f in of_topic}),
            "verdict": verdict,
        })
    return rows


def _document_view(document, findings) -> list[dict]:
    """Blocks in order, each split into segments so exactly the clauses are marked."""
    by_block: dict[int, list] = {}
    for view in findings:
        if view.block_index is not None and view.start is not None:
            by_block.setdefault(view.block_index, []).append(view)
    # h2 is "Het document"; the document's heading levels, in rank order, follow
    # from h3 without gaps (levels 1 and 3 become h3 and h4).
    levels = sorted({b.level or 1 for b in document.blocks if b.kind == HEADING})
    rank = {level: min(6, 3 + position) for position, level in enumerate(levels)}
    blocks = []
    previous_page = None
    for block in document.blocks:
        level = None
        if block.kind == HEADING:
            level = rank[block.level or 1]
        new_page = block.page is not None and block.page != previous_page
        previous_page = block.page if block.page is not None else previous_page
        blocks.append({
            "block": block,
            "tag": f"h{level}" if level else "p",
            "class": {LIST_ITEM: "list-item", TABLE_ROW: "table-row"}.get(block.kind, block.kind),
            "segments": _segments(block, by_block.get(block.index, [])),
            "new_page": new_page,
        })
    return blocks


def _segments(block, views) -> list[Segment]:
    text = block.text
    if not views:
        return [Segment(text)]
    spans = []
    for view in views:
        start = max(0, min(len(text), view.start - block.start))
        end = max(start, min(len(text), view.end - block.start))
        spans.append((start, end, view))
    cuts = sorted({0, len(text)} | {s for s, _, _ in spans} | {e for _, e, _ in spans})
    segments = []
    for a, b in zip(cuts, cuts[1:]):
        covering = [v for s, e, v in spans if s <= a and b <= e and s < e]
        starting = [v for s, _, v in spans if s == a]
        segments.append(Segment(text[a:b], covering, starting))
    # A finding with an empty span still gets its anchor at the end of the block.
    for s, e, view in spans:
        if s == e == len(text):
            segments.append(Segment("", [], [view]))
    return segments


def _page_data(result, context, findings, stale) -> dict:
    """What the page script needs (embedded as JSON, never as HTML)."""
    document = result.document
    decisions = []
    seen = set()
    for view in findings:
        if view.decision is not None and view.fingerprint not in seen:
            seen.add(view.fingerprint)
            decisions.append(view.decision.to_dict())
    decisions += [d.to_dict() for d in stale if d.fingerprint not in seen]
    return {
        "version": context.version,
        "document": {
            "path": result.path,
            "title": (document.title if document else "") or "",
            "sha256": document.sha256 if document else None,
        },
        "export_name": f"beoordeling-{_slug(Path(result.path).stem) or 'document'}.json",
        "decisions": decisions,
        "findings": [
            {"id": v.id, "fingerprint": v.fingerprint, "rule_id": v.rule_id, "text": v.text}
            for v in findings
        ],
    }


# ---------------------------------------------------------------- folder scan


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:120]


def report_filenames(results) -> list[str]:
    """A file name per result, unique within the folder: the document's name without
    its extension (sub/a.pdf -> sub-a.html), numbered on a clash."""
    paths = [Path(r.path) for r in results]
    common = _common_parent(paths)
    names, used = [], {INDEX_NAME.lower()}
    for path in paths:
        try:
            relative = path.with_suffix("").relative_to(common)
        except ValueError:
            relative = Path(path.stem)
        base = _slug("-".join(relative.parts)) or "document"
        name, number = f"{base}.html", 2
        while name.lower() in used:
            name, number = f"{base}-{number}.html", number + 1
        used.add(name.lower())
        names.append(name)
    return names


def _common_parent(paths) -> Path:
    parents = [p.parent.parts for p in paths]
    if not parents:
        return Path(".")
    common = []
    for parts in zip(*parents):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return Path(*common) if common else Path(".")


def render_index(results, filenames, context, stale=None) -> str:
    review = context.review
    if stale is None:
        stale = review.stale if review else []
    rows = []
    for result, filename in zip(results, filenames):
        counts = {p: 0 for p in POLARITY_ORDER}
        severity = {s: 0 for s in SEVERITY_ORDER}
        dismissed = 0
        for f in result.findings:
            counts[f.polarity] += 1
            severity[f.severity] += 1
            if review and review.is_dismissed(f):
                dismissed += 1
        rows.append({
            "result": result,
            "href": None if result.failed else filename,
            "title": (result.document.title if result.document else "") or Path(result.path).name,
            "counts": counts,
            "severity": severity,
            "dismissed": dismissed,
        })
    assets = _assets()
    return _environment().get_template("index.html.j2").render(
        rows=rows,
        context=context,
        totals=totals(results),
        summary=summary_line(results),
        stale=stale,
        css=assets["css"],
        csp=content_security_policy(script=False),
    )


def render_directory(results, context) -> dict[str, str]:
    """{file name: html} for a folder scan: one report per document plus index.html.
    A stale decision is shown on its document's page when it names that document,
    else on the index page."""
    review = context.review
    stale = review.stale if review else []
    filenames = report_filenames(results)
    pages = {}
    placed = set()
    for result, filename in zip(results, filenames):
        if result.failed:
            continue
        own = [d for d in stale if d.document and d.document == result.path]
        placed.update(id(d) for d in own)
        pages[filename] = render_document(result, context, index_href=INDEX_NAME, stale=own)
    pages[INDEX_NAME] = render_index(results, filenames, context, stale=[d for d in stale if id(d) not in placed])
    return pages
