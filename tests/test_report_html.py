"""The HTML report as a reviewer gets it: self-contained, escaped, the clause marked
exactly, and folder scans written as one report per document plus an index."""

import base64
import hashlib
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS
from policycheck.cli import main

CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".pdf", ".docx"))

HOSTILE_RULE = """\
id: TEST-HOSTILE
title: 'Titel <script>alert("titel")</script>'
polarity: belemmerend
severity: hoog
topic: award-criteria
applies_to: [procurement]
step: 5
message: 'Bericht <script>alert("bericht")</script> en "><img src=x onerror=alert("bericht")>'
recommendation: 'Schrijf liever "><img src=x onerror=alert(2)> niets.'
references:
  - title: 'Bron "><img src=x onerror=alert(3)>'
    url: 'javascript:alert(4)'
  - title: Echte bron
    url: https://example.org/a?b=1&c=2
match:
  all:
    - regex: 'laagste prijs'
negation: ignore
examples:
  match:
    - Wij gunnen op de laagste prijs.
"""

HOSTILE_TEXT = (
    "Inkoopbeleid <script>alert('kop')</script>\n\n"
    "Artikel 1 Gunning\n\n"
    "Wij gunnen op de laagste prijs <script>alert(1)</script> en \"><img src=x onerror=alert(5)>.\n\n"
    "Een zin met </script><script>alert(6)</script> erin.\n"
)


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []  # (tag, attrs)
        self.scripts = []  # (attrs, text)
        self.styles = []
        self.text = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = (tag, dict(attrs), [])

    def handle_endtag(self, tag):
        if self._in and tag == self._in[0]:
            kind, attrs, parts = self._in
            (self.scripts if kind == "script" else self.styles).append((attrs, "".join(parts)))
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._in[2].append(data)
        else:
            self.text.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def csp_of(page: _Collector) -> dict:
    meta = [a for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(meta) == 1
    directives = {}
    for part in meta[0]["content"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


@pytest.fixture
def hostile_report(tmp_path):
    rules = tmp_path / "regels"
    rules.mkdir()
    (rules / "TEST-HOSTILE.yml").write_text(HOSTILE_RULE, encoding="utf-8")
    source = tmp_path / "<script>alert(7)<.\"><img src=x onerror=alert(8)>.txt"
    source.write_text(HOSTILE_TEXT, encoding="utf-8")
    out = tmp_path / "rapport.html"
    result = run("scan", str(source), "--rules", str(rules), "--format", "html", "-o", str(out))
    assert result.exit_code == 1, result.output
    return out.read_text(encoding="utf-8")


def test_html_escapes_script_and_attribute_payloads_in_text_rule_and_file_name(hostile_report):
    page = parse(hostile_report)
    # No element came from a payload: no <img>, and only the report's own two scripts.
    assert not [t for t, _ in page.tags if t == "img"]
    assert [a.get("type") for a, _ in page.scripts] == ["application/json", None]
    assert not [(t, k) for t, attrs in page.tags for k in attrs if k.startswith("on")]
    # The payloads are shown as text, where a reviewer can read them.
    visible = "".join(page.text)
    assert "Wij gunnen op de laagste prijs <script>alert(1)</script> en \"><img src=x onerror=alert(5)>." in visible
    assert 'Bericht <script>alert("bericht")</script> en "><img src=x onerror=alert("bericht")>' in visible
    assert "<script>alert(7)<.\"><img src=x onerror=alert(8)>.txt" in visible
    assert 'Titel <script>alert("titel")</script>' in visible
    # A javascript: URL never becomes a link; a web URL does, with & escaped.
    hrefs = [a.get("href", "") for t, a in page.tags if t == "a"]
    assert not [h for h in hrefs if h.lower().startswith("javascript")]
    assert "https://example.org/a?b=1&c=2" in hrefs
    assert 'href="https://example.org/a?b=1&amp;c=2"' in hostile_report
    # The data block for the script cannot be closed early by document text.
    data_text = page.scripts[0][1]
    assert "</" not in data_text and "<script" not in data_text
    data = json.loads(data_text)
    assert any("<script>alert(1)</script>" in f["text"] for f in data["findings"])


def test_html_csp_allows_exactly_the_inline_style_and_script(hostile_report):
    page = parse(hostile_report)
    csp = csp_of(page)
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == [sha256_source(page.scripts[1][1])]
    assert csp["style-src"] == [sha256_source(page.styles[0][1])]
    assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'none'"]
    assert "unsafe-inline" not in hostile_report
    # Nothing is loaded from elsewhere: only links (<a>) point outside the page; every
    # other reference is a fragment of the page itself, and there are no stylesheets,
    # imports or fonts.
    for tag, attrs in page.tags:
        for name in ("src", "href", "xlink:href", "srcset", "action", "data", "poster"):
            if name in attrs and tag != "a":
                assert attrs[name].startswith("#"), (tag, attrs)
    assert "<link" not in hostile_report and "@import" not in hostile_report and "url(" not in hostile_report
    # No inline style attributes (the CSP would block them).
    assert not [t for t, a in page.tags if "style" in a]


@pytest.fixture(scope="module")
def corpus_reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("html") / "rapporten"
    result = run("scan", str(CORPUS), "--format", "html", "-o", str(out))
    assert result.exit_code == 1, result.output
    data = json.loads(run("scan", str(CORPUS), "--format", "json").stdout)
    return out, data


def test_html_folder_scan_writes_a_report_per_document_and_an_index(corpus_reports):
    out, data = corpus_reports
    names = sorted(p.name for p in out.iterdir())
    # Written like any new file (not private to the user), so the reports can be shared.
    assert all((out / name).stat().st_mode & 0o044 == 0o044 & ~os.umask(os.umask(0)) for name in names)
    assert names == sorted(["index.html"] + [p.stem + ".html" for p in CORPUS_FILES])
    index = parse((out / "index.html").read_text(encoding="utf-8"))
    links = [a["href"] for t, a in index.tags if t == "a" and a.get("href", "").endswith(".html")]
    assert sorted(links) == sorted(p.stem + ".html" for p in CORPUS_FILES)
    assert not index.scripts  # the index needs no script
    rows = (out / "index.html").read_text(encoding="utf-8")
    for document in data["documents"]:
        assert document["title"] in rows
    # Totals in the index footer equal the JSON summary.
    footer = rows[rows.index("<tfoot>"):rows.index("</tfoot>")]
    counts = [int(n) for n in re.findall(r'class="num">(\d+)<', footer)]
    assert counts[:3] == [data["summary"]["by_polarity"][p] for p in ("belemmerend", "ontbrekend", "bevorderend")]


@pytest.mark.parametrize("source", CORPUS_FILES, ids=lambda p: p.name)
def test_html_marks_exactly_each_finding_clause_of_every_corpus_document(corpus_reports, source):
    out, data = corpus_reports
    document = next(d for d in data["documents"] if d["path"].endswith(source.name))
    html = (out / (source.stem + ".html")).read_text(encoding="utf-8")
    page_data = json.loads(parse(html).scripts[0][1])
    clause_findings = [f for f in document["findings"] if not f["location"]["document_level"]]
    for view, finding in zip(page_data["findings"], document["findings"]):
        assert view["fingerprint"] == finding["fingerprint"]
    for number, finding in enumerate(document["findings"], start=1):
        if finding["location"]["document_level"]:
            assert f'id="c-{number}"' not in html
            continue
        # The marked text from the clause's anchor on equals the quoted clause.
        start = html.index(f'id="c-{number}"')
        marked = re.findall(rf'<mark class="clause [^"]*" data-findings="[^"]*\b{number}\b[^"]*">(.*?)</mark>',
                            html[start:])
        assert "".join(marked) == _escape(finding["text"])
    assert len(re.findall(r'<a class="tag ', html)) == len(clause_findings)
    assert html.count('<article class="finding') == len(document["findings"])


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def test_html_single_file_output_unchanged_and_folder_needs_a_folder(tmp_path):
    source = CORPUS_FILES[0]
    out = tmp_path / "rapport.html"
    assert run("scan", str(source), "--format", "html", "-o", str(out)).exit_code in (0, 1)
    assert out.is_file() and "<h1>" in out.read_text(encoding="utf-8")
    # One file to stdout still works.
    assert run("scan", str(source), "--format", "html").stdout.startswith("<!DOCTYPE html>")
    # A folder (or several files) needs -o MAP: a clear message, exit 2, nothing written.
    result = run("scan", str(CORPUS), "--format", "html")
    assert result.exit_code == 2 and "-o MAP" in result.output
    result = run("scan", str(CORPUS), "--format", "html", "-o", str(tmp_path / "alles.html"))
    assert result.exit_code == 2 and "geen .html-bestand" in result.output
    assert not (tmp_path / "alles.html").exists()
    result = run("scan", str(CORPUS_FILES[0]), str(CORPUS_FILES[1]), "--format", "html", "-o", str(out))
    assert result.exit_code == 2 and "is een bestand" in result.output
    # Two files into a new folder: two reports and the index.
    folder = tmp_path / "nieuw" / "map"
    assert run("scan", str(CORPUS_FILES[0]), str(CORPUS_FILES[1]), "--format", "html",
               "-o", str(folder)).exit_code in (0, 1)
    assert len(list(folder.glob("*.html"))) == 3


def test_html_folder_scan_lists_unreadable_documents_in_the_index(tmp_path):
    folder = tmp_path / "beleid"
    folder.mkdir()
    (folder / "goed.txt").write_text("Inkoopbeleid\n\nWij gunnen op de laagste prijs.\n", encoding="utf-8")
    (folder / "leeg.txt").write_bytes(b"")
    out = tmp_path / "uit"
    result = run("scan", str(folder), "--format", "html", "-o", str(out))
    assert result.exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == ["goed.html", "index.html"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "leeg.txt" in index and "leeg bestand" in index
